/**
 * Scoped runs (DESIGN §8): a source's run reaches every target of the objects it changed and nothing
 * else; a target's run reads only that target; connectors outside the scope are never opened.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { getJob, listJobs, requestJob } from '../../src/controller/api/jobs.js';
import { ConfigError } from '../../src/shared/errors.js';
import { memoryConnector, MemorySystem } from '../fixtures/memory-connector.js';
import { csvConnector, harness, MESH, userFlow as flow, type Harness } from './harness.js';

const projection = (name: string, connector: string, idColumn: string) => `
---
apiVersion: identitymesh.dev/v1alpha1
kind: Projection
metadata: { name: ${name} }
spec:
  meshType: person
  target: { connector: ${connector}, objectType: account }
  attributes:
    ${idColumn}: "{{employeeId}}"
    department: "{{department}}"
    title: "{{title}}"
  onRemove: delete
  drift: enforce
`;

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Two sources (hr provisions people, crm adds titles) and two targets (apps, dir). */
async function mesh() {
  const hr = new MemorySystem('key', 'employee_id');
  const crm = new MemorySystem('key', 'emp');
  const apps = new MemorySystem('key', 'account_id');
  const dir = new MemorySystem('key', 'uid');
  const yaml =
    MESH +
    csvConnector('hr', 'user', 'employee_id') +
    csvConnector('crm', 'user', 'emp') +
    csvConnector('apps', 'account', 'account_id') +
    csvConnector('dir', 'account', 'uid') +
    flow('hr-to-person', 'hr', 'employee_id', '    - { mesh: employeeId, source: employee_id }\n    - { mesh: department, source: department }', true) +
    flow('crm-to-person', 'crm', 'emp', '    - { mesh: title, source: title }', false) +
    projection('person-to-apps', 'apps', 'account_id') +
    projection('person-to-dir', 'dir', 'uid');
  for (const id of ['E1', 'E2', 'E3']) {
    hr.put('user', id, { employee_id: id, department: 'Sales' });
    crm.put('user', id, { emp: id, title: 'Rep' });
  }
  h = await harness(yaml, { hr: memoryConnector(hr), crm: memoryConnector(crm), apps: memoryConnector(apps), dir: memoryConnector(dir) });
  const first = await h.cycle();
  expect(first.result).toBe('succeeded');
  expect(first.scope).toBeNull();
  expect(apps.rows('account')).toHaveLength(3);
  expect(dir.rows('account')).toHaveLength(3);
  h.opened.length = 0;
  apps.exports = [];
  dir.exports = [];
  return { h, hr, crm, apps, dir };
}

describe('a scoped run', () => {
  it('of a source imports only it and reaches every target with the objects it changed, and only those', async () => {
    const { h, hr, crm, apps, dir } = await mesh();
    hr.put('user', 'E2', { employee_id: 'E2', department: 'Support' });
    crm.put('user', 'E3', { emp: 'E3', title: 'Lead' }); // crm is outside the scope: not read
    dir.put('account', 'E1', { uid: 'E1', department: 'Sales', title: 'Hacked' }); // drift in dir: its own run's business

    const run = await h.cycle({ scope: ['hr'] });
    expect(run.result).toBe('succeeded');
    expect(run.scope).toEqual(['hr']);
    expect(run.imports.map((i) => i.connector)).toEqual(['hr']);
    expect(run.syncs.map((s) => s.rule)).toEqual(['hr-to-person']);
    expect([...new Set(h.opened)].sort()).toEqual(['apps', 'dir', 'hr']);
    expect(run.plans.map((p) => [p.projection.name, p.evaluated])).toEqual([
      ['person-to-apps', 1],
      ['person-to-dir', 1],
    ]);
    expect(apps.exports.map((c) => `${c.op}:${'externalId' in c ? c.externalId : ''}`)).toEqual(['update:E2']);
    expect(dir.exports.map((c) => `${c.op}:${'externalId' in c ? c.externalId : ''}`)).toEqual(['update:E2']);
    expect(dir.get('account', 'E1')?.attributes.title).toBe('Hacked');
    expect(apps.get('account', 'E3')?.attributes.title).toBe('Rep');

    // What the scoped run left for the others is still theirs: a whole-mesh run applies crm's title
    // and corrects dir's drift (the partial plans did not advance the projections' progress).
    h.opened.length = 0;
    const whole = await h.cycle();
    expect(whole.result).toBe('succeeded');
    expect(apps.get('account', 'E3')?.attributes.title).toBe('Lead');
    expect(dir.get('account', 'E3')?.attributes.title).toBe('Lead');
    expect(dir.get('account', 'E1')?.attributes.title).toBe('Rep');
  });

  it("leaves the corrected drift of targets outside its scope on record for their own runs", async () => {
    const { h, hr, dir } = await mesh();
    dir.put('account', 'E1', { uid: 'E1', department: 'Sales', title: 'Hacked' });
    expect((await h.cycle()).result).toBe('succeeded'); // corrects dir's drift and records it
    const driftOf = async () => (await h.db.query<{ connector: string; object: string; attribute: string; action: string }>('SELECT connector, attribute, action FROM drift ORDER BY connector, attribute')).map((r) => `${r.connector}:${r.attribute}:${r.action}`);
    expect(await driftOf()).toEqual(['dir:title:corrected']);

    // Neither a source's run (reaching dir with the objects it changed) nor another target's run clears it.
    hr.put('user', 'E2', { employee_id: 'E2', department: 'Support' });
    expect((await h.cycle({ scope: ['hr'] })).result).toBe('succeeded');
    expect((await h.cycle({ scope: ['apps'] })).result).toBe('succeeded');
    expect(await driftOf()).toEqual(['dir:title:corrected']);

    // dir's own run does, as a whole-mesh run would.
    expect((await h.cycle({ scope: ['dir'] })).result).toBe('succeeded');
    expect(await driftOf()).toEqual([]);
  });

  it('of a source that changed nothing opens no target', async () => {
    const { h, apps, dir } = await mesh();
    const run = await h.cycle({ scope: ['hr'] });
    expect(run.result).toBe('succeeded');
    expect([...new Set(h.opened)]).toEqual(['hr']);
    expect(run.plans).toEqual([]);
    expect([...apps.exports, ...dir.exports]).toEqual([]);
  });

  it('of a target reads only it, corrects its drift and plans only its projections', async () => {
    const { h, hr, apps, dir } = await mesh();
    apps.put('account', 'E1', { account_id: 'E1', department: 'Nowhere', title: 'Rep' });
    hr.put('user', 'E2', { employee_id: 'E2', department: 'Support' }); // hr is outside the scope
    const run = await h.cycle({ scope: ['apps'] });
    expect(run.result).toBe('succeeded');
    expect([...new Set(h.opened)]).toEqual(['apps']);
    expect(run.imports.map((i) => i.connector)).toEqual(['apps']);
    expect(run.syncs).toEqual([]);
    expect(run.plans.map((p) => p.projection.name)).toEqual(['person-to-apps']);
    expect(apps.exports.map((c) => `${c.op}:${'externalId' in c ? c.externalId : ''}`)).toEqual(['update:E1']);
    expect(apps.get('account', 'E1')?.attributes.department).toBe('Sales');
    expect(apps.get('account', 'E2')?.attributes.department).toBe('Sales');
    expect(dir.exports).toEqual([]);
  });

  it('keeps the safety gates: a source run that would delete everyone is held by its import guard', async () => {
    const { h, hr, apps } = await mesh();
    for (const id of ['E1', 'E2', 'E3']) hr.remove('user', id);
    const run = await h.cycle({ scope: ['hr'], full: true });
    expect(run.result).toBe('blocked');
    expect(run.gates.map((g) => `${g.connector}:${g.gate}`)).toEqual(['hr:importGuard']);
    expect(apps.exports).toEqual([]);
  });

  it('is recorded with its scope in the jobs, and never answers a waiting request for everything', async () => {
    const { h } = await mesh();
    const { job } = await requestJob(h.db, { kind: 'delta', connectors: null, requestedBy: 'ops' });
    const scoped = await h.cycle({ scope: ['hr', 'apps'] });
    expect(scoped.cycleId).not.toBe(job.id);
    expect((await getJob(h.db, job.id))?.status).toBe('queued');
    expect((await getJob(h.db, scoped.cycleId))?.scope).toEqual(['apps', 'hr']);
    const whole = await h.cycle();
    expect(whole.cycleId).toBe(job.id);
    const jobs = (await listJobs(h.db, 1, 10)).items;
    expect(jobs.slice(0, 2).map((j) => [j.id, j.scope, j.status])).toEqual([
      [job.id, null, 'succeeded'],
      [scoped.cycleId, ['apps', 'hr'], 'succeeded'],
    ]);

    // A request for one connector waits beside one for everything, and only a run of that connector takes it.
    const hrJob = (await requestJob(h.db, { kind: 'delta', connectors: ['hr'], requestedBy: 'ops' })).job;
    const allJob = (await requestJob(h.db, { kind: 'delta', connectors: null, requestedBy: 'ops' })).job;
    expect(hrJob.id).not.toBe(allJob.id);
    expect((await requestJob(h.db, { kind: 'full', connectors: ['hr'], requestedBy: 'sre' }))).toMatchObject({ joined: true, job: { id: hrJob.id, kind: 'full', requests: 2 } });
    expect((await h.cycle({ scope: ['apps'] })).cycleId).not.toBe(hrJob.id);
    expect((await h.cycle({ scope: ['hr'] })).cycleId).not.toBe(hrJob.id); // a delta run does not answer a full request
    expect((await h.cycle({ scope: ['hr'], full: true })).cycleId).toBe(hrJob.id);
    expect((await h.cycle()).cycleId).toBe(allJob.id);

    // One connector's jobs: whole-mesh runs and the scoped runs that covered it.
    const covering = async (name: string) => (await listJobs(h.db, 1, 100, name)).items.map((j) => j.id);
    expect(await covering('hr')).toEqual(expect.arrayContaining([job.id, scoped.cycleId, hrJob.id, allJob.id]));
    expect(await covering('dir')).toEqual(expect.arrayContaining([job.id, allJob.id]));
    expect(await covering('dir')).not.toContain(hrJob.id);
    expect(await covering('dir')).not.toContain(scoped.cycleId);
    expect((await listJobs(h.db, 1, 100, 'dir')).total).toBe((await covering('dir')).length);
  });

  it('refuses a connector the config does not define, naming the closest', async () => {
    const { h } = await mesh();
    const run = h.cycle({ scope: ['hrr'] });
    await expect(run).rejects.toBeInstanceOf(ConfigError);
    await expect(run).rejects.toThrow(/no connector "hrr" in this config \(did you mean "hr"\?\)/);
    expect(h.opened).toEqual([]);
  });
});
