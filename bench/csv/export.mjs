#!/usr/bin/env node
// csv target export, in-process: N creates through one export session (spooled as they come, one pass
// at commit), then a delta: C updates spread over the file through another session and the by-key read
// of those C rows (what a delta cycle's export and confirming import cost the csv target), and
// optionally N creates as the engine sent them before export sessions (one `export` call, i.e. one
// whole-file rewrite, per batch of 2,000).
// Usage: npm run build && node bench/csv/export.mjs [N] [--delta C] [--batches-too]
// Prints wall and CPU time (user + system) per step and the process's peak RSS so far. Changes are made
// batch by batch, as the engine hands them over, so the peak is the connector's, not the bench's.
// --delta defaults to 10; --batches-too is quadratic: keep N modest.
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectorFactory } from '../../dist/connectors/registry.js';
import { logger } from '../../dist/shared/logger.js';

const args = process.argv.slice(2);
const batchesToo = args.includes('--batches-too');
const deltaAt = args.indexOf('--delta');
const C = deltaAt >= 0 ? Number(args[deltaAt + 1]) : 10;
const N = Number(args.find((a, i) => !a.startsWith('--') && (deltaAt < 0 || i !== deltaAt + 1)) ?? 100_000);
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

const key = (i) => `E${String(i + 1).padStart(7, '0')}`;
/** The creates from..to-1. */
const creates = (from, to) =>
  Array.from({ length: Math.min(to, N) - from }, (_, j) => {
    const i = from + j;
    return {
      id: `c${i}`,
      op: 'create',
      key: key(i),
      attributes: { employee_id: key(i), display_name: `First${i} Last${i}`, email: `person${i}@example.com`, department: 'Sales', title: `Title ${i % 50}` },
      enabled: true,
    };
  });

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
  for (let i = 0; i < N; i += 2000) await s.add(creates(i, i + 2000));
  const results = await s.commit();
  if (results.length !== N || !results.every((r) => r.ok)) throw new Error('an export failed');
});
console.log(`  file: ${(statSync(join(work, 'out', 'session.csv')).size / 1e6).toFixed(1)} MB`);
const changed = Array.from({ length: Math.min(C, N) }, (_, j) => key(Math.floor((j * N) / Math.min(C, N))));
await measure(`delta: ${changed.length} updates through one session (one pass over the file)`, async () => {
  const s = session.beginExport('person');
  await s.add(changed.map((k, j) => ({ id: `u${j}`, op: 'update', externalId: k, attributes: { title: { to: `Changed ${j}` } } })));
  const results = await s.commit();
  if (!results.every((r) => r.ok)) throw new Error('an update failed');
});
await measure(`delta: by-key read of those ${changed.length} rows`, async () => {
  let read = 0;
  for await (const batch of session.readObjects('person', changed)) read += batch.objects.filter((o) => o.attributes.title?.startsWith('Changed ')).length;
  if (read !== changed.length) throw new Error(`read back ${read} of ${changed.length} changed rows`);
});
if (batchesToo) {
  const batches = await open('../out/batches.csv');
  await measure('export per batch of 2,000 (a rewrite each)', async () => {
    for (let i = 0; i < N; i += 2000) {
      const results = await batches.export('person', creates(i, i + 2000));
      if (!results.every((r) => r.ok)) throw new Error('an export failed');
    }
  });
}
rmSync(work, { recursive: true, force: true });
