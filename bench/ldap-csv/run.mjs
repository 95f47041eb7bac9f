#!/usr/bin/env node
// OpenLDAP → CSV benchmark, whole process (issue 15, goals 3, 4 and 6).
// Usage: npm run build && node bench/ldap-csv/run.mjs [N] [--runs R] [--port P]
//   N (entries) defaults to 20,000; R (10-changed cycles) to 1; P to 3391.
// Starts a private slapd (bench/lib/slapd.mjs: /tmp/imesh-bench-ldapcsv-<pid>, loaded by slapadd with N
// inetOrgPerson entries), writes a config with an `ldap` source (9 attributes, pages of 500) flowing
// into `person` and a csv target out/people.csv, and times, each as its own `imesh reconcile` under
// /usr/bin/time -v: the first cycle, then a cycle after 10 entries changed (ldapmodify; the delta
// reads modifyTimestamp). Beside them, the anchor: `ldapsearch` of the same entries and attributes
// (paged 500, output to /dev/null), median of 3. It stops slapd and removes its folders at the end.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { anchor, median, reconcile } from '../lib/timing.mjs';
import { PEOPLE, PERSON_ATTRIBUTES, ROOT_DN, ROOT_PASSWORD, SUFFIX, changeTitles, ldapsearchArgs, startSlapd } from '../lib/slapd.mjs';
import { benchArgs } from '../lib/args.mjs';
import { RECONCILE_COLUMNS, printTable } from '../lib/table.mjs';
import { connector, mesh, personFlowRule, personProjection, projectedAttributes, writeConfig } from '../lib/world.mjs';

const { n: N, runs, named } = benchArgs(process.argv.slice(2), { n: 20_000 });
const port = Number(named.port ?? 3391);
const CHANGED = Math.min(10, N);
const work = mkdtempSync(join(tmpdir(), 'imesh-bench-ldapcsv-'));
const slapd = await startSlapd({ dir: `/tmp/imesh-bench-ldapcsv-${process.pid}`, port, entries: N });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

writeConfig(join(work, 'config'), [
  mesh('bench-ldap'),
  connector('directory', {
    type: 'ldap',
    connection: { url: slapd.url, bindDn: ROOT_DN, bindPassword: '{{secret:bench-ldap}}', baseDn: SUFFIX, pageSize: 500 },
    objectTypes: { person: { searchBase: PEOPLE, filter: '(objectClass=inetOrgPerson)', attributes: PERSON_ATTRIBUTES } },
  }),
  connector('export', { type: 'csv', objectTypes: { person: { file: '../out/people.csv', externalIdColumn: 'employee_id' } } }),
  personFlowRule('directory-to-person', { connector: 'directory', objectType: 'person' }, { employeeId: 'employeeNumber', firstName: 'givenName', lastName: 'sn', email: 'mail', department: 'departmentNumber', title: 'title' }),
  personProjection('person-to-export', { connector: 'export', objectType: 'person' }, projectedAttributes('employee_id'), { onRemove: 'delete' }),
]);

const env = { IMESH_SECRET_BENCH_LDAP: ROOT_PASSWORD };
const rows = [];
let anchors = [];
try {
  anchors = [1, 2, 3].map((i) => anchor(`ldapsearch of ${N} entries, ${PERSON_ATTRIBUTES.length + 1} attributes (${i})`, 'ldapsearch', ldapsearchArgs(slapd.url, [...PERSON_ATTRIBUTES, 'entryUUID']), { discardStdout: true }));
  rows.push(reconcile(`first cycle (${N} entries)`, { cwd: work, env }));
  const written = readFileSync(join(work, 'out', 'people.csv'), 'utf8').trimEnd().split('\n').length - 1;
  if (written !== N) console.log(`WARNING: the csv target holds ${written} rows, not ${N}`);
  for (let r = 1; r <= runs; r++) {
    await sleep(1100); // modifyTimestamp has whole seconds: change after the previous cycle's second
    changeTitles(slapd.url, { entries: N, count: CHANGED, suffix: ` (v${r})` });
    rows.push(reconcile(`${CHANGED} entries changed`, { cwd: work, env }));
  }
} finally {
  slapd.stop();
  rmSync(work, { recursive: true, force: true });
}

printTable(rows, RECONCILE_COLUMNS);
const ldapsearch = median(anchors.map((a) => a.seconds));
printTable(
  [{ ldapsearch, first: rows[0]?.seconds, rss: rows[0]?.peakRssMb }],
  [
    ['ldapsearch s (median of 3, whole process)', (a) => a.ldapsearch],
    ['first cycle s (whole process)', (a) => a.first],
    ['ratio', (a) => `${(a.first / a.ldapsearch).toFixed(1)}×`],
    ['first cycle peak RSS MB (goal ≤ 350)', (a) => a.rss],
  ],
);
console.log('\nimports per cycle:');
for (const row of rows) console.log(`- ${row.label}: ${row.imports.join('; ')}`);
