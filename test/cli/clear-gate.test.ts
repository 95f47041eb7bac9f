import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const imesh = resolve('bin/imesh.js');
const cwd = mkdtempSync(join(tmpdir(), 'imesh-clears-'));
const config = join(cwd, 'config');
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

const run = (...args: string[]) => spawnSync(process.execPath, [imesh, ...args, '--config', config], { cwd, encoding: 'utf8', env: { ...process.env, IMESH_LOG_LEVEL: 'error' } });
const status = () => JSON.parse(readFileSync(join(cwd, '.imesh/reports/status.json'), 'utf8')) as { conditions: { type: string; status: string; message: string }[] };

describe('the mass attribute-clear gate through the CLI', () => {
  it('holds a renamed source column: plan and reconcile exit 3 naming the attribute and the count; --allow-clears lets it through once', () => {
    cpSync(resolve('samples/quickstart'), config, { recursive: true });
    expect(run('reconcile').status).toBe(0);
    const phonebook = readFileSync(join(cwd, 'exports/phonebook.csv'), 'utf8');

    // HR renames its "department" column: every person's department becomes empty, and every account
    // and phone-book entry rendered from it would be held back.
    const hr = join(config, 'data/hr.csv');
    const [header, ...rows] = readFileSync(hr, 'utf8').split('\n');
    writeFileSync(hr, [header!.replace('department', 'dept'), ...rows].join('\n'));

    const plan = run('plan', '--format', 'markdown');
    expect(plan.status).toBe(3);
    expect(plan.stdout).toContain('apps/account: "department" would be emptied on 11 of 11 objects (100.0%: 11 held back because it is empty), more than safety.maxClearPercent (20%)');
    expect(plan.stdout).toMatch(/objects: E1001, E1002, .*E1011/);
    expect(plan.stdout).toContain('until approved (`--allow-clears 11`)');
    const json = JSON.parse(run('plan', '--format', 'json').stdout);
    expect(json.gates).toEqual([
      expect.objectContaining({ connector: 'apps', objectType: 'account', gate: 'maxClearPercent', attribute: 'department', count: 11, limit: 2 }),
      expect.objectContaining({ connector: 'phonebook', objectType: 'entry', gate: 'maxClearPercent', attribute: 'department', count: 11, limit: 2 }),
    ]);

    const blocked = run('reconcile');
    expect(blocked.status).toBe(3);
    expect(blocked.stderr).toMatch(/BLOCKED: phonebook\/entry: "department" would be emptied on 11 of 11 objects/);
    expect(status().conditions).toContainEqual(expect.objectContaining({ type: 'AttributeClearThresholdExceeded', status: 'True', message: expect.stringContaining('"department"') }));

    // Fewer than the count: still blocked, all of it.
    const tooFew = run('reconcile', '--allow-clears', '10');
    expect(tooFew.status).toBe(3);
    expect(tooFew.stderr).toContain('(--allow-clears 10 is fewer)');
    expect(readFileSync(join(cwd, 'exports/phonebook.csv'), 'utf8')).toBe(phonebook);

    // The preview of the approval passes, and so does the approved run; the objects stay held back.
    expect(run('plan', '--allow-clears', '11').status).toBe(0);
    const allowed = run('reconcile', '--allow-clears', '11');
    expect(allowed.status, allowed.stderr).toBe(0);
    expect(status().conditions).toContainEqual(expect.objectContaining({ type: 'AttributeClearThresholdExceeded', status: 'False' }));
    const conflicts = JSON.parse(readFileSync(join(cwd, '.imesh/reports/conflicts.json'), 'utf8')) as { conflicts: { kind: string }[] };
    expect(conflicts.conflicts.filter((c) => c.kind === 'heldBack')).toHaveLength(22);

    // What was approved is not counted again: the next full run is not blocked.
    const next = run('reconcile', '--full');
    expect(next.status, next.stderr).toBe(0);
  }, 600_000);

  it('counts attributes written empty: a blank phone column clears phone-book entries', () => {
    const dir = mkdtempSync(join(tmpdir(), 'imesh-clears-'));
    try {
      const cfg = join(dir, 'config');
      cpSync(resolve('samples/quickstart'), cfg, { recursive: true });
      const go = (...args: string[]) => spawnSync(process.execPath, [imesh, ...args, '--config', cfg], { cwd: dir, encoding: 'utf8', env: { ...process.env, IMESH_LOG_LEVEL: 'error' } });
      expect(go('reconcile').status).toBe(0);
      // The badge export comes back with its phone column blank; the phone book writes phone with a
      // default of "", so the entries would be updated to an empty phone.
      const badges = join(cfg, 'data/badges.csv');
      const [header, ...rows] = readFileSync(badges, 'utf8').split('\n');
      const phone = header!.split(',').indexOf('phone');
      writeFileSync(badges, [header, ...rows.map((r) => (r === '' ? r : r.split(',').map((v, i) => (i === phone ? '' : v)).join(',')))].join('\n'));
      const plan = go('plan', '--format', 'json');
      expect(plan.status).toBe(3);
      const gates = JSON.parse(plan.stdout).gates as { connector: string; attribute: string; count: number; message: string }[];
      expect(gates).toEqual([expect.objectContaining({ connector: 'phonebook', attribute: 'phone' })]);
      expect(gates[0]!.message).toMatch(/"phone" would be emptied on \d+ of 11 objects \(\d+\.\d%: \d+ written empty\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
