#!/usr/bin/env node
// LDAP connector benchmark, side by side with the OpenLDAP command-line tools on the same servers:
//   1. full import of 20,000 OpenLDAP entries vs `ldapsearch -E pr=500/noprompt` of the same entries/attributes
//   2. delta import of 10 changes among those 20,000
//   3. full import of 5,000 Samba AD users vs ldapsearch, and a delta of 10 changes among them
//   4. creating 500 AD users through export() vs `ldapadd` of the equivalent LDIF
// Usage: npm run build && node bench/ldap-import/run.mjs [--skip-ad] [--entries N]   (N OpenLDAP entries, default 20,000)
// (IMESH_DIST=/path/to/dist points at another build; IMESH_SAMBA_DIR as for the tests.) Runs its own slapd on
// port 3390 (/tmp/imesh-bench-slapd) and uses the test suite's Samba (see startSamba); what it starts, it stops.
// To keep other work on the machine out of its way: `unshare -n sh -c 'ip link set lo up; node …'`.
// This measures the connector alone; staging into the store is measured with the engine.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';

const dist = process.env.IMESH_DIST ?? new URL('../../dist', import.meta.url).pathname;
const { createLdapConnector, createActiveDirectoryConnector } = await import(`${dist}/connectors/ldap/index.js`);
const { pino } = await import('pino');
const { PEOPLE, PERSON_ATTRIBUTES, ROOT_DN, SUFFIX, changeTitles, startSlapd } = await import('../lib/slapd.mjs');

const SKIP_AD = process.argv.includes('--skip-ad');
const RUNS = 3;
const entriesAt = process.argv.indexOf('--entries');
const LDAP_ENTRIES = entriesAt > 0 ? Number(process.argv[entriesAt + 1]) : 20_000;
const AD_USERS = 5_000;
const AD_CREATES = 500;
const PAGE = 500;

// ------------------------------------------------------------------ helpers
const log = pino({ level: 'warn' }, process.stderr);
const ms = (t) => `${t.toFixed(0)} ms`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (t) => new Promise((r) => setTimeout(r, t));
const portAnswers = (port) =>
  new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1' });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
async function waitPort(port) {
  for (let i = 0; i < 300; i++) {
    if (await portAnswers(port)) return;
    await sleep(100);
  }
  throw new Error(`port ${port} did not answer`);
}
function context(type, name, spec, secret) {
  return {
    model: { name, type, location: { file: 'bench.yaml', line: 1, column: 1 }, spec: { type, ...spec }, objectTypes: Object.keys(spec.objectTypes), suspend: false },
    configPath: process.cwd(),
    workDir: process.cwd(),
    secrets: { resolve: (text) => text.replace(/\{\{secret:[^}]+\}\}/g, secret) },
    log,
  };
}
async function drain(iterable) {
  let n = 0;
  let watermark;
  let peak = process.memoryUsage().rss;
  for await (const batch of iterable) {
    for (const o of batch.objects) if (!o.deleted) n++; // a delta also carries tombstones of other tests' objects
    if (batch.watermark) watermark = batch.watermark;
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  return { n, watermark, peakMb: peak / 1048576 };
}
async function timed(fn) {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}
function ldapsearchDump(url, bindDn, password, base, filter, attributes) {
  const t0 = performance.now();
  const out = execFileSync('ldapsearch', ['-x', '-LLL', '-H', url, '-D', bindDn, '-w', password, '-b', base, '-E', `pr=${PAGE}/noprompt`, filter, ...attributes], { maxBuffer: 1 << 30 });
  const t = performance.now() - t0;
  const n = out.toString('latin1').split('\ndn: ').length - (out.subarray(0, 4).toString() === 'dn: ' ? 0 : 1);
  return { ms: t, n };
}
const rows = [];
function row(what, ours, theirs, bar) {
  const ratio = theirs ? ours / theirs : undefined;
  rows.push({ what, ours: ms(ours), theirs: theirs ? ms(theirs) : '—', ratio: ratio ? `${ratio.toFixed(2)}×` : '—', bar: bar ?? '' });
}

// ------------------------------------------------------------------ OpenLDAP
const SLAPD_PORT = 3390;
const ATTRS = PERSON_ATTRIBUTES;

async function benchOpenLdap() {
  const slapdStarted = performance.now();
  const slapd = await startSlapd({ dir: '/tmp/imesh-bench-slapd', port: SLAPD_PORT, entries: LDAP_ENTRIES });
  console.error(`slapadd ${LDAP_ENTRIES} entries and start: ${ms(performance.now() - slapdStarted)}`);
  const LDAP_URL = slapd.url;
  const spec = {
    connection: { url: LDAP_URL, bindDn: ROOT_DN, bindPassword: '{{secret:p}}', baseDn: SUFFIX, pageSize: PAGE },
    objectTypes: { person: { searchBase: PEOPLE, filter: '(objectClass=inetOrgPerson)', attributes: ATTRS } },
  };
  const connector = createLdapConnector(context('ldap', 'bench-ldap', spec, 'secret'));
  const ours = [];
  const theirs = [];
  let peak = 0;
  await drain(connector.fullImport('person')); // warm-up (schema read, JIT)
  ldapsearchDump(LDAP_URL, ROOT_DN, 'secret', PEOPLE, '(objectClass=inetOrgPerson)', [...ATTRS, 'entryUUID']);
  for (let i = 0; i < RUNS; i++) {
    const t = ldapsearchDump(LDAP_URL, ROOT_DN, 'secret', PEOPLE, '(objectClass=inetOrgPerson)', [...ATTRS, 'entryUUID']);
    if (t.n !== LDAP_ENTRIES) throw new Error(`ldapsearch returned ${t.n}`);
    theirs.push(t.ms);
    const o = await timed(() => drain(connector.fullImport('person')));
    if (o.value.n !== LDAP_ENTRIES) throw new Error(`import returned ${o.value.n}`);
    ours.push(o.ms);
    peak = Math.max(peak, o.value.peakMb);
  }
  row(`OpenLDAP full import, ${LDAP_ENTRIES.toLocaleString('en')} entries, ${ATTRS.length + 1} attributes (median of ${RUNS})`, median(ours), median(theirs), median(ours) <= 2 * median(theirs) ? 'ok (≤ 2×)' : 'MISSED (≤ 2×)');
  console.error(`OpenLDAP full import: ours ${ours.map(ms).join(', ')}; ldapsearch ${theirs.map(ms).join(', ')}; peak RSS ${peak.toFixed(0)} MB`);

  // delta: 10 changes among 20,000, watermark taken between load and changes
  await sleep(1100);
  const p = (n, w = 2) => String(n).padStart(w, '0');
  const d = new Date();
  const mark = `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  await sleep(1100);
  changeTitles(LDAP_URL, { entries: LDAP_ENTRIES, count: 10, suffix: '' });
  const deltas = [];
  for (let i = 0; i < RUNS; i++) {
    const o = await timed(() => drain(connector.deltaImport('person', JSON.stringify({ modifyTimestamp: mark }))));
    if (o.value.n !== 10) throw new Error(`delta returned ${o.value.n}`);
    deltas.push(o.ms);
  }
  row(`OpenLDAP delta import, 10 changes among ${LDAP_ENTRIES.toLocaleString('en')} (median)`, median(deltas), undefined, median(deltas) <= 500 ? 'ok (≤ 0.5 s)' : 'MISSED (≤ 0.5 s)');
  await connector.close();
  slapd.stop();
}

// ------------------------------------------------------------------ Samba AD
// The AD part runs on the test suite's Samba (test/services/samba.ts: /tmp/imesh-samba, ports 389/636),
// reusing it when a test run has it up, otherwise starting it from that service's cached template; only
// one Samba can own port 389, and fighting a test run for it would break one of the two.
const A = process.env.IMESH_SAMBA_DIR ?? '/tmp/imesh-samba';
const A_TEMPLATE = `${A}-template-v1`;
const A_USERS = `${A}.users`;
const AD_BASE = 'DC=corp,DC=example,DC=test';
const AD_ADMIN = 'Administrator@corp.example.test';
const AD_PASSWORD = 'Passw0rd!Passw0rd';
const AD_USERS_OU = `OU=BenchUsers,${AD_BASE}`;
const AD_ATTRS = ['cn', 'sAMAccountName', 'givenName', 'sn', 'displayName', 'mail', 'employeeNumber', 'department', 'title', 'telephoneNumber'];

function pidAlive(file) {
  try {
    process.kill(Number(readFileSync(file, 'utf8')), 0);
    return true;
  } catch {
    return false;
  }
}

async function startSamba() {
  if (pidAlive(`${A}/samba.pid`) && (await portAnswers(389))) return;
  if (await portAnswers(389)) throw new Error('port 389 is in use by something other than the test Samba');
  if (!existsSync(`${A_TEMPLATE}/.ready`)) throw new Error(`no Samba template in ${A_TEMPLATE}: run the LDAP integration tests once (npx vitest run test/integration/ldap-active-directory.test.ts)`);
  rmSync(A, { recursive: true, force: true });
  cpSync(A_TEMPLATE, A, { recursive: true });
  // Not running yet: add the bench users offline (ldbadd is several times faster than LDAP adds).
  const t0 = performance.now();
  writeFileSync(`${A}/bench-users.ldif`, benchUsersLdif(true));
  execFileSync('ldbadd', ['-H', `${A}/private/sam.ldb`, `${A}/bench-users.ldif`], { stdio: 'pipe' });
  console.error(`added ${AD_USERS} bench users offline: ${ms(performance.now() - t0)}`);
  const conf = `${A}/etc/smb.conf`;
  writeFileSync(conf, readFileSync(conf, 'utf8').split('__DIR__').join(A));
  const r = spawnSync('samba', ['-s', conf, '-D']);
  if (r.status !== 0) throw new Error(`samba failed: ${r.stderr}`);
  await waitPort(389);
  await waitPort(636);
  writeFileSync(`${A}/.started-by-tests`, String(process.pid)); // as test/services/samba.ts does
}

/** Joins the test runs' registry of Samba users, so a test run that starts meanwhile is not cut off. */
function joinSambaUsers() {
  mkdirSync(A_USERS, { recursive: true });
  writeFileSync(`${A_USERS}/${process.pid}`, '');
}

/** Leaves the registry; stops Samba when we are the last user of one a test run or we started. */
function leaveSambaUsers() {
  rmSync(`${A_USERS}/${process.pid}`, { force: true });
  const others = readdirSync(A_USERS).filter((pid) => pidAliveNumber(Number(pid)));
  if (others.length === 0 && existsSync(`${A}/.started-by-tests`) && pidAlive(`${A}/samba.pid`)) process.kill(Number(readFileSync(`${A}/samba.pid`, 'utf8')), 'SIGTERM');
}

function pidAliveNumber(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function benchUsersLdif(withOu) {
  const lines = withOu ? [`dn: ${AD_USERS_OU}`, 'objectClass: organizationalUnit', ''] : [];
  for (let i = 0; i < AD_USERS; i++) {
    const id = `B${String(i).padStart(5, '0')}`;
    lines.push(
      `dn: CN=${id},${AD_USERS_OU}`,
      'objectClass: user',
      `sAMAccountName: ${id}`,
      `givenName: First${i}`,
      `sn: Last${i}`,
      `displayName: First${i} Last${i}`,
      `mail: ${id.toLowerCase()}@corp.example.test`,
      `employeeNumber: ${id}`,
      `department: Dept ${i % 40}`,
      `title: Title ${i % 25}`,
      `telephoneNumber: +1 555 ${String(i).padStart(7, '0')}`,
      '',
    );
  }
  return lines.join('\n');
}

/** OU=BenchUsers with AD_USERS users in a Samba that a test run started: added over LDAP (minutes). */
function populateSamba(url) {
  const have = ldapsearchDump(url, AD_ADMIN, AD_PASSWORD, AD_BASE, '(ou=BenchUsers)', ['1.1']).n === 1 ? ldapsearchDump(url, AD_ADMIN, AD_PASSWORD, AD_USERS_OU, '(objectClass=user)', ['1.1']).n : 0;
  if (have === AD_USERS) return;
  const lines = benchUsersLdif(have === 0);
  const t0 = performance.now();
  spawnSync('ldapadd', ['-x', '-c', '-H', url, '-D', AD_ADMIN, '-w', AD_PASSWORD], { input: lines, stdio: ['pipe', 'ignore', 'ignore'] });
  console.error(`added ${AD_USERS} bench users to Samba: ${ms(performance.now() - t0)}`);
}

async function benchSamba() {
  await startSamba();
  joinSambaUsers();
  const url = 'ldap://127.0.0.1:389';
  populateSamba(url);
  const stamp = Date.now().toString(36);
  const spec = (createContainers) => ({
    connection: { url, bindDn: AD_ADMIN, bindPassword: '{{secret:p}}', baseDn: AD_BASE, pageSize: PAGE },
    objectTypes: {
      user: { searchBase: AD_USERS_OU, filter: '(&(objectClass=user)(objectCategory=person))', attributes: AD_ATTRS },
      created: { searchBase: `OU=Created,${AD_BASE}`, filter: '(objectClass=user)', attributes: AD_ATTRS, createContainers },
    },
  });
  const connector = createActiveDirectoryConnector(context('active-directory', 'bench-ad', spec(true), AD_PASSWORD));
  const filter = '(&(objectClass=user)(objectCategory=person))';
  await drain(connector.fullImport('user'));
  ldapsearchDump(url, AD_ADMIN, AD_PASSWORD, AD_USERS_OU, filter, [...AD_ATTRS, 'objectGUID', 'userAccountControl']);
  const ours = [];
  const theirs = [];
  let watermark;
  for (let i = 0; i < RUNS; i++) {
    const t = ldapsearchDump(url, AD_ADMIN, AD_PASSWORD, AD_USERS_OU, filter, [...AD_ATTRS, 'objectGUID', 'userAccountControl']);
    if (t.n !== AD_USERS) throw new Error(`ldapsearch returned ${t.n}`);
    theirs.push(t.ms);
    const o = await timed(() => drain(connector.fullImport('user')));
    if (o.value.n !== AD_USERS) throw new Error(`import returned ${o.value.n}`);
    ours.push(o.ms);
    watermark = o.value.watermark;
  }
  row(`Samba AD full import, ${AD_USERS.toLocaleString('en')} users, ${AD_ATTRS.length + 2} attributes (median of ${RUNS})`, median(ours), median(theirs), median(ours) <= 2 * median(theirs) ? 'ok (≤ 2×)' : 'MISSED (≤ 2×)');
  console.error(`Samba full import: ours ${ours.map(ms).join(', ')}; ldapsearch ${theirs.map(ms).join(', ')}`);

  const ldif = Array.from({ length: 10 }, (_, i) => `dn: CN=B${String(i * 499).padStart(5, '0')},${AD_USERS_OU}\nchangetype: modify\nreplace: title\ntitle: Changed ${i}\n`).join('\n');
  execFileSync('ldapmodify', ['-x', '-H', url, '-D', AD_ADMIN, '-w', AD_PASSWORD], { input: ldif, stdio: ['pipe', 'pipe', 'pipe'] });
  const deltas = [];
  for (let i = 0; i < RUNS; i++) {
    const o = await timed(() => drain(connector.deltaImport('user', watermark)));
    if (o.value.n !== 10) throw new Error(`AD delta returned ${o.value.n}`);
    deltas.push(o.ms);
  }
  row('Samba AD delta import (uSNChanged + tombstones), 10 changes among 5,000 (median)', median(deltas), undefined, median(deltas) <= 500 ? 'ok (≤ 0.5 s)' : 'MISSED (≤ 0.5 s)');

  // 500 creates: export() vs ldapadd of the same entries (same attributes, userAccountControl 514)
  const people = (prefix, ou) =>
    Array.from({ length: AD_CREATES }, (_, i) => {
      const id = `${prefix}${String(i).padStart(4, '0')}`;
      return { dn: `CN=${id},${ou}`, attributes: { sAMAccountName: id, givenName: `New${i}`, sn: `Hire${i}`, displayName: `New${i} Hire${i}`, mail: `${id.toLowerCase()}@corp.example.test`, employeeNumber: id, department: `Dept ${i % 40}`, title: 'New hire' } };
    });
  const addOu = (ou) => execFileSync('ldapmodify', ['-x', '-H', url, '-D', AD_ADMIN, '-w', AD_PASSWORD], { input: `dn: ${ou}\nchangetype: add\nobjectClass: organizationalUnit\n`, stdio: ['pipe', 'pipe', 'pipe'] });
  const createRuns = [];
  const ldapaddRuns = [];
  for (let run = 0; run < 2; run++) {
    const theirOu = `OU=Ldapadd${run}-${stamp},${AD_BASE}`;
    addOu(theirOu);
    const entries = people(`L${run}${stamp}`.slice(0, 14), theirOu);
    const ldifText = entries
      .map((e) => [`dn: ${e.dn}`, 'objectClass: top', 'objectClass: person', 'objectClass: organizationalPerson', 'objectClass: user', ...Object.entries(e.attributes).map(([k, v]) => `${k}: ${v}`), 'userAccountControl: 514', ''].join('\n'))
      .join('\n');
    const t0 = performance.now();
    execFileSync('ldapadd', ['-x', '-H', url, '-D', AD_ADMIN, '-w', AD_PASSWORD], { input: ldifText, stdio: ['pipe', 'pipe', 'pipe'] });
    ldapaddRuns.push(performance.now() - t0);

    const ourOu = `OU=Export${run}-${stamp},${AD_BASE}`;
    addOu(ourOu);
    const changes = people(`X${run}${stamp}`.slice(0, 14), ourOu).map((e, i) => ({ id: String(i), op: 'create', dn: e.dn, attributes: e.attributes }));
    const o = await timed(() => connector.export('created', changes));
    const failed = o.value.filter((r) => !r.ok || !r.externalId);
    if (failed.length) throw new Error(`export failed: ${JSON.stringify(failed[0])}`);
    createRuns.push(o.ms);
  }
  const ourCreate = (createRuns[0] + createRuns[1]) / 2;
  const theirAdd = (ldapaddRuns[0] + ldapaddRuns[1]) / 2;
  row(`Samba AD: create ${AD_CREATES} users (export, with anchor read-back) vs ldapadd (mean of 2)`, ourCreate, theirAdd, ourCreate <= 1.25 * theirAdd ? 'ok (≤ 1.25×)' : 'MISSED (≤ 1.25×)');
  console.error(`creates: ours ${createRuns.map(ms).join(', ')}; ldapadd ${ldapaddRuns.map(ms).join(', ')}`);
  for (const run of [0, 1]) {
    for (const ou of [`OU=Ldapadd${run}-${stamp},${AD_BASE}`, `OU=Export${run}-${stamp},${AD_BASE}`]) spawnSync('ldapdelete', ['-x', '-r', '-H', url, '-D', AD_ADMIN, '-w', AD_PASSWORD, ou]);
  }
  await connector.close();
  leaveSambaUsers();
}

await benchOpenLdap();
if (!SKIP_AD) await benchSamba();
console.log(`\n| measurement | Identity Mesh | OpenLDAP tools | ratio | bar |\n|---|---|---|---|---|`);
for (const r of rows) console.log(`| ${r.what} | ${r.ours} | ${r.theirs} | ${r.ratio} | ${r.bar} |`);
console.log(`\nnode ${process.version}, ${new Date().toISOString().slice(0, 10)}, page size ${PAGE}`);
