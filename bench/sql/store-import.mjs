#!/usr/bin/env node
// Full import of N PostgreSQL rows INTO THE STORE (connector space), side by side with psql \copy.
// Usage: npm run build && node bench/sql/store-import.mjs [N] [postgres-url] [embedded|postgres]
// The store is PostgreSQL (a schema of its own, dropped at the end) or the embedded PGlite store.
// Issue 5's bar: a full import of 100,000 rows into the store within 3x the psql time; issue 15's: the
// first cycle's import stage within 5x. Beside them, two floors of the store's own write of the rows.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { createSqlConnector } from '../../dist/connectors/sql/sql-connector.js';
import { importObjectType } from '../../dist/engine/importer.js';
import { openStore } from '../../dist/store/open-store.js';

const N = Number(process.argv[2] ?? 100_000);
const URL_ = process.argv[3] ?? process.env.IMESH_TEST_PG_URL ?? 'postgres://root@127.0.0.1:5432/test';
const STORE = process.argv[4] ?? 'postgres';
const SCHEMA = `imesh_bench_store_${process.pid}`;
const log = pino({ level: 'warn' });

const admin = new pg.Client({ connectionString: URL_ });
await admin.connect();
await admin.query(`CREATE SCHEMA ${SCHEMA}`);
await admin.query(`CREATE TABLE ${SCHEMA}.employees (employee_id text PRIMARY KEY, first_name text, last_name text, email text,
  department text, title text, is_active boolean NOT NULL DEFAULT true, modified_at timestamptz NOT NULL DEFAULT now())`);
await admin.query(`INSERT INTO ${SCHEMA}.employees (employee_id, first_name, last_name, email, department, title)
  SELECT 'E' || lpad(i::text, 7, '0'), 'First' || i, 'Last' || i, 'p' || i || '@example.com', 'Dept ' || (i % 20), 'Title ' || (i % 50)
    FROM generate_series(1, $1) AS i`, [N]);

const spec = {
  type: 'sql',
  connection: { driver: 'postgres', connectionString: '{{secret:bench}}' },
  objectTypes: { user: { table: `${SCHEMA}.employees`, externalIdColumn: 'employee_id', watermarkColumn: 'modified_at', deltaColumnType: 'datetime', overlapSeconds: 5, isActiveColumn: 'is_active', multiValueSeparator: ';', pageSize: 1000 } },
};
const work = mkdtempSync(join(tmpdir(), 'imesh-bench-store-'));
const storeUrl = STORE === 'postgres' ? `${URL_}?schema=${SCHEMA}_store` : undefined;
const db = await openStore({ url: storeUrl, workDir: work });
const connector = await createSqlConnector({
  model: { name: 'hr', type: 'sql', location: { file: 'bench', line: 1, column: 1 }, spec, objectTypes: ['user'], suspend: false },
  configPath: work, workDir: work, secrets: { resolve: (t) => t.replace('{{secret:bench}}', URL_) }, log,
});
const config = { mesh: { safety: { maxDeletes: 500, maxDeletePercent: 20 } } };
async function importOnce() {
  const seq = Number((await db.query(`SELECT nextval('change_seq')::text AS s`))[0].s);
  const ctx = {
    config, q: db, atomically: (w) => db.transaction(w), seq, cycleId: 0, kind: 'full', mode: 'reconcile', log,
    connector: async () => connector, capabilities: async () => connector.capabilities('user'), progress: () => {},
  };
  const started = performance.now();
  const outcome = await importObjectType(ctx, 'hr', 'user', true);
  return { ms: performance.now() - started, outcome };
}
const psql = () => {
  const started = performance.now();
  const run = spawnSync('psql', [URL_, '-q', '-c', `\\copy (SELECT employee_id, first_name, last_name, email, department, title, is_active, modified_at FROM ${SCHEMA}.employees ORDER BY employee_id) TO '/dev/null'`], { stdio: 'ignore' });
  if (run.status !== 0) throw new Error('psql failed');
  return performance.now() - started;
};
const psqlMs = [psql(), psql(), psql()].sort((a, b) => a - b)[1];
const first = await importOnce();
const again = await importOnce();
// The floor of any import into the store: the store writing N connector-space rows of the same shape
// by itself (INSERT … SELECT on the server: no client, no network, no hashing, no parsing).
async function storeWriteFloor() {
  await db.query(`DELETE FROM cs_object WHERE connector = 'floor'`);
  const started = performance.now();
  await db.query(`INSERT INTO cs_object (connector, object_type, external_id, attributes, enabled, hash, changed_seq)
    SELECT 'floor', 'user', 'E' || lpad(i::text, 7, '0'),
           jsonb_build_object('employee_id', 'E' || lpad(i::text, 7, '0'), 'first_name', 'First' || i, 'last_name', 'Last' || i, 'email', 'p' || i || '@example.com',
                              'department', 'Dept ' || (i % 20), 'title', 'Title ' || (i % 50), 'is_active', true, 'modified_at', '2026-11-23T10:00:00.123456Z'),
           true, repeat('x', 27), 1
      FROM generate_series(1, $1) AS i`, [N]);
  return performance.now() - started;
}
const floorMs = [await storeWriteFloor(), await storeWriteFloor(), await storeWriteFloor()].sort((a, b) => a - b)[1];
// The raw tool's floor for the same write (PostgreSQL store): psql \copy of the rows the first import
// stored, read back to a file, into an empty table with cs_object's columns, defaults and indexes.
function psqlCopyFloor() {
  if (STORE !== 'postgres') return undefined;
  const file = join(work, 'cs_object.copy');
  const columns = 'connector, object_type, external_id, dn, attributes, enabled, hash, deleted, changed_seq';
  const run = (command) => {
    const started = performance.now();
    const result = spawnSync('psql', [URL_, '-q', '-v', 'ON_ERROR_STOP=1', '-c', command], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (result.status !== 0) throw new Error(`psql failed: ${command}`);
    return performance.now() - started;
  };
  run(`\\copy (SELECT ${columns} FROM ${SCHEMA}_store.cs_object WHERE connector = 'hr') TO '${file}'`);
  run(`CREATE TABLE ${SCHEMA}_store.cs_floor (LIKE ${SCHEMA}_store.cs_object INCLUDING ALL)`);
  const times = [1, 2, 3].map(() => {
    run(`TRUNCATE ${SCHEMA}_store.cs_floor`);
    return run(`\\copy ${SCHEMA}_store.cs_floor (${columns}) FROM '${file}'`);
  });
  return times.sort((a, b) => a - b)[1];
}
const copyFloorMs = psqlCopyFloor();
console.log(`store: ${STORE}; rows: ${N}`);
console.log(`psql \\copy (median of 3): ${(psqlMs / 1000).toFixed(3)} s`);
console.log(`first full import into the store (all new): ${(first.ms / 1000).toFixed(3)} s = ${(first.ms / psqlMs).toFixed(2)}x psql (staged ${first.outcome.changed})`);
console.log(`floor: the store inserting ${N} such rows by itself (median of 3): ${(floorMs / 1000).toFixed(3)} s = ${(floorMs / psqlMs).toFixed(2)}x psql`);
if (copyFloorMs !== undefined) console.log(`floor: psql \\copy of the same ${N} rows into a table like cs_object, whole process (median of 3): ${(copyFloorMs / 1000).toFixed(3)} s = ${(copyFloorMs / psqlMs).toFixed(2)}x psql`);
console.log(`full import again (nothing changed): ${(again.ms / 1000).toFixed(3)} s = ${(again.ms / psqlMs).toFixed(2)}x psql (staged ${again.outcome.changed})`);
await connector.close();
await db.close();
await admin.query(`DROP SCHEMA ${SCHEMA} CASCADE`);
await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA}_store CASCADE`);
await admin.end();
rmSync(work, { recursive: true, force: true });
