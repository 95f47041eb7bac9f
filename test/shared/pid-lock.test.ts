/**
 * Many processes racing to take over a stale pid lock (its holder died): exactly one wins each trial.
 * Children wait at a barrier (a file) so their attempts overlap; the winner holds the lock until every
 * loser has answered. Children load the built dist/ (npm run build).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquirePidLock } from '../../src/shared/pid-lock.js';

const MODULE = resolve('dist/shared/pid-lock.js');
const CHILDREN = 8;
const TRIALS = 12;
const root = mkdtempSync(join(tmpdir(), 'imesh-pid-lock-'));

const CHILD = `
import { existsSync, renameSync, writeFileSync } from 'node:fs';
const [modulePath, dir, index] = process.argv.slice(1);
const { acquirePidLock } = await import(modulePath);
writeFileSync(dir + '/ready-' + index, '');
const pause = new Int32Array(new SharedArrayBuffer(4));
while (!existsSync(dir + '/go')) Atomics.wait(pause, 0, 0, 1);
const lock = acquirePidLock(dir + '/store.lock');
writeFileSync(dir + '/.answer-' + index, lock.ok ? 'won' : 'lost:' + lock.holder);
renameSync(dir + '/.answer-' + index, dir + '/answer-' + index); // the parent never reads half an answer
if (lock.ok) {
  while (!existsSync(dir + '/done')) Atomics.wait(pause, 0, 0, 5);
  lock.release();
}
`;

/** A pid that belonged to a process which has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

function child(dir: string, index: number): { exited: Promise<void> } {
  const proc = spawn(process.execPath, ['--input-type=module', '-e', CHILD, MODULE, dir, String(index)], { stdio: ['ignore', 'inherit', 'inherit'] });
  return { exited: new Promise((done) => proc.on('exit', () => done())) };
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 10));
}

beforeAll(() => {
  if (!existsSync(MODULE)) throw new Error('dist/ is missing: run npm run build (npm test does it first)');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('pid lock', () => {
  it(`exactly one of ${CHILDREN} processes takes over a stale lock, in each of ${TRIALS} trials`, { timeout: 600_000 }, async () => {
    const winners: number[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const dir = join(root, `trial-${trial}`);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir);
      writeFileSync(join(dir, 'store.lock'), String(deadPid()));
      const children = Array.from({ length: CHILDREN }, (_, i) => child(dir, i));
      await until(() => readdirSync(dir).filter((f) => f.startsWith('ready-')).length === CHILDREN);
      writeFileSync(join(dir, 'go'), '');
      // Every child answers at once; winners hold the lock until `done`, so the others see a live holder.
      const answers = () => readdirSync(dir).filter((f) => f.startsWith('answer-'));
      await until(() => answers().length === CHILDREN);
      const outputs = answers().map((f) => readFileSync(join(dir, f), 'utf8'));
      writeFileSync(join(dir, 'done'), '');
      await Promise.all(children.map((c) => c.exited));
      winners.push(outputs.filter((o) => o === 'won').length);
      expect(outputs.filter((o) => o !== 'won').every((o) => /^lost:\d+$/.test(o)), outputs.join(' ')).toBe(true);
      expect(readdirSync(dir).filter((f) => f.endsWith('.tmp') || f.includes('takeover'))).toEqual([]);
    }
    expect(winners).toEqual(Array.from({ length: TRIALS }, () => 1));
  });

  it('a live holder keeps its lock; the lock file is private (0600) and goes on release', () => {
    const path = join(root, 'own.lock');
    const lock = acquirePidLock(path);
    expect(lock.ok).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    writeFileSync(join(root, 'other.lock'), String(process.ppid));
    expect(acquirePidLock(join(root, 'other.lock'))).toEqual({ ok: false, holder: process.ppid });
    if (lock.ok) lock.release();
    expect(existsSync(path)).toBe(false);
  });
});
