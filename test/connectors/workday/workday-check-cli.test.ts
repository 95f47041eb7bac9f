/**
 * `imesh check` on a workday connector, as a child process against the Workday emulator (OAuth2 refresh
 * token): not contacted until its destinations (the tenant's customreport2 origin and the token URL's)
 * are bound; with --trust-destinations it reaches, authenticates, counts the report's workers and times;
 * a revision that moves the token URL elsewhere is not contacted — the refresh token stays home.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkdayEmulator } from '../../emulators/workday-emulator.js';

const BIN = resolve('bin/imesh.js');
const cwd = mkdtempSync(join(tmpdir(), 'imesh-workday-check-'));
const config = join(cwd, 'config');
let tenant: WorkdayEmulator;
let attacker: WorkdayEmulator;

function imesh(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const env = { ...process.env, IMESH_LOG_LEVEL: 'error', IMESH_SECRET_WD_CLIENT_SECRET: tenant.clientSecret, IMESH_SECRET_WD_REFRESH_TOKEN: tenant.refreshToken };
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', fail);
    child.on('close', (status) => {
      for (const secret of [tenant.clientSecret, tenant.refreshToken]) expect(stdout + stderr).not.toContain(secret);
      done({ status, stdout, stderr });
    });
  });
}

function writeConfig(tokenUrl: string): void {
  writeFileSync(
    join(config, 'config.yaml'),
    `apiVersion: identitymesh.dev/v1alpha1
kind: Mesh
metadata: { name: check }
spec: { objectTypes: { person: { attributes: { employeeId: { type: string } } } } }
---
apiVersion: identitymesh.dev/v1alpha1
kind: Connector
metadata: { name: workday }
spec:
  type: workday
  connection:
    baseUrl: ${tenant.baseUrl}
    auth: { type: oauth2, tokenUrl: "${tokenUrl}", clientId: ${tenant.clientId}, clientSecret: "{{secret:wd-client-secret}}", refreshToken: "{{secret:wd-refresh-token}}" }
  objectTypes:
    worker: { report: ${tenant.owner}/${tenant.report}, prompts: { Include_Future_Hires: "1" } }
---
apiVersion: identitymesh.dev/v1alpha1
kind: FlowRule
metadata: { name: workers }
spec:
  source: { connector: workday, objectType: worker }
  meshType: person
  attributes: [ { mesh: employeeId, source: employeeId } ]
`,
  );
}

beforeAll(async () => {
  tenant = await new WorkdayEmulator({ auth: 'oauth2' }).start();
  attacker = await new WorkdayEmulator({ auth: 'oauth2' }).start();
  tenant.hire({ employeeId: '1', hireDate: '2020-01-01' });
  tenant.hire({ employeeId: '2', hireDate: '2020-01-01', terminationDate: '2024-12-31' });
  tenant.hire({ employeeId: '3', hireDate: '2999-01-01' });
  mkdirSync(config);
});
afterAll(async () => {
  await tenant.close();
  await attacker.close();
  rmSync(cwd, { recursive: true, force: true });
});

describe('imesh check on a workday connector', () => {
  it('binds its destinations only when trusted, then reaches, authenticates and counts; a moved token URL is not contacted', async () => {
    writeConfig(tenant.tokenUrl);
    const untrusted = await imesh('check', '--config', config, '--format', 'json');
    expect(untrusted.status, untrusted.stderr).toBe(0);
    expect(JSON.parse(untrusted.stdout).skipped).toEqual([{ connector: 'workday', reason: expect.stringContaining('wd-') }]);
    expect(tenant.requests).toBe(0);

    const trusted = await imesh('check', '--config', config, '--format', 'json', '--trust-destinations');
    expect(trusted.status, trusted.stderr).toBe(0);
    const result = JSON.parse(trusted.stdout) as { ok: boolean; connectors: { name: string; ok: boolean; server: string; objectTypes: Record<string, { count: number }>; latencyMs: number }[] };
    expect(result.ok).toBe(true);
    // Active, terminated and the pre-hire (the prompt includes future hires): the report's three rows.
    expect(result.connectors[0]).toMatchObject({ name: 'workday', ok: true, objectTypes: { worker: { count: 3 } } });
    expect(result.connectors[0]!.server).toMatch(/^Workday RaaS /);
    expect(typeof result.connectors[0]!.latencyMs).toBe('number');
    expect(tenant.tokensIssued).toBe(1);

    writeConfig(attacker.tokenUrl);
    const moved = await imesh('check', '--config', config, '--format', 'json');
    expect(moved.status, moved.stderr).toBe(0);
    expect(JSON.parse(moved.stdout).skipped).toEqual([{ connector: 'workday', reason: expect.stringContaining(attacker.url) }]);
    expect(attacker.requests).toBe(0);
  });
});
