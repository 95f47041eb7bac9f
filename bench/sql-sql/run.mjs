#!/usr/bin/env node
// SQL → SQL benchmark, whole process: PostgreSQL source table → PostgreSQL target table through
// `imesh reconcile`, on the embedded store and on a PostgreSQL store (issue 15, goals 1–4 and 6).
// Usage: npm run build && node bench/sql-sql/run.mjs [N] [--runs R] [--store embedded|postgres|both] [--url URL] [--changed C] [--policy]
//   N defaults to 100,000; R (no-change and C-changed cycles per store) to 1; C to 100; the store to both;
//   the URL to IMESH_TEST_PG_URL or postgres://root@127.0.0.1:5432/test. --policy adds a Policy on the
//   target (email present and unique, display_name at most 64 characters) and gives each changed row a
//   new email too, so every changed object is judged by the unique invariant; the policy stage's time
//   shows in the stage timings.
// Per store: a fresh schema imesh_bench_sqlsql_<pid> holds the source `hr_employees` (N rows, a
// `modified_at` watermark column, indexed) and the target `accounts` (no change column: drift is read
// per driftCheck); a fresh folder holds the config; the PostgreSQL store gets its own schema
// (imesh_bench_store_<pid>, `--store …?schema=`). It times, each as its own `imesh reconcile` under
// /usr/bin/time -v: the first cycle, a no-change cycle, and a cycle after 100 source rows changed. Beside
// them, the anchor: `psql \copy` of the same 8 source columns to /dev/null (median of 3), and the
// ratio of the first cycle's import stage to it. Everything it creates it drops.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { anchor, median, reconcile } from '../lib/timing.mjs';
import { PG_URL, copyToNullArgs, dropSchema, psql, storeUrl } from '../lib/postgres.mjs';
import { benchArgs } from '../lib/args.mjs';
import { RECONCILE_COLUMNS, printTable } from '../lib/table.mjs';
import { DEPARTMENTS, connector, mesh, personFlowRule, personProjection, projectedAttributes, writeConfig } from '../lib/world.mjs';

const { n: N, runs, named } = benchArgs(process.argv.slice(2), { n: 100_000 });
const url = named.url ?? PG_URL;
const stores = named.store === 'embedded' || named.store === 'postgres' ? [named.store] : ['embedded', 'postgres'];
const CHANGED = Math.min(Number(named.changed ?? 100), N);
const POLICY = named.policy === 'true';
const schema = `imesh_bench_sqlsql_${process.pid}`;
const storeSchema = `imesh_bench_store_${process.pid}`;
const COLUMNS = 'employee_id, first_name, last_name, email, department, title, is_active, modified_at';

/** A fresh source of N rows (last modified a day ago, outside any delta overlap) and an empty target. */
function createTables() {
  dropSchema(schema, url);
  psql(
    `CREATE SCHEMA ${schema};
     CREATE TABLE ${schema}.hr_employees (employee_id text PRIMARY KEY, first_name text, last_name text, email text,
       department text, title text, is_active boolean NOT NULL DEFAULT true, modified_at timestamptz NOT NULL);
     INSERT INTO ${schema}.hr_employees
       SELECT 'E' || lpad(i::text, 7, '0'), 'First' || i, 'Last' || i, 'person' || i || '@example.com',
              (ARRAY['${DEPARTMENTS.join("','")}'])[1 + i % 8], 'Title ' || (i % 50), true, now() - interval '1 day'
         FROM generate_series(1, ${N}) AS i;
     CREATE INDEX ON ${schema}.hr_employees (modified_at);
     CREATE TABLE ${schema}.accounts (account_id text PRIMARY KEY, display_name text, email text, department text, title text, is_active boolean);
     ANALYZE ${schema}.hr_employees;`,
    url,
  );
}

/** CHANGED rows spread over the table get a new title and a new modified_at. */
function changeRows(run) {
  const step = Math.max(1, Math.floor(N / CHANGED));
  psql(
    `UPDATE ${schema}.hr_employees SET title = title || ' (v${run})',${POLICY ? ` email = 'v${run}.' || email,` : ''} modified_at = clock_timestamp()
      WHERE employee_id IN (SELECT 'E' || lpad((i * ${step})::text, 7, '0') FROM generate_series(1, ${CHANGED}) AS i)`,
    url,
  );
}

function writeWorld(configDir) {
  const sql = (objectType) => connectorSpec(objectType);
  writeConfig(configDir, [
    mesh('bench-sql'),
    connector('hr', sql({ user: { table: `${schema}.hr_employees`, externalIdColumn: 'employee_id', watermarkColumn: 'modified_at', deltaColumnType: 'datetime', isActiveColumn: 'is_active' } })),
    connector('apps', sql({ account: { table: `${schema}.accounts`, externalIdColumn: 'account_id', isActiveColumn: 'is_active' } })),
    personFlowRule('hr-to-person', { connector: 'hr', objectType: 'user' }, { employeeId: 'employee_id', firstName: 'first_name', lastName: 'last_name', email: 'email', department: 'department', title: 'title', active: 'is_active' }),
    personProjection('person-to-apps', { connector: 'apps', objectType: 'account' }, projectedAttributes('account_id'), { enabled: '{{active}}' }),
    ...(POLICY ? [policy()] : []),
  ]);
}

function policy() {
  return {
    apiVersion: 'identitymesh.dev/v1alpha1',
    kind: 'Policy',
    metadata: { name: 'apps-guardrails' },
    spec: {
      target: { connector: 'apps', objectType: 'account' },
      invariants: [
        { attribute: 'email', present: true, unique: true },
        { attribute: 'display_name', maxLength: 64 },
      ],
    },
  };
}

function connectorSpec(objectTypes) {
  return { type: 'sql', connection: { driver: 'postgres', connectionString: '{{secret:bench-db}}' }, objectTypes };
}

const rows = [];
const anchors = [];
try {
  for (const store of stores) {
    createTables();
    const work = mkdtempSync(join(tmpdir(), 'imesh-bench-sqlsql-'));
    const args = ['--config', 'config', ...(store === 'postgres' ? ['--store', storeUrl(storeSchema, url)] : [])];
    const env = { IMESH_SECRET_BENCH_DB: url };
    try {
      writeWorld(join(work, 'config'));
      const copies = [1, 2, 3].map((i) => anchor(`psql \\copy of ${N} rows, 8 columns (${i})`, 'psql', copyToNullArgs(`SELECT ${COLUMNS} FROM ${schema}.hr_employees ORDER BY employee_id`, url)));
      const psqlSeconds = median(copies.map((c) => c.seconds));
      const first = reconcile(`${store} store: first cycle (${N})`, { cwd: work, args, env });
      rows.push(first);
      const written = Number(psql(`SELECT count(*) FROM ${schema}.accounts`, url));
      if (written !== N) console.log(`WARNING: the target holds ${written} rows, not ${N}`);
      anchors.push({ store, psqlSeconds, importSeconds: (first.timings.import ?? NaN) / 1000, written });
      for (let r = 1; r <= runs; r++) {
        rows.push(reconcile(`${store} store: no-change cycle`, { cwd: work, args, env }));
        changeRows(r);
        rows.push(reconcile(`${store} store: ${CHANGED} rows changed`, { cwd: work, args, env }));
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
      if (store === 'postgres') dropSchema(storeSchema, url);
    }
  }
} finally {
  dropSchema(schema, url);
}

printTable(rows, RECONCILE_COLUMNS);
printTable(anchors, [
  ['store', (a) => a.store, 'left'],
  ['target rows', (a) => a.written],
  ['psql \\copy s (median of 3, whole process)', (a) => a.psqlSeconds],
  ['first cycle import stage s', (a) => a.importSeconds],
  ['import ÷ psql (goal ≤ 5×)', (a) => `${(a.importSeconds / a.psqlSeconds).toFixed(1)}×`],
]);
console.log('\nimports per cycle (a confirming import by key shows "by-key"):');
for (const row of rows) console.log(`- ${row.label}: ${row.imports.join('; ')}`);
