import { afterEach, describe, expect, it } from 'vitest';
import { explain } from '../../src/engine/explain.js';
import { retryDelay } from '../../src/engine/exporter.js';
import { conflictEntries, statusReport } from '../../src/engine/report-data.js';
import type { ExportChange, ExportSession, IdentityConnector, StagedObject } from '../../src/connectors/sdk.js';
import { memoryConnector, MemorySystem } from '../fixtures/memory-connector.js';
import { appended, connector, csvConnector as csvConnectorDocument, flowRule, HR_INFLOWS, HR_PERSON, mesh, pick, projection, type Spec } from '../fixtures/config-yaml.js';
import { csvConnector, harness, MESH, type Harness } from './harness.js';

const HR_FLOW = appended(
  flowRule('hr-to-person', {
    source: 'hr/user',
    join: { employee_id: 'employeeId' },
    provision: true,
    attributes: { ...pick(HR_INFLOWS, 'employeeId', 'firstName', 'lastName', 'displayName', 'email', 'department'), active: ['active', 100] },
  }),
);

const APPS_PROJECTION = (drift = 'enforce', scope?: Spec) =>
  appended(
    projection('person-to-apps', {
      target: 'apps/account',
      before: scope ? { scope } : {},
      attributes: { account_id: '{{employeeId}}', email: '{{email}}', department: '{{department}}' },
      after: { enabled: '{{active}}', onRemove: 'disable', drift },
    }),
  );

/** Person i's HR row (employee E1000 + i). */
function personRow(i: number, department = 'Sales'): StagedObject['attributes'] {
  return { employee_id: `E${1000 + i}`, first_name: `First${i}`, last_name: `Last${i}`, email: `p${i}@example.com`, department, active: 'true' };
}

function people(hr: MemorySystem, n: number, department = 'Sales'): void {
  for (let i = 1; i <= n; i++) hr.put('user', `E${1000 + i}`, personRow(i, department), { enabled: true });
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function setup(extraYaml = '', drift = 'enforce', scope?: Spec, meshYaml = MESH) {
  const hr = new MemorySystem('key', 'employee_id');
  const apps = new MemorySystem('key', 'account_id');
  const yaml = meshYaml + csvConnector('hr', 'user', 'employee_id', { isActiveColumn: 'active' }) + csvConnector('apps', 'account', 'account_id', { isActiveColumn: 'is_active' }) + HR_FLOW + APPS_PROJECTION(drift, scope) + extraYaml;
  /** The harness over these systems (HR rows marked inactive are deleted source objects); `systems` replace or add connectors. */
  const start = (systems: Record<string, IdentityConnector> = {}) => harness(yaml, { hr: memoryConnector(hr, { inactiveMeansDeleted: true }), apps: memoryConnector(apps), ...systems });
  return { hr, apps, yaml, start };
}

describe('a reconcile cycle', () => {
  it('provisions, exports, and a re-plan after applying is empty', async () => {
    const { hr, apps, start } = await setup();
    people(hr, 3);
    h = await start();
    const first = await h.cycle();
    expect(first.result).toBe('succeeded');
    expect(apps.rows('account').map((r) => r.externalId).sort()).toEqual(['E1001', 'E1002', 'E1003']);
    expect(apps.get('account', 'E1001')?.attributes).toMatchObject({ email: 'p1@example.com', department: 'Sales' });

    const replan = await h.cycle({ plan: true, full: true });
    expect(replan.plans.reduce((n, p) => n + p.changes.size, 0)).toBe(0);
    const before = apps.exports.length;
    const second = await h.cycle();
    expect(second.plans.reduce((n, p) => n + p.changes.size, 0)).toBe(0);
    expect(apps.exports.length).toBe(before);
  });

  it('imports every declared object type, also one no rule reads yet, so status counts it and a later rule needs no re-import', async () => {
    const { hr, apps } = await setup();
    people(hr, 2);
    hr.put('department', 'D1', { code: 'D1', name: 'Sales' });
    hr.put('department', 'D2', { code: 'D2', name: 'Engines' });
    const twoTypes = appended(
      csvConnectorDocument('hr', {
        user: { file: '/tmp/imesh-test-hr.csv', externalIdColumn: 'employee_id', isActiveColumn: 'active' },
        department: { file: '/tmp/imesh-test-hr-departments.csv', externalIdColumn: 'code' },
      }),
    );
    const yaml = MESH + twoTypes + csvConnector('apps', 'account', 'account_id', { isActiveColumn: 'is_active' }) + HR_FLOW + APPS_PROJECTION();
    h = await harness(yaml, { hr: memoryConnector(hr, { inactiveMeansDeleted: true }), apps: memoryConnector(apps) });
    const first = await h.cycle({ full: true });
    expect(first.result).toBe('succeeded');
    expect(first.imports.find((i) => i.connector === 'hr' && i.objectType === 'department')).toMatchObject({ read: 2 });
    const counts = await h.db.query<{ n: number }>(`SELECT CAST(count(*) AS integer) AS n FROM cs_object WHERE connector = 'hr' AND object_type = 'department' AND NOT deleted`);
    expect(counts[0]?.n).toBe(2);
    expect(apps.rows('account')).toHaveLength(2); // the rest of the cycle is as before
  });

  it('status counts each type\'s live objects and, for a target, the live objects no link manages', async () => {
    const { hr, apps, start } = await setup();
    people(hr, 3);
    apps.put('account', 'X1', { account_id: 'X1', email: 'x1@example.com' }, { enabled: true });
    apps.put('account', 'X2', { account_id: 'X2', email: 'x2@example.com' }, { enabled: true });
    h = await start();
    const counted = async (outcome: Awaited<ReturnType<Harness['cycle']>>) => {
      const status = await statusReport(h!.db, { config: h!.config, revision: 'test', lastAppliedRevision: 'test', lastAttemptedRevision: 'test', outcome, now: new Date().toISOString() });
      const of = (name: string) => status.connectors.find((c) => c.name === name)!;
      return { hr: of('hr').objectTypes.user!.count, apps: of('apps').objectTypes.account!.count, hrUnmanaged: of('hr').unmanaged, appsUnmanaged: of('apps').unmanaged, mesh: status.meshObjects };
    };
    const first = await h.cycle();
    expect(first.result).toBe('succeeded');
    // hr's objects are many, but hr is no target: it shows no unmanaged count.
    expect(await counted(first)).toEqual({ hr: 3, apps: 5, hrUnmanaged: undefined, appsUnmanaged: 2, mesh: { person: 3 } });
    apps.remove('account', 'X2');
    const full = await h.cycle({ full: true });
    expect(await counted(full)).toEqual({ hr: 3, apps: 4, hrUnmanaged: undefined, appsUnmanaged: 1, mesh: { person: 3 } });
    apps.remove('account', 'X1');
    const none = await h.cycle({ full: true });
    // None left: no count, as for a connector that was never a target.
    expect(await counted(none)).toEqual({ hr: 3, apps: 3, hrUnmanaged: undefined, appsUnmanaged: undefined, mesh: { person: 3 } });
  });

  it('plan writes nothing to targets and leaves the store as it was', async () => {
    const { hr, apps, start } = await setup();
    people(hr, 2);
    h = await start();
    const plan = await h.cycle({ plan: true });
    expect(plan.plans[0]?.changes.list().map((c) => c.change.op)).toEqual(['create', 'create']);
    expect(apps.exports).toEqual([]);
    const mesh = await h.db.query<{ n: number }>('SELECT CAST(count(*) AS integer) AS n FROM mesh_object');
    expect(mesh[0]?.n).toBe(0);
  });

  it('updates only the attributes that differ, and disables a leaver', async () => {
    const { hr, apps, start } = await setup();
    people(hr, 3);
    h = await start();
    await h.cycle();
    apps.exports = [];
    hr.put('user', 'E1002', { ...hr.get('user', 'E1002')!.attributes, department: 'Support' }, { enabled: true });
    hr.put('user', 'E1003', { ...hr.get('user', 'E1003')!.attributes, active: 'false' }, { enabled: false });
    const outcome = await h.cycle();
    expect(outcome.result).toBe('succeeded');
    const ops = apps.exports.map((c) => `${c.op}:${'externalId' in c ? c.externalId : ''}`).sort();
    expect(ops).toEqual(['disable:E1003', 'update:E1002']);
    const update = apps.exports.find((c) => c.op === 'update');
    expect(update && 'attributes' in update ? Object.keys(update.attributes) : []).toEqual(['department']);
    expect(apps.get('account', 'E1003')?.enabled).toBe(false);
    expect(apps.get('account', 'E1003')).toBeDefined();
  });

  it('blocks every export to a connector when the delete threshold trips, and --allow-deletes lets them through', async () => {
    const { hr, apps, start } = await setup('', 'enforce', { attribute: 'department', in: ['Sales', 'Legal'] });
    people(hr, 12);
    h = await start();
    await h.cycle();
    apps.exports = [];
    for (let i = 1; i <= 6; i++) {
      const id = `E${1000 + i}`;
      hr.put('user', id, { ...hr.get('user', id)!.attributes, department: 'Contractors' }, { enabled: true });
    }
    hr.put('user', 'E1012', { ...hr.get('user', 'E1012')!.attributes, department: 'Legal' }, { enabled: true });
    const blocked = await h.cycle({ allowDeletes: 5 });
    expect(blocked.result).toBe('blocked');
    expect(blocked.gates.map((g) => g.gate)).toEqual(['maxDeletes']);
    expect(blocked.gates[0]?.message).toMatch(/6 deletes\/disables pending, more than safety.maxDeletes \(5\)/);
    expect(apps.exports).toEqual([]);
    const again = await h.cycle();
    expect(again.result).toBe('blocked');
    expect(apps.exports).toEqual([]);
    const allowed = await h.cycle({ allowDeletes: 6 });
    expect(allowed.result).toBe('succeeded');
    expect(apps.exports.filter((c) => c.op === 'disable')).toHaveLength(6);
    expect(apps.exports.filter((c) => c.op === 'update')).toHaveLength(1);
  });

  it('refuses a source import that would delete more than the thresholds allow', async () => {
    const { hr, apps, start } = await setup();
    people(hr, 12);
    h = await start();
    await h.cycle();
    apps.exports = [];
    for (let i = 1; i <= 6; i++) {
      const id = `E${1000 + i}`;
      hr.put('user', id, { ...hr.get('user', id)!.attributes, active: 'false' }, { enabled: false });
    }
    const blocked = await h.cycle();
    expect(blocked.gates.map((g) => g.gate)).toEqual(['importGuard']);
    expect(apps.exports).toEqual([]);
    const allowed = await h.cycle({ allowDeletes: 6 });
    expect(allowed.result).toBe('succeeded');
    expect(apps.exports.filter((c) => c.op === 'disable')).toHaveLength(6);
  });

  it('judges a delta read that adds and deletes against the live count before the read', async () => {
    const { hr, start } = await setup();
    people(hr, 4);
    const base = memoryConnector(hr, { inactiveMeansDeleted: true });
    let delta: StagedObject[] | undefined;
    const withTombstones: IdentityConnector = {
      ...base,
      deltaImport: (type, watermark) =>
        delta
          ? (async function* () {
              yield { objects: delta, watermark: String(hr.version) };
            })()
          : base.deltaImport(type, watermark),
    };
    h = await start({ hr: withTombstones });
    await h.cycle();
    const person = (i: number): StagedObject => ({ externalId: `E${1000 + i}`, attributes: personRow(i), enabled: true });
    const gone = (i: number): StagedObject => ({ externalId: `E${1000 + i}`, attributes: {}, deleted: true });
    // Six people arrive (one read twice) and three of the four leave: 3 of 4 (75 %) is over the 50 %
    // limit, though 3 of the 7 left after the read (43 %) would not be.
    delta = [5, 6, 7, 8, 9, 10, 5].map(person).concat([{ ...person(1), attributes: { ...person(1).attributes, title: 'Lead' } }, gone(1), gone(2), gone(3)]);
    const blocked = await h.cycle();
    expect(blocked.gates.map((g) => g.gate)).toEqual(['importGuard']);
    expect(blocked.gates[0]?.message).toContain('the import would delete 3 of 4 objects (75.0%)');
    const live = await h.db.query<{ n: number }>("SELECT CAST(count(*) AS integer) AS n FROM cs_object WHERE connector = 'hr' AND NOT deleted");
    expect(live[0]?.n).toBe(4);
  });

  it('refuses an import that returns nothing instead of deleting everyone', async () => {
    const { hr, apps, start } = await setup();
    people(hr, 4);
    h = await start();
    await h.cycle();
    hr.tables.get('user')!.clear();
    const outcome = await h.cycle({ full: true });
    expect(outcome.result).toBe('blocked');
    expect(outcome.gates[0]?.gate).toBe('importGuard');
    const live = await h.db.query<{ n: number }>('SELECT CAST(count(*) AS integer) AS n FROM mesh_object WHERE NOT deleted');
    expect(live[0]?.n).toBe(4);
    expect(apps.rows('account').every((r) => r.enabled !== false)).toBe(true);
  });

  it('reports equal-confidence conflicts, resolves them by rule name, and explains provenance', async () => {
    const { hr, apps, start } = await setup(
      csvConnector('crm', 'contact', 'contact_id') +
        appended(flowRule('crm-to-person', { source: 'crm/contact', join: { emp: 'employeeId' }, attributes: { email: ['mail', 70], department: ['dept', 40] } })),
    );
    people(hr, 2);
    const crm = new MemorySystem('key', 'contact_id');
    crm.put('contact', 'C1', { contact_id: 'C1', emp: 'E1001', mail: 'ada@crm.example.com', dept: 'Marketing' });
    h = await start({ crm: memoryConnector(crm) });
    await h.cycle();
    const conflicts = await conflictEntries(h.db);
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({ kind: 'attribute', attribute: 'email', winner: { value: 'ada@crm.example.com', rule: 'crm-to-person' } });
    const explanation = await explain(h.db, h.config, 'person', 'E1001', 'department');
    expect(explanation.attributes[0]?.value).toBe('Sales');
    expect(explanation.attributes[0]?.winner).toMatchObject({ rule: 'hr-to-person', connector: 'hr', externalId: 'E1001', confidence: 90 });
    expect(explanation.attributes[0]?.losers[0]).toMatchObject({ value: 'Marketing', rule: 'crm-to-person', confidence: 40 });
  });

  it('holds back an ambiguous join instead of guessing', async () => {
    const { hr, apps, start } = await setup(
      csvConnector('crm', 'contact', 'contact_id') +
        appended(flowRule('crm-to-person', { source: 'crm/contact', join: { dept: 'department' }, attributes: { title: ['title', 50] } })),
    );
    people(hr, 2);
    const crm = new MemorySystem('key', 'contact_id');
    crm.put('contact', 'C9', { contact_id: 'C9', dept: 'sales', title: 'Boss' });
    h = await start({ crm: memoryConnector(crm) });
    await h.cycle();
    const conflicts = await conflictEntries(h.db);
    expect(conflicts.map((c) => c.kind)).toEqual(['ambiguousJoin']);
    expect(conflicts[0]?.reason).toMatch(/matches 2 person objects/);
    const links = await h.db.query('SELECT * FROM source_link WHERE connector = $1', ['crm']);
    expect(links).toEqual([]);
  });

  it('a join key on a later page of a rule finds the object an earlier page provisioned (pages begun beside a commit check what they read)', async () => {
    const { hr, start } = await setup();
    // More than one sync page (5,000): the last object repeats the first one's employee id.
    for (let i = 1; i <= 5001; i++) {
      const id = `E${10000 + i}`;
      const employeeId = i === 5001 ? 'E10001' : id;
      hr.put('user', id, { employee_id: employeeId, first_name: `First${i}`, last_name: `Last${i}`, email: `p${i}@example.com`, department: 'Sales', active: 'true' }, { enabled: true });
    }
    h = await start();
    const result = await h.cycle();
    expect(result.syncs[0]).toMatchObject({ processed: 5001, provisioned: 5000, ambiguous: 1 });
    expect(await h.db.query('SELECT CAST(count(*) AS integer) AS n FROM mesh_object')).toEqual([{ n: 5000 }]);
    const conflicts = await conflictEntries(h.db);
    expect(conflicts.map((c) => c.kind)).toEqual(['ambiguousJoin']);
    expect(conflicts[0]?.reason).toMatch(/already joined to another hr\/user object/);
    const keys = await h.db.query<{ mesh_id: string }>("SELECT mesh_id FROM mesh_key WHERE value = 'e10001'");
    expect(keys).toHaveLength(1);
  });

  it('corrects drift under enforce and only reports it under report', async () => {
    for (const mode of ['enforce', 'report'] as const) {
      const { hr, apps, start } = await setup('', mode);
      people(hr, 1);
      h = await start();
      await h.cycle();
      apps.put('account', 'E1001', { ...apps.get('account', 'E1001')!.attributes, email: 'hacked@example.com' }, { enabled: true });
      const outcome = await h.cycle();
      expect(outcome.drift).toHaveLength(1);
      expect(outcome.drift[0]).toMatchObject({ attribute: 'email', desired: 'p1@example.com', actual: 'hacked@example.com' });
      const rows = await h.db.query<{ action: string }>('SELECT action FROM drift');
      expect(rows.map((r) => r.action)).toEqual([mode === 'enforce' ? 'corrected' : 'reported']);
      expect(apps.get('account', 'E1001')?.attributes.email).toBe(mode === 'enforce' ? 'p1@example.com' : 'hacked@example.com');
      await h.close();
      h = undefined;
    }
  });

  it('finishes the work of a cycle interrupted between import and export, without duplicates', async () => {
    const { hr, apps, start } = await setup();
    people(hr, 3);
    h = await start();
    const { runCycle } = await import('../../src/engine/cycle.js');
    const { logger } = await import('../../src/shared/logger.js');
    const interrupted = await runCycle(h.db, h.config, {
      kind: 'delta',
      mode: 'reconcile',
      revision: 'test',
      log: logger(),
      mayExport: () => false,
      openConnector: async (model) => h!.connectors[model.name]!,
    });
    expect(interrupted.plans[0]?.changes.size).toBe(3);
    expect(apps.exports).toEqual([]);
    const next = await h.cycle();
    expect(next.result).toBe('succeeded');
    expect(apps.exports.filter((c) => c.op === 'create')).toHaveLength(3);
    await h.cycle();
    expect(apps.exports.filter((c) => c.op === 'create')).toHaveLength(3);
  });

  it('marks cycles a killed process left running as interrupted when the next reconcile starts', async () => {
    const { hr, apps, start } = await setup();
    people(hr, 2);
    h = await start();
    const { recentCycles } = await import('../../src/engine/tables/cycles.js');
    // What kill -9 mid-cycle leaves behind: the cycle's row, committed when it started, still `running`.
    await h.db.query(`INSERT INTO cycle (id, kind, mode, revision, result) VALUES ($1, 'delta', 'reconcile', 'killed', 'running')`, [await h.db.dialect.nextval(h.db, 'cycle_id_seq')]);
    await h.cycle({ plan: true });
    expect((await recentCycles(h.db)).map((c) => c.result)).toEqual(['running']); // a plan never marks it
    expect((await h.cycle()).result).toBe('succeeded');
    // Only a store with one writer knows the running cycle is dead; on a PostgreSQL store another
    // replica may be running it (the controller's leader marks it there).
    const left = h.db.kind === 'embedded' ? 'interrupted' : 'running';
    const cycles = await recentCycles(h.db);
    expect(cycles.map((c) => [c.revision, c.result])).toEqual([
      ['test', 'succeeded'],
      ['killed', left],
    ]);
    expect((await h.cycle()).result).toBe('succeeded');
    expect((await recentCycles(h.db)).map((c) => c.result)).toEqual(['succeeded', 'succeeded', left]);
  });

  it('retries an object whose export failed on the next cycle without holding back the rest', async () => {
    const { hr, apps, start } = await setup();
    people(hr, 3);
    apps.failExports = (change) => (change.op === 'create' && change.key === 'E1002' ? 'duplicate email' : undefined);
    h = await start();
    const first = await h.cycle();
    expect(first.result).toBe('failed');
    expect(apps.rows('account').map((r) => r.externalId).sort()).toEqual(['E1001', 'E1003']);
    apps.failExports = undefined;
    const second = await h.cycle();
    expect(second.result).toBe('succeeded');
    expect(apps.rows('account').map((r) => r.externalId).sort()).toEqual(['E1001', 'E1002', 'E1003']);
  });
});

describe('failed exports: retried with backoff, within a limit', () => {
  /** The Mesh with `spec.exportRetry`; a backoff of 1 ms keeps the retries inside a cycle quick. */
  const retrying = (exportRetry: Spec) => mesh({ person: HR_PERSON }, { safety: { maxDeletes: 5, maxDeletePercent: 50 }, spec: { exportRetry } });

  /** Two people; E1002's create fails as `failure` says. `sent()` counts the tries of E1002's create. */
  async function failing(failure: string | { message: string; retryable: boolean; code?: string }, exportRetry: Spec = { backoff: '1ms' }) {
    const { hr, apps, start } = await setup('', 'enforce', undefined, retrying(exportRetry));
    people(hr, 2);
    let tries = 0;
    apps.failExports = (change) => (change.op === 'create' && change.key === 'E1002' ? (tries++, failure) : undefined);
    h = await start();
    const first = await h.cycle();
    expect(first.result).toBe('failed');
    return { hr, apps, first, sent: () => tries };
  }
  const attempts = async () => (await h!.db.query<{ attempts: number }>(`SELECT attempts FROM export_error WHERE projection = 'person-to-apps'`))[0]?.attempts;
  const status = async (outcome: Awaited<ReturnType<Harness['cycle']>>) =>
    (await statusReport(h!.db, { config: h!.config, revision: 'test', lastAppliedRevision: 'test', lastAttemptedRevision: 'test', outcome, now: new Date().toISOString() })).connectors.find((c) => c.name === 'apps')!;

  it('a non-retryable failure is sent once per cycle that plans it (its object changed, or a full cycle), never retried inside one; status says so', async () => {
    const { hr, sent } = await failing({ message: 'rejected', retryable: false, code: 'Forbidden' }, { backoff: '1ms', maxAttempts: 10 });
    expect(sent()).toBe(1); // not retried inside the cycle
    const quiet = await h!.cycle();
    expect(sent()).toBe(1); // nor by the next delta cycle
    expect(quiet.plans[0]!.changes.size).toBe(0);
    expect((await status(quiet)).conditions.find((c) => c.type === 'ExportErrors')!.message).toMatch(/1 not retryable: sent again when the object changes or on a full cycle/);
    hr.put('user', 'E1002', { ...hr.get('user', 'E1002')!.attributes, department: 'Legal' }, { enabled: true });
    await h!.cycle();
    expect(sent()).toBe(2); // the object changed: sent again (and failed again)
    expect(await attempts()).toBe(1); // a different change: its attempts count afresh
    await h!.cycle({ full: true });
    expect(sent()).toBe(3);
    expect(await attempts()).toBe(2); // the same change again
  });

  it('a change that failed in maxAttempts cycles is given up: reported with its code, not sent even by a full cycle, until its desired state changes or --retry-failed', async () => {
    const { hr, apps, sent } = await failing({ message: 'no permission to create accounts', retryable: false, code: 'Forbidden' }, { backoff: '1ms', maxAttempts: 3 });
    await h!.cycle({ full: true });
    await h!.cycle({ full: true });
    expect(sent()).toBe(3);
    expect(await attempts()).toBe(3);

    const givenUp = await h!.cycle({ full: true });
    expect(sent()).toBe(3); // not sent again
    expect(givenUp.plans[0]!.changes.size).toBe(0);
    expect(givenUp.givenUp).toEqual([expect.objectContaining({ projection: 'person-to-apps', connector: 'apps', object: 'E1002', op: 'create', code: 'Forbidden', attempts: 3 })]);
    expect(givenUp.exports.get('person-to-apps')).toMatchObject({ givenUp: 1, failed: 0 });
    const apps1 = await status(givenUp);
    expect(apps1.givenUpExports).toEqual([expect.objectContaining({ projection: 'person-to-apps', object: 'E1002', op: 'create', code: 'Forbidden', message: 'no permission to create accounts', attempts: 3 })]);
    expect(apps1.conditions.find((c) => c.type === 'ExportErrors')!.message).toMatch(/1 given up after 3 attempts: sent again when the desired state changes or after imesh reconcile --retry-failed/);
    const job = await h!.db.query<{ counts: string | Record<string, Record<string, number>> }>(`SELECT counts FROM cycle WHERE id = $1`, [givenUp.cycleId]);
    const counts = typeof job[0]!.counts === 'string' ? JSON.parse(job[0]!.counts) : job[0]!.counts;
    expect(counts.apps.givenUp).toBe(1);
    await h!.cycle();
    expect(sent()).toBe(3);

    // Its desired state changes: sent again, counted afresh.
    hr.put('user', 'E1002', { ...hr.get('user', 'E1002')!.attributes, department: 'Legal' }, { enabled: true });
    await h!.cycle();
    expect(sent()).toBe(4);
    expect(await attempts()).toBe(1);

    // Given up again; the operator fixed the permission and retries.
    await h!.cycle({ full: true });
    await h!.cycle({ full: true });
    expect((await h!.cycle({ full: true })).givenUp).toHaveLength(1);
    expect(sent()).toBe(6);
    apps.failExports = undefined;
    const retried = await h!.cycle({ retryFailed: true });
    expect(retried.result).toBe('succeeded');
    expect(retried.exports.get('person-to-apps')).toMatchObject({ created: 1, givenUp: 0 });
    expect(apps.rows('account').map((r) => r.externalId).sort()).toEqual(['E1001', 'E1002']);
    expect(await attempts()).toBeUndefined();
    expect((await status(retried)).givenUpExports).toBeUndefined();
  });

  it('a retryable failure is retried inside the cycle after a doubling backoff, and succeeds', async () => {
    const { hr, apps, start } = await setup('', 'enforce', undefined, retrying({ retries: 3, backoff: '1ms' }));
    people(hr, 2);
    h = await start();
    expect((await h.cycle()).result).toBe('succeeded');
    let tries = 0;
    apps.failExports = (change) => (change.op === 'update' && change.externalId === 'E1001' && ++tries <= 2 ? { message: 'service unavailable', retryable: true, code: 'ServerError' } : undefined);
    hr.put('user', 'E1001', { ...hr.get('user', 'E1001')!.attributes, department: 'Legal' }, { enabled: true });
    const outcome = await h.cycle();
    expect(outcome.result).toBe('succeeded');
    expect(tries).toBe(3); // failed twice, then went through, in one cycle
    expect(outcome.exports.get('person-to-apps')).toMatchObject({ updated: 1, failed: 0, retried: 2 });
    expect(apps.get('account', 'E1001')!.attributes.department).toBe('Legal');
    expect(await attempts()).toBeUndefined();
    // The delay before retry n: the backoff, doubled per retry, at most 30 s.
    expect([1, 2, 3, 4].map((n) => retryDelay(1000, n))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelay(1000, 10)).toBe(30_000);
  });

  it('a change refused because exports stopped (shutdown, lost leader lock) is no attempt: not retried inside the cycle, sent by the next one, never given up for it', async () => {
    const { apps, sent } = await failing({ message: 'not exported: this replica is shutting down', retryable: true, code: 'ExportPaused' }, { backoff: '1ms', maxAttempts: 1 });
    expect(sent()).toBe(1);
    expect(await attempts()).toBe(0);
    const next = await h!.cycle();
    expect(sent()).toBe(2); // due at once, although maxAttempts is 1
    expect(next.givenUp).toEqual([]);
    expect(await attempts()).toBe(0);
    apps.failExports = undefined;
    expect((await h!.cycle()).result).toBe('succeeded');
    expect(await attempts()).toBeUndefined();
  });

  it('a create is never retried inside the cycle (its outcome may be unknown): the next cycle sends it again', async () => {
    const { apps, sent } = await failing({ message: 'timed out', retryable: true, code: 'Timeout' });
    expect(sent()).toBe(1);
    apps.failExports = undefined;
    expect((await h!.cycle()).result).toBe('succeeded');
    expect(apps.rows('account').map((r) => r.externalId).sort()).toEqual(['E1001', 'E1002']);
  });

  it('a retryable failure is re-sent by the next cycles at once for the first attempts, then after a growing delay, and not after the limit', async () => {
    const { apps, sent } = await failing('rejected', { backoff: '1ms', maxAttempts: 10 });
    await h!.cycle();
    expect(sent()).toBe(2);
    expect(await attempts()).toBe(2);
    await h!.db.query(`UPDATE export_error SET attempts = 5, at = ${h!.db.dialect.now}`);
    await h!.cycle();
    expect(sent()).toBe(2); // backing off: 4 minutes after the fifth attempt
    await h!.db.query(`UPDATE export_error SET at = ${h!.db.dialect.ago(5 * 60)}`);
    await h!.cycle();
    expect(sent()).toBe(3);
    expect(await attempts()).toBe(6);
    await h!.db.query(`UPDATE export_error SET attempts = 10, at = ${h!.db.dialect.ago(24 * 3600)}`);
    await h!.cycle();
    await h!.cycle({ full: true });
    expect(sent()).toBe(3); // the limit: given up, also by a full cycle
    apps.failExports = undefined;
    expect((await h!.cycle({ retryFailed: true })).result).toBe('succeeded');
    expect(apps.rows('account').map((r) => r.externalId).sort()).toEqual(['E1001', 'E1002']);
    expect(await attempts()).toBeUndefined();
  });
});

describe('a target with export sessions', () => {
  /** The memory connector with a session: `add` queues, `commit` applies the queue in one export call. */
  function sessionConnector(system: MemorySystem, crash?: 'before-write' | 'after-write'): IdentityConnector & { commits: number } {
    const base = memoryConnector(system);
    const connector = {
      ...base,
      commits: 0,
      beginExport(type: string): ExportSession {
        const queued: ExportChange[] = [];
        return {
          add: (changes) => void queued.push(...changes),
          async commit() {
            connector.commits++;
            if (crash === 'before-write') throw new Error('process killed before the file was written');
            const results = await base.export(type, queued);
            if (crash === 'after-write') throw new Error('process killed after the file was written');
            return results;
          },
          abort: () => void queued.splice(0),
        };
      },
    };
    return connector;
  }

  it('sends a cycle\'s changes through one commit and records them only after it', async () => {
    const { hr, apps, start } = await setup();
    people(hr, 5);
    const target = sessionConnector(apps);
    h = await start({ apps: target });
    const first = await h.cycle();
    expect(first.result).toBe('succeeded');
    expect(target.commits).toBe(1);
    expect(apps.exportCalls).toBe(1);
    expect(first.exports.get('person-to-apps')).toMatchObject({ created: 5, failed: 0 });
    const links = await h.db.query<{ n: number }>(`SELECT CAST(count(*) AS integer) AS n FROM target_link WHERE projection = 'person-to-apps' AND external_id IS NOT NULL`);
    expect(links[0]!.n).toBe(5);
    const again = await h.cycle();
    expect(again.plans[0]!.changes.size).toBe(0);
    expect(target.commits).toBe(1);
  });

  it('records nothing as exported when the commit fails, and the next cycle exports it all', async () => {
    const { hr, apps, start } = await setup();
    people(hr, 3);
    const failing = sessionConnector(apps, 'before-write');
    h = await start({ apps: failing });
    const first = await h.cycle();
    expect(first.result).toBe('failed');
    expect(first.exports.get('person-to-apps')).toMatchObject({ created: 0, failed: 3 });
    expect(apps.rows('account')).toEqual([]);
    const links = await h.db.query<{ n: number }>(`SELECT CAST(count(*) AS integer) AS n FROM target_link WHERE projection = 'person-to-apps' AND external_id IS NOT NULL`);
    expect(links[0]!.n).toBe(0);
    const errors = await h.db.query<{ n: number }>(`SELECT CAST(count(*) AS integer) AS n FROM export_error WHERE projection = 'person-to-apps'`);
    expect(errors[0]!.n).toBe(3);
    h.connectors.apps = sessionConnector(apps);
    const second = await h.cycle();
    expect(second.result).toBe('succeeded');
    expect(apps.rows('account').map((r) => r.externalId).sort()).toEqual(['E1001', 'E1002', 'E1003']);
  });

  it('a crash after the target was written but before the commit returned: the next cycle adopts, never creates twice', async () => {
    const { hr, apps, start } = await setup();
    people(hr, 3);
    h = await start({ apps: sessionConnector(apps, 'after-write') });
    expect((await h.cycle()).result).toBe('failed');
    expect(apps.rows('account')).toHaveLength(3);
    const links = await h.db.query<{ n: number }>(`SELECT CAST(count(*) AS integer) AS n FROM target_link WHERE projection = 'person-to-apps' AND external_id IS NOT NULL`);
    expect(links[0]!.n).toBe(0);
    const healthy = sessionConnector(apps);
    h.connectors.apps = healthy;
    const next = await h.cycle();
    expect(next.result).toBe('succeeded');
    expect(apps.exports.filter((c) => c.op === 'create')).toHaveLength(3); // the three of the crashed commit only
    expect(apps.rows('account')).toHaveLength(3);
    expect((await h.cycle()).plans[0]!.changes.size).toBe(0);
  });
});

describe('driftCheck: reading a target without change tracking whole', () => {
  /** The apps system as a file-like target: no delta reads, and (optionally) reads by key. */
  function untracked(system: MemorySystem, byKey: boolean): IdentityConnector & { wholeReads: number; keyReads: string[][] } {
    const base = memoryConnector(system);
    const connector = {
      ...base,
      wholeReads: 0,
      keyReads: [] as string[][],
      capabilities: (type: string) => ({ ...base.capabilities(type), delta: false }),
      fullImport(type: string) {
        connector.wholeReads++;
        return base.fullImport(type);
      },
      ...(byKey
        ? {
            async *readObjects(type: string, ids: readonly string[]) {
              connector.keyReads.push([...ids].sort());
              yield { objects: system.rows(type).filter((o) => ids.includes(o.externalId)) };
            },
          }
        : {}),
    };
    return connector;
  }

  async function driftSetup(policy: string | undefined, byKey = true) {
    const { hr, apps, yaml } = await setup();
    people(hr, 3);
    const target = untracked(apps, byKey);
    const withPolicy = policy === undefined ? yaml : yaml.replace(/(metadata: \{ name: apps \}\nspec:\n)/, `$1  driftCheck: ${policy}\n`);
    expect(withPolicy.includes(`driftCheck: ${policy}`) || policy === undefined).toBe(true);
    h = await harness(withPolicy, { hr: memoryConnector(hr, { inactiveMeansDeleted: true }), apps: target });
    return { hr, apps, target };
  }

  const hack = (apps: MemorySystem) => apps.put('account', 'E1001', { ...apps.get('account', 'E1001')!.attributes, email: 'hacked@example.com' }, { enabled: true });

  it('full-only (the default): the first cycle reads the target whole, then reads back by key only what it exported; drift waits for a full cycle', async () => {
    const { hr, apps, target } = await driftSetup(undefined);
    await h!.cycle();
    expect(target.wholeReads).toBe(1); // never read before: read, so existing objects are adopted
    expect(target.keyReads).toEqual([['E1001', 'E1002', 'E1003']]);
    hack(apps);
    hr.put('user', 'E1002', { ...hr.get('user', 'E1002')!.attributes, department: 'Research' }, { enabled: true });
    const delta = await h!.cycle();
    expect(target.wholeReads).toBe(1);
    expect(target.keyReads.at(-1)).toEqual(['E1002']);
    expect(delta.drift).toEqual([]);
    expect(apps.get('account', 'E1001')?.attributes.email).toBe('hacked@example.com');
    const full = await h!.cycle({ full: true });
    expect(target.wholeReads).toBe(2);
    expect(full.drift).toHaveLength(1);
    expect(apps.get('account', 'E1001')?.attributes.email).toBe('p1@example.com');
    // status shows the policy of a target and when each type was last read whole
    const status = await statusReport(h!.db, { config: h!.config, revision: 'test', lastAppliedRevision: 'test', lastAttemptedRevision: 'test', outcome: full, now: new Date().toISOString() });
    const appsStatus = status.connectors.find((c) => c.name === 'apps')!;
    expect(appsStatus.driftCheck).toBe('full-only');
    expect(appsStatus.objectTypes.account!.lastWholeRead).toMatch(/^\d{4}-/);
    expect(status.connectors.find((c) => c.name === 'hr')!.driftCheck).toBeUndefined();
  });

  it('every-cycle: a delta cycle reads the target whole and corrects drift', async () => {
    const { apps, target } = await driftSetup('every-cycle');
    await h!.cycle();
    hack(apps);
    const delta = await h!.cycle();
    expect(h!.config.connectors.get('apps')!.driftCheck).toEqual({ kind: 'every-cycle' });
    expect(target.wholeReads).toBe(2);
    expect(delta.drift).toHaveLength(1);
    expect(apps.get('account', 'E1001')?.attributes.email).toBe('p1@example.com');
  });

  it('a duration: a delta cycle reads whole once the last whole read is older than that', async () => {
    const { apps, target } = await driftSetup('1h');
    await h!.cycle();
    hack(apps);
    expect((await h!.cycle()).drift).toEqual([]);
    expect(target.wholeReads).toBe(1);
    await h!.db.query(`UPDATE whole_read SET read_at = ${h!.db.dialect.ago(61 * 60)} WHERE connector = 'apps'`);
    expect((await h!.cycle()).drift).toHaveLength(1);
    expect(target.wholeReads).toBe(2);
    expect(apps.get('account', 'E1001')?.attributes.email).toBe('p1@example.com');
  });

  it('a read by key that fails part way fails the confirming import: the run says why, nothing it read is kept, and the next cycle confirms', async () => {
    const { apps, target } = await driftSetup(undefined);
    let failing = true;
    const base = target.readObjects!.bind(target);
    target.readObjects = async function* (type: string, ids: readonly string[]) {
      if (!failing) return yield* base(type, ids);
      // The read is asked in pages: the first arrives, the second fails.
      yield { objects: apps.rows(type).filter((o) => o.externalId === ids[0]) };
      throw new Error('apps: the connection was reset');
    };
    const first = await h!.cycle();
    expect(first.result).toBe('failed');
    expect(first.failures).toEqual([{ connector: 'apps', stage: 'import', message: 'confirming import: apps: the connection was reset' }]);
    const confirmed = await h!.db.query<{ n: number }>(`SELECT CAST(count(*) AS integer) AS n FROM cs_object WHERE connector = 'apps' AND changed_seq > $1`, [first.seq]);
    expect(confirmed[0]!.n).toBe(0);
    failing = false;
    apps.put('account', 'E1001', { ...apps.get('account', 'E1001')!.attributes, email: 'changed@example.com' }, { enabled: true });
    await h!.cycle({ full: true });
    expect(apps.get('account', 'E1001')?.attributes.email).toBe('p1@example.com');
    expect((await h!.cycle()).plans[0]!.changes.size).toBe(0);
  });

  it('a target that cannot read by key is confirmed by its usual import', async () => {
    const { target } = await driftSetup(undefined, false);
    await h!.cycle();
    expect(target.wholeReads).toBe(2); // the first read, and the confirming import
    expect((await h!.cycle()).plans[0]!.changes.size).toBe(0);
  });
});

describe('a directory target', () => {
  const DIR_PROJECTION = appended(
    projection('person-to-dir', {
      target: 'dir/user',
      before: { join: [{ target: 'employeeNumber', mesh: 'employeeId' }], container: 'OU={{department}},OU=Users,DC=example,DC=test', rdn: 'CN={{displayName}}' },
      attributes: { employeeNumber: '{{employeeId}}', mail: '{{email}}' },
      after: { enabled: '{{active}}', onRemove: 'disable' },
    }),
  );
  const DIR_CONNECTOR = appended(
    connector('dir', 'ldap', {
      connection: { url: 'ldap://127.0.0.1:3389', bindDn: 'cn=admin,dc=example,dc=test', bindPassword: '{{secret:dir-password}}', baseDn: 'dc=example,dc=test' },
      objectTypes: {
        user: {
          searchBase: 'ou=Users,dc=example,dc=test',
          filter: '(objectClass=inetOrgPerson)',
          attributes: ['cn', 'mail', 'employeeNumber'],
          objectClasses: ['top', 'person', 'organizationalPerson', 'inetOrgPerson'],
        },
      },
    }),
  );

  it('moves an object when its container changes (never delete + create), escaping DN values', async () => {
    const { hr, yaml } = await setup();
    const dir = new MemorySystem('dn');
    people(hr, 1);
    hr.put('user', 'E1001', { ...hr.get('user', 'E1001')!.attributes, last_name: 'Smith, Jr.' }, { enabled: true });
    h = await harness(yaml.replace(APPS_PROJECTION(), '') + DIR_CONNECTOR + DIR_PROJECTION, { hr: memoryConnector(hr, { inactiveMeansDeleted: true }), dir: memoryConnector(dir), apps: memoryConnector(new MemorySystem()) });
    await h.cycle();
    const created = dir.exports.find((c) => c.op === 'create');
    expect(created && 'dn' in created ? created.dn : '').toBe('CN=First1 Smith\\, Jr.,OU=Sales,OU=Users,DC=example,DC=test');
    hr.put('user', 'E1001', { ...hr.get('user', 'E1001')!.attributes, department: 'R&D' }, { enabled: true });
    dir.exports = [];
    await h.cycle();
    expect(dir.exports.map((c) => c.op)).toEqual(['move']);
    const move = dir.exports[0];
    expect(move && move.op === 'move' ? move.newDn : '').toBe('CN=First1 Smith\\, Jr.,OU=R&D,OU=Users,DC=example,DC=test');
    expect(dir.rows('user')).toHaveLength(1);
  });

  it('does not move an object the directory spells differently (hex escapes, case, spacing)', async () => {
    const { hr, yaml } = await setup();
    const dir = new MemorySystem('dn');
    people(hr, 1);
    hr.put('user', 'E1001', { ...hr.get('user', 'E1001')!.attributes, last_name: 'Smith, Jr.' }, { enabled: true });
    h = await harness(yaml.replace(APPS_PROJECTION(), '') + DIR_CONNECTOR + DIR_PROJECTION, { hr: memoryConnector(hr, { inactiveMeansDeleted: true }), dir: memoryConnector(dir), apps: memoryConnector(new MemorySystem()) });
    await h.cycle();
    const [row] = dir.rows('user');
    expect(row?.dn).toBe('CN=First1 Smith\\, Jr.,OU=Sales,OU=Users,DC=example,DC=test');
    // The same DN as a server may return it: the comma hex-escaped, types and values in another case,
    // spaces after the separators. Splitting on commas would read "\2C" as text and plan a move.
    dir.put('user', row!.externalId, row!.attributes, { dn: 'cn=First1 Smith\\2C Jr., ou=SALES, ou=users, dc=example, dc=test', enabled: true });
    dir.exports = [];
    await h.cycle({ full: true });
    expect(dir.exports).toEqual([]);
  });

  it('adopts an existing target object through the projection join instead of creating one', async () => {
    const { hr, yaml } = await setup();
    const dir = new MemorySystem('dn');
    dir.put('user', 'guid-existing', { employeeNumber: 'E1001', mail: 'old@example.com', cn: 'First1 Last1' }, { dn: 'CN=First1 Last1,OU=Sales,OU=Users,DC=example,DC=test', enabled: true });
    dir.put('user', 'guid-unmanaged', { employeeNumber: 'X9', mail: 'x@example.com' }, { dn: 'CN=Someone,OU=Users,DC=example,DC=test', enabled: true });
    people(hr, 1);
    h = await harness(yaml.replace(APPS_PROJECTION(), '') + DIR_CONNECTOR + DIR_PROJECTION, { hr: memoryConnector(hr, { inactiveMeansDeleted: true }), dir: memoryConnector(dir) });
    await h.cycle();
    expect(dir.exports.map((c) => c.op)).toEqual(['update']);
    expect(dir.get('user', 'guid-existing')?.attributes.mail).toBe('p1@example.com');
    expect(dir.get('user', 'guid-unmanaged')?.attributes.mail).toBe('x@example.com');
  });
});

