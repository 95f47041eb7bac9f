import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createWorkdayConnector, type WorkdayConnectorOverrides } from '../../../src/connectors/workday/workday-connector.js';
import type { IdentityConnector, ImportBatch, StagedObject } from '../../../src/connectors/sdk.js';
import { WorkdayEmulator, type WorkdayEmulatorOptions } from '../../emulators/workday-emulator.js';
import { captureLogs, connectorContext, rejectionOf } from '../../emulators/test-support.js';

const logs = captureLogs();
const emulators: WorkdayEmulator[] = [];
const open: IdentityConnector[] = [];
const TODAY = '2026-03-02';
const NOW = new Date(`${TODAY}T09:00:00.000Z`);

async function emulator(options: WorkdayEmulatorOptions = {}): Promise<WorkdayEmulator> {
  const e = await new WorkdayEmulator({ today: () => TODAY, ...options }).start();
  emulators.push(e);
  return e;
}

function connector(e: WorkdayEmulator, worker: Record<string, unknown> = {}, connection: Record<string, unknown> = {}, overrides: WorkdayConnectorOverrides = {}): IdentityConnector {
  const auth =
    (e.workdayOptions.auth ?? 'basic') === 'basic'
      ? { type: 'basic', username: e.isuUser, password: '{{secret:wd-password}}' }
      : { type: 'oauth2', tokenUrl: e.tokenUrl, clientId: e.clientId, clientSecret: '{{secret:wd-client-secret}}', refreshToken: '{{secret:wd-refresh-token}}' };
  const c = createWorkdayConnector(
    connectorContext('workday', 'workday', { connection: { baseUrl: e.baseUrl, auth, ...connection }, objectTypes: { worker: { report: `${e.owner}/${e.report}`, ...worker } } }, {
      'wd-password': e.isuPassword,
      'wd-client-secret': e.clientSecret,
      'wd-refresh-token': e.refreshToken,
    }),
    { now: () => NOW, sleep: async () => {}, ...overrides },
  );
  open.push(c);
  return c;
}

async function collect(batches: AsyncIterable<ImportBatch>): Promise<{ objects: StagedObject[]; last: ImportBatch }> {
  const objects: StagedObject[] = [];
  let last: ImportBatch | undefined;
  for await (const batch of batches) {
    objects.push(...batch.objects);
    last = batch;
  }
  return { objects, last: last! };
}

function byId(objects: readonly StagedObject[]): Map<string, StagedObject> {
  return new Map(objects.map((o) => [o.externalId, o]));
}

afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
});
afterAll(async () => {
  for (const e of emulators) await e.close();
  const text = logs.text();
  for (const e of emulators) for (const secret of [e.isuPassword, e.clientSecret, e.refreshToken]) expect(text).not.toContain(secret);
  expect(text).not.toMatch(/wd-at-\d+-/);
});

describe('workday: reading workers from a RaaS report', () => {
  it('maps a worker: employee id as anchor, primary position, organisation, cost centre, manager, contact, dates, status', async () => {
    const e = await emulator();
    e.hire({ employeeId: '1001', firstName: 'Grace', lastName: 'Hopper', email: 'grace@acme.test', phone: '+1 555 0100', hireDate: '2019-04-01' });
    e.hire({
      employeeId: '1002',
      firstName: 'Ada',
      lastName: 'Lovelace',
      preferredName: 'Ada L.',
      email: 'ada@acme.test',
      hireDate: '2021-09-15',
      positions: [{ id: 'P-77', title: 'Staff Engineer', jobProfile: 'Software Engineer IV', organization: 'Platform', organizationId: 'SUP-PLT', costCenter: 'CC-210 Platform', costCenterId: 'CC-210', company: 'Acme Inc.', location: 'London', managerId: '1001', primary: true }],
    });
    const { objects, last } = await collect(connector(e).fullImport('worker'));
    expect(last.complete).toBe(true);
    expect(last.watermark).toBeUndefined(); // no delta prompts configured: nothing to resume from
    expect(byId(objects).get('1002')).toEqual({
      externalId: '1002',
      enabled: true,
      attributes: {
        employeeId: '1002',
        workdayId: e.workers[1]!.wid,
        workerType: 'Employee',
        firstName: 'Ada',
        lastName: 'Lovelace',
        preferredName: 'Ada L.',
        workEmail: 'ada@acme.test',
        positionId: 'P-77',
        title: 'Staff Engineer',
        jobProfile: 'Software Engineer IV',
        organization: 'Platform',
        organizationId: 'SUP-PLT',
        costCenter: 'CC-210 Platform',
        costCenterId: 'CC-210',
        company: 'Acme Inc.',
        location: 'London',
        managerId: '1001',
        hireDate: '2021-09-15',
        active: true,
        accountEnabled: true,
      },
    });
    expect(byId(objects).get('1001')!.attributes.workPhone).toBe('+1 555 0100');
    expect(e.reportQueries.at(-1)!.get('format')).toBe('json');
  });

  it('imports a future-dated hire (with the report prompt) and a future-dated termination with their dates', async () => {
    const e = await emulator();
    e.hire({ employeeId: '2001', hireDate: '2026-03-16' }); // starts in two weeks
    e.hire({ employeeId: '2002', hireDate: '2020-01-06', terminationDate: '2026-03-31' }); // leaving at month end
    e.hire({ employeeId: '2003', hireDate: '2020-01-06', terminationDate: '2026-02-27' }); // already gone
    const without = await collect(connector(e).fullImport('worker'));
    expect(without.objects.map((o) => o.externalId).sort()).toEqual(['2002', '2003']);
    const { objects } = await collect(connector(e, { prompts: { Include_Future_Hires: '1' } }).fullImport('worker'));
    const workers = byId(objects);
    expect(workers.get('2001')!.attributes).toMatchObject({ hireDate: '2026-03-16', active: false, accountEnabled: false });
    expect(workers.get('2001')!.enabled).toBe(false);
    expect(workers.get('2002')!.attributes).toMatchObject({ terminationDate: '2026-03-31', active: true, accountEnabled: true });
    expect(workers.get('2003')!.attributes).toMatchObject({ terminationDate: '2026-02-27', active: false, accountEnabled: false });
    expect(workers.get('2003')!.deleted).toBeUndefined(); // terminated is disabled, not deleted
  });

  it('a rehire is the same worker (same anchor), employed again, with the earlier termination set aside', async () => {
    const e = await emulator();
    e.hire({ employeeId: '3001', hireDate: '2018-05-01', terminationDate: '2024-06-30' });
    const before = byId((await collect(connector(e).fullImport('worker'))).objects).get('3001')!;
    expect(before.attributes).toMatchObject({ terminationDate: '2024-06-30', accountEnabled: false });
    e.rehire('3001', '2026-02-02');
    const after = byId((await collect(connector(e).fullImport('worker'))).objects).get('3001')!;
    expect(after.externalId).toBe('3001');
    expect(after.attributes).toMatchObject({ hireDate: '2026-02-02', originalHireDate: '2018-05-01', accountEnabled: true });
    expect(after.attributes.terminationDate).toBeUndefined();
  });

  it('reads the primary position of a report that groups positions', async () => {
    const e = await emulator({ groupedPositions: true });
    e.hire({
      employeeId: '4001',
      hireDate: '2022-01-10',
      positions: [
        { id: 'P-1', title: 'Teaching Assistant', organization: 'Academy', managerId: '9', primary: false },
        { id: 'P-2', title: 'Data Engineer', organization: 'Data', costCenter: 'CC-300 Data', managerId: '1001', primary: true },
      ],
    });
    const grouped = (await collect(connector(e, { positions: { group: 'Positions', primary: 'Primary_Position' } }).fullImport('worker'))).objects[0]!;
    expect(grouped.attributes).toMatchObject({ positionId: 'P-2', title: 'Data Engineer', organization: 'Data', costCenter: 'CC-300 Data', managerId: '1001' });
    const first = (await collect(connector(e, { positions: { group: 'Positions' } }).fullImport('worker'))).objects[0]!;
    expect(first.attributes).toMatchObject({ positionId: 'P-1', managerId: '9' });
  });

  it('reads columns under other names', async () => {
    const e = await emulator();
    e.hire({ employeeId: '5001', hireDate: '2022-01-10', email: 'x@acme.test' });
    const { objects } = await collect(connector(e, { columns: { workEmail: 'Worker_WID', employeeId: 'Primary_Work_Email' } }).fullImport('worker'));
    expect(objects[0]!.externalId).toBe('x@acme.test');
    expect(objects[0]!.attributes.workEmail).toBe(e.workers[0]!.wid);
  });
});

describe('workday: delta through the "changed since" prompts', () => {
  it('asks for the window since the last read less the overlap, reads only what changed, and moves the watermark', async () => {
    const e = await emulator();
    e.setClock('2026-03-02T08:00:00.000Z');
    e.hire({ employeeId: '6001', hireDate: '2020-01-01' });
    e.hire({ employeeId: '6002', hireDate: '2020-01-01' });
    const delta = { from: 'Updated_From', through: 'Updated_Through', overlap: '2m' };
    const full = await collect(connector(e, { delta }).fullImport('worker'));
    expect(full.last.watermark).toBe(JSON.stringify({ through: NOW.toISOString() }));
    expect(full.last.complete).toBe(true);
    expect(e.reportQueries.at(-1)!.has('Updated_From')).toBe(false);

    e.setClock('2026-03-02T10:00:00.000Z');
    e.terminate('6002', '2026-03-31');
    const later = new Date('2026-03-02T11:00:00.000Z');
    const { objects, last } = await collect(connector(e, { delta }, {}, { now: () => later }).deltaImport('worker', full.last.watermark!));
    expect(objects.map((o) => o.externalId)).toEqual(['6002']);
    expect(objects[0]!.attributes.terminationDate).toBe('2026-03-31');
    expect(last.complete).toBeUndefined();
    expect(last.watermark).toBe(JSON.stringify({ through: later.toISOString() }));
    const query = e.reportQueries.at(-1)!;
    expect(query.get('Updated_From')).toBe('2026-03-02T08:58:00.000+00:00');
    expect(query.get('Updated_Through')).toBe('2026-03-02T11:00:00.000+00:00');
  });

  it('reads everything when the watermark is not its own, and without delta prompts', async () => {
    const e = await emulator();
    e.hire({ employeeId: '7001', hireDate: '2020-01-01' });
    const withDelta = connector(e, { delta: { from: 'Updated_From' } });
    expect(withDelta.capabilities('worker').delta).toBe(true);
    const fallback = await collect(withDelta.deltaImport('worker', '{"newest": 5}'));
    expect(fallback.last.complete).toBe(true);
    expect(logs.text()).toContain('watermark-unreadable');
    const plain = connector(e);
    expect(plain.capabilities('worker')).toMatchObject({ delta: false, export: false });
    expect((await collect(plain.deltaImport('worker', '{"through":"2026-01-01T00:00:00Z"}'))).last.complete).toBe(true);
  });
});

describe('workday: authentication', () => {
  it('OAuth2 refresh token: one grant for several reads, a fresh one after the report refuses the token', async () => {
    const e = await emulator({ auth: 'oauth2' });
    e.hire({ employeeId: '8001', hireDate: '2020-01-01' });
    const c = connector(e);
    await collect(c.fullImport('worker'));
    await collect(c.fullImport('worker'));
    expect(e.tokensIssued).toBe(1);
    e.revokeTokens();
    const { objects } = await collect(c.fullImport('worker'));
    expect(objects).toHaveLength(1);
    expect(e.tokensIssued).toBe(2);
    const tokenCalls = e.log.filter((r) => r.path.includes('/oauth2/'));
    expect(tokenCalls.every((r) => r.authorization === `Basic ${Buffer.from(`${e.clientId}:${e.clientSecret}`).toString('base64')}`)).toBe(true);
  });

  it('a refused refresh token is a clear error that names what to check and shows no secret', async () => {
    const e = await emulator({ auth: 'oauth2' });
    const c = createWorkdayConnector(
      connectorContext('workday', 'workday', {
        connection: { baseUrl: e.baseUrl, auth: { type: 'oauth2', tokenUrl: e.tokenUrl, clientId: e.clientId, clientSecret: '{{secret:s}}', refreshToken: '{{secret:r}}' } },
        objectTypes: { worker: { report: `${e.owner}/${e.report}` } },
      }, { s: e.clientSecret, r: 'a-stale-refresh-token-0042' }),
      { sleep: async () => {} },
    );
    open.push(c);
    const error = await rejectionOf(collect(c.fullImport('worker')));
    expect(error.message).toMatch(/refreshToken/);
    expect(error.message).not.toContain('a-stale-refresh-token-0042');
    expect(error.message).not.toContain(e.clientSecret);
  });

  it('a wrong ISU password: Unauthorized with advice, and check() reports it', async () => {
    const e = await emulator();
    const c = createWorkdayConnector(
      connectorContext('workday', 'workday', { connection: { baseUrl: e.baseUrl, auth: { type: 'basic', username: e.isuUser, password: '{{secret:p}}' } }, objectTypes: { worker: { report: `${e.owner}/${e.report}` } } }, { p: 'wrong-password-77' }),
      { sleep: async () => {} },
    );
    open.push(c);
    const result = await c.check();
    expect(result.ok).toBe(false);
    expect(result.error).toMatchObject({ code: 'Unauthorized' });
    expect(result.error!.message).toMatch(/integration system user/);
    expect(result.error!.message).not.toContain('wrong-password-77');
  });
});

describe('workday: check, errors and what it refuses', () => {
  it('check runs the report once: reachable, authenticated, workers counted, timed', async () => {
    const e = await emulator();
    for (let i = 0; i < 3; i++) e.hire({ employeeId: `90${i}`, hireDate: '2020-01-01' });
    const before = e.requests;
    const result = await connector(e).check();
    expect(result).toMatchObject({ ok: true, objectTypes: { worker: { count: 3 } } });
    expect(result.server).toMatch(/^Workday RaaS 127\.0\.0\.1:\d+$/);
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(e.requests - before).toBe(1);
  });

  it('an unknown report is NotFound with advice; a body without Report_Entry is MalformedResponse', async () => {
    const e = await emulator();
    const missing = await rejectionOf(collect(connector(e, { report: `${e.owner}/No_Such_Report` }).fullImport('worker')));
    expect(missing.code).toBe('NotFound');
    expect(missing.message).toMatch(/enabled as a web service/);
    e.inject({ path: /customreport2/, status: 200, body: { Report_Data: [] } });
    const malformed = await rejectionOf(collect(connector(e).fullImport('worker')));
    expect(malformed.code).toBe('MalformedResponse');
    expect(malformed.message).toMatch(/Report_Entry/);
  });

  it('holds back a worker whose date or Active value cannot be read, and skips rows without an employee id', async () => {
    const e = await emulator();
    e.inject({
      path: /customreport2/,
      status: 200,
      body: { Report_Entry: [{ Employee_ID: '1', Hire_Date: '2020-01-01', Active: '1' }, { Employee_ID: '2', Hire_Date: '01/02/2020' }, { Employee_ID: '3', Active: 'maybe' }, { First_Name: 'nobody' }, { Employee_ID: '1', Hire_Date: '2021-01-01' }] },
    });
    const { objects, last } = await collect(connector(e).fullImport('worker'));
    expect(objects.map((o) => o.externalId)).toEqual(['1']);
    expect(objects[0]!.attributes.hireDate).toBe('2020-01-01'); // the first row of a repeated worker is kept
    expect(last.rejected).toEqual([
      { externalId: '2', reason: 'worker 2: column Hire_Date is "01/02/2020", not a date (YYYY-MM-DD)' },
      { externalId: '3', reason: 'worker 3: column Active is "maybe", not a boolean (1/0, true/false)' },
    ]);
    expect(logs.text()).toMatch(/1 report entries had no Employee_ID/);
    expect(logs.text()).toMatch(/repeat a worker already read \(1\)/);
  });

  it('retries a 503 with Retry-After, and refuses writes and other object types', async () => {
    const e = await emulator();
    e.hire({ employeeId: '10', hireDate: '2020-01-01' });
    e.inject({ path: /customreport2/, status: 503, headers: { 'Retry-After': '1' }, body: { error: 'maintenance' } });
    const c = connector(e);
    expect((await collect(c.fullImport('worker'))).objects).toHaveLength(1);
    expect((await rejectionOf(c.export('worker', []))).code).toBe('NotSupported');
    expect((await rejectionOf(Promise.resolve().then(() => c.fullImport('user')))).code).toBe('UnknownObjectType');
  });

  it('accepts Workday XML-style dates with a zone suffix and numbers as ids', async () => {
    const e = await emulator();
    e.inject({ path: /customreport2/, status: 200, body: { Report_Entry: [{ Employee_ID: 4711, Hire_Date: '2026-05-04-07:00', Termination_Date: '2027-01-31Z', Active: false }] } });
    const { objects } = await collect(connector(e).fullImport('worker'));
    expect(objects[0]).toMatchObject({ externalId: '4711', attributes: { hireDate: '2026-05-04', terminationDate: '2027-01-31', active: false, accountEnabled: false } });
  });
});
