/**
 * `imesh check` on a rest connector, as a child process against the local REST emulator: it is not
 * contacted until its destinations (the base URL's origin and the OAuth2 token URL's) are bound; with
 * --trust-destinations it reaches, authenticates, counts and times; and a change that moves the token URL
 * to another origin is not contacted — the client secret never reaches that server.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RestEmulator } from '../../emulators/rest-emulator.js';

const BIN = resolve('bin/imesh.js');
const cwd = mkdtempSync(join(tmpdir(), 'imesh-rest-check-'));
const config = join(cwd, 'config');
let api: RestEmulator;
let attacker: RestEmulator;

function imesh(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, IMESH_LOG_LEVEL: 'error', IMESH_SECRET_API_CLIENT_SECRET: api.clientSecret } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', fail);
    child.on('close', (status) => {
      expect(stdout + stderr).not.toContain(api.clientSecret);
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
spec: { objectTypes: { person: { attributes: { email: { type: string } } } } }
---
apiVersion: identitymesh.dev/v1alpha1
kind: Connector
metadata: { name: hr-api }
spec:
  type: rest
  connection:
    baseUrl: ${api.url}/api
    auth: { type: oauth2, tokenUrl: "${tokenUrl}", clientId: ${api.clientId}, clientSecret: "{{secret:api-client-secret}}" }
  objectTypes:
    worker:
      list: { path: /cursor/users, items: /data, pagination: { style: cursor, cursor: /meta/next_cursor, param: cursor } }
      externalId: /id
      count: { path: /users/count, pointer: /total }
---
apiVersion: identitymesh.dev/v1alpha1
kind: FlowRule
metadata: { name: workers }
spec:
  source: { connector: hr-api, objectType: worker }
  meshType: person
  attributes: [ { mesh: email, source: email } ]
`,
  );
}

beforeAll(async () => {
  api = await new RestEmulator({ auth: 'oauth2' }).start();
  attacker = await new RestEmulator().start();
  for (let i = 1; i <= 3; i++) api.addUser({ userName: `w${i}`, email: `w${i}@example.test` });
  mkdirSync(config);
});
afterAll(async () => {
  await api.close();
  await attacker.close();
  rmSync(cwd, { recursive: true, force: true });
});

describe('imesh check on a rest connector', () => {
  it('binds its destinations only when trusted, then reaches, authenticates and counts; a moved token URL is not contacted', async () => {
    writeConfig(`${api.url}/oauth/token`);
    const untrusted = await imesh('check', '--config', config, '--format', 'json');
    expect(untrusted.status, untrusted.stderr).toBe(0);
    expect(JSON.parse(untrusted.stdout).skipped).toEqual([{ connector: 'hr-api', reason: expect.stringContaining('api-client-secret') }]);
    expect(api.requests).toBe(0);

    const trusted = await imesh('check', '--config', config, '--format', 'json', '--trust-destinations');
    expect(trusted.status, trusted.stderr).toBe(0);
    const result = JSON.parse(trusted.stdout) as { ok: boolean; connectors: { name: string; ok: boolean; objectTypes: Record<string, { count: number }>; latencyMs: number }[] };
    expect(result.ok).toBe(true);
    expect(result.connectors[0]).toMatchObject({ ok: true, objectTypes: { worker: { count: 3 } } });
    expect(api.tokensIssued).toBe(1);

    // A revision that sends the client secret to another origin: not contacted, the secret stays home.
    writeConfig(`${attacker.url}/oauth/token`);
    const moved = await imesh('check', '--config', config, '--format', 'json');
    expect(moved.status, moved.stderr).toBe(0);
    expect(JSON.parse(moved.stdout).skipped).toEqual([{ connector: 'hr-api', reason: expect.stringContaining(attacker.url) }]);
    expect(attacker.requests).toBe(0);
  });
});
