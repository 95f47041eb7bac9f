import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { storeUrlFrom } from '../../src/store/open-store.js';

const imesh = resolve('bin/imesh.js');
const root = mkdtempSync(join(tmpdir(), 'imesh-status-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function imeshIn(cwd: string, args: string[], env: Record<string, string | undefined> = {}) {
  const merged: NodeJS.ProcessEnv = { ...process.env, IMESH_LOG_LEVEL: 'error', ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete merged[k];
  return spawnSync(process.execPath, [imesh, ...args], { cwd, encoding: 'utf8', env: merged });
}

describe('the store URL', () => {
  it('is an error when set but empty (a missing CI secret), never a silent fresh embedded store', () => {
    expect(() => storeUrlFrom(undefined, { IMESH_STORE_URL: '' })).toThrow(expect.objectContaining({ code: 'StoreUrlEmpty' }));
    expect(() => storeUrlFrom(undefined, { IMESH_STORE_URL: '  ' })).toThrow(/IMESH_STORE_URL is set but empty/);
    expect(() => storeUrlFrom('', {})).toThrow(/--store is empty/);
    expect(storeUrlFrom(undefined, {})).toBeUndefined();
    expect(storeUrlFrom(undefined, { IMESH_STORE_URL: 'postgres://h/db' })).toBe('postgres://h/db');
  });

  it('through the CLI: plan exits 1 naming the variable and creates no store', () => {
    const dir = mkdtempSync(join(root, 'empty-url-'));
    cpSync(resolve('samples/quickstart'), join(dir, 'config'), { recursive: true });
    const plan = imeshIn(dir, ['plan', '--config', 'config'], { IMESH_STORE_URL: '' });
    expect(plan.status).toBe(1);
    expect(plan.stderr).toContain('IMESH_STORE_URL is set but empty');
    expect(plan.stderr).toContain('[StoreUrlEmpty]');
    expect(plan.stdout).toBe('');
    expect(existsSync(join(dir, '.imesh'))).toBe(false);
  });
});

describe('imesh status', () => {
  it('in a folder without a store: exits 1, names where it looked, and creates nothing', () => {
    const dir = mkdtempSync(join(root, 'none-'));
    const result = imeshIn(dir, ['status'], { IMESH_STORE_URL: undefined });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`no store in .imesh/state under ${dir}`);
    expect(result.stderr).toContain('[StoreMissing]');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('exits 0 with "nothing applied yet" for a store that exists but has no applied revision, and names the store', () => {
    const dir = mkdtempSync(join(root, 'planned-'));
    cpSync(resolve('samples/quickstart'), join(dir, 'config'), { recursive: true });
    // The target already holds an object, and the store is new: the plan says so loudly.
    mkdirSync(join(dir, 'exports'));
    writeFileSync(join(dir, 'exports/phonebook.csv'), 'employee_id,name,email,department,title,phone\nE9999,Old Entry,old@example.com,Sales,Clerk,\n');
    const plan = imeshIn(dir, ['plan', '--config', 'config'], { IMESH_STORE_URL: undefined });
    expect(plan.status, plan.stderr).toBe(0);
    expect(plan.stdout.split('\n')[2]).toBe(
      '!! WARNING: the store (.imesh/state) is empty, but the targets already hold objects (phonebook/entry: 1). This plan treats them as never synced. If a store with state exists for them, point --store or IMESH_STORE_URL at it before reconciling.',
    );
    expect(plan.stderr).toContain('WARNING: the store (.imesh/state) is empty');
    const text = imeshIn(dir, ['status'], { IMESH_STORE_URL: undefined });
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toBe('Store .imesh/state (SQLite)\nNothing applied yet: run imesh reconcile, or imesh run, to apply a revision.\n');
    const json = imeshIn(dir, ['status', '--format', 'json'], { IMESH_STORE_URL: undefined });
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ store: '.imesh/state', lastAppliedRevision: null, conditions: [expect.objectContaining({ type: 'Ready', status: 'False', reason: 'NothingApplied' })] });

    // Another live process writes to the embedded store (as `imesh run` would): status still reads it
    // (many readers, one writer), and a second writer gets the "in use" error.
    writeFileSync(join(dir, '.imesh/state.lock'), String(process.pid));
    try {
      const reading = imeshIn(dir, ['status'], { IMESH_STORE_URL: undefined });
      expect(reading.status, reading.stderr).toBe(0);
      expect(reading.stdout).toBe(text.stdout);
      const writing = imeshIn(dir, ['plan', '--config', 'config'], { IMESH_STORE_URL: undefined });
      expect(writing.status).toBe(1);
      expect(writing.stderr).toContain(`.imesh/state is in use by pid ${process.pid}`);
    } finally {
      rmSync(join(dir, '.imesh/state.lock'));
    }
  }, 300_000);

  it('exits 1 when a PostgreSQL store cannot be reached', () => {
    const dir = mkdtempSync(join(root, 'unreachable-'));
    const result = imeshIn(dir, ['status', '--store', 'postgres://imesh:secret-pw@127.0.0.1:1/none']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('[StoreUnreachable]');
    expect(result.stderr).not.toContain('secret-pw');
  });
});
