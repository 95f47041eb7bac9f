/**
 * Approvals through the operator API: POST /api/v1/connectors/{name}/approvals and its listing, over
 * real reconcile cycles of CSV connectors (embedded store), every response checked against the OpenAPI
 * document. The import guard of HR and the delete gate of the directory each need their own approval.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterEach, describe, expect, it } from 'vitest';
import { APPROVAL_TTL_MS } from '../../src/engine/approvals.js';
import { call } from './openapi-check.js';
import { DEPARTMENT_LIMIT, hrCsv, HR_ROWS, OPERATOR_TOKEN, startWorld, VIEWER_TOKEN, type World } from './api-world.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let w: World | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

const get = async (path: string) => (await call(w!.base, 'GET', `/api/v1${path}`, { token: VIEWER_TOKEN })).body as Json;
const post = (path: string, body: unknown, token = OPERATOR_TOKEN) => call(w!.base, 'POST', `/api/v1${path}`, { token, body: typeof body === 'string' ? body : JSON.stringify(body) });
const validateStatus = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true }).compile(JSON.parse(readFileSync(resolve('schemas/status.report.schema.json'), 'utf8')) as object);

/** A world where HR has lost four of six people since the first run: HR's import guard holds them back. */
async function guarded(): Promise<World> {
  w = await startWorld({ store: 'embedded', maxDeletes: 2 });
  await w.port.cycle('full');
  writeFileSync(w.hrFile, hrCsv(HR_ROWS.slice(0, 2)));
  const blocked = await w.port.cycle('full');
  expect(blocked.outcome.gates.map((g) => `${g.connector} ${g.gate}`)).toEqual(['hr importGuard']);
  expect(blocked.outcome.gates[0]?.message).toContain('approve them with POST /api/v1/connectors/hr/approvals {"allowDeletes": 4, "reason": "…"}, or rerun with --allow-deletes 4');
  return w;
}

describe('approvals through the operator API', () => {
  it('lists what a gate holds back, refuses approvals that do not cover it, and records one that does', async () => {
    const w = await guarded();
    expect((await get('/status')).gates).toEqual([expect.objectContaining({ connector: 'hr', heldBack: 4, pendingApproval: null })]);
    const listing = await get('/connectors/hr/approvals');
    expect(listing.held.map((o: Json) => `${o.gate} ${o.op} ${o.objectType}/${o.externalId}`)).toEqual(['E1003', 'E1004', 'E1005', 'E1006'].map((id) => `import delete user/${id}`));
    expect(listing).toMatchObject({ heldTotal: 4, pending: null, items: [], total: 0 });

    const refusals: [unknown, number, string, RegExp, string?][] = [
      [{ allowDeletes: 4, reason: 'x' }, 404, 'NotFound', /no connector "payroll" in the running revision \(defined: hr, badges, directory\)/, 'payroll'],
      [{ allowDeletes: 3, reason: 'leavers' }, 409, 'AllowanceTooSmall', /^hr: its gates hold back 4 deletions and disables, more than allowDeletes 3; a gate lets all or none through, so approve at least 4/],
      [{ allowDeletes: 4, reason: 'nothing here' }, 409, 'NothingPending', /^badges: no safety gate holds anything back/, 'badges'],
      [{ allowDeletes: 4 }, 400, 'BadBody', /^the body must have required property 'reason'; send \{"allowDeletes": N, "reason": "why"\}/],
      [{ allowDeletes: 4, reason: '   ' }, 400, 'BadBody', /^reason must match pattern/],
      [{ allowDeletes: -1, reason: 'x' }, 400, 'BadBody', /^allowDeletes must be >= 0/],
      [{ allowDeletes: 4, reason: 'x', allowEverything: true }, 400, 'BadBody', /must NOT have additional properties/],
      ['not json', 400, 'BadBody', /^the body is not JSON/],
    ];
    for (const [body, status, code, message, connector = 'hr'] of refusals) {
      const res = await post(`/connectors/${connector}/approvals`, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect((res.body as Json).code).toBe(code);
      expect((res.body as Json).error).toMatch(message);
    }
    expect((await post('/connectors/hr/approvals', { allowDeletes: 4, reason: 'x' }, VIEWER_TOKEN)).status).toBe(403);
    expect((await get('/connectors/hr/approvals')).total).toBe(0);

    const given = await post('/connectors/hr/approvals', { allowDeletes: 4, reason: '  four leavers, confirmed by HR  ' });
    expect(given.status).toBe(201);
    const approval = (given.body as Json).approval as Json;
    expect(approval).toMatchObject({ connector: 'hr', allowDeletes: 4, allowClears: null, reason: 'four leavers, confirmed by HR', approvedBy: 'sre', state: 'pending', jobId: null, letThrough: [] });
    expect(Date.parse(approval.expiresAt) - Date.parse(approval.approvedAt)).toBe(APPROVAL_TTL_MS);
    expect(approval.objects.map((o: Json) => o.externalId)).toEqual(['E1003', 'E1004', 'E1005', 'E1006']);
    expect((await get('/connectors/hr/approvals')).pending).toMatchObject({ id: approval.id, state: 'pending' });
    expect((await get('/status')).gates).toEqual([expect.objectContaining({ connector: 'hr', type: 'ImportGuardTripped', heldBack: 4, pendingApproval: approval.id })]);
  });

  it('lets exactly the approved deletions through once, and the job, status.json and the listing say who, why and what', async () => {
    const w = await guarded();
    const hrApproval = ((await post('/connectors/hr/approvals', { allowDeletes: 4, reason: 'four leavers' })).body as Json).approval as Json;
    // HR's import goes through; the four account deletions it leads to are the directory's own gate's.
    const imported = await w.port.cycle('full');
    expect(imported.outcome.gates.map((g) => `${g.connector} ${g.gate}`)).toEqual(['directory maxDeletes']);
    const directory = await get('/connectors/directory/approvals');
    expect(directory.held.map((o: Json) => `${o.gate} ${o.op} ${o.externalId}`)).toEqual(['E1003', 'E1004', 'E1005', 'E1006'].map((id) => `export delete ${id}`));
    const dirApproval = ((await post('/connectors/directory/approvals', { allowDeletes: 4, reason: 'their accounts go too' })).body as Json).approval as Json;
    expect(readFileSync(w.accountsFile, 'utf8')).toContain('E1006');

    const exported = await w.port.cycle('delta');
    expect(exported.outcome.result).toBe('succeeded');
    expect(readFileSync(w.accountsFile, 'utf8')).not.toMatch(/E100[3-6]/);

    const job = await get(`/jobs/${exported.outcome.cycleId}`);
    expect(job.approvals).toEqual([expect.objectContaining({ id: dirApproval.id, connector: 'directory', state: 'applied', approvedBy: 'sre', reason: 'their accounts go too', jobId: exported.outcome.cycleId })]);
    expect(job.approvals[0].letThrough.map((o: Json) => o.externalId)).toEqual(['E1003', 'E1004', 'E1005', 'E1006']);
    expect((await get(`/jobs/${imported.outcome.cycleId}`)).approvals.map((a: Json) => [a.id, a.state])).toEqual([[hrApproval.id, 'applied']]);
    expect((await get('/connectors/directory/jobs')).items[0].approvals).toHaveLength(1);

    const status = exported.status;
    expect(validateStatus(status) ? [] : validateStatus.errors).toEqual([]);
    expect(status.approvals?.map((a) => [a.connector, a.state, a.approvedBy, a.reason, a.letThrough.length])).toEqual([['directory', 'applied', 'sre', 'their accounts go too', 4]]);

    const listing = await get('/connectors/directory/approvals');
    expect(listing).toMatchObject({ held: [], heldTotal: 0, pending: null, total: 1 });
    expect(listing.items[0]).toMatchObject({ id: dirApproval.id, state: 'applied' });
    // Used once: nothing is pending, so there is nothing to approve again.
    expect((await post('/connectors/directory/approvals', { allowDeletes: 4, reason: 'again' })).status).toBe(409);
  });

  it('expires an approval the controller has not used within 24 hours (the clock is the controller\'s)', async () => {
    const w = await guarded();
    const approval = ((await post('/connectors/hr/approvals', { allowDeletes: 4, reason: 'four leavers' })).body as Json).approval as Json;
    const started = Date.parse(approval.approvedAt);
    w.port.now = () => started + APPROVAL_TTL_MS + 1;
    const late = await w.port.cycle('full');
    expect(late.outcome.gates.map((g) => `${g.connector} ${g.gate}`)).toEqual(['hr importGuard']);
    expect(late.status.approvals).toEqual([expect.objectContaining({ id: approval.id, state: 'expired', note: 'not used within 24 hours' })]);
    expect((await get('/connectors/hr/approvals')).items[0]).toMatchObject({ id: approval.id, state: 'expired', decidedAt: new Date(started + APPROVAL_TTL_MS + 1).toISOString() });
  });
});


describe('approving a Policy limit through the operator API', () => {
  it('lists the changes a violated limit holds back, needs allowLimits covering them all, and lets exactly those through once', async () => {
    w = await startWorld({ store: 'embedded', extraYaml: DEPARTMENT_LIMIT });
    await w.port.cycle('full');
    // Three people move to Finance: three accounts would change department, more than the Policy allows.
    writeFileSync(w.hrFile, hrCsv(HR_ROWS.map((r) => (['E1001', 'E1002', 'E1003'].includes(r[0]!) ? [r[0]!, r[1]!, r[2]!, 'Finance', r[4]!] : r))));
    const blocked = await w.port.cycle('delta');
    expect(blocked.outcome.gates.map((g) => `${g.connector} ${g.gate} ${g.count}`)).toEqual(['directory policyLimit 3']);
    expect(blocked.outcome.gates[0]?.message).toContain('approve them with POST /api/v1/connectors/directory/approvals {"allowDeletes": 0, "allowLimits": 3, "reason": "…"}');
    expect(readFileSync(w.accountsFile, 'utf8').match(/Finance/g)).toHaveLength(1);
    expect((await get('/status')).gates).toEqual([expect.objectContaining({ connector: 'directory', type: 'PolicyLimitExceeded', heldBack: 3, pendingApproval: null })]);
    const listing = await get('/connectors/directory/approvals');
    expect(listing.held.map((o: Json) => `${o.gate} ${o.op} ${o.objectType}/${o.externalId}`)).toEqual(['E1001', 'E1002', 'E1003'].map((id) => `limit update account/${id}`));

    const refusals: [unknown, number, string, RegExp][] = [
      [{ allowDeletes: 0, reason: 'reorganisation' }, 409, 'AllowanceMissing', /^directory: a Policy's limits hold back 3 changes; send allowLimits \(at least 3\)/],
      [{ allowDeletes: 0, allowLimits: 2, reason: 'reorganisation' }, 409, 'AllowanceTooSmall', /^directory: a Policy's limits hold back 3 changes, more than allowLimits 2; approve at least 3/],
      [{ allowDeletes: 0, allowLimits: -1, reason: 'reorganisation' }, 400, 'BadBody', /^allowLimits must be >= 0/],
    ];
    for (const [body, status, code, message] of refusals) {
      const res = await post('/connectors/directory/approvals', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect((res.body as Json).code).toBe(code);
      expect((res.body as Json).error).toMatch(message);
    }

    const given = await post('/connectors/directory/approvals', { allowDeletes: 0, allowLimits: 3, reason: 'Finance takes over the team' });
    expect(given.status).toBe(201);
    const approval = (given.body as Json).approval as Json;
    expect(approval).toMatchObject({ connector: 'directory', allowDeletes: 0, allowClears: null, allowLimits: 3, state: 'pending' });

    const exported = await w.port.cycle('delta');
    expect(exported.outcome.result).toBe('succeeded');
    expect(readFileSync(w.accountsFile, 'utf8').match(/Finance/g)).toHaveLength(4);
    const job = await get(`/jobs/${exported.outcome.cycleId}`);
    expect(job.approvals).toEqual([expect.objectContaining({ id: approval.id, state: 'applied', allowLimits: 3 })]);
    expect(job.approvals[0].letThrough.map((o: Json) => `${o.gate} ${o.op} ${o.externalId}`)).toEqual(['E1001', 'E1002', 'E1003'].map((id) => `limit update ${id}`));
    expect(validateStatus(exported.status) ? [] : validateStatus.errors).toEqual([]);
    expect(exported.status.approvals).toEqual([expect.objectContaining({ id: approval.id, allowLimits: 3, state: 'applied' })]);
    // Used once: nothing is held back any more.
    expect(await get('/connectors/directory/approvals')).toMatchObject({ held: [], heldTotal: 0, pending: null });
  });
});
