// A private OpenLDAP slapd for the benchmarks, loaded offline with slapadd (20,000 entries in a second or
// two, where ldapadd over the wire takes about 25 s). Same configuration as the test suite's slapd
// (test/services/slapd.ts, which installs the Debian packages when missing) minus TLS, on its own folder
// and port so a test run's slapd (3389) is left alone.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';

export const SUFFIX = 'dc=example,dc=test';
export const ROOT_DN = `cn=admin,${SUFFIX}`;
export const ROOT_PASSWORD = 'secret';
export const PEOPLE = `ou=people,${SUFFIX}`;
/** What each bench person carries (inetOrgPerson), besides entryUUID. */
export const PERSON_ATTRIBUTES = ['uid', 'cn', 'givenName', 'sn', 'mail', 'employeeNumber', 'departmentNumber', 'title', 'telephoneNumber'];

const LOADED_AT = '20240101000000Z';

/** The uid (and employeeNumber) of bench person i, from 0. */
export const personId = (i) => `E${String(i).padStart(6, '0')}`;

function personEntry(i) {
  const id = personId(i);
  return [
    `dn: uid=${id},${PEOPLE}`,
    'objectClass: inetOrgPerson',
    `uid: ${id}`,
    `cn: First${i} Last${i}`,
    `givenName: First${i}`,
    `sn: Last${i}`,
    `mail: ${id.toLowerCase()}@example.test`,
    `employeeNumber: ${id}`,
    `departmentNumber: D${i % 40}`,
    `title: Title ${i % 25}`,
    `telephoneNumber: +1 555 ${String(i).padStart(7, '0')}`,
    // Loaded a while ago, as a real directory's entries were: a delta's overlap window (60 s) after the
    // first cycle then holds only what changed since, not every entry slapadd wrote a moment before.
    `createTimestamp: ${LOADED_AT}`,
    `modifyTimestamp: ${LOADED_AT}`,
    '',
  ].join('\n');
}

const portAnswers = (port) =>
  new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

function stopPidFile(pidFile) {
  if (!existsSync(pidFile)) return;
  try {
    process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGTERM');
  } catch {
    // already gone
  }
}

/**
 * Starts slapd in `dir` (emptied first; a slapd left there by an earlier run is stopped) on
 * 127.0.0.1:`port`, with `entries` people under ou=people loaded by slapadd. Returns its URL and stop().
 */
export async function startSlapd({ dir, port, entries }) {
  if (spawnSync('slapd', ['-VV'], { stdio: 'ignore' }).error) {
    throw new Error('slapd is not installed: apt-get install -y slapd ldap-utils (the integration tests install it too)');
  }
  stopPidFile(`${dir}/slapd.pid`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(`${dir}/db`, { recursive: true });
  writeFileSync(
    `${dir}/slapd.conf`,
    [
      'include /etc/ldap/schema/core.schema',
      'include /etc/ldap/schema/cosine.schema',
      'include /etc/ldap/schema/inetorgperson.schema',
      'include /etc/ldap/schema/nis.schema',
      `pidfile ${dir}/slapd.pid`,
      'modulepath /usr/lib/ldap',
      'moduleload back_mdb',
      'sizelimit unlimited',
      'database mdb',
      'maxsize 2147483648',
      `suffix "${SUFFIX}"`,
      `rootdn "${ROOT_DN}"`,
      `rootpw ${ROOT_PASSWORD}`,
      `directory ${dir}/db`,
      'index objectClass eq',
      'index entryUUID eq',
      'index entryCSN,modifyTimestamp eq',
      '',
    ].join('\n'),
  );
  const head = [`dn: ${SUFFIX}`, 'objectClass: dcObject', 'objectClass: organization', 'dc: example', 'o: Example', '', `dn: ${PEOPLE}`, 'objectClass: organizationalUnit', 'ou: people', '', ''].join('\n');
  const people = Array.from({ length: entries }, (_, i) => personEntry(i)).join('\n');
  writeFileSync(`${dir}/data.ldif`, `${head}${people}`);
  execFileSync('slapadd', ['-q', '-f', `${dir}/slapd.conf`, '-l', `${dir}/data.ldif`], { stdio: 'pipe' });
  const url = `ldap://127.0.0.1:${port}`;
  const started = spawnSync('slapd', ['-f', `${dir}/slapd.conf`, '-h', `${url}/`], { encoding: 'utf8' });
  if (started.status !== 0) throw new Error(`slapd failed to start (exit ${started.status}): ${started.stderr}`);
  for (let i = 0; !(await portAnswers(port)); i++) {
    if (i > 300) throw new Error(`slapd on ${url} did not answer`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    stop() {
      stopPidFile(`${dir}/slapd.pid`);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `ldapsearch` arguments that read every bench person with `attributes`, paged like our connector. */
export function ldapsearchArgs(url, attributes, pageSize = 500) {
  return ['-x', '-LLL', '-H', url, '-D', ROOT_DN, '-w', ROOT_PASSWORD, '-b', PEOPLE, '-E', `pr=${pageSize}/noprompt`, '(objectClass=inetOrgPerson)', ...attributes];
}

/** Replaces the title of `count` people spread over the directory (ldapmodify). */
export function changeTitles(url, { entries, count, suffix }) {
  const step = Math.max(1, Math.floor(entries / count));
  const ldif = Array.from({ length: count }, (_, i) => `dn: uid=${personId(i * step)},${PEOPLE}\nchangetype: modify\nreplace: title\ntitle: Changed ${i}${suffix}\n`).join('\n');
  execFileSync('ldapmodify', ['-x', '-H', url, '-D', ROOT_DN, '-w', ROOT_PASSWORD], { input: ldif, stdio: ['pipe', 'pipe', 'pipe'] });
}
