#!/usr/bin/env node
// CSV → CSV benchmark, whole process: `imesh reconcile` run from a fresh folder, as a user runs it.
// Usage: npm run build && node bench/csv/run.mjs [N] [--runs R]   (N defaults to 100,000; R to 1)
// Generates N people in config/data/hr.csv, projects them to out/people.csv (a csv target), and times
// child processes with /usr/bin/time -v: a first cycle, a no-change cycle and a cycle after 1 % of the
// source rows changed (R times each, the no-change and 1 % ones alternating on the same store). For each
// it prints the whole-process wall time, CPU time (user + system: less sensitive to other work on the
// machine than wall time) and peak RSS, and the in-process stage timings the cycle logs.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 1;
const N = Number(args[0] ?? 100_000);
const bin = fileURLToPath(new URL('../../bin/imesh.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'imesh-bench-csv-'));
const configDir = join(work, 'config');
mkdirSync(join(configDir, 'data'), { recursive: true });

writeFileSync(
  join(configDir, 'mesh.yaml'),
  `apiVersion: identitymesh.dev/v1alpha1
kind: Mesh
metadata: { name: bench-csv }
spec:
  objectTypes:
    person:
      attributes:
        employeeId: { type: string }
        firstName: { type: string }
        lastName: { type: string }
        email: { type: string }
        department: { type: string }
        title: { type: string }
        active: { type: boolean }
  safety: { maxDeletes: 500, maxDeletePercent: 20 }
---
apiVersion: identitymesh.dev/v1alpha1
kind: Connector
metadata: { name: hr }
spec:
  type: csv
  objectTypes:
    user: { file: data/hr.csv, externalIdColumn: employee_id, isActiveColumn: active }
---
apiVersion: identitymesh.dev/v1alpha1
kind: Connector
metadata: { name: directory }
spec:
  type: csv
  objectTypes:
    person: { file: ../out/people.csv, externalIdColumn: employee_id, isActiveColumn: active }
---
apiVersion: identitymesh.dev/v1alpha1
kind: FlowRule
metadata: { name: hr-to-person }
spec:
  source: { connector: hr, objectType: user }
  meshType: person
  join: [ { source: employee_id, mesh: employeeId } ]
  provision: true
  attributes:
    - { mesh: employeeId, source: employee_id, confidence: 100 }
    - { mesh: firstName, source: first_name, confidence: 90 }
    - { mesh: lastName, source: last_name, confidence: 90 }
    - { mesh: email, source: email, confidence: 70 }
    - { mesh: department, source: department, confidence: 90 }
    - { mesh: title, source: title, confidence: 80 }
    - { mesh: active, source: active, confidence: 100 }
---
apiVersion: identitymesh.dev/v1alpha1
kind: Projection
metadata: { name: person-to-directory }
spec:
  meshType: person
  target: { connector: directory, objectType: person }
  attributes:
    employee_id: "{{employeeId}}"
    display_name: "{{firstName}} {{lastName}}"
    email: "{{email}}"
    department: "{{department}}"
    title: "{{title}}"
  enabled: "{{active}}"
  onRemove: disable
`,
);

const departments = ['Sales', 'Engineering', 'Research', 'Operations', 'Support', 'Finance', 'Legal', 'Marketing'];
function writeSource(changedUpTo, suffix) {
  const lines = ['employee_id,first_name,last_name,email,department,title,active'];
  for (let i = 1; i <= N; i++) {
    const title = `Title ${i % 50}${i <= changedUpTo ? suffix : ''}`;
    lines.push(`E${String(i).padStart(7, '0')},First${i},Last${i},person${i}@example.com,${departments[i % 8]},${title},true`);
  }
  writeFileSync(join(configDir, 'data', 'hr.csv'), `${lines.join('\n')}\n`);
}

/** One `imesh reconcile` in its own process, under /usr/bin/time -v. */
function reconcile(label) {
  const load = loadavg()[0];
  const child = spawnSync('/usr/bin/time', ['-v', process.execPath, bin, 'reconcile', '--config', 'config'], {
    cwd: work,
    encoding: 'utf8',
    env: { ...process.env, IMESH_LOG_LEVEL: 'info', NO_COLOR: '1' },
    maxBuffer: 256 * 1024 * 1024,
  });
  const stderr = child.stderr;
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(stderr);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  const user = /User time \(seconds\): ([\d.]+)/.exec(stderr);
  const system = /System time \(seconds\): ([\d.]+)/.exec(stderr);
  const cpuSeconds = user && system ? Number((Number(user[1]) + Number(system[1])).toFixed(2)) : NaN;
  const seconds = wall ? Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]) : NaN;
  let timings = {};
  let cycleMs = 0;
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line);
      if (entry.event === 'cycle') timings = entry.timings ?? {};
      if (entry.event === 'reconcile-stages' || entry.event === 'process-stages') Object.assign(timings, entry.stages ?? {});
    } catch {
      // not a log line
    }
  }
  cycleMs = Object.entries(timings).filter(([k]) => ['import', 'statistics', 'sync', 'plan', 'export', 'confirm', 'maintenance'].includes(k)).reduce((n, [, v]) => n + v, 0);
  const row = { label, exit: child.status, seconds: Number(seconds.toFixed(2)), cpuSeconds, inProcessCycleS: Number((cycleMs / 1000).toFixed(2)), peakRssMb: rss ? Math.round(Number(rss[1]) / 1024) : NaN, load1: Number(load.toFixed(2)), timings, stdout: child.stdout.trim().split('\n')[0] };
  if (child.status !== 0) row.stderrTail = stderr.split('\n').filter((l) => !l.startsWith('\t')).slice(-15).join('\n');
  console.log(JSON.stringify(row));
  return row;
}

const rows = [];
writeSource(0, '');
rows.push(reconcile(`first cycle (${N})`));
const changed = Math.max(1, Math.round(N / 100));
for (let r = 1; r <= runs; r++) {
  rows.push(reconcile('no-change cycle'));
  writeSource(changed, ` (v${r})`);
  rows.push(reconcile(`${changed} changed (1 %)`));
}
const outLines = readFileSync(join(work, 'out', 'people.csv'), 'utf8').trimEnd().split('\n').length - 1;
console.log(`\ntarget rows: ${outLines}`);
console.log('\n| cycle | exit | whole process s | CPU s (user+sys) | in-process cycle s | peak RSS MB | load (1 min) |\n|---|---|---:|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.label} | ${r.exit} | ${r.seconds} | ${r.cpuSeconds} | ${r.inProcessCycleS} | ${r.peakRssMb} | ${r.load1} |`);
rmSync(work, { recursive: true, force: true });
