/**
 * `--server URL` against a real `imesh run` (a child process of bin/imesh.js on the embedded store): status, explain, history, check and reconcile ("sync now") go through the operator API with
 * the token in IMESH_API_TOKEN, exit as their local forms do, and fail clearly — unreachable server,
 * untrusted TLS certificate, missing, unknown or viewer token — without ever printing the token.
 * Run `npm run build` first (bin/imesh.js loads dist/).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { dirname, join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hrCsv, HR_ROWS, makeWorldFiles, OPERATOR_TOKEN, VIEWER_TOKEN, type WorldFiles } from '../api/api-world.js';
import { freePort, waitFor } from '../controller/process-harness.js';

const imesh = resolve('bin/imesh.js');

let files: WorldFiles;
let controller: ChildProcess;
let server: string;
let controllerLog = '';

function cli(args: string[], token: string | undefined) {
  const env: NodeJS.ProcessEnv = { ...process.env, IMESH_LOG_LEVEL: 'error', NO_COLOR: '1' };
  delete env.IMESH_STORE_URL;
  if (token === undefined) delete env.IMESH_API_TOKEN;
  else env.IMESH_API_TOKEN = token;
  // The controller's folder: its embedded store is there, locked by imesh run.
  return spawnSync(process.execPath, [imesh, ...args], { cwd: files.dir, encoding: 'utf8', env, timeout: 120_000 });
}

beforeAll(async () => {
  files = makeWorldFiles({ maxDeletes: 2 });
  const port = await freePort();
  server = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = { ...process.env, IMESH_LOG_LEVEL: 'warn', IMESH_SECRET_API_HELPDESK: VIEWER_TOKEN, IMESH_SECRET_API_SRE: OPERATOR_TOKEN };
  delete env.IMESH_STORE_URL;
  controller = spawn(process.execPath, [imesh, 'run', '--config', 'config', '--port', String(port), '--data-root', dirname(files.hrFile), '--poll-interval', '1h'], {
    cwd: files.dir,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  controller.stderr!.on('data', (chunk: Buffer) => (controllerLog += chunk.toString()));
  // Ready as soon as a revision is read (DESIGN §8); the tests need the first cycle done, which the
  // probe's reason says: the API then answers with the running revision and its results.
  const firstCycleDone = async () => {
    const response = await fetch(`${server}/readyz`).catch(() => undefined);
    return response?.status === 200 && /the last cycle succeeded$/.test(((await response.json()) as { reason: string }).reason);
  };
  await waitFor(`imesh run on ${server} (log: ${controllerLog.slice(-400)})`, firstCycleDone, 90_000, 200);
});

afterAll(async () => {
  if (controller && controller.exitCode === null) {
    const exited = new Promise((r) => controller.once('exit', r));
    controller.kill('SIGTERM');
    await exited;
  }
  if (files) rmSync(files.dir, { recursive: true, force: true });
});

describe('--server with a running controller on the embedded store', () => {
  it('status: the controller\'s view through its API (exit 0), named by its URL and replica role', () => {
    // The local store is read too, beside the running imesh run (one writer, many readers).
    const local = cli(['status'], undefined);
    expect(local.status, local.stderr).toBe(0);
    expect(local.stdout.split('\n')[0]).toBe('Store .imesh/state (SQLite)');
    expect(local.stdout).toMatch(/^ {2}directory +csv +Healthy +6/m);

    const text = cli(['status', '--server', server], VIEWER_TOKEN);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout.split('\n')[0]).toBe(`Controller ${server} (leader)`);
    expect(text.stdout).toContain('Mesh acme: Ready');
    expect(text.stdout).toMatch(/^ {2}directory +csv +Healthy +6/m);
    expect(text.stdout).toContain('Recent cycles');

    const json = cli(['status', '--server', server, '--format', 'json'], VIEWER_TOKEN);
    expect(json.status, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(report).toMatchObject({ mesh: 'acme', server, role: 'leader', meshObjects: { person: 6 } });
    expect(report.connectors.map((c: { name: string }) => c.name).sort()).toEqual(['badges', 'directory', 'hr']);
    expect(report.lastAppliedRevision).toMatch(/^sha256:/);
    expect(report.cycles[0]).toMatchObject({ mode: 'reconcile', result: 'succeeded' });
    // The status.json shape, with the fields --server adds described in its schema.
    const validate = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true }).compile(JSON.parse(readFileSync(resolve('schemas/status.report.schema.json'), 'utf8')) as object);
    expect(validate(report) ? [] : validate.errors).toEqual([]);
  });

  it('reconcile: asks for a cycle, waits for the job and exits 0 with its counts; the export happened', async () => {
    writeFileSync(files.hrFile, hrCsv([...HR_ROWS, ['E1007', 'Frances', 'Allen', 'Research', 'Fellow']]));
    const result = cli(['reconcile', '--server', server], OPERATOR_TOKEN);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^asked for sync job \d+ \(delta\) on http:\/\/127\.0\.0\.1:\d+$/m);
    expect(result.stdout).toMatch(/^job \d+ \(delta\) succeeded in [\d.]+ s: 1 imported change\(s\); 1 created; conflicts: \d+$/m);
    expect(readFileSync(files.accountsFile, 'utf8')).toContain('E1007,Frances Allen');

    const full = cli(['reconcile', '--server', server, '--full'], OPERATOR_TOKEN);
    expect(full.status, full.stderr).toBe(0);
    expect(full.stdout).toMatch(/^job \d+ \(full\) succeeded/m);

    // --retry-failed: the job the controller runs sends every failed export again.
    const retry = cli(['reconcile', '--server', server, '--retry-failed'], OPERATOR_TOKEN);
    expect(retry.status, retry.stderr).toBe(0);
    expect(retry.stderr).toMatch(/^asked for sync job \d+ \(delta, retrying failed exports\) on http:\/\/127\.0\.0\.1:\d+$/m);
    expect(retry.stdout).toMatch(/^job \d+ \(delta, retrying failed exports\) succeeded/m);
    const jobId = /^job (\d+)/m.exec(retry.stdout)![1];
    const job = await (await fetch(`${server}/api/v1/jobs/${jobId}`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } })).json();
    expect(job).toMatchObject({ status: 'succeeded', retryFailed: true, totals: { retried: 0, givenUp: 0 } });
  });

  it('reconcile --connector: that connector\'s scoped run through the API (one job per connector); an unknown one exits 1 naming those defined', () => {
    writeFileSync(files.hrFile, hrCsv([...HR_ROWS, ['E1007', 'Frances', 'Allen', 'Engineering', 'Fellow']]));
    const result = cli(['reconcile', '--server', server, '--connector', 'hr', '--connector', 'badges'], OPERATOR_TOKEN);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^asked for sync job \d+ \(delta, connectors hr\) on http:\/\/127\.0\.0\.1:\d+$/m);
    expect(result.stdout).toMatch(/^job \d+ \(delta, connectors hr\) succeeded in [\d.]+ s: 1 imported change\(s\); 1 updated; conflicts: \d+$/m);
    expect(result.stdout).toMatch(/^job \d+ \(delta, connectors badges\) succeeded/m);
    expect(readFileSync(files.accountsFile, 'utf8')).toMatch(/^E1007,Frances Allen,.*Engineering/m);

    const unknown = cli(['reconcile', '--server', server, '--connector', 'hrr'], OPERATOR_TOKEN);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('no connector "hrr" in the running revision (defined: ');
  });

  it('reconcile: a safety gate that blocks the job (the import guard) exits 3 and says what tripped', () => {
    writeFileSync(files.hrFile, hrCsv(HR_ROWS.slice(0, 3)));
    const result = cli(['reconcile', '--server', server, '--full'], OPERATOR_TOKEN);
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(3);
    expect(result.stdout).toMatch(/^job \d+ \(full\) blocked/m);
    expect(result.stderr).toMatch(/^BLOCKED: hr\/user: the import would delete 4 of 7 objects, more than safety.maxDeletes \(2\)/m);
    expect(result.stderr).toContain(`To let it through once: approve what the gate holds back (the connector and N are named above) with POST ${server}/api/v1/connectors/NAME/approvals {"allowDeletes": N, "reason": "…"}`);
    expect(readFileSync(files.accountsFile, 'utf8')).toContain('E1006');
    writeFileSync(files.hrFile, hrCsv([...HR_ROWS, ['E1007', 'Frances', 'Allen', 'Research', 'Fellow']]));
  });

  it('explain: an object by join key (text and JSON); not found exits 1 with the API\'s message', () => {
    const text = cli(['explain', 'person/E1001', '--server', server], VIEWER_TOKEN);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^firstName = "Ada"$/m);
    expect(text.stdout).toContain('from hr/E1001 via hr-to-person');

    const json = cli(['explain', 'person/E1001', 'title', '--server', server, '--format', 'json'], VIEWER_TOKEN);
    expect(json.status, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ type: 'person', attributes: [{ name: 'title' }] });

    const missing = cli(['explain', 'person/E4040', '--server', server], VIEWER_TOKEN);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('E4040');
    expect(missing.stderr).toContain('[NotFound]');
  });

  it("history: an object's value changes through the controller (text and JSON); not found exits 1", () => {
    const json = cli(['history', 'person/E1001', 'title', '--server', server, '--format', 'json'], VIEWER_TOKEN);
    expect(json.status, json.stderr).toBe(0);
    const history = JSON.parse(json.stdout);
    expect(history).toMatchObject({ type: 'person', attribute: 'title', retain: '400d' });
    expect(history.values[0]).toMatchObject({ attribute: 'title', value: 'Principal Engineer', connector: 'hr', rule: 'hr-to-person' });

    const text = cli(['history', 'person/E1001', 'title', '--server', server], VIEWER_TOKEN);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^ {2}\S+ {2}"Principal Engineer" {2}from hr\/E1001 via hr-to-person at confidence 80 \(revision \S+, run \d+\)$/m);

    const missing = cli(['history', 'person/E4040', '--server', server], VIEWER_TOKEN);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('[NotFound]');
  });

  it('check: the controller checks its connectors (operator token); an unknown connector is a usage error', () => {
    const result = cli(['check', '--server', server], OPERATOR_TOKEN);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^ok {3}hr \(csv\) \d+ ms user=\d+$/m);
    expect(result.stdout).toMatch(/^ok {3}directory \(csv\)/m);

    const json = cli(['check', 'badges', '--server', server, '--format', 'json'], OPERATOR_TOKEN);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, connectors: [{ name: 'badges', ok: true, objectTypes: { badge: { count: 2 } } }] });

    const unknown = cli(['check', 'nope', '--server', server], OPERATOR_TOKEN);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('unknown connector(s) on');
  });

  it('names the token problem without printing the token: missing, unknown, viewer where operator is needed', () => {
    const missing = cli(['status', '--server', server], undefined);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('IMESH_API_TOKEN is not set');
    expect(missing.stderr).toContain('[ApiTokenMissing]');

    const wrong = 'not-a-token-of-this-mesh-0123456789';
    const rejected = cli(['status', '--server', server], wrong);
    expect(rejected.status).toBe(1);
    expect(rejected.stderr).toContain('does not accept the token in IMESH_API_TOKEN');
    expect(rejected.stderr).toContain('[ApiTokenRejected]');
    expect(rejected.stderr).not.toContain(wrong);

    for (const args of [['reconcile', '--server', server], ['check', '--server', server]]) {
      const viewer = cli(args, VIEWER_TOKEN);
      expect(viewer.status, args[0]).toBe(1);
      expect(viewer.stderr).toContain('the token in IMESH_API_TOKEN has the viewer role');
      expect(viewer.stderr).toContain('this needs an operator token (role: operator');
      expect(viewer.stderr).toContain('[ApiRoleInsufficient]');
      expect(viewer.stderr + viewer.stdout).not.toContain(VIEWER_TOKEN);
    }
  });

  it('refuses flags that read a local config or store', () => {
    const result = cli(['status', '--server', server, '--store', 'postgres://h/db'], VIEWER_TOKEN);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('drop --store');
    const deletes = cli(['reconcile', '--server', server, '--allow-deletes', '3'], OPERATOR_TOKEN);
    expect(deletes.status).toBe(1);
    expect(deletes.stderr).toContain('--allow-deletes does not go through the operator API as a flag: approve what a connector\'s gate holds back with POST');
    expect(deletes.stderr).toContain('/api/v1/connectors/NAME/approvals {"allowDeletes": N, "reason": "…"}');
    // A Policy's limits are approved through the same endpoint, with allowLimits (allowDeletes is required).
    const limits = cli(['reconcile', '--server', server, '--allow-limits', '3'], OPERATOR_TOKEN);
    expect(limits.status).toBe(1);
    expect(limits.stderr).toContain('--allow-limits does not go through the operator API as a flag: approve what a connector\'s gate holds back with POST');
    expect(limits.stderr).toContain('/api/v1/connectors/NAME/approvals {"allowDeletes": 0, "allowLimits": N, "reason": "…"}');
  });
});

describe('--server when the controller cannot be asked', () => {
  it('an unreachable server: exit 1, names the URL', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const result = cli(['status', '--server', closed], VIEWER_TOKEN);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`cannot reach ${closed}`);
    expect(result.stderr).toContain('ECONNREFUSED');
    expect(result.stderr).toContain('[ServerUnreachable]');
  });

  it('a certificate the CLI does not trust: exit 1, says so and how to trust a private CA', async () => {
    const dir = files.dir;
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    const tls = createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (_req, res) => res.end('{}'));
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    try {
      const address = tls.address();
      const url = `https://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      // spawnSync would block this process's TLS server: run the CLI asynchronously.
      const result = await new Promise<{ status: number | null; stderr: string }>((done) => {
        const child = spawn(process.execPath, [imesh, 'status', '--server', url], { cwd: dir, env: { ...process.env, IMESH_API_TOKEN: VIEWER_TOKEN, IMESH_LOG_LEVEL: 'error' } });
        let stderr = '';
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        child.on('exit', (status) => done({ status, stderr }));
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`cannot verify ${url}'s TLS certificate`);
      expect(result.stderr).toContain('NODE_EXTRA_CA_CERTS');
      expect(result.stderr).toContain('[ServerTls]');
    } finally {
      tls.close();
    }
  });
});
