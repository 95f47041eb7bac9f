/**
 * `imesh reconcile --connector NAME` and `imesh plan --connector NAME` (DESIGN §8, scoped runs) through
 * the real CLI on a copy of the quickstart: a source's run reaches the target files with what it
 * changed and leaves the other sources' changes for their own runs; an unknown name is refused.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = resolve('bin/imesh.js');
const root = mkdtempSync(join(tmpdir(), 'imesh-scoped-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

beforeAll(() => {
  if (!existsSync('dist/cli/main.js')) throw new Error('dist/ is missing: run npm run build (npm test does it first)');
});

function imesh(cwd: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 240_000, env: { ...process.env, IMESH_LOG_LEVEL: 'warn' } });
  return { status: result.status, output: `${result.stdout}\n${result.stderr}`, stdout: result.stdout, stderr: result.stderr };
}

function edit(path: string, from: string, to: string): void {
  const text = readFileSync(path, 'utf8');
  if (!text.includes(from)) throw new Error(`${path} has no "${from}"`);
  writeFileSync(path, text.replace(from, to));
}

describe('scoped runs through the CLI', () => {
  it('reconcile --connector runs one source to the targets of what it changed; plan --connector previews a scope', () => {
    const cwd = join(root, 'quickstart');
    const config = join(cwd, 'config');
    cpSync(resolve('samples/quickstart'), config, { recursive: true });
    const first = imesh(cwd, 'reconcile', '--config', 'config');
    expect(first.status, first.output).toBe(0);
    const phonebook = join(cwd, 'exports', 'phonebook.csv');
    expect(readFileSync(phonebook, 'utf8')).toContain('+44 20 7946 0001');

    edit(join(config, 'data', 'badges.csv'), '+44 20 7946 0001', '+44 20 7946 9999');
    edit(join(config, 'data', 'hr.csv'), 'grace.hopper@example.com,Engineering', 'grace.hopper@example.com,Navy');

    const unknown = imesh(cwd, 'reconcile', '--config', 'config', '--connector', 'badgse');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/no connector "badgse" in this config \(did you mean "badges"\?\)/);

    // A preview of hr's run shows Grace's department; of phonebook's alone, nothing (hr is not read).
    const planHr = imesh(cwd, 'plan', '--config', 'config', '--connector', 'hr', '--format', 'json', '--detailed-exitcode');
    expect(planHr.status, planHr.output).toBe(2);
    expect(planHr.stdout).toContain('Navy');
    const planPhonebook = imesh(cwd, 'plan', '--config', 'config', '--connector', 'phonebook', '--detailed-exitcode');
    expect(planPhonebook.status, planPhonebook.output).toBe(0);

    const badges = imesh(cwd, 'reconcile', '--config', 'config', '--connector', 'badges');
    expect(badges.status, badges.output).toBe(0);
    expect(badges.stdout).toMatch(/^cycle \d+ \([^)]*, connectors badges\) succeeded: 1 imported change\(s\); 1 updated$/m);
    const afterBadges = readFileSync(phonebook, 'utf8');
    expect(afterBadges).toContain('+44 20 7946 9999');
    expect(afterBadges).not.toContain('Navy'); // hr's change waits for hr's run

    const hr = imesh(cwd, 'reconcile', '--config', 'config', '--connector', 'hr', '--connector', 'badges');
    expect(hr.status, hr.output).toBe(0);
    expect(hr.stdout).toMatch(/, connectors badges, hr\) succeeded: 1 imported change\(s\); 2 updated$/m);
    expect(readFileSync(phonebook, 'utf8')).toContain('Navy');
  }, 600_000);
});
