/**
 * A private OpenLDAP slapd for the generic LDAP connector's integration tests (../shared/TESTING.md),
 * on 127.0.0.1:3389 (Samba owns 389/636). It offers StartTLS with a throwaway CA made here with
 * openssl. Start-up takes well under a second. A slapd already running from a concurrent test run (pid
 * file + port answering) is reused (see acquireShared in samba.ts).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { TestService } from './index.js';
import { acquireShared, ensureDebianPackages, portAnswers, waitFor } from './samba.js';

const DIR = process.env.IMESH_SLAPD_DIR ?? '/tmp/imesh-slapd';
const PORT = Number(process.env.IMESH_SLAPD_PORT ?? 3389);
const SUFFIX = 'dc=example,dc=test';
const ROOT_DN = `cn=admin,${SUFFIX}`;
const ROOT_PASSWORD = 'secret';
const SERVERNAME = 'slapd.imesh.test';

function makeCertificates(): void {
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: DIR, stdio: 'pipe' });
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '3650', '-subj', '/CN=Identity Mesh test CA', '-keyout', 'ca.key', '-out', 'ca.pem']);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${SERVERNAME}`, '-keyout', 'server.key', '-out', 'server.csr']);
  writeFileSync(`${DIR}/server.ext`, `subjectAltName=DNS:${SERVERNAME}\n`);
  run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '3650', '-extfile', 'server.ext', '-out', 'server.pem']);
}

function config(): string {
  return `include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
pidfile ${DIR}/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
TLSCACertificateFile ${DIR}/ca.pem
TLSCertificateFile ${DIR}/server.pem
TLSCertificateKeyFile ${DIR}/server.key
sizelimit unlimited
database mdb
maxsize 2147483648
suffix "${SUFFIX}"
rootdn "${ROOT_DN}"
rootpw ${ROOT_PASSWORD}
directory ${DIR}/db
index objectClass eq
index entryUUID eq
index entryCSN,modifyTimestamp eq
`;
}

export const slapd: TestService = {
  name: 'slapd',
  async start() {
    await ensureDebianPackages({ slapd: 'slapd', ldapsearch: 'ldap-utils', ldapadd: 'ldap-utils', openssl: 'openssl' });
    const shared = await acquireShared({
      dir: DIR,
      pidFile: `${DIR}/slapd.pid`,
      port: PORT,
      description: 'test slapd',
      async start() {
        rmSync(DIR, { recursive: true, force: true });
        mkdirSync(`${DIR}/db`, { recursive: true });
        makeCertificates();
        writeFileSync(`${DIR}/slapd.conf`, config());
        const result = spawnSync('/usr/sbin/slapd', ['-f', `${DIR}/slapd.conf`, '-h', `ldap://127.0.0.1:${PORT}/`], { encoding: 'utf8' });
        if (result.status !== 0) throw new Error(`slapd failed to start (exit ${result.status}): ${result.stderr}`);
        await waitFor(`slapd on 127.0.0.1:${PORT}`, () => portAnswers(PORT), 15_000);
        const base = `dn: ${SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example\n`;
        execFileSync('ldapadd', ['-x', '-H', `ldap://127.0.0.1:${PORT}`, '-D', ROOT_DN, '-w', ROOT_PASSWORD], { input: base, stdio: ['pipe', 'pipe', 'pipe'] });
      },
    });
    return {
      provide: {
        slapdUrl: `ldap://127.0.0.1:${PORT}`,
        slapdBindDn: ROOT_DN,
        slapdPassword: ROOT_PASSWORD,
        slapdBaseDn: SUFFIX,
        slapdCaFile: `${DIR}/ca.pem`,
        slapdServername: SERVERNAME,
      },
      stop: shared.stop,
    };
  },
};
