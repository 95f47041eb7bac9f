// Whole-process timing for the benchmarks: a child process under `/usr/bin/time -v` (wall, user + system
// CPU, peak RSS, and the 1-minute load average when it started), and the in-process figures the cycle
// logs itself (the `event: cycle` JSON line: its stage timings).
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

export const IMESH_BIN = fileURLToPath(new URL('../../bin/imesh.js', import.meta.url));
export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The cycle's own stages, as `runCycle` times them (ms); their sum is the in-process cycle time. */
const CYCLE_STAGES = ['import', 'statistics', 'sync', 'plan', 'gate', 'export', 'confirm', 'maintenance'];

const round = (n, digits = 2) => Number(n.toFixed(digits));

/** Parses what `/usr/bin/time -v` appended to a child's stderr. */
export function parseTimeV(stderr) {
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(stderr);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  const user = /User time \(seconds\): ([\d.]+)/.exec(stderr);
  const system = /System time \(seconds\): ([\d.]+)/.exec(stderr);
  return {
    seconds: wall ? round(Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3])) : NaN,
    cpuSeconds: user && system ? round(Number(user[1]) + Number(system[1])) : NaN,
    peakRssMb: rss ? Math.round(Number(rss[1]) / 1024) : NaN,
  };
}

/**
 * Runs `command args` under `/usr/bin/time -v` and returns its exit code, output and whole-process
 * figures. `load1` is the 1-minute load average just before it started: other work on the machine
 * inflates wall time, so every figure carries it.
 */
export function timedProcess(command, args, { cwd, env, input, discardStdout = false } = {}) {
  const load1 = round(loadavg()[0]);
  const child = spawnSync('/usr/bin/time', ['-v', command, ...args], {
    cwd,
    input,
    // discardStdout: the tool writes to /dev/null, as `tool > /dev/null` in a shell (no pipe to fill).
    stdio: ['pipe', discardStdout ? 'ignore' : 'pipe', 'pipe'],
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 1024 * 1024 * 1024,
  });
  if (child.error) throw child.error;
  return { exit: child.status, load1, stdout: child.stdout ?? '', stderr: child.stderr, ...parseTimeV(child.stderr) };
}

/**
 * The last cycle the process logged: its result, kind and stage timings (ms), and each import it ran
 * (`connector/type mode read changed ms`: a confirming import by key shows `by-key` and the keys read).
 * `cycleSeconds` is the cycle's `durationMs` (older builds: the sum of the stages; the stages run one
 * after another).
 */
export function cycleFromLog(stderr) {
  let cycle;
  const imports = [];
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line);
      if (entry.event === 'cycle') cycle = entry;
      if (entry.event === 'import') imports.push(`${entry.connector}/${entry.objectType} ${entry.mode} read ${entry.read} changed ${entry.changed} in ${entry.ms} ms`);
    } catch {
      // /usr/bin/time's report or another non-JSON line
    }
  }
  const timings = cycle?.timings ?? {};
  const total = cycle?.durationMs ?? cycle?.ms ?? Object.entries(timings).filter(([stage]) => CYCLE_STAGES.includes(stage)).reduce((n, [, ms]) => n + ms, 0);
  return { result: cycle?.result, kind: cycle?.kind, timings, imports, exported: cycle?.exported, cycleSeconds: cycle ? round(total / 1000) : NaN };
}

/**
 * One `imesh reconcile` as a user runs it, in its own process: whole-process figures plus the cycle's
 * own. Logs are JSON lines at info level (the cycle line is info). Prints the row as one JSON line.
 */
export function reconcile(label, { cwd, args = ['--config', 'config'], env = {} }) {
  const run = timedProcess(process.execPath, [IMESH_BIN, 'reconcile', ...args], { cwd, env: { IMESH_LOG_LEVEL: 'info', NO_COLOR: '1', ...env } });
  const cycle = cycleFromLog(run.stderr);
  const row = {
    label,
    exit: run.exit,
    result: cycle.result,
    seconds: run.seconds,
    cpuSeconds: run.cpuSeconds,
    cycleSeconds: cycle.cycleSeconds,
    peakRssMb: run.peakRssMb,
    load1: run.load1,
    timings: cycle.timings,
    exported: cycle.exported,
    imports: cycle.imports,
  };
  if (run.exit !== 0) row.stderrTail = tail(run.stderr);
  console.log(JSON.stringify(row));
  return row;
}

/** An anchor: the raw tool on the same data (`psql \copy`, `ldapsearch`), whole process. */
export function anchor(label, command, args, options = {}) {
  const run = timedProcess(command, args, options);
  if (run.exit !== 0) throw new Error(`${label}: ${command} exited ${run.exit}\n${tail(run.stderr)}`);
  const row = { label, exit: run.exit, seconds: run.seconds, cpuSeconds: run.cpuSeconds, peakRssMb: run.peakRssMb, load1: run.load1 };
  console.log(JSON.stringify(row));
  return { ...row, stdout: run.stdout };
}

function tail(stderr) {
  return stderr
    .split('\n')
    .filter((line) => !line.startsWith('\t') && line.trim() !== '')
    .slice(-15)
    .join('\n');
}

export function median(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : round((sorted[mid - 1] + sorted[mid]) / 2);
}
