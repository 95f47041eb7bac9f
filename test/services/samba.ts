/**
 * A real Samba Active Directory domain controller for the LDAP connector's integration tests
 * (../shared/TESTING.md). Provisioning takes ~5 s, so a provisioned and pre-populated template is
 * cached under /tmp and copied for each run (~0.1 s); the copy starts in ~1-2 s. A DC that is already
 * running (started by a concurrent test run: pid file + port 389 answering) is reused; concurrent runs
 * start it under a lock and the last one out stops it (acquireShared).
 *
 * The template holds `OU=Bulk` with BULK_USERS users, so the ranged-`member` test can build a group of
 * more than 1,500 members with a single modify instead of 1,600 slow adds.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
  return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Who listens on a port, for the error message: the outermost process of its tree (`ss`, /proc). */
function listener(port: number): string {
  try {
    const out = execFileSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' });
    let pid = Number(/pid=(\d+)/.exec(out)?.[1]);
    if (!pid) return 'owner unknown';
    const name = (p: number) => readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    const first = name(pid).split(/[\s:]/)[0];
    for (;;) {
      const parent = Number(/PPid:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
      if (!parent || parent === 1 || name(parent).split(/[\s:]/)[0] !== first) break;
      pid = parent;
    }
    return `pid ${pid}: ${name(pid)}`;
  } catch {
    return 'owner unknown';
  }
}

/** Runs `fn` while holding a lock shared by concurrent test runs (mkdir is atomic). */
async function withLock<T>(lock: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(`${lock}/owner`, String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = existsSync(`${lock}/owner`) ? Number(readFileSync(`${lock}/owner`, 'utf8')) : undefined;
      const stale = owner !== undefined ? !alive(owner) : Date.now() - statSync(lock).mtimeMs > 30_000;
      if (stale) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock} (held by pid ${owner ?? '?'})`);
      else await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export interface SharedServer {
  /** Folder the server runs in; recreated on every start. */
  readonly dir: string;
  readonly pidFile: string;
  readonly port: number;
  readonly description: string;
  /** Starts the server in `dir` (and waits until it answers). */
  start(): Promise<void>;
}

/**
 * Starts a server shared by concurrent test runs, or joins one that runs already. Runs register under
 * `<dir>.users/`; the last run to leave stops the server if a test run started it (the marker
 * `<dir>/.started-by-tests`), so no run pulls a server from under another and none is left behind.
 * A server started by hand is never stopped.
 */
export async function acquireShared(server: SharedServer): Promise<{ stop(): Promise<void> }> {
  const users = `${server.dir}.users`;
  const lock = `${server.dir}.lock`;
  await withLock(lock, async () => {
    if (!(runningPid(server.pidFile) && (await portAnswers(server.port)))) {
      if (await portAnswers(server.port)) {
        throw new Error(`port ${server.port} is in use by something other than the ${server.description} in ${server.dir} (${listener(server.port)}); stop it and rerun`);
      }
      rmSync(users, { recursive: true, force: true });
      await server.start();
      writeFileSync(`${server.dir}/.started-by-tests`, String(process.pid));
    }
    mkdirSync(users, { recursive: true });
    writeFileSync(`${users}/${process.pid}`, '');
  });
  return {
    async stop() {
      await withLock(lock, async () => {
        rmSync(`${users}/${process.pid}`, { force: true });
        const others = existsSync(users) ? readdirSync(users).filter((pid) => alive(Number(pid))) : [];
        if (others.length > 0 || !existsSync(`${server.dir}/.started-by-tests`)) return;
        const pid = runningPid(server.pidFile);
        if (pid === undefined) return;
        process.kill(pid, 'SIGTERM');
        await waitFor(`the ${server.description} to stop`, async () => runningPid(server.pidFile) === undefined && !(await portAnswers(server.port)), 15_000).catch(() => {
          if (alive(pid)) process.kill(pid, 'SIGKILL');
        });
      });
    },
  };
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
    const shared = await acquireShared({
      dir: ROOT,
      pidFile: `${ROOT}/samba.pid`,
      port: 389,
      description: 'test Samba',
      async start() {
        ensureTemplate();
        rmSync(ROOT, { recursive: true, force: true });
        cpSync(TEMPLATE, ROOT, { recursive: true });
        rmSync(`${ROOT}/.ready`);
        const conf = `${ROOT}/etc/smb.conf`;
        writeFileSync(conf, readFileSync(conf, 'utf8').split('__DIR__').join(ROOT));
        const result = spawnSync('samba', ['-s', conf, '-D'], { encoding: 'utf8' });
        if (result.status !== 0) throw new Error(`samba failed to start (exit ${result.status}): ${result.stderr}`);
        await waitFor('Samba on 127.0.0.1:389 and 636', async () => (await portAnswers(389)) && (await portAnswers(636)), 30_000).catch((error: unknown) => {
          const log = existsSync(`${ROOT}/samba.log`) ? readFileSync(`${ROOT}/samba.log`, 'utf8').slice(-2000) : '';
          throw new Error(`${String(error)}\n${log}`);
        });
      },
    });
    const caFile = `${ROOT}/private/tls/ca.pem`;
    await waitFor(`Samba's CA certificate ${caFile}`, () => existsSync(caFile) && existsSync(`${ROOT}/private/tls/cert.pem`), 10_000);
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
      stop: shared.stop,
    };
  },
};
