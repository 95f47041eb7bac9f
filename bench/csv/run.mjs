#!/usr/bin/env node
// CSV → CSV benchmark, whole process: `imesh reconcile` run from a fresh folder, as a user runs it.
// Usage: npm run build && node bench/csv/run.mjs [N] [--runs R]   (N defaults to 100,000; R to 1)
// Generates N people in config/data/hr.csv, projects them to out/people.csv (a csv target), and times
// child processes with /usr/bin/time -v: a first cycle, a no-change cycle and a cycle after 1 % of the
// source rows changed (R times each, the no-change and 1 % ones alternating on the same store). For each
// it prints the whole-process wall time, CPU time (user + system: less sensitive to other work on the
// machine than wall time) and peak RSS, and the in-process stage timings the cycle logs.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reconcile } from '../lib/timing.mjs';
import { benchArgs } from '../lib/args.mjs';
import { RECONCILE_COLUMNS, printTable } from '../lib/table.mjs';
import { DEPARTMENTS, connector, mesh, personFlowRule, personProjection, projectedAttributes, writeConfig } from '../lib/world.mjs';

const { n: N, runs } = benchArgs(process.argv.slice(2), { n: 100_000 });
const work = mkdtempSync(join(tmpdir(), 'imesh-bench-csv-'));
const configDir = join(work, 'config');
mkdirSync(join(configDir, 'data'), { recursive: true });

writeConfig(configDir, [
  mesh('bench-csv'),
  connector('hr', { type: 'csv', objectTypes: { user: { file: 'data/hr.csv', externalIdColumn: 'employee_id', isActiveColumn: 'active' } } }),
  connector('directory', { type: 'csv', objectTypes: { person: { file: '../out/people.csv', externalIdColumn: 'employee_id', isActiveColumn: 'active' } } }),
  personFlowRule('hr-to-person', { connector: 'hr', objectType: 'user' }, { employeeId: 'employee_id', firstName: 'first_name', lastName: 'last_name', email: 'email', department: 'department', title: 'title', active: 'active' }),
  personProjection('person-to-directory', { connector: 'directory', objectType: 'person' }, projectedAttributes('employee_id'), { enabled: '{{active}}' }),
]);

function writeSource(changedUpTo, suffix) {
  const lines = ['employee_id,first_name,last_name,email,department,title,active'];
  for (let i = 1; i <= N; i++) {
    const title = `Title ${i % 50}${i <= changedUpTo ? suffix : ''}`;
    lines.push(`E${String(i).padStart(7, '0')},First${i},Last${i},person${i}@example.com,${DEPARTMENTS[i % 8]},${title},true`);
  }
  writeFileSync(join(configDir, 'data', 'hr.csv'), `${lines.join('\n')}\n`);
}

try {
  const rows = [];
  writeSource(0, '');
  rows.push(reconcile(`first cycle (${N})`, { cwd: work }));
  const changed = Math.max(1, Math.round(N / 100));
  for (let r = 1; r <= runs; r++) {
    rows.push(reconcile('no-change cycle', { cwd: work }));
    writeSource(changed, ` (v${r})`);
    rows.push(reconcile(`${changed} changed (1 %)`, { cwd: work }));
  }
  const outLines = readFileSync(join(work, 'out', 'people.csv'), 'utf8').trimEnd().split('\n').length - 1;
  console.log(`\ntarget rows: ${outLines}`);
  printTable(rows, RECONCILE_COLUMNS);
} finally {
  rmSync(work, { recursive: true, force: true });
}
