#!/usr/bin/env node
// SQL connector benchmark against PostgreSQL (not a timed test).
// Usage: npm run build && node bench/sql/run.mjs [N] [postgres-url]
//   N defaults to 100000; the URL to IMESH_TEST_PG_URL or postgres://root@127.0.0.1:5432/test.
// Measures, side by side in one run:
//   1. psql -c "\copy (SELECT <same columns>) TO '/dev/null'"  (the floor: the server's own client)
//   2. the connector's full import of N rows into in-memory ImportBatches (no store),
//      interleaved with 1 round by round (2 warm-up rounds, then 5 measured; medians reported)
//   3. a delta import of 100 changed rows among N (datetime watermark)
//   4. an export of 10,000 upserts (creates), and the same 10,000 again (updates through ON CONFLICT)
// Bars (issue 5): import <= 3x psql, delta <= 0.3 s, upsert 10,000 <= 5 s.
import { spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import pg from 'pg';
import { pino } from 'pino';
import { createSqlConnector } from '../../dist/connectors/sql/sql-connector.js';

const N = Number(process.argv[2] ?? 100_000);
const URL_ = process.argv[3] ?? process.env.IMESH_TEST_PG_URL ?? 'postgres://root@127.0.0.1:5432/test';
const SCHEMA = `imesh_bench_sql_${process.pid}`;
const COLUMNS = ['employee_id', 'first_name', 'last_name', 'email', 'department', 'title', 'is_active', 'modified_at'];
const RUNS = 5;

const seconds = (ms) => (ms / 1000).toFixed(3);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function context(spec) {
  return {
    model: { name: 'bench-hr', type: 'sql', location: { file: 'bench', line: 1, column: 1 }, spec, objectTypes: Object.keys(spec.objectTypes), suspend: false },
    configPath: process.cwd(),
    workDir: process.cwd(),
    secrets: { resolve: (text) => text.replace('{{secret:bench}}', URL_) },
    log: pino({ level: 'warn' }),
  };
}

async function timed(work) {
  const started = performance.now();
  const result = await work();
  return { ms: performance.now() - started, result };
}

const admin = new pg.Client({ connectionString: URL_ });
await admin.connect();
const serverVersion = (await admin.query('SHOW server_version')).rows[0].server_version;
try {
  await admin.query(`CREATE SCHEMA ${SCHEMA}`);
  await admin.query(`CREATE TABLE ${SCHEMA}.employees (employee_id text PRIMARY KEY, first_name text, last_name text, email text, department text, title text, is_active boolean NOT NULL, modified_at timestamptz NOT NULL)`);
  await admin.query(`CREATE INDEX ON ${SCHEMA}.employees (modified_at)`);
  await admin.query(
    `INSERT INTO ${SCHEMA}.employees SELECT 'E' || lpad(g::text, 7, '0'), 'First' || g, 'Last' || g, 'user' || g || '@example.com', 'Dept ' || (g % 40), 'Title ' || (g % 25), g % 17 <> 0, timestamptz '2024-01-01' + g * interval '1 second' FROM generate_series(1, ${N}) g`,
  );
  await admin.query(`CREATE TABLE ${SCHEMA}.accounts (account_id text PRIMARY KEY, display_name text, email text, roles text[], is_active boolean NOT NULL DEFAULT true)`);
  await admin.query(`VACUUM ANALYZE ${SCHEMA}.employees`);

  // 1 + 2, interleaved so both see the same machine load: psql \copy of the same columns, then the
  // connector's full import into in-memory batches (2 warm-up rounds, then RUNS measured rounds).
  const copy = `\\copy (SELECT ${COLUMNS.join(', ')} FROM ${SCHEMA}.employees ORDER BY employee_id) TO '/dev/null'`;
  const spec = {
    type: 'sql',
    connection: { driver: 'postgres', connectionString: '{{secret:bench}}' },
    objectTypes: { user: { table: `${SCHEMA}.employees`, externalIdColumn: 'employee_id', columnsToLoad: COLUMNS, watermarkColumn: 'modified_at', deltaColumnType: 'datetime', isActiveColumn: 'is_active' } },
  };
  const connector = await createSqlConnector(context(spec));
  const psqlCopy = () => {
    const started = performance.now();
    const run = spawnSync('psql', [URL_, '-q', '-c', copy], { stdio: 'ignore' });
    if (run.status !== 0) throw new Error('psql failed');
    return performance.now() - started;
  };
  // Each ImportBatch is taken and let go, as the engine does after staging it (the store is not measured).
  const fullImport = async () => {
    let batches = 0;
    let count = 0;
    let watermark;
    for await (const batch of connector.fullImport('user')) {
      batches++;
      count += batch.objects.length;
      if (batch.watermark) watermark = batch.watermark;
    }
    return { count, watermark, batches };
  };
  const psqlTimes = [];
  const importTimes = [];
  let last;
  for (let round = 0; round < RUNS + 2; round++) {
    const psqlMs = psqlCopy();
    const { ms, result } = await timed(fullImport);
    if (result.count !== N) throw new Error(`imported ${result.count} of ${N}`);
    last = result;
    if (round < 2) continue; // warm-up: connections, plan cache, JIT
    psqlTimes.push(psqlMs);
    importTimes.push(ms);
  }

  // 3. delta import of 100 changed rows
  await admin.query(`UPDATE ${SCHEMA}.employees SET title = 'Changed', modified_at = clock_timestamp() WHERE employee_id IN (SELECT employee_id FROM ${SCHEMA}.employees ORDER BY random() LIMIT 100)`);
  const deltaTimes = [];
  let deltaCount = 0;
  for (let i = 0; i < RUNS; i++) {
    const { ms, result } = await timed(async () => {
      let count = 0;
      for await (const batch of connector.deltaImport('user', last.watermark)) count += batch.objects.length;
      return count;
    });
    deltaTimes.push(ms);
    deltaCount = result;
  }
  if (deltaCount < 100) throw new Error(`delta returned ${deltaCount} rows, expected 100`);
  await connector.close();

  // 4. export: 10,000 upserts
  const target = await createSqlConnector(
    context({ type: 'sql', connection: { driver: 'postgres', connectionString: '{{secret:bench}}' }, objectTypes: { account: { table: `${SCHEMA}.accounts`, externalIdColumn: 'account_id', isActiveColumn: 'is_active' } } }),
  );
  const changes = (round) =>
    Array.from({ length: 10_000 }, (_, i) => ({
      id: `c${i}`,
      op: 'create',
      key: `A${i}`,
      attributes: { account_id: `A${i}`, display_name: `User ${i} r${round}`, email: `user${i}@example.com`, roles: ['staff', `team-${i % 10}`] },
      enabled: i % 10 !== 0,
    }));
  const createRun = await timed(() => target.export('account', changes(1)));
  const updateRun = await timed(() => target.export('account', changes(2)));
  if (![...createRun.result, ...updateRun.result].every((r) => r.ok)) throw new Error('export failures');
  await target.close();

  const psql = median(psqlTimes);
  const imported = median(importTimes);
  const delta = median(deltaTimes);
  const ratio = imported / psql;
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const rows = [
    ['psql \\copy of the same columns (floor)', `${N.toLocaleString('en')} rows`, `${seconds(psql)} s`, '—', '—'],
    ['connector full import → memory batches', `${N.toLocaleString('en')} rows, ${last.batches} batches`, `${seconds(imported)} s`, `≤ 3× psql (${seconds(3 * psql)} s)`, `${ratio.toFixed(2)}× psql — ${ratio <= 3 ? 'met' : 'MISSED'}`],
    ['delta import, 100 changed among N', `${deltaCount} rows`, `${seconds(delta)} s`, '≤ 0.3 s', delta <= 300 ? 'met' : 'MISSED'],
    ['export: 10,000 upserts (inserts)', '10,000 rows', `${seconds(createRun.ms)} s`, '≤ 5 s', createRun.ms <= 5000 ? 'met' : 'MISSED'],
    ['export: the same 10,000 again (updates)', '10,000 rows', `${seconds(updateRun.ms)} s`, '≤ 5 s', updateRun.ms <= 5000 ? 'met' : 'MISSED'],
  ];
  const table = [`| measurement | size | time (median of ${RUNS}) | bar | result |`, '|---|---|---|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
  const machine = `${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, PostgreSQL ${serverVersion} on 127.0.0.1`;
  process.stdout.write(`\nSQL connector benchmark (${new Date().toISOString()})\n${machine}\n\n${table}\n\n`);
  process.stdout.write(`runs (ms): psql ${psqlTimes.map(Math.round).join(', ')}; import ${importTimes.map(Math.round).join(', ')}; delta ${deltaTimes.map(Math.round).join(', ')}\n`);
  if (process.env.IMESH_BENCH_JSON) process.stdout.write(`${JSON.stringify({ N, psql: psqlTimes, import: importTimes, delta: deltaTimes, upsertCreate: createRun.ms, upsertUpdate: updateRun.ms, machine })}\n`);
} finally {
  await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await admin.end();
}
