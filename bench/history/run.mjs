#!/usr/bin/env node
// What the history of every value costs (issue 20: ≤ 10 % of a first full cycle and of a 1 % delta
// cycle at 100,000 objects), whole process: `imesh reconcile` of N people from an embedded SQL source to
// an embedded SQL target, once with history (Mesh.spec.history.retain left at its default, 400d) and
// once without (`retain: 0s`, which records nothing), in fresh folders.
// Usage: npm run build && node bench/history/run.mjs [N] [--runs R] [--store-url postgres://…]
//   N defaults to 100,000; R (rounds; each round measures both variants, alternating which goes first)
//   to 1. The store is the embedded store (SQLite, .imesh/state in the temp folder), or with
//   --store-url a PostgreSQL store in a fresh schema imesh_bench_history_<pid>_<n> (dropped after).
// Per variant and round: seed the source (a child process; `modified_at` watermark) and an empty
// target (a trigger keeps its `modified_at`, so drift is read by delta imports), then time
// `imesh reconcile --full` (the first full cycle: N creates), change 1 % of the source rows' titles,
// and time `imesh reconcile` (the 1 % delta cycle). The figure compared is the cycle's own durationMs
// (the in-process cycle, from its log line); whole-process wall and CPU time are printed beside it.
// On the embedded store it also counts the history rows each variant left (value and export).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchArgs } from '../lib/args.mjs';
import { dropSchema, storeUrl } from '../lib/postgres.mjs';
import { RECONCILE_COLUMNS, printTable } from '../lib/table.mjs';
import { PROJECT_ROOT, median, reconcile } from '../lib/timing.mjs';
import { DEPARTMENTS, connector, mesh, personFlowRule, personProjection, projectedAttributes, writeConfig } from '../lib/world.mjs';

const { n: N, runs, named } = benchArgs(process.argv.slice(2), { n: 100_000 });
const CHANGED = Math.max(1, Math.round(N / 100));
const pgUrl = named['store-url'];
const VARIANTS = [
  { name: 'with history', retain: undefined },
  { name: 'without history', retain: '0s' },
];

function node(script) {
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: PROJECT_ROOT, stdio: 'inherit' });
  if (child.status !== 0) throw new Error('a PGlite child process failed');
}

/** N source rows (modified a day ago, outside the delta overlap) and an empty target, in child processes. */
function seed(work) {
  node(`
import { PGlite } from '@electric-sql/pglite';
const hr = await PGlite.create(${JSON.stringify(join(work, 'hr'))});
await hr.exec(\`CREATE TABLE employees (employee_id text PRIMARY KEY, first_name text, last_name text, email text,
  department text, title text, is_active boolean NOT NULL DEFAULT true, modified_at timestamptz NOT NULL)\`);
await hr.query(\`INSERT INTO employees (employee_id, first_name, last_name, email, department, title, modified_at)
  SELECT 'E' || lpad(i::text, 7, '0'), 'First' || i, 'Last' || i, 'person' || i || '@example.com',
         ($1::text[])[1 + i % 8], 'Title ' || (i % 50), now() - interval '1 day'
    FROM generate_series(1, $2) AS i\`, [${JSON.stringify(DEPARTMENTS)}, ${N}]);
await hr.exec('CREATE INDEX ON employees (modified_at)');
await hr.close();
const apps = await PGlite.create(${JSON.stringify(join(work, 'apps'))});
await apps.exec(\`CREATE TABLE accounts (account_id text PRIMARY KEY, display_name text, email text, department text, title text,
  is_active boolean NOT NULL DEFAULT true, modified_at timestamptz NOT NULL DEFAULT clock_timestamp());
  CREATE INDEX ON accounts (modified_at);
  CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.modified_at := clock_timestamp(); RETURN NEW; END $$;
  CREATE TRIGGER accounts_touch BEFORE UPDATE ON accounts FOR EACH ROW EXECUTE FUNCTION touch();\`);
await apps.close();
`);
}

/** 1 % of the source rows, spread over the table, get a new title and modification time. */
function changeOnePercent(work) {
  node(`
import { PGlite } from '@electric-sql/pglite';
const hr = await PGlite.create(${JSON.stringify(join(work, 'hr'))});
await hr.query(\`UPDATE employees SET title = title || ' (new)', modified_at = clock_timestamp()
  WHERE employee_id IN (SELECT 'E' || lpad((i * ${Math.max(1, Math.floor(N / CHANGED))})::text, 7, '0') FROM generate_series(1, ${CHANGED}) AS i)\`);
await hr.close();
`);
}

function writeWorld(work, retain) {
  const sqlType = (table, key) => ({ table, externalIdColumn: key, watermarkColumn: 'modified_at', deltaColumnType: 'datetime', isActiveColumn: 'is_active' });
  const meshDocument = mesh('bench-history');
  if (retain !== undefined) meshDocument.spec.history = { retain };
  writeConfig(join(work, 'config'), [
    meshDocument,
    connector('hr', { type: 'sql', connection: { driver: 'embedded', path: join(work, 'hr') }, objectTypes: { user: sqlType('employees', 'employee_id') } }),
    connector('apps', { type: 'sql', connection: { driver: 'embedded', path: join(work, 'apps') }, objectTypes: { account: sqlType('accounts', 'account_id') } }),
    personFlowRule('hr-to-person', { connector: 'hr', objectType: 'user' }, { employeeId: 'employee_id', firstName: 'first_name', lastName: 'last_name', email: 'email', department: 'department', title: 'title', active: 'is_active' }),
    personProjection('person-to-apps', { connector: 'apps', objectType: 'account' }, projectedAttributes('account_id'), { enabled: '{{active}}' }),
  ]);
}

/** Rows of the history tables in an embedded (SQLite) store, read directly. */
function historyRows(work) {
  const Database = createRequire(join(PROJECT_ROOT, 'package.json'))('better-sqlite3');
  const db = new Database(join(work, '.imesh/state/store.db'), { readonly: true });
  try {
    const count = (table) => db.prepare(`SELECT count(*) AS n FROM ${table}`).get().n;
    return { values: count('value_history'), exports: count('export_history') };
  } finally {
    db.close();
  }
}

const rows = [];
const figures = VARIANTS.map((variant) => ({ ...variant, first: [], delta: [], firstWhole: [], deltaWhole: [], history: [] }));
let schemas = 0;
for (let round = 1; round <= runs; round++) {
  const order = round % 2 === 1 ? figures : [...figures].reverse();
  for (const variant of order) {
    const work = mkdtempSync(join(tmpdir(), 'imesh-bench-history-'));
    const schema = `imesh_bench_history_${process.pid}_${++schemas}`;
    const args = ['--config', 'config', ...(pgUrl ? ['--store', storeUrl(schema, pgUrl)] : [])];
    try {
      writeWorld(work, variant.retain);
      seed(work);
      const first = reconcile(`${variant.name}: first full cycle (${N})`, { cwd: work, args: [...args, '--full'] });
      changeOnePercent(work);
      const delta = reconcile(`${variant.name}: ${CHANGED} changed (1 %)`, { cwd: work, args });
      rows.push(first, delta);
      if (first.exit !== 0 || delta.exit !== 0) throw new Error(`${variant.name}: imesh reconcile failed\n${first.stderrTail ?? delta.stderrTail}`);
      variant.first.push(first.cycleSeconds);
      variant.delta.push(delta.cycleSeconds);
      variant.firstWhole.push(first.seconds);
      variant.deltaWhole.push(delta.seconds);
      if (!pgUrl) variant.history.push(historyRows(work));
    } finally {
      rmSync(work, { recursive: true, force: true });
      if (pgUrl) dropSchema(schema, pgUrl);
    }
  }
}

printTable(rows, RECONCILE_COLUMNS);
const [withHistory, without] = figures;
const cost = (a, b) => `${(((a - b) / b) * 100).toFixed(1)} %`;
// The cycle's durationMs leaves out the upkeep after it (history pruning, PGlite's VACUUM); the
// whole-process columns include it.
const summary = [
  { cycle: `first full cycle (${N})`, with: median(withHistory.first), without: median(without.first), withWhole: median(withHistory.firstWhole), withoutWhole: median(without.firstWhole) },
  { cycle: `${CHANGED} changed (1 %)`, with: median(withHistory.delta), without: median(without.delta), withWhole: median(withHistory.deltaWhole), withoutWhole: median(without.deltaWhole) },
];
printTable(summary, [
  ['cycle', (s) => s.cycle, 'left'],
  [`in-process s without history (median of ${runs})`, (s) => s.without],
  ['with history', (s) => s.with],
  ['history costs (goal ≤ 10 %)', (s) => cost(s.with, s.without)],
  ['whole process s without', (s) => s.withoutWhole],
  ['with', (s) => s.withWhole],
  ['costs', (s) => cost(s.withWhole, s.withoutWhole)],
]);
if (!pgUrl) {
  console.log('\nhistory rows left after both cycles (value, export):');
  for (const variant of figures) console.log(`- ${variant.name}: ${variant.history.map((h) => `${h.values}, ${h.exports}`).join(' · ')}`);
}
