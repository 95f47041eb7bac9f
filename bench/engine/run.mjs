#!/usr/bin/env node
// Engine benchmark: N identities in an embedded SQL source projected to an embedded SQL target.
// Usage: npm run build && node bench/engine/run.mjs [N]   (default 100000)
// The store: the embedded SQLite store, or IMESH_BENCH_STORE=pglite for the PGlite store of earlier versions.
// Reports objects/s and peak RSS for: the first full cycle, a no-change cycle, a cycle with 1% changed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../dist/config/index.js';
import { runCycle } from '../../dist/engine/cycle.js';
import { openEmbeddedStore } from '../../dist/store/embedded-store.js';
import { openSqliteStore } from '../../dist/store/sqlite-store.js';
import { migrate } from '../../dist/store/migrations.js';
import { connectorOpener } from '../../dist/cli/runtime.js';
import { logger } from '../../dist/shared/logger.js';
import { DEPARTMENTS, connector, mesh, personFlowRule, personProjection, writeConfig } from '../lib/world.mjs';
import { printTable, stages } from '../lib/table.mjs';

const N = Number(process.argv[2] ?? 100_000);
const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'imesh-bench-engine-'));
process.chdir(work);
const configDir = join(work, 'config');
const sqlType = (table, key) => ({ table, externalIdColumn: key, watermarkColumn: 'modified_at', deltaColumnType: 'datetime', isActiveColumn: 'is_active' });
writeConfig(configDir, [
  mesh('bench'),
  connector('hr', { type: 'sql', connection: { driver: 'embedded', path: join(work, 'hr') }, objectTypes: { user: sqlType('employees', 'employee_id') } }),
  connector('apps', { type: 'sql', connection: { driver: 'embedded', path: join(work, 'apps') }, objectTypes: { account: sqlType('accounts', 'account_id') } }),
  personFlowRule('hr-to-person', { connector: 'hr', objectType: 'user' }, { employeeId: 'employee_id', firstName: 'first_name', lastName: 'last_name', email: 'email', department: 'department', title: 'title', active: 'is_active' }),
  personProjection(
    'person-to-apps',
    { connector: 'apps', objectType: 'account' },
    { account_id: '{{employeeId}}', username: '{{firstName | lower}}.{{lastName | lower}}', email: '{{email}}', department: '{{department}}', title: '{{title}}' },
    { enabled: '{{active}}' },
  ),
]);

// Seed the source in a child process, so its PGlite instance is not counted in this process's RSS.
const seed = `
import { PGlite } from '@electric-sql/pglite';
const hr = await PGlite.create(${JSON.stringify(join(work, 'hr'))});
await hr.exec(\`CREATE TABLE employees (employee_id text PRIMARY KEY, first_name text, last_name text, email text,
  department text, title text, is_active boolean NOT NULL DEFAULT true, modified_at timestamptz NOT NULL DEFAULT clock_timestamp())\`);
await hr.query(\`INSERT INTO employees (employee_id, first_name, last_name, email, department, title)
  SELECT 'E' || lpad(i::text, 7, '0'), 'First' || i, 'Last' || i, 'person' || i || '@example.com',
         ($1::text[])[1 + i % 8], 'Title ' || (i % 50)
    FROM generate_series(1, $2) AS i\`, [${JSON.stringify(DEPARTMENTS)}, ${N}]);
await hr.close();
// The target table keeps a modification time (as application tables usually do), so drift is read
// by delta imports instead of a full read of every row each cycle.
const apps = await PGlite.create(${JSON.stringify(join(work, 'apps'))});
await apps.exec(\`CREATE TABLE accounts (account_id text PRIMARY KEY, username text, email text, department text, title text,
  is_active boolean NOT NULL DEFAULT true, modified_at timestamptz NOT NULL DEFAULT clock_timestamp());
  CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.modified_at := clock_timestamp(); RETURN NEW; END $$;
  CREATE TRIGGER accounts_touch BEFORE UPDATE ON accounts FOR EACH ROW EXECUTE FUNCTION touch();\`);
await apps.close();
`;
const seeded = spawnSync(process.execPath, ['--input-type=module', '-e', seed], { cwd: projectRoot, stdio: 'inherit' });
if (seeded.status !== 0) throw new Error('seeding the source failed');

const { config, problems } = await loadConfig(configDir);
if (!config) throw new Error(problems.map((p) => `${p.file}:${p.line}: ${p.message}`).join('\n'));
const db = process.env.IMESH_BENCH_STORE === 'pglite' ? await openEmbeddedStore(join(work, 'state')) : await openSqliteStore(join(work, 'state/store.db'));
await migrate(db);
const log = logger();
log.level = 'warn';
const open = connectorOpener(config, log);

async function cycle(label, kind) {
  const started = performance.now();
  const outcome = await runCycle(db, config, { kind, mode: 'reconcile', revision: 'bench', openConnector: open, log });
  const seconds = (performance.now() - started) / 1000;
  const exported = [...outcome.exports.values()].reduce((n, c) => n + c.created + c.updated + c.disabled, 0);
  const imported = outcome.imports.reduce((n, i) => n + i.changed, 0);
  const rss = process.resourceUsage().maxRSS / 1024;
  const row = { label, result: outcome.result, seconds: seconds.toFixed(2), imported, exported, objectsPerSecond: Math.round(Math.max(imported, exported, 1) / seconds), peakRssMb: Math.round(rss), timings: outcome.timings };
  console.log(JSON.stringify(row));
  return row;
}

const rows = [];
rows.push(await cycle(`first full cycle (${N})`, 'full'));
rows.push(await cycle('no-change cycle', 'delta'));
const changed = Math.max(1, Math.round(N / 100));
// The source's PGlite directory is open in the connector during a cycle only; change it in a child.
const change = `
import { PGlite } from '@electric-sql/pglite';
const hr = await PGlite.create(${JSON.stringify(join(work, 'hr'))});
await hr.query(\`UPDATE employees SET title = title || ' (new)', modified_at = clock_timestamp()
  WHERE employee_id IN (SELECT employee_id FROM employees ORDER BY employee_id LIMIT ${changed})\`);
await hr.close();
`;
if (spawnSync(process.execPath, ['--input-type=module', '-e', change], { cwd: projectRoot, stdio: 'inherit' }).status !== 0) throw new Error('changing the source failed');
rows.push(await cycle(`${changed} changed (1%)`, 'delta'));
await db.close();
printTable(rows, [
  ['cycle', (r) => r.label, 'left'],
  ['result', (r) => r.result, 'left'],
  ['seconds', (r) => r.seconds],
  ['imported', (r) => r.imported],
  ['exported', (r) => r.exported],
  ['objects/s', (r) => r.objectsPerSecond],
  ['peak RSS MB', (r) => r.peakRssMb],
  ['stage timings (ms)', (r) => stages(r.timings), 'left'],
]);
rmSync(work, { recursive: true, force: true });
