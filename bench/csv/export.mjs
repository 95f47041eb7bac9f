#!/usr/bin/env node
// csv target export, in-process: N creates written as the engine did before export sessions (one
// `export` call, i.e. one whole-file rewrite, per batch of 2,000) and through one export session (one
// rewrite at commit). Usage: npm run build && node bench/csv/export.mjs [N] [--batches-too]
// Prints wall and CPU time (user + system) per way; --batches-too also runs the per-batch way (it is
// quadratic: keep N modest).
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectorFactory } from '../../dist/connectors/registry.js';
import { logger } from '../../dist/shared/logger.js';

const args = process.argv.slice(2);
const batchesToo = args.includes('--batches-too');
const N = Number(args.find((a) => !a.startsWith('--')) ?? 100_000);
const work = mkdtempSync(join(tmpdir(), 'imesh-bench-csv-export-'));
const configPath = join(work, 'config');
mkdirSync(configPath, { recursive: true });
const log = logger();
log.level = 'warn';

async function open(file) {
  const spec = { type: 'csv', objectTypes: { person: { file, externalIdColumn: 'employee_id', isActiveColumn: 'active' } } };
  const model = { name: 'directory', type: 'csv', location: { file: 'bench.yaml', line: 1, column: 1 }, spec, objectTypes: ['person'], suspend: false };
  return connectorFactory('csv')({ model, configPath, workDir: work, secrets: { resolve: (t) => t }, log });
}

const changes = Array.from({ length: N }, (_, i) => ({
  id: `c${i}`,
  op: 'create',
  key: `E${String(i + 1).padStart(7, '0')}`,
  attributes: { employee_id: `E${String(i + 1).padStart(7, '0')}`, display_name: `First${i} Last${i}`, email: `person${i}@example.com`, department: 'Sales', title: `Title ${i % 50}` },
  enabled: true,
}));

async function measure(label, work) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await work();
  const used = process.cpuUsage(cpu);
  console.log(JSON.stringify({ label, n: N, wallS: Number(((performance.now() - started) / 1000).toFixed(2)), cpuS: Number(((used.user + used.system) / 1e6).toFixed(2)), rssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));
}

const session = await open('../out/session.csv');
await measure('one export session (one rewrite)', async () => {
  const s = session.beginExport('person');
  for (let i = 0; i < N; i += 2000) s.add(changes.slice(i, i + 2000));
  const results = await s.commit();
  if (!results.every((r) => r.ok)) throw new Error('an export failed');
});
console.log(`  file: ${(statSync(join(work, 'out', 'session.csv')).size / 1e6).toFixed(1)} MB`);
if (batchesToo) {
  const batches = await open('../out/batches.csv');
  await measure('export per batch of 2,000 (a rewrite each)', async () => {
    for (let i = 0; i < N; i += 2000) {
      const results = await batches.export('person', changes.slice(i, i + 2000));
      if (!results.every((r) => r.ok)) throw new Error('an export failed');
    }
  });
}
rmSync(work, { recursive: true, force: true });
