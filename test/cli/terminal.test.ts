import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/config/duration.js';
import { formatLogLine } from '../../src/shared/log-text.js';

const imesh = resolve('bin/imesh.js');
const root = mkdtempSync(join(tmpdir(), 'imesh-terminal-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const plainEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const key of ['IMESH_LOG_LEVEL', 'IMESH_LOG_FORMAT', 'NO_COLOR', 'IMESH_STORE_URL']) if (!(key in extra)) delete env[key];
  return env;
};
const run = (args: string[], cwd = root) => spawnSync(process.execPath, [imesh, ...args], { cwd, encoding: 'utf8', env: plainEnv() });

/** Runs imesh on a pseudo-terminal (util-linux `script`): stdout and stderr both reach the terminal. */
function onTerminal(args: string[], cwd: string, env: Record<string, string> = {}) {
  const command = [process.execPath, imesh, ...args].map((a) => `'${a}'`).join(' ');
  return spawnSync('script', ['-qec', command, '/dev/null'], { cwd, encoding: 'utf8', env: plainEnv({ TERM: 'xterm', ...env }) });
}

describe('the command line itself', () => {
  it('prints the version for imesh version, -v and --version', () => {
    const version = (JSON.parse(spawnSync('cat', ['package.json'], { encoding: 'utf8' }).stdout) as { version: string }).version;
    for (const flag of ['version', '-v', '--version']) {
      const result = run([flag]);
      expect(result.status).toBe(0);
      expect(result.stdout).toBe(`imesh ${version} (node ${process.versions.node})\n`);
    }
  });

  it('suggests the verb meant, in one line with a pointer to --help', () => {
    const result = run(['reconile']);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('imesh: unknown verb "reconile" (did you mean "reconcile"?); see imesh --help\n');
    expect(run(['frobnicate']).stderr).toBe('imesh: unknown verb "frobnicate"; see imesh --help\n');
  });

  it('answers a bad flag with one line, not the whole help', () => {
    const result = run(['plan', '--bogus']);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe("imesh plan: Unknown option '--bogus'; see imesh plan --help\n");
    expect(run(['status', '--log-format', 'xml']).stderr).toBe('imesh status: --log-format takes text or json, not "xml"; see imesh status --help\n');
  });

  it('documents the output flags and IMESH_LOG_LEVEL in imesh --help', () => {
    const help = run(['--help']).stdout;
    expect(help).toContain('--quiet (errors only), --verbose (every event), --log-format text|json');
    expect(help).toContain('IMESH_LOG_LEVEL');
    expect(help).toContain('NO_COLOR');
  });

  it('formats durations as they are written in the config', () => {
    expect(formatDuration(300_000)).toBe('5m');
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(1_500)).toBe('1s500ms');
    for (const text of ['5m', '1h30m', '30s', '1d']) expect(formatDuration(parseDuration(text)!)).toBe(text);
  });

  it('turns a JSON log line into one readable line', () => {
    const line = JSON.stringify({ level: 'warn', time: '2026-01-01T00:00:00.000Z', event: 'csv-file-missing', connector: 'phonebook', file: 'exports/a b.csv', msg: 'the file does not exist' });
    expect(formatLogLine(line, false)).toBe('WARN  the file does not exist  connector=phonebook file="exports/a b.csv"\n');
    expect(formatLogLine(line, true)).toContain('\u001b[33mWARN \u001b[0m');
  });
});

describe('output on a terminal and off it', () => {
  it('a reconcile on a pseudo-TTY: readable log lines, progress erased, colour; off a TTY: JSON lines', () => {
    const tty = join(root, 'tty');
    cpSync(resolve('samples/quickstart'), join(tty, 'config'), { recursive: true });
    const out = onTerminal(['reconcile', '--config', 'config'], tty).stdout;
    expect(out).toMatch(/cycle 1 \(first sync, full reads\) succeeded/);
    // No pino JSON glued to progress lines.
    expect(out).not.toContain('{"level"');
    // Every progress line is erased: the result starts on a clean line.
    expect(out).toMatch(/\r\u001b\[2Kcycle 1 /);
    // A handful of rows give no rate.
    expect(out).not.toMatch(/\/s\)/);
    // A target file that does not exist yet is normal on a first run: no warning (issue 18), an info line with --verbose.
    expect(out).not.toContain('WARN');
    // The quickstart's csv files have no change log, so every cycle reads them whole: the second cycle is
    // a delta cycle all the same, not another "first sync".
    const second = onTerminal(['reconcile', '--config', 'config'], tty).stdout;
    expect(second).toMatch(/cycle 2 \(delta\) succeeded/);

    const quiet = join(root, 'quiet');
    cpSync(resolve('samples/quickstart'), join(quiet, 'config'), { recursive: true });
    const noColor = onTerminal(['reconcile', '--config', 'config', '--verbose'], quiet, { NO_COLOR: '1' }).stdout;
    expect(noColor).not.toContain('\u001b[33m');
    expect(noColor).toMatch(/\u001b\[2KINFO  import finished {2}connector=hr objectType=user mode=full read=12/);
    expect(noColor).toMatch(/INFO  the file does not exist yet; read as empty {2}connector=phonebook/);

    const off = join(root, 'off');
    cpSync(resolve('samples/quickstart'), join(off, 'config'), { recursive: true });
    const piped = spawnSync(process.execPath, [imesh, 'reconcile', '--config', 'config'], { cwd: off, encoding: 'utf8', env: plainEnv() });
    expect(piped.status).toBe(0);
    const lines = piped.stderr.trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    expect(piped.stdout).not.toContain('\u001b[');
  }, 600_000);
});
