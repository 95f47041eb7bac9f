/**
 * A real Samba Active Directory domain controller for the LDAP connector's integration tests
 * (../shared/TESTING.md). Provisioning takes ~5 s, so a provisioned and pre-populated template is
 * cached under /tmp and copied for each run (~0.1 s); the copy starts in ~1-2 s. A DC that is already
 * running (started by a concurrent test run: pid file + port 389 answering) is reused and left running.
 *
 * The template holds `OU=Bulk` with BULK_USERS users, so the ranged-`member` test can build a group of
 * more than 1,500 members with a single modify instead of 1,600 slow adds.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { X509Certificate } from 'node:crypto';
import type { TestService } from './index.js';

const ROOT = process.env.IMESH_SAMBA_DIR ?? '/tmp/imesh-samba';
const TEMPLATE = `${ROOT}-template-v1`;
const REALM = 'CORP.EXAMPLE.TEST';
const BASE_DN = 'DC=corp,DC=example,DC=test';
const ADMIN_PASSWORD = 'Passw0rd!Passw0rd';
export const BULK_USERS = 1600;

export async function ensureDebianPackages(needed: Record<string, string>): Promise<void> {
  const missing = Object.entries(needed)
    .filter(([binary]) => spawnSync('sh', ['-c', `command -v ${binary}`]).status !== 0)
    .map(([, pkg]) => pkg);
  if (missing.length === 0) return;
  const packages = [...new Set(missing)];
  const command = `apt-get update && apt-get install -y ${packages.join(' ')}`;
  if (process.getuid?.() !== 0) throw new Error(`missing Debian packages ${packages.join(', ')}; run as root: ${command}`);
  const marker = '/tmp/imesh-apt-updated';
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!existsSync(marker) || Date.now() - statSync(marker).mtimeMs > 3_600_000) {
    execFileSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
    writeFileSync(marker, '');
  }
  execFileSync('apt-get', ['install', '-y', '-q', ...packages], { stdio: 'inherit', env });
}

export function portAnswers(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.setTimeout(500);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function waitFor(what: string, test: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await test()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export function runningPid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

function configure(dir: string): void {
  const conf = `${dir}/etc/smb.conf`;
  const text = readFileSync(conf, 'utf8')
    // winbindd is not installed and would take the server down; keep what LDAP needs, allow simple
    // binds over plain LDAP (tests only), and keep pid and logs inside the folder.
    .replace(/^\tserver services = .*$/m, '\tserver services = ldap, rpc, kdc, cldap\n\tldap server require strong auth = no\n\tpid directory = __DIR__')
    .replace(/^\tlog file = .*$/m, '\tlog file = __DIR__/samba.log');
  writeFileSync(conf, text);
}

function bulkLdif(): string {
  const lines = [`dn: OU=Bulk,${BASE_DN}`, 'objectClass: organizationalUnit', ''];
  for (let i = 1; i <= BULK_USERS; i++) {
    lines.push(`dn: CN=bulk${i},OU=Bulk,${BASE_DN}`, 'objectClass: user', `sAMAccountName: bulk${i}`, '');
  }
  return lines.join('\n');
}

/** Provisions the cached template once per machine (~10 s). Paths in smb.conf are placeholders. */
function ensureTemplate(): void {
  if (existsSync(`${TEMPLATE}/.ready`)) return;
  rmSync(TEMPLATE, { recursive: true, force: true });
  const started = Date.now();
  execFileSync(
    'samba-tool',
    ['domain', 'provision', `--realm=${REALM}`, '--domain=CORP', `--adminpass=${ADMIN_PASSWORD}`, '--server-role=dc', '--dns-backend=NONE', `--targetdir=${TEMPLATE}`],
    { stdio: 'pipe' },
  );
  configure(TEMPLATE);
  const ldif = `${TEMPLATE}/bulk.ldif`;
  writeFileSync(ldif, bulkLdif());
  execFileSync('ldbadd', ['-H', `${TEMPLATE}/private/sam.ldb`, ldif], { stdio: 'pipe' });
  rmSync(ldif);
  const conf = `${TEMPLATE}/etc/smb.conf`;
  writeFileSync(conf, readFileSync(conf, 'utf8').split(TEMPLATE).join('__DIR__'));
  writeFileSync(`${TEMPLATE}/.ready`, String(Date.now() - started));
}

function certificateName(caFile: string): string {
  // Samba's self-signed certificate names the DC by CN only (no subjectAltName).
  const cert = new X509Certificate(readFileSync(caFile.replace(/ca\.pem$/, 'cert.pem')));
  return /CN=([^\n,]+)/.exec(cert.subject)?.[1] ?? 'VM.corp.example.test';
}

export const samba: TestService = {
  name: 'samba',
  async start() {
    await ensureDebianPackages({ samba: 'samba', 'samba-tool': 'samba', ldbadd: 'ldb-tools' });
    const pidFile = `${ROOT}/samba.pid`;
    let startedHere = false;
    if (!(runningPid(pidFile) && (await portAnswers(389)))) {
      if (await portAnswers(389)) throw new Error(`port 389 is in use by a process other than the test Samba in ${ROOT}; stop it and rerun`);
      ensureTemplate();
      rmSync(ROOT, { recursive: true, force: true });
      cpSync(TEMPLATE, ROOT, { recursive: true });
      const conf = `${ROOT}/etc/smb.conf`;
      writeFileSync(conf, readFileSync(conf, 'utf8').split('__DIR__').join(ROOT));
      const result = spawnSync('samba', ['-s', conf, '-D'], { encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`samba failed to start (exit ${result.status}): ${result.stderr}`);
      startedHere = true;
      await waitFor('Samba on 127.0.0.1:389 and 636', async () => (await portAnswers(389)) && (await portAnswers(636)), 30_000).catch((error: unknown) => {
        const log = existsSync(`${ROOT}/samba.log`) ? readFileSync(`${ROOT}/samba.log`, 'utf8').slice(-2000) : '';
        throw new Error(`${String(error)}\n${log}`);
      });
    }
    const caFile = `${ROOT}/private/tls/ca.pem`;
    await waitFor(`Samba's CA certificate ${caFile}`, () => existsSync(caFile) && existsSync(`${ROOT}/private/tls/cert.pem`), 10_000);
    const pid = runningPid(pidFile);
    return {
      provide: {
        sambaUrl: 'ldap://127.0.0.1:389',
        sambaLdapsUrl: 'ldaps://127.0.0.1:636',
        sambaBindDn: `Administrator@${REALM.toLowerCase()}`,
        sambaPassword: ADMIN_PASSWORD,
        sambaBaseDn: BASE_DN,
        sambaCaFile: caFile,
        sambaServername: certificateName(caFile),
        sambaDir: ROOT,
        sambaBulkOu: `OU=Bulk,${BASE_DN}`,
        sambaBulkUsers: String(BULK_USERS),
      },
      async stop() {
        if (!startedHere || pid === undefined) return;
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          return;
        }
        await waitFor('Samba to stop', async () => runningPid(pidFile) === undefined && !(await portAnswers(389)), 15_000).catch(() => {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        });
      },
    };
  },
};
