import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const imesh = resolve('bin/imesh.js');
const cwd = mkdtempSync(join(tmpdir(), 'imesh-gates-'));
const config = join(cwd, 'config');
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

const run = (...args: string[]) => spawnSync(process.execPath, [imesh, ...args, '--config', config], { cwd, encoding: 'utf8', env: { ...process.env, IMESH_LOG_LEVEL: 'error' } });

describe('safety gates through the CLI', () => {
  it('exits 3 and changes nothing when three leavers exceed maxDeletes; --allow-deletes 3 lets them through', () => {
    cpSync(resolve('samples/quickstart'), config, { recursive: true });
    const mesh = join(config, 'mesh.yaml');
    writeFileSync(mesh, readFileSync(mesh, 'utf8').replace('maxDeletes: 50', 'maxDeletes: 2'));
    const first = run('reconcile');
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^cycle 1 /m);

    // Three people leave at once: the HR import would delete three source objects (the import guard),
    // then three accounts would be disabled and three phone-book rows deleted (the export gate).
    const hr = join(config, 'data/hr.csv');
    const leavers = ['E1001', 'E1002', 'E1003'];
    writeFileSync(hr, readFileSync(hr, 'utf8').split('\n').map((line) => (leavers.some((id) => line.startsWith(`${id},`)) ? line.replace(/,true$/, ',false') : line)).join('\n'));
    const before = readFileSync(join(cwd, 'exports/phonebook.csv'), 'utf8');

    const plan = run('plan', '--detailed-exitcode');
    expect(plan.status).toBe(3);
    expect(plan.stderr).toMatch(/BLOCKED: hr\/user: the import would delete 3 of 12 objects, more than safety\.maxDeletes \(2\)/);
    // The plan says what the guard holds back, and never "No changes".
    expect(plan.stdout).toContain('!! SAFETY GATE: the import from hr would be held back\n');
    expect(plan.stdout).not.toContain('exports to hr');
    expect(plan.stdout).not.toContain('No changes. The targets match the configuration.');
    const held = plan.stdout.slice(plan.stdout.indexOf('Held back by the import guard'));
    for (const id of leavers) {
      expect(held).toContain(`⊘ disable ${id}`);
      expect(held).toContain(`- delete ${id}`);
    }
    const json = JSON.parse(run('plan', '--format', 'json').stdout);
    expect(json.gates).toEqual([expect.objectContaining({ connector: 'hr', gate: 'importGuard', count: 3 })]);
    expect(json.projections.flatMap((p: { changes: unknown[] }) => p.changes)).toEqual([]);
    expect(json.heldBack.map((p: { name: string; disables: number; deletes: number }) => [p.name, p.disables, p.deletes])).toEqual([
      ['person-to-apps', 3, 0],
      ['person-to-phonebook', 0, 3],
    ]);
    expect(json.conflicts).toEqual([expect.objectContaining({ object: 'person/E1005', status: 'existing' })]);

    const blocked = run('reconcile');
    expect(blocked.status).toBe(3);
    expect(blocked.stderr).toMatch(/BLOCKED: hr\/user: the import would delete 3 of 12 objects/);
    expect(readFileSync(join(cwd, 'exports/phonebook.csv'), 'utf8')).toBe(before);
    const status = JSON.parse(readFileSync(join(cwd, '.imesh/reports/status.json'), 'utf8'));
    expect(status.conditions).toContainEqual(expect.objectContaining({ type: 'ImportGuardTripped', status: 'True' }));

    const allowed = run('reconcile', '--allow-deletes', '3');
    expect(allowed.status, allowed.stderr).toBe(0);
    // Cycle 1 applied, cycle 2 was blocked; the plans between them took no cycle id.
    expect(allowed.stdout).toMatch(/^cycle 3 /m);
    const after = readFileSync(join(cwd, 'exports/phonebook.csv'), 'utf8');
    for (const id of leavers) expect(after).not.toContain(`${id},`);
  }, 600_000);
});

describe('a plan with a connector that cannot be read', () => {
  it('exits 1, names the connector first and never says "No changes"', () => {
    const dir = mkdtempSync(join(tmpdir(), 'imesh-failed-'));
    try {
      const cfg = join(dir, 'config');
      cpSync(resolve('samples/quickstart'), cfg, { recursive: true });
      const go = (...args: string[]) => spawnSync(process.execPath, [imesh, ...args, '--config', cfg], { cwd: dir, encoding: 'utf8', env: { ...process.env, IMESH_LOG_LEVEL: 'error' } });
      expect(go('reconcile').status).toBe(0);
      rmSync(join(cfg, 'data/badges.csv'));
      mkdirSync(join(cfg, 'data/badges.csv'));
      const plan = go('plan');
      expect(plan.status).toBe(1);
      const lines = plan.stdout.split('\n');
      expect(lines[2]).toBe('!! FAILED: the plan is incomplete (a connector could not be read)');
      expect(lines[3]).toMatch(/^!! {3}badges \(import\): data\/badges\.csv: /);
      expect(plan.stdout).not.toContain('No changes. The targets match the configuration.');
      expect(plan.stdout).toContain('the plan is incomplete: badges failed (see above).');
      const json = JSON.parse(go('plan', '--format', 'json').stdout);
      expect(json.failures).toEqual([expect.objectContaining({ connector: 'badges', stage: 'import' })]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
