/**
 * The operator API over HTTP: the controller's route table with the API mounted, a real store filled by
 * real reconcile cycles over CSV connectors, and every response checked against the OpenAPI document.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { call } from './openapi-check.js';
import { hrCsv, HR_ROWS, OPERATOR_TOKEN, startWorld, VIEWER_TOKEN, type World } from './api-world.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('operator API (PostgreSQL store)', () => {
  let w: World;
  const get = async (path: string, token: string | null = VIEWER_TOKEN) => call(w.base, 'GET', `/api/v1${path}`, token === null ? {} : { token });
  const post = async (path: string, body?: unknown, token: string = OPERATOR_TOKEN) =>
    call(w.base, 'POST', `/api/v1${path}`, { token, ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}) });

  beforeAll(async () => {
    w = await startWorld({ store: 'postgres', pgUrl: inject('pgUrl') });
    await w.port.cycle('full');
  });
  afterAll(async () => {
    await w?.close();
  });

  describe('auth', () => {
    it('answers 401 with a Bearer challenge without a token, with an unknown one, and to every path', async () => {
      for (const path of ['/status', '/connectors', '/jobs', '/openapi.json', '/nothing-here']) {
        const missing = await get(path, null);
        expect(missing.status, path).toBe(401);
        expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="identity-mesh"');
      }
      const wrong = await get('/status', 'not-a-token-we-know');
      expect(wrong.status).toBe(401);
      expect(wrong.headers.get('www-authenticate')).toContain('error="invalid_token"');
      expect((wrong.body as Json).code).toBe('InvalidToken');
      // A token that only shares a prefix with a real one is no token.
      expect((await get('/status', VIEWER_TOKEN.slice(0, -1))).status).toBe(401);
      expect((await get('/status', `${VIEWER_TOKEN}x`)).status).toBe(401);
      const basic = await fetch(`${w.base}/api/v1/status`, { headers: { authorization: `Basic ${Buffer.from(`x:${VIEWER_TOKEN}`).toString('base64')}` } });
      expect(basic.status).toBe(401);
    });

    it('lets a viewer read and an operator read and write; a viewer gets 403 on POST', async () => {
      expect((await get('/status', VIEWER_TOKEN)).status).toBe(200);
      expect((await get('/status', OPERATOR_TOKEN)).status).toBe(200);
      const lower = await fetch(`${w.base}/api/v1/status`, { headers: { authorization: `bearer ${VIEWER_TOKEN}` } });
      expect(lower.status).toBe(200);
      for (const path of ['/sync', '/connectors/hr/sync', '/connectors/hr/check']) {
        const denied = await post(path, { mode: 'delta' }, VIEWER_TOKEN);
        expect(denied.status, path).toBe(403);
        expect(denied.headers.get('www-authenticate')).toContain('insufficient_scope');
      }
      expect(await get('/jobs?pageSize=100')).toMatchObject({ status: 200, body: { items: expect.not.arrayContaining([expect.objectContaining({ status: 'queued' })]) } });
    });

    it('answers 405 with Allow for a known path and a wrong method, 404 for unknown paths', async () => {
      const wrong = await call(w.base, 'DELETE', '/api/v1/jobs', { token: OPERATOR_TOKEN });
      expect(wrong.status).toBe(405);
      expect(wrong.headers.get('allow')).toBe('GET, HEAD');
      expect((await get('/sync')).status).toBe(405);
      expect((await get('/connectors/hr/extra/path')).status).toBe(404);
    });

    it('serves the OpenAPI 3.1 document to a viewer', async () => {
      const res = await get('/openapi.json');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ openapi: '3.1.0', jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema' });
      expect(Object.keys((res.body as Json).paths)).toEqual(
        expect.arrayContaining(['/connectors', '/connectors/{name}', '/connectors/{name}/check', '/connectors/{name}/sync', '/sync', '/jobs', '/jobs/{id}', '/objects/{type}/{key}', '/objects/{type}/{key}/history']),
      );
    });
  });

  describe('dashboard files', () => {
    it('serves the page, its stylesheet and script from this origin only, with a strict CSP', async () => {
      const page = await fetch(`${w.base}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(page.headers.get('content-security-policy')).toContain("default-src 'none'; script-src 'self'");
      const html = await page.text();
      const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
      expect(assets).toEqual(expect.arrayContaining(['/ui/dashboard.css', '/ui/dashboard.js']));
      for (const asset of assets.filter((a) => a.startsWith('/'))) {
        const res = await fetch(`${w.base}${asset}`);
        expect(res.status, asset).toBe(200);
        const text = await res.text();
        expect(text, asset).not.toMatch(/https?:\/\//);
        const again = await fetch(`${w.base}${asset}`, { headers: { 'if-none-match': res.headers.get('etag')! } });
        expect(again.status, asset).toBe(304);
      }
      expect(html).not.toMatch(/https?:\/\//);
      expect((await fetch(`${w.base}/`, { method: 'POST' })).status).toBe(405);
      expect((await fetch(`${w.base}/nothing-here`)).status).toBe(404);
      expect((await fetch(`${w.base}/ui/dashboard.js`, { method: 'HEAD' })).status).toBe(200);
    });
  });

  describe('connectors', () => {
    it('lists every connector with health, last import/export, counts and watermarks, and its last run', async () => {
      const res = await get('/connectors');
      expect(res.status).toBe(200);
      const items = (res.body as Json).items as Json[];
      expect(items.map((c) => c.name)).toEqual(['hr', 'badges', 'directory']);
      const hr = items.find((c) => c.name === 'hr')!;
      expect(hr).toMatchObject({ type: 'csv', health: 'Healthy', suspended: false, objectTypes: { user: { count: HR_ROWS.length } } });
      expect(hr.lastImport).not.toBeNull();
      const directory = items.find((c) => c.name === 'directory')!;
      expect(directory.objectTypes.account.count).toBe(HR_ROWS.length);
      expect(directory.lastExport).not.toBeNull();
      expect(directory.lastRun).toMatchObject({ status: 'succeeded', counts: { created: HR_ROWS.length, deleted: 0, errors: 0 } });
    });

    it('shows one connector with the rules and projections that use it, and 404 for an unknown one', async () => {
      const res = await get('/connectors/directory');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ name: 'directory', type: 'csv', projections: ['person-to-directory'], flowRules: [], health: 'Healthy' });
      const hr = await get('/connectors/hr');
      expect(hr.body).toMatchObject({ flowRules: ['hr-to-person'], projections: [] });
      const missing = await get('/connectors/nope');
      expect(missing.status).toBe(404);
      expect((missing.body as Json).error).toContain('nope');
    });

    it('runs a connection check: reach, credentials (none for csv), counts and latency', async () => {
      const res = await post('/connectors/hr/check');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ name: 'hr', type: 'csv', ok: true, reach: 'ok', credentials: 'notApplicable', objectTypes: { user: { count: HR_ROWS.length } } });
      expect((res.body as Json).latencyMs).toBeGreaterThanOrEqual(0);
    });

  });

  describe('sync and jobs', () => {
    // DESIGN §8: a connector's sync is its own job, run as that connector's scoped run (it used to join
    // the request for everything); the joining is now asserted between two requests of one scope.
    it('queues a job, joins a second request of its scope to it, and gives the job the id of the cycle that runs it', async () => {
      const first = await post('/sync', { mode: 'delta' });
      expect(first.status).toBe(202);
      const a = first.body as Json;
      expect(a).toMatchObject({ joined: false, job: { status: 'queued', kind: 'delta', trigger: 'api', requestedBy: ['sre'], connectors: null, startedAt: null } });
      expect(first.headers.get('location')).toBe(`/api/v1/jobs/${a.jobId}`);

      const second = await post('/sync', { mode: 'full' });
      expect(second.status).toBe(202);
      expect(second.body).toMatchObject({ jobId: a.jobId, joined: true, job: { kind: 'full', requests: 2, connectors: null } });
      const hr = await post('/connectors/hr/sync', { mode: 'delta' });
      expect(hr.status).toBe(202);
      const h = hr.body as Json;
      expect(h).toMatchObject({ joined: false, job: { status: 'queued', kind: 'delta', requests: 1, connectors: ['hr'] } });
      expect(h.jobId).not.toBe(a.jobId);
      expect(w.port.requests.map((r) => [r.kind, r.connectors, r.retryFailed])).toEqual([['delta', null, false], ['full', null, false], ['delta', ['hr'], false]]);

      const listed = await get('/jobs');
      expect((listed.body as Json).items.slice(0, 2)).toMatchObject([{ id: h.jobId, status: 'queued' }, { id: a.jobId, status: 'queued' }]);

      // A scheduled delta cycle does not run a full request, nor a request for one connector …
      const delta = await w.port.cycle('delta');
      expect(delta.outcome.cycleId).not.toBe(a.jobId);
      expect(delta.outcome.cycleId).not.toBe(h.jobId);
      expect((await get(`/jobs/${a.jobId}`)).body).toMatchObject({ status: 'queued' });
      expect((await get(`/jobs/${h.jobId}`)).body).toMatchObject({ status: 'queued' });
      // … the requested full cycle does, under the job's id.
      const run = await w.port.runRequested();
      expect(run?.outcome.cycleId).toBe(a.jobId);
      const job = await get(`/jobs/${a.jobId}`);
      expect(job.status).toBe(200);
      expect(job.body).toMatchObject({ id: a.jobId, status: 'succeeded', kind: 'full', trigger: 'api', requests: 2, retryFailed: false, errors: [] });
      const body = job.body as Json;
      expect(Object.keys(body.counts)).toEqual(['badges', 'directory', 'hr']);
      expect(body.counts.hr).toMatchObject({ imported: 0, created: 0, errors: 0, conflicts: 0 });
      expect(Date.parse(body.finishedAt)).toBeGreaterThanOrEqual(Date.parse(body.startedAt));
      // … and hr's request runs hr alone, under its own job id.
      const hrRun = await w.port.runRequested();
      expect(hrRun?.outcome.cycleId).toBe(h.jobId);
      expect(hrRun?.outcome.scope).toEqual(['hr']);
      expect((await get(`/jobs/${h.jobId}`)).body).toMatchObject({ id: h.jobId, status: 'succeeded', scope: ['hr'], connectors: ['hr'], triggeredBy: 'api', requestedBy: ['sre'] });
      expect((await get(`/jobs/${delta.outcome.cycleId}`)).body).toMatchObject({ triggeredBy: 'schedule', scope: null });
      expect(hrRun?.outcome.imports.map((i) => i.connector)).toEqual(['hr']);
      // A connector's jobs: the whole-mesh ones and its own, not another connector's.
      const ids = async (name: string) => ((await get(`/connectors/${name}/jobs?pageSize=100`)).body as Json).items.map((j: Json) => j.id);
      expect(await ids('hr')).toEqual(expect.arrayContaining([h.jobId, a.jobId, delta.outcome.cycleId]));
      const badgeJobs = await ids('badges');
      expect(badgeJobs).toEqual(expect.arrayContaining([a.jobId, delta.outcome.cycleId]));
      expect(badgeJobs).not.toContain(h.jobId);
      expect((await get('/connectors/nope/jobs')).status).toBe(404);

      // Newest first: the jobs that started last are on top even though a later cycle has a higher id.
      const jobs = (await get('/jobs')).body as Json;
      expect(jobs.items[0].id).toBe(h.jobId);
      expect(jobs.items[1].id).toBe(a.jobId);
      expect(jobs.items[2].id).toBe(delta.outcome.cycleId);

      // With nothing waiting, the next request is a new job.
      const third = await post('/sync');
      expect(third.body).toMatchObject({ joined: false, job: { kind: 'delta' } });
      expect((third.body as Json).jobId).toBeGreaterThan(delta.outcome.cycleId);
      await w.port.runRequested();
      expect((await get(`/jobs/${(third.body as Json).jobId}`)).body).toMatchObject({ status: 'succeeded', kind: 'delta' });
    });

    it('retryFailed: the job sends every failed export again; a request joining it keeps it; its counts carry retried and givenUp', async () => {
      const asked = await post('/sync', { mode: 'delta', retryFailed: true });
      expect(asked.status).toBe(202);
      const a = asked.body as Json;
      expect(a).toMatchObject({ joined: false, job: { status: 'queued', kind: 'delta', retryFailed: true } });
      const joined = await post('/sync', { mode: 'delta' });
      expect(joined.body).toMatchObject({ jobId: a.jobId, joined: true, job: { requests: 2, retryFailed: true } });
      expect(w.port.requests.slice(-2).map((r) => r.retryFailed)).toEqual([true, true]);
      expect((await post('/sync', { mode: 'delta', retryFailed: 'yes' })).status).toBe(400);
      const run = await w.port.runRequested();
      expect(run?.outcome.cycleId).toBe(a.jobId);
      const job = (await get(`/jobs/${a.jobId}`)).body as Json;
      expect(job).toMatchObject({ status: 'succeeded', retryFailed: true });
      expect(job.totals).toMatchObject({ retried: 0, givenUp: 0 });
      // Jobs the controller runs on its own never ask for it.
      const scheduled = await w.port.cycle('delta');
      expect((await get(`/jobs/${scheduled.outcome.cycleId}`)).body).toMatchObject({ retryFailed: false });
    });

    it('records counts per connector for the changes a job made', async () => {
      // Grace moves to Research; Frances joins.
      const rows = HR_ROWS.map((r) => (r[0] === 'E1002' ? ['E1002', 'Grace', 'Hopper', 'Research', 'Rear Admiral'] : r));
      writeFileSync(w.hrFile, hrCsv([...rows, ['E1007', 'Frances', 'Allen', 'Engineering', 'Fellow']]));
      const queued = (await post('/sync', { mode: 'delta' })).body as Json;
      await w.port.runRequested();
      const job = (await get(`/jobs/${queued.jobId}`)).body as Json;
      expect(job.status).toBe('succeeded');
      expect(job.counts.hr.imported).toBe(2);
      expect(job.counts.directory).toMatchObject({ created: 1, updated: 1, deleted: 0 });
      expect(job.totals).toMatchObject({ created: 1, updated: 1 });
      expect(job.objectCounts).toEqual({ account: { created: 1, updated: 1, moved: 0, disabled: 0, deleted: 0, failed: 0 } });
    });

    it('pages jobs newest first', async () => {
      const all = (await get('/jobs?pageSize=100')).body as Json;
      expect(all.total).toBe(all.items.length);
      expect(all.total).toBeGreaterThanOrEqual(5);
      const starts = (all.items as Json[]).map((j) => Date.parse(j.startedAt));
      expect([...starts].sort((x, y) => y - x)).toEqual(starts);
      const second = (await get('/jobs?page=2&pageSize=2')).body as Json;
      expect(second).toMatchObject({ page: 2, pageSize: 2, total: all.total });
      expect(second.items.map((j: Json) => j.id)).toEqual(all.items.slice(2, 4).map((j: Json) => j.id));
      expect((await get(`/jobs?page=${all.total + 1}`)).body).toMatchObject({ items: [] });
      for (const bad of ['pageSize=0', 'pageSize=101', 'page=0', 'page=x']) expect((await get(`/jobs?${bad}`)).status, bad).toBe(400);
      expect((await get('/jobs/abc')).status).toBe(400);
      expect((await get('/jobs/987654321')).status).toBe(404);
    });

    it('refuses a sync of a suspended connector, saying so (spec.suspend stops its runs)', async () => {
      const running = w.port.running!;
      w.port.running = { ...running, connectors: new Map([...running.connectors].map(([name, model]) => [name, name === 'hr' ? { ...model, suspend: true } : model])) };
      try {
        const before = w.port.requests.length;
        const res = await post('/connectors/hr/sync', { mode: 'delta' });
        expect(res.status).toBe(409);
        expect(res.body).toMatchObject({ code: 'ConnectorSuspended' });
        expect(String((res.body as Json).detail ?? (res.body as Json).message ?? JSON.stringify(res.body))).toContain('spec.suspend');
        expect(w.port.requests.length).toBe(before);
        expect((await post('/connectors/badges/sync', { mode: 'delta' })).status).toBe(202);
        await w.port.runRequested();
      } finally {
        w.port.running = running;
      }
    });

    it('refuses bodies that are not {"mode": "delta"|"full"} and bodies over 4 KiB', async () => {
      expect((await post('/sync', { mode: 'weekly' })).status).toBe(400);
      expect((await post('/sync', { mode: 'full', extra: 1 })).status).toBe(400);
      expect((await post('/sync', 'not json')).status).toBe(400);
      expect((await post('/sync', JSON.stringify({ mode: 'delta', pad: 'x'.repeat(5000) }))).status).toBe(413);
      expect((await post('/connectors/nope/sync', { mode: 'delta' })).status).toBe(404);
      expect((await get('/jobs?pageSize=100')).body).toMatchObject({ items: expect.not.arrayContaining([expect.objectContaining({ status: 'queued' })]) });
    });
  });

  describe('objects, status, conflicts and drift', () => {
    it('explains a mesh object by join key and by id, with provenance and losers', async () => {
      const res = await get('/objects/person/E1001');
      expect(res.status).toBe(200);
      const body = res.body as Json;
      expect(body).toMatchObject({ type: 'person', deleted: false, keys: { employeeId: 'E1001' } });
      const title = (body.attributes as Json[]).find((a) => a.name === 'title')!;
      expect(title).toMatchObject({ value: 'Principal Engineer', winner: { rule: 'hr-to-person', connector: 'hr', confidence: 80 } });
      expect(body.sources.map((s: Json) => s.connector).sort()).toEqual(['badges', 'hr']);
      expect(body.targets[0]).toMatchObject({ projection: 'person-to-directory', connector: 'directory', externalId: 'E1001' });
      expect((await get(`/objects/person/${encodeURIComponent(body.id)}`)).body).toMatchObject({ id: body.id });
      expect((await get('/objects/person/E1001?attribute=title')).body).toMatchObject({ attributes: [{ name: 'title' }] });
      expect((await get('/objects/person/E9999')).status).toBe(404);
      expect((await get('/objects/robot/E1001')).status).toBe(404);
    });

    it("answers a mesh object's history: each value with its source, revision and run, and the exports", async () => {
      const res = await get('/objects/person/E1001/history?attribute=title');
      expect(res.status).toBe(200);
      const body = res.body as Json;
      expect(body).toMatchObject({ type: 'person', attribute: 'title', retain: '400d', keys: { employeeId: 'E1001' } });
      expect(body.values[0]).toMatchObject({ attribute: 'title', value: 'Principal Engineer', withheld: false, connector: 'hr', rule: 'hr-to-person', externalId: 'E1001', confidence: 80 });
      expect(body.values[0].run).toBeGreaterThan(0);
      // A create keeps no values: it wrote the mesh values of its run (those above).
      expect(body.exports[0]).toMatchObject({ projection: 'person-to-directory', connector: 'directory', op: 'create', result: 'ok', attributes: null, run: body.values[0].run });
      const all = (await get(`/objects/person/${encodeURIComponent(body.id)}/history`)).body as Json;
      expect(all.attribute).toBeNull();
      expect(all.values.map((v: Json) => v.attribute)).toEqual(expect.arrayContaining(['title', 'employeeId']));
      expect((await get('/objects/person/E1001/history?attribute=nickname')).status).toBe(404);
      expect((await get('/objects/person/E9999/history')).status).toBe(404);
    });

    it('lists the open conflicts and drift', async () => {
      const conflicts = (await get('/conflicts')).body as Json;
      expect(conflicts.total).toBeGreaterThanOrEqual(1);
      expect(conflicts.items).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'attribute', meshType: 'person', attribute: 'displayName' })]));
      // Someone edits the target by hand; the next cycle corrects it and reports the drift (the world's
      // target has driftCheck: every-cycle).
      const text = readFileSync(w.accountsFile, 'utf8');
      writeFileSync(w.accountsFile, text.replace('Principal Engineer', 'Intern'));
      await w.port.cycle('delta');
      const drift = (await get('/drift')).body as Json;
      expect(drift.items).toEqual(expect.arrayContaining([expect.objectContaining({ connector: 'directory', attribute: 'title', desired: 'Principal Engineer', actual: 'Intern', action: 'corrected' })]));
      expect((await get('/drift?pageSize=1')).body).toMatchObject({ pageSize: 1, total: drift.total });
    });

    it('reports ConfigInvalid with every problem while the last good revision keeps running', async () => {
      expect((await get('/status')).body).toMatchObject({ configInvalid: false, configProblems: [], mesh: 'acme', role: 'leader' });
      w.port.attempted = 'f00dbabe'.repeat(5);
      w.port.problems = [{ file: 'mesh.yaml', line: 12, column: 5, message: 'spec.safety.maxDeletes must be a number' }];
      try {
        const status = (await get('/status')).body as Json;
        expect(status).toMatchObject({ configInvalid: true, lastAttemptedRevision: 'f00dbabe'.repeat(5), configProblems: [{ file: 'mesh.yaml', line: 12, column: 5 }] });
        expect(status.lastAppliedRevision).not.toBe(status.lastAttemptedRevision);
        expect(status.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'ConfigInvalid', status: 'True', reason: 'ValidationFailed' })]));
        expect(status.meshTypes).toEqual(['person']);
        expect(status.lastJob).toMatchObject({ status: 'succeeded' });
      } finally {
        w.port.problems = [];
        w.port.attempted = w.port.applied;
      }
    });
  });
});

describe('operator API: connection checks', () => {
  const sqlConnector = (name: string, secret: string, table: string, key: string) => `---
apiVersion: identitymesh.dev/v1alpha1
kind: Connector
metadata: { name: ${name} }
spec:
  type: sql
  connection: { driver: postgres, connectionString: "{{secret:${secret}}}" }
  objectTypes:
    row: { table: ${table}, externalIdColumn: ${key} }
`;

  it('tells an unreachable server from refused credentials, and both from a good connection', async () => {
    const pgUrl = new URL(inject('pgUrl'));
    const refused = new URL(pgUrl);
    refused.username = 'imesh_no_such_role';
    const closed = new URL(pgUrl);
    closed.port = '1';
    const w = await startWorld({
      store: 'postgres',
      pgUrl: inject('pgUrl'),
      extraYaml: [
        sqlConnector('catalog', 'catalog-db', 'pg_catalog.pg_database', 'datname'),
        sqlConnector('ledger', 'ledger-db', 'pg_catalog.pg_database', 'datname'),
        sqlConnector('payroll', 'payroll-db', 'pg_catalog.pg_database', 'datname'),
        sqlConnector('vault', 'vault-db', 'pg_catalog.pg_database', 'datname'),
      ].join(''),
      secrets: { IMESH_SECRET_CATALOG_DB: pgUrl.toString(), IMESH_SECRET_LEDGER_DB: refused.toString(), IMESH_SECRET_PAYROLL_DB: closed.toString() },
    });
    try {
      const check = async (name: string) => {
        const res = await call(w.base, 'POST', `/api/v1/connectors/${name}/check`, { token: OPERATOR_TOKEN });
        expect(res.status).toBe(200);
        return res.body as Json;
      };
      const good = await check('catalog');
      expect(good).toMatchObject({ ok: true, reach: 'ok', credentials: 'ok', objectTypes: { row: { count: expect.any(Number) } } });
      expect(good.server).toMatch(/PostgreSQL/);
      expect(good.objectTypes.row.count).toBeGreaterThan(0);
      expect(await check('ledger')).toMatchObject({ ok: false, reach: 'ok', credentials: 'failed', error: { code: 'AuthenticationFailed' } });
      expect(await check('payroll')).toMatchObject({ ok: false, reach: 'failed', credentials: 'notTested', error: { code: 'ConnectionFailed' } });
      expect(await check('vault')).toMatchObject({ ok: false, reach: 'notTested', credentials: 'failed', error: { code: 'SecretMissing' } });
      // The secret's value (here a connection string) never comes back in a response.
      expect(JSON.stringify(await check('ledger'))).not.toContain(refused.toString());
      expect((await call(w.base, 'POST', '/api/v1/connectors/nope/check', { token: OPERATOR_TOKEN })).status).toBe(404);
    } finally {
      await w.close();
    }
  });
});

describe('operator API: safety gates, no spec.api, embedded store', () => {
  it('shows a safety-gate trip in status, on the connector and as a blocked job (embedded store)', async () => {
    const w = await startWorld({ store: 'embedded', maxDeletes: 2 });
    try {
      await w.port.cycle('full');
      // HR loses four of six people at once: more than maxDeletes, so the import guard holds them.
      writeFileSync(w.hrFile, hrCsv(HR_ROWS.slice(0, 2)));
      const queued = (await call(w.base, 'POST', '/api/v1/sync', { token: OPERATOR_TOKEN, body: '{"mode":"full"}' })).body as Json;
      const run = await w.port.runRequested();
      expect(run?.outcome.cycleId).toBe(queued.jobId);
      const job = (await call(w.base, 'GET', `/api/v1/jobs/${queued.jobId}`, { token: VIEWER_TOKEN })).body as Json;
      expect(job).toMatchObject({ status: 'blocked', totals: { deleted: 0 } });
      const status = (await call(w.base, 'GET', '/api/v1/status', { token: VIEWER_TOKEN })).body as Json;
      expect(status.gates).toEqual([expect.objectContaining({ connector: 'hr', type: 'ImportGuardTripped', reason: 'importGuard' })]);
      expect(status.gates[0].message).toContain('maxDeletes (2)');
      const hr = (await call(w.base, 'GET', '/api/v1/connectors/hr', { token: VIEWER_TOKEN })).body as Json;
      expect(hr.health).toBe('Degraded');
      expect(hr.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'ImportGuardTripped', status: 'True' })]));
      expect((await call(w.base, 'GET', '/api/v1/connectors/directory', { token: VIEWER_TOKEN })).body).toMatchObject({ objectTypes: { account: { count: HR_ROWS.length } } });
    } finally {
      await w.close();
    }
  });

  it('answers 401 to everything under /api/v1/ when the Mesh has no spec.api', async () => {
    const w = await startWorld({ store: 'postgres', pgUrl: inject('pgUrl'), noApi: true });
    try {
      for (const [method, path] of [['GET', '/api/v1/status'], ['GET', '/api/v1/openapi.json'], ['POST', '/api/v1/sync'], ['GET', '/api/v1']] as const) {
        const res = await call(w.base, method, path, { token: OPERATOR_TOKEN });
        expect(res.status, `${method} ${path}`).toBe(401);
        expect(res.body).toMatchObject({ code: 'ApiDisabled' });
      }
      // The page still loads (it asks for a token); the probes stay open.
      expect((await fetch(`${w.base}/`)).status).toBe(200);
    } finally {
      await w.close();
    }
  });
});
