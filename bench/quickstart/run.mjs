#!/usr/bin/env node
// The fixed cost of a process (issue 15, goal 5): `imesh reconcile` on the quickstart with nothing to do.
// Usage: npm run build && node bench/quickstart/run.mjs [--runs R]   (R defaults to 5)
// Runs `imesh quickstart` once in a fresh folder (it copies samples/quickstart/, creates the embedded
// store and reconciles), then R times `imesh reconcile --config .imesh/quickstart/config` there, each
// its own process under /usr/bin/time -v; prints every run and the medians (wall, CPU) and the highest
// peak RSS. Each no-op run should change nothing: its cycle exports nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IMESH_BIN, median, reconcile, timedProcess } from '../lib/timing.mjs';
import { benchArgs } from '../lib/args.mjs';
import { RECONCILE_COLUMNS, printTable } from '../lib/table.mjs';

const { named } = benchArgs(process.argv.slice(2), {});
const runs = Number(named.runs ?? 5);
const work = mkdtempSync(join(tmpdir(), 'imesh-bench-quickstart-'));
try {
  const setup = timedProcess(process.execPath, [IMESH_BIN, 'quickstart'], { cwd: work, env: { NO_COLOR: '1' } });
  if (setup.exit !== 0) throw new Error(`imesh quickstart exited ${setup.exit}:\n${setup.stderr.slice(-2000)}`);
  console.log(JSON.stringify({ label: 'imesh quickstart (first run, not part of the figure)', seconds: setup.seconds, cpuSeconds: setup.cpuSeconds, peakRssMb: setup.peakRssMb, load1: setup.load1 }));
  const rows = [];
  for (let r = 1; r <= runs; r++) {
    const row = reconcile(`no-op reconcile ${r}`, { cwd: work, args: ['--config', '.imesh/quickstart/config'] });
    if ((row.exported ?? 0) > 0) console.log(`WARNING: run ${r} exported something; the quickstart was not at rest`);
    rows.push(row);
  }
  printTable(rows, RECONCILE_COLUMNS);
  printTable(
    [{ runs, seconds: median(rows.map((r) => r.seconds)), cpu: median(rows.map((r) => r.cpuSeconds)), cycle: median(rows.map((r) => r.cycleSeconds)), rss: Math.max(...rows.map((r) => r.peakRssMb)) }],
    [
      ['runs', (m) => m.runs],
      ['median whole process s (goal ≤ 0.7)', (m) => m.seconds],
      ['median CPU s', (m) => m.cpu],
      ['median in-process cycle s', (m) => m.cycle],
      ['highest peak RSS MB', (m) => m.rss],
    ],
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
