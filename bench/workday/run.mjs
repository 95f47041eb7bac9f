#!/usr/bin/env node
// Workday benchmark: N workers (default 50,000) from the Workday emulator (test/emulators/workday-emulator.ts,
// RaaS JSON, ISU basic auth), run in its own process so `imesh reconcile` can be timed against it.
// Usage: npm run build && node bench/workday/run.mjs [N] [--runs R]   (compiles bench/workday/*.ts into dist/bench first)
// It times: the connector alone, in process (one full import, median of 3, after a warm-up); then, each as
// its own `imesh reconcile` under /usr/bin/time -v on the embedded store, Workday → person → a csv table:
// the first cycle, a no-change cycle (a delta through the report's changed-since prompts), and a cycle
// after 100 workers changed. Everything it creates is in a temporary folder, removed at the end.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createInterface } from 'node:readline';
import { benchArgs } from '../lib/args.mjs';
import { RECONCILE_COLUMNS, printTable } from '../lib/table.mjs';
import { median, PROJECT_ROOT, reconcile } from '../lib/timing.mjs';
import { connector, mesh, personFlowRule, personProjection, projectedAttributes, writeConfig } from '../lib/world.mjs';

const { n: N, runs } = benchArgs(process.argv.slice(2), { n: 50_000 });
const CHANGED = Math.min(100, N);
execFileSync(join(PROJECT_ROOT, 'node_modules', '.bin', 'tsc'), ['-p', join(PROJECT_ROOT, 'bench', 'workday', 'tsconfig.json')], { stdio: 'inherit', cwd: PROJECT_ROOT });
const compiled = join(PROJECT_ROOT, 'dist', 'bench', 'bench', 'workday');
const { connectorImport } = await import(pathToFileURL(join(compiled, 'bench.js')).href);

/** The tenant in its own process; resolves with its connection details once it has seeded the workers. */
async function startTenant() {
  const child = spawn(process.execPath, [join(compiled, 'emulator-server.js'), String(N)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const first = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the emulator exited (${code}) before it was ready`)));
    createInterface({ input: child.stdout }).once('line', resolve);
  });
  return { child, info: JSON.parse(first) };
}

function writeWorld(configDir, info, table) {
  writeConfig(configDir, [
    mesh('bench-workday'),
    connector('workday', {
      type: 'workday',
      connection: { baseUrl: info.baseUrl, auth: { type: 'basic', username: info.username, password: '{{secret:workday-isu-password}}' } },
      objectTypes: { worker: { report: info.report, prompts: { Include_Future_Hires: '1' }, delta: { from: 'Updated_From', through: 'Updated_Through', overlap: '5m' } } },
    }),
    connector('apps', { type: 'csv', objectTypes: { account: { file: table, externalIdColumn: 'account_id', isActiveColumn: 'is_active' } } }),
    personFlowRule('workday-to-person', { connector: 'workday', objectType: 'worker' }, { employeeId: 'employeeId', firstName: 'firstName', lastName: 'lastName', email: 'workEmail', department: 'organization', title: 'title', active: 'accountEnabled' }),
    personProjection('person-to-apps', { connector: 'apps', objectType: 'account' }, projectedAttributes('account_id'), { enabled: '{{active}}' }),
  ]);
}

const { child, info } = await startTenant();
const work = mkdtempSync(join(tmpdir(), 'imesh-bench-workday-'));
const rows = [];
try {
  console.log(`workday: ${N} workers, one RaaS report request per read, Node ${process.version}`);
  await connectorImport(info); // warm-up (JIT), untimed
  const imports = [];
  for (let i = 0; i < 3; i++) {
    const run = await connectorImport(info);
    if (run.objects !== N) throw new Error(`the connector read ${run.objects} of ${N} workers`);
    imports.push(run.seconds);
  }
  const seconds = median(imports);
  console.log(JSON.stringify({ label: `connector full import, in process (median of 3)`, objects: N, seconds, objectsPerSecond: Math.round(N / seconds) }));

  const table = join(work, 'out', 'accounts.csv');
  writeWorld(join(work, 'config'), info, table);
  const env = { IMESH_SECRET_WORKDAY_ISU_PASSWORD: info.password };
  const first = reconcile(`first cycle (${N} workers)`, { cwd: work, env });
  rows.push(first);
  const written = readFileSync(table, 'utf8').trim().split('\n').length - 1;
  if (written !== N) console.log(`WARNING: the table holds ${written} rows, not ${N}`);
  for (let r = 1; r <= runs; r++) {
    rows.push(reconcile('no-change cycle (delta)', { cwd: work, env }));
    const response = await fetch(`${info.url}/__bench/change?count=${CHANGED}`, { method: 'POST' });
    const { changed } = await response.json();
    rows.push(reconcile(`${changed} workers changed (delta)`, { cwd: work, env }));
  }
} finally {
  child.kill();
  rmSync(work, { recursive: true, force: true });
}
printTable(rows, RECONCILE_COLUMNS);
console.log('\nimports per cycle:');
for (const row of rows) console.log(`- ${row.label}: ${row.imports.join('; ')}`);
