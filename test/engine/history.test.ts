import { afterEach, describe, expect, it } from 'vitest';
import { history } from '../../src/engine/history.js';
import { insertReleasedCreations } from '../../src/engine/tables/export-history.js';
import { loadTargetLinks, saveTargetLinks } from '../../src/engine/tables/target-links.js';
import { pruneHistory } from '../../src/store/maintenance.js';
import { registerSecret } from '../../src/shared/logger.js';
import { memoryConnector, MemorySystem } from '../fixtures/memory-connector.js';
import { appended, flowRule, HR_PERSON, mesh, pick, HR_INFLOWS, projection } from '../fixtures/config-yaml.js';
import { csvConnector, harness, type Harness } from './harness.js';

const meshWithSecret = (history?: { retain: string }) => mesh({ person: { ...HR_PERSON, apiToken: 'string' } }, { safety: { maxDeletes: 5, maxDeletePercent: 50 }, ...(history ? { spec: { history } } : {}) });

const HR_FLOW = appended(
  flowRule('hr-to-person', {
    source: 'hr/user',
    join: { employee_id: 'employeeId' },
    provision: true,
    attributes: { ...pick(HR_INFLOWS, 'employeeId', 'email', 'title'), apiToken: ['api_token', 80] },
  }),
);
const BADGE_FLOW = appended(
  flowRule('badges-to-person', {
    source: 'badges/badge',
    join: { employee_id: 'employeeId' },
    attributes: { title: ['job_title', 95] },
  }),
);
const APPS_PROJECTION = appended(
  projection('person-to-apps', {
    target: 'apps/account',
    attributes: { account_id: '{{employeeId}}', title: '{{title}}', email: '{{email}}' },
    after: { onRemove: 'keep' },
  }),
);

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function setup(history?: { retain: string }) {
  const hr = new MemorySystem('key', 'employee_id');
  const badges = new MemorySystem('key', 'employee_id');
  const apps = new MemorySystem('key', 'account_id');
  const yaml = meshWithSecret(history) + csvConnector('hr', 'user', 'employee_id') + csvConnector('badges', 'badge', 'employee_id') + csvConnector('apps', 'account', 'account_id') + HR_FLOW + BADGE_FLOW + APPS_PROJECTION;
  h = await harness(yaml, { hr: memoryConnector(hr), badges: memoryConnector(badges), apps: memoryConnector(apps) });
  return { hr, badges, apps, h };
}

describe('value history', () => {
  it('records each change of a value with its source, confidence, revision and run, and only when it changes', async () => {
    const { hr, badges, h } = await setup();
    hr.put('user', 'E1', { employee_id: 'E1', email: 'a@example.com', title: 'Engineer' });
    const first = await h.cycle();
    hr.put('user', 'E1', { employee_id: 'E1', email: 'a@example.com', title: 'Senior Engineer' });
    const second = await h.cycle();
    await h.cycle(); // nothing changed: no history
    badges.put('badge', 'E1', { employee_id: 'E1', job_title: 'Staff Engineer' });
    const fourth = await h.cycle();

    const result = await history(h.db, h.config, 'person', 'E1', 'title');
    expect(result.values.map((v) => [v.value, v.connector, v.rule, v.externalId, v.confidence, v.revision, v.run])).toEqual([
      ['Engineer', 'hr', 'hr-to-person', 'E1', 80, 'test', first.cycleId],
      ['Senior Engineer', 'hr', 'hr-to-person', 'E1', 80, 'test', second.cycleId],
      ['Staff Engineer', 'badges', 'badges-to-person', 'E1', 95, 'test', fourth.cycleId],
    ]);
    expect(new Set(result.values.map((v) => v.run)).size).toBe(3);
    // Two values were left (Engineer, Senior Engineer): one row each; the current one is the mesh object's.
    expect(await h.db.query('SELECT cycle_id FROM value_history')).toHaveLength(2);

    const all = await history(h.db, h.config, 'person', 'E1');
    expect(all.values.filter((v) => v.attribute === 'email').map((v) => [v.value, v.run])).toEqual([['a@example.com', first.cycleId]]);
    expect(all.retain).toBe('400d');
  });

  it("shows a first cycle's values from the object itself: a first cycle writes no value history", async () => {
    const { hr, h } = await setup();
    hr.put('user', 'E1', { employee_id: 'E1', email: 'a@example.com', title: 'Engineer' });
    hr.put('user', 'E2', { employee_id: 'E2', email: 'b@example.com', title: 'Analyst' });
    const first = await h.cycle();
    expect(await h.db.query('SELECT cycle_id FROM value_history')).toEqual([]);

    const result = await history(h.db, h.config, 'person', 'E2');
    expect(result.values.map((v) => [v.attribute, v.value, v.connector, v.externalId, v.confidence, v.revision, v.run])).toEqual([
      ['email', 'b@example.com', 'hr', 'E2', 70, 'test', first.cycleId],
      ['employeeId', 'E2', 'hr', 'E2', 100, 'test', first.cycleId],
      ['title', 'Analyst', 'hr', 'E2', 80, 'test', first.cycleId],
    ]);
  });

  it('records a value that disappears as null, and keeps secrets out', async () => {
    const { hr, h } = await setup();
    registerSecret('s3cr3t-value-for-history');
    hr.put('user', 'E1', { employee_id: 'E1', email: 'a@example.com', title: 'Engineer', api_token: 'tok-123456' });
    await h.cycle();
    hr.put('user', 'E1', { employee_id: 'E1', email: 's3cr3t-value-for-history', api_token: 'tok-654321' });
    await h.cycle();

    const result = await history(h.db, h.config, 'person', 'E1');
    const byAttribute = (name: string) => result.values.filter((v) => v.attribute === name).map((v) => ({ value: v.value, withheld: v.withheld, connector: v.connector }));
    expect(byAttribute('title')).toEqual([
      { value: 'Engineer', withheld: false, connector: 'hr' },
      { value: null, withheld: false, connector: null },
    ]);
    expect(byAttribute('apiToken')).toEqual([
      { value: null, withheld: true, connector: 'hr' },
      { value: null, withheld: true, connector: 'hr' },
    ]);
    expect(byAttribute('email')[1]).toEqual({ value: null, withheld: true, connector: 'hr' });
    const stored = JSON.stringify(await h.db.query('SELECT * FROM value_history'));
    expect(stored).not.toContain('tok-');
    expect(stored).not.toContain('s3cr3t');
  });

  it("ends every value of a deleted mesh object, and still answers by the object's id", async () => {
    const { hr, h } = await setup();
    hr.put('user', 'E1', { employee_id: 'E1', email: 'a@example.com', title: 'Engineer' });
    hr.put('user', 'E2', { employee_id: 'E2', email: 'b@example.com' });
    hr.put('user', 'E3', { employee_id: 'E3', email: 'c@example.com' });
    await h.cycle();
    const { id } = await history(h.db, h.config, 'person', 'E1');
    hr.remove('user', 'E1');
    const gone = await h.cycle({ full: true });
    expect(gone.gates).toEqual([]);
    expect(gone.syncs.reduce((n, s) => n + s.meshDeleted, 0)).toBe(1);

    const result = await history(h.db, h.config, 'person', id);
    expect(result.deleted).toBe(true);
    const title = result.values.filter((v) => v.attribute === 'title');
    expect(title.map((v) => [v.value, v.connector, v.run])).toEqual([
      ['Engineer', 'hr', expect.any(Number)],
      [null, null, gone.cycleId],
    ]);
    expect(result.values.filter((v) => v.run === gone.cycleId).map((v) => v.attribute).sort()).toEqual(['email', 'employeeId', 'title']);
  });

  it('records each export applied to a target with what it wrote and its result', async () => {
    const { hr, apps, h } = await setup();
    hr.put('user', 'E1', { employee_id: 'E1', email: 'a@example.com', title: 'Engineer' });
    const first = await h.cycle();
    hr.put('user', 'E1', { employee_id: 'E1', email: 'a@example.com', title: 'Senior Engineer' });
    const second = await h.cycle();
    expect(apps.get('account', 'E1')?.attributes).toMatchObject({ title: 'Senior Engineer' });

    // A create wrote its run's mesh values (the value history has them), so it keeps only what came of it.
    const result = await history(h.db, h.config, 'person', 'E1', 'title');
    expect(result.exports.map((e) => ({ op: e.op, connector: e.connector, objectType: e.objectType, object: e.object, attributes: e.attributes, result: e.result, run: e.run, revision: e.revision }))).toEqual([
      { op: 'create', connector: 'apps', objectType: 'account', object: 'E1', attributes: null, result: 'ok', run: first.cycleId, revision: 'test' },
      { op: 'update', connector: 'apps', objectType: 'account', object: 'E1', attributes: { title: 'Senior Engineer' }, result: 'ok', run: second.cycleId, revision: 'test' },
    ]);
    // What the create wrote: the values current in its run.
    const created = result.values.find((v) => v.run === first.cycleId);
    expect(created?.value).toBe('Engineer');
  });

  it('names an unknown attribute or object', async () => {
    const { hr, h } = await setup();
    hr.put('user', 'E1', { employee_id: 'E1', email: 'a@example.com' });
    await h.cycle();
    await expect(history(h.db, h.config, 'person', 'E1', 'nickname')).rejects.toThrow('"nickname" is not an attribute of person');
    await expect(history(h.db, h.config, 'person', 'E9')).rejects.toThrow('no person has id or employeeId "E9"');
  });

  it('prunes the states values left before the retention, never a current value however old', async () => {
    const { hr, h } = await setup();
    hr.put('user', 'E1', { employee_id: 'E1', email: 'a@example.com', title: 'Engineer' });
    const first = await h.cycle();
    hr.put('user', 'E1', { employee_id: 'E1', email: 'a@example.com', title: 'Senior Engineer' });
    const second = await h.cycle();
    const old = new Date(Date.now() - 500 * 86_400_000).toISOString();
    await h.db.query('UPDATE value_history SET at = $1', [old]);
    await h.db.query('UPDATE export_history SET at = $1', [old]);
    hr.put('user', 'E1', { employee_id: 'E1', email: 'a@example.com', title: 'Principal Engineer' });
    const third = await h.cycle(); // the cycle's maintenance prunes what is older than 400d

    const result = await history(h.db, h.config, 'person', 'E1');
    // Engineer's state (left in the second run) is pruned; email and employeeId hold since the first run.
    expect(result.values.map((v) => [v.attribute, v.value, v.run])).toEqual([
      ['email', 'a@example.com', first.cycleId],
      ['employeeId', 'E1', first.cycleId],
      ['title', 'Senior Engineer', second.cycleId],
      ['title', 'Principal Engineer', third.cycleId],
    ]);
    // The create is the link's (like a current value, kept while the link holds its target object).
    expect(result.exports.map((e) => [e.op, e.run])).toEqual([
      ['create', first.cycleId],
      ['update', third.cycleId],
    ]);
    expect(await pruneHistory(h.db, 1, Date.now() + 60_000)).toEqual({ values: 1, exports: 1 });
    expect((await history(h.db, h.config, 'person', 'E1')).values.map((v) => [v.attribute, v.value, v.run])).toEqual([
      ['email', 'a@example.com', first.cycleId],
      ['employeeId', 'E1', first.cycleId],
      ['title', 'Principal Engineer', third.cycleId],
    ]);
  });

  it('reads the changes an older store recorded (one row per change, holding the new value) and continues them', async () => {
    const { hr, h } = await setup();
    hr.put('user', 'E1', { employee_id: 'E1', email: 'a@example.com', title: 'Engineer' });
    const first = await h.cycle();
    const { id } = await history(h.db, h.config, 'person', 'E1');
    // As migration 18 leaves an object recorded before it: its changes in value_history_v12, no since stamps.
    await h.db.query('UPDATE mesh_object SET created_cycle = NULL, value_since = NULL');
    await h.db.query(
      `INSERT INTO value_history_v12 (mesh_id, mesh_type, seq, cycle_id, revision, sources, changes) VALUES ($1, 'person', 1, $2, 'older', ${h.db.dialect.json('$3')}, ${h.db.dialect.json('$4')})`,
      [id, first.cycleId, JSON.stringify([['hr-to-person', 'hr', 'E1']]), JSON.stringify({ email: ['a@example.com', 0, 80], employeeId: ['E1', 0, 80], title: ['Engineer', 0, 80] })],
    );
    hr.put('user', 'E1', { employee_id: 'E1', email: 'a@example.com', title: 'Senior Engineer' });
    const second = await h.cycle();

    const result = await history(h.db, h.config, 'person', 'E1');
    expect(result.values.map((v) => [v.attribute, v.value, v.connector, v.revision, v.run])).toEqual([
      ['email', 'a@example.com', 'hr', 'older', first.cycleId],
      ['employeeId', 'E1', 'hr', 'older', first.cycleId],
      ['title', 'Engineer', 'hr', 'older', first.cycleId],
      ['title', 'Senior Engineer', 'hr', 'test', second.cycleId],
    ]);
    expect(await pruneHistory(h.db, 1, Date.now() + 60_000)).toMatchObject({ values: 2 });
  });

  it("keeps a new link's create on the link, and moves it to export history when another object takes the target", async () => {
    const { hr, h } = await setup();
    hr.put('user', 'E1', { employee_id: 'E1', email: 'a@example.com', title: 'Engineer' });
    const first = await h.cycle();
    // A first cycle's creates are no rows: each link holds its run.
    expect(await h.db.query('SELECT op FROM export_history')).toEqual([]);
    const { id } = await history(h.db, h.config, 'person', 'E1');
    const [link] = await loadTargetLinks(h.db, 'person-to-apps', [id]);
    expect(link?.createdCycle).toBe(first.cycleId);

    // Another mesh object's link takes the same target object: the released link's create becomes a row.
    const released = await saveTargetLinks(h.db, [{ ...link!, meshId: 'another-mesh-object', createdCycle: null }]);
    expect(released.map((c) => [c.meshId, c.object, c.createdCycle])).toEqual([[id, 'E1', first.cycleId]]);
    await insertReleasedCreations(h.db, released);
    const result = await history(h.db, h.config, 'person', id);
    expect(result.exports.map((e) => [e.op, e.connector, e.object, e.result, e.run, e.revision])).toEqual([['create', 'apps', 'E1', 'ok', first.cycleId, 'test']]);
  });

  it('records nothing with retain: 0s (history off)', async () => {
    const { hr, apps, h } = await setup({ retain: '0s' });
    hr.put('user', 'E1', { employee_id: 'E1', email: 'a@example.com', title: 'Engineer' });
    await h.cycle();
    hr.put('user', 'E1', { employee_id: 'E1', email: 'a@example.com', title: 'Senior Engineer' });
    await h.cycle();
    expect(apps.get('account', 'E1')?.attributes).toMatchObject({ title: 'Senior Engineer' });
    expect(await h.db.query('SELECT mesh_id FROM value_history')).toEqual([]);
    expect(await h.db.query('SELECT mesh_id FROM export_history')).toEqual([]);
    expect(await history(h.db, h.config, 'person', 'E1')).toMatchObject({ retain: '0s', values: [], exports: [] });
  });
});
