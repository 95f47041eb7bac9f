import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
    expect(run('reconcile').status).toBe(0);

    // Three people leave at once: the HR import would delete three source objects (the import guard),
    // then three accounts would be disabled and three phone-book rows deleted (the export gate).
    const hr = join(config, 'data/hr.csv');
    const leavers = ['E1001', 'E1002', 'E1003'];
    writeFileSync(hr, readFileSync(hr, 'utf8').split('\n').map((line) => (leavers.some((id) => line.startsWith(`${id},`)) ? line.replace(/,true$/, ',false') : line)).join('\n'));
    const before = readFileSync(join(cwd, 'exports/phonebook.csv'), 'utf8');

    const plan = run('plan', '--detailed-exitcode');
    expect(plan.status).toBe(3);
    expect(plan.stderr).toMatch(/BLOCKED: hr\/user: the import would delete 3 of 12 objects, more than safety\.maxDeletes \(2\)/);

    const blocked = run('reconcile');
    expect(blocked.status).toBe(3);
    expect(blocked.stderr).toMatch(/BLOCKED: hr\/user: the import would delete 3 of 12 objects/);
    expect(readFileSync(join(cwd, 'exports/phonebook.csv'), 'utf8')).toBe(before);
    const status = JSON.parse(readFileSync(join(cwd, '.imesh/reports/status.json'), 'utf8'));
    expect(status.conditions).toContainEqual(expect.objectContaining({ type: 'ImportGuardTripped', status: 'True' }));

    const allowed = run('reconcile', '--allow-deletes', '3');
    expect(allowed.status, allowed.stderr).toBe(0);
    const after = readFileSync(join(cwd, 'exports/phonebook.csv'), 'utf8');
    for (const id of leavers) expect(after).not.toContain(`${id},`);
  });
});
