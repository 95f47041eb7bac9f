import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const imesh = resolve('bin/imesh.js');
const cwd = mkdtempSync(join(tmpdir(), 'imesh-retry-failed-'));
const config = join(cwd, 'config');
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

const run = (...args: string[]) => spawnSync(process.execPath, [imesh, ...args], { cwd, encoding: 'utf8', env: { ...process.env, IMESH_LOG_LEVEL: 'info' } });

describe('imesh reconcile --retry-failed', () => {
  it('a reconcile takes it (what it sends again: test/engine/cycle.test.ts); --dry-run refuses it, saying why; --server sends it (test/cli/server.test.ts)', () => {
    cpSync(resolve('samples/quickstart'), config, { recursive: true });
    expect(run('reconcile', '--config', config).status).toBe(0);
    const retried = run('reconcile', '--config', config, '--retry-failed');
    expect(retried.status, retried.stderr).toBe(0);
    expect(retried.stdout).toMatch(/^cycle 2 .*succeeded/m);

    const dryRun = run('reconcile', '--config', config, '--retry-failed', '--dry-run');
    expect(dryRun.status).toBe(1);
    expect(dryRun.stderr).toContain('--retry-failed goes with a reconcile, not --dry-run');
    // No longer refused as a usage error: it goes to the controller, here unreachable.
    const server = run('reconcile', '--server', 'http://127.0.0.1:9', '--retry-failed');
    expect(server.status).toBe(1);
    expect(server.stderr).not.toContain('Usage');
    expect(server.stderr).toContain('http://127.0.0.1:9');
  });
});
