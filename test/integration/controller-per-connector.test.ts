/**
 * Per-connector operation with real processes (`imesh run` against a bare repository and PostgreSQL,
 * DESIGN §8): Sync Now for one source touches only it and the targets of the objects it changed; a
 * broken connector leaves /readyz 200 and the other connectors' runs succeeding; a standby replica is
 * ready, accepts a SCIM push and a sync request, and the leader applies both. Needs `npm run build`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import type { Job } from '../../src/controller/api/jobs.js';
import { configText, connector, csvConnector, flowRule, mesh, projection, scimInboundConnector } from '../fixtures/config-yaml.js';
import {
  API_SECRETS,
  API_SPEC,
  apiCall,
  connectorsYaml,
  describeLogs,
  hrCsv,
  makeWorld,
  metricValue,
  pushConfig,
  startController,
  targetRows,
  waitFor,
  worldsCleanedUp,
  type ControllerProcess,
  type World,
} from '../controller/process-harness.js';

const worlds = worldsCleanedUp(inject('pgUrl'));

function world(options: { interval?: string } = {}): World {
  const w = makeWorld(inject('pgUrl'), [['E1', 'Alice', 'eng']], { api: true, ...options });
  worlds.push(w);
  return w;
}

const FINISHED = new Set(['succeeded', 'failed', 'blocked', 'interrupted']);

async function finishedJob(proc: ControllerProcess, id: number): Promise<Job> {
  return waitFor(`job ${id} to finish`, async () => {
    const { body } = await apiCall<Job>(proc, 'GET', `/jobs/${id}`);
    return FINISHED.has(body.status) ? body : undefined;
  }, 60_000, 200).catch((error: unknown) => {
    throw new Error(`${String(error)}\n${describeLogs(proc)}`);
  });
}

async function connectorJobs(proc: ControllerProcess, name: string): Promise<Job[]> {
  return (await apiCall<{ items: Job[] }>(proc, 'GET', `/connectors/${name}/jobs?pageSize=100`)).body.items;
}

describe('imesh run, one connector at a time', () => {
  it('Sync Now for one source imports only it and exports only to the targets of the objects it changed', async () => {
    const w = world({ interval: '1h' });
    const data = join(w.dir, 'data');
    const badges = join(data, 'badges.csv');
    const badgeList = join(data, 'badge-list.csv');
    writeFileSync(badges, 'badge,owner\nB1,E1\n');
    pushConfig(w, {
      'config/mesh.yaml': mesh(
        { person: { employeeId: 'string', name: 'string', dept: 'string' }, badge: { badgeId: 'string', owner: 'string' } },
        { name: 'controller-test', safety: { maxDeletes: 100000, maxDeletePercent: 100 }, spec: { schedule: { interval: '1h' }, api: API_SPEC } },
      ),
      'config/connectors.yaml': configText(
        connectorsYaml({ hrFile: w.hrFile, targetFile: w.targetFile }),
        csvConnector('badges', { badge: { file: badges, externalIdColumn: 'badge' } }),
        csvConnector('badge-list', { entry: { file: badgeList, externalIdColumn: 'badge_id' } }),
      ),
      'config/badges.yaml': configText(
        flowRule('badges-to-badge', { source: 'badges/badge', meshType: 'badge', join: { badge: 'badgeId' }, provision: true, attributes: { badgeId: ['badge', 100], owner: 'owner' } }),
        projection('badge-to-list', { meshType: 'badge', target: 'badge-list/entry', attributes: { badge_id: '{{badgeId}}', owner: '{{owner}}' }, after: { onRemove: 'delete' } }),
      ),
    });
    const controller = await startController({ world: w, env: API_SECRETS });
    await waitFor('the first run to export both types', () => targetRows(w).ids.length === 1 && readFileSync(badgeList, 'utf8').includes('B1'), 30_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${describeLogs(controller)}`);
    });
    await waitFor('the first run to finish', async () => (await apiCall<{ items: Job[] }>(controller, 'GET', '/jobs')).body.items.some((j) => FINISHED.has(j.status)), 30_000);
    const badgeListBefore = readFileSync(badgeList, 'utf8');

    // Both sources change; only hr is asked for.
    writeFileSync(w.hrFile, hrCsv([['E1', 'Alice', 'eng'], ['E2', 'Bob', 'ops']]));
    writeFileSync(badges, 'badge,owner\nB1,E1\nB2,E2\n');
    const asked = await apiCall<{ jobId: number; job: Job }>(controller, 'POST', '/connectors/hr/sync', { mode: 'delta' });
    expect(asked.status).toBe(202);
    expect(asked.body.job).toMatchObject({ status: 'queued', connectors: ['hr'] });
    const job = await finishedJob(controller, asked.body.jobId);

    expect(job).toMatchObject({ status: 'succeeded', scope: ['hr'], triggeredBy: 'api', requestedBy: ['sre'] });
    expect(Object.keys(job.counts).sort()).toEqual(['directory', 'hr']);
    expect(job.counts.hr).toMatchObject({ imported: 1 });
    expect(job.counts.directory).toMatchObject({ created: 1 });
    expect(job.objectCounts).toEqual({ account: expect.objectContaining({ created: 1 }) });
    expect(targetRows(w).ids.sort()).toEqual(['E1', 'E2']);
    // badges was not read and badge-list not written: B2 waits for a run that covers badges.
    expect(readFileSync(badgeList, 'utf8')).toBe(badgeListBefore);
    const run = controller.logs.find((l) => l.event === 'cycle-start' && JSON.stringify(l.scope) === '["hr"]');
    expect(run, describeLogs(controller)).toBeDefined();
    expect(controller.hasLog((l) => l.event === 'import' && l.connector === 'badges' && (l.time as string) > (run!.time as string))).toBe(false);

    // The job is listed for hr and for the whole mesh, not for badges.
    expect((await connectorJobs(controller, 'hr')).map((j) => j.id)).toContain(job.id);
    expect((await connectorJobs(controller, 'badges')).map((j) => j.id)).not.toContain(job.id);

    // badges' own Sync Now brings B2 to its list, and leaves the directory alone.
    const badgeJob = await finishedJob(controller, (await apiCall<{ jobId: number }>(controller, 'POST', '/connectors/badges/sync')).body.jobId);
    expect(badgeJob).toMatchObject({ status: 'succeeded', scope: ['badges'] });
    expect(Object.keys(badgeJob.counts).sort()).toEqual(['badge-list', 'badges']);
    expect(readFileSync(badgeList, 'utf8')).toContain('B2');
  }, 180_000);

  it('a broken connector fails its own runs and health; /readyz stays 200 and the other connectors run and succeed', async () => {
    const w = world({ interval: '1h' });
    pushConfig(w, {
      'config/connectors.yaml': configText(
        csvConnector('hr', { user: { file: w.hrFile, externalIdColumn: 'id' } }, { schedule: { interval: '1s' } }),
        csvConnector('directory', { account: { file: w.targetFile, externalIdColumn: 'account_id' } }),
        // Nothing listens on port 9: every run of this connector fails to connect.
        connector('legacy', 'sql', {
          schedule: { interval: '1s' },
          connection: { driver: 'postgres', connectionString: '{{secret:legacy-dsn}}' },
          objectTypes: { user: { table: 'people', externalIdColumn: 'id' } },
        }),
      ),
    });
    const controller = await startController({ world: w, env: { ...API_SECRETS, IMESH_SECRET_LEGACY_DSN: 'postgres://nobody@127.0.0.1:9/nothing' } });
    const failedLegacyRuns = async () => (await connectorJobs(controller, 'legacy')).filter((j) => JSON.stringify(j.scope) === '["legacy"]' && j.status === 'failed');
    await waitFor('two failed runs of legacy', async () => (await failedLegacyRuns()).length >= 2, 60_000, 200).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${describeLogs(controller)}`);
    });
    const legacy = await apiCall<Record<string, unknown>>(controller, 'GET', '/connectors/legacy');
    expect(legacy.body).toMatchObject({ health: 'Failed' });
    const since = legacy.body.healthLastTransitionTime;

    // hr keeps running on its own timetable while legacy fails.
    writeFileSync(w.hrFile, hrCsv([['E1', 'Alice', 'eng'], ['E2', 'Bob', 'ops']]));
    await waitFor('E2 exported by an hr run', () => targetRows(w).byId.has('E2'), 30_000);
    const ready = await controller.readyz();
    expect(ready).toMatchObject({ status: 200, body: { ready: true, role: 'leader' } });

    const hrJobs = (await connectorJobs(controller, 'hr')).filter((j) => JSON.stringify(j.scope) === '["hr"]' && FINISHED.has(j.status));
    expect(hrJobs.length).toBeGreaterThan(0);
    expect(hrJobs.every((j) => j.status === 'succeeded')).toBe(true);
    const legacyJobs = (await connectorJobs(controller, 'legacy')).filter((j) => JSON.stringify(j.scope) === '["legacy"]' && FINISHED.has(j.status));
    expect(legacyJobs.length).toBeGreaterThanOrEqual(2);
    expect(legacyJobs.every((j) => j.status === 'failed' && j.errors.length > 0)).toBe(true);

    await waitFor('another failed legacy run', async () => (await failedLegacyRuns()).length > legacyJobs.length, 30_000, 200);
    const connectors = (await apiCall<{ items: Record<string, unknown>[] }>(controller, 'GET', '/connectors')).body.items;
    const byName = new Map(connectors.map((c) => [c.name, c]));
    expect(byName.get('hr')).toMatchObject({ health: 'Healthy' });
    expect(byName.get('directory')).toMatchObject({ health: 'Healthy' });
    // Failed since the first failure: further failures keep the time (the dashboard's "since").
    expect(byName.get('legacy')).toMatchObject({ health: 'Failed', healthLastTransitionTime: since });
    const metrics = await controller.metrics();
    expect(metricValue(metrics, 'imesh_connector_up', '{connector="legacy"}')).toBe(0);
    expect(metricValue(metrics, 'imesh_connector_up', '{connector="hr"}')).toBe(1);
    expect((await controller.readyz()).status).toBe(200);
  }, 180_000);

  it('a standby is ready, takes a SCIM push and a sync request, and the leader applies both', async () => {
    const w = world({ interval: '1h' });
    const TOKEN = 'standby-scim-token-5e8a';
    pushConfig(w, {
      'config/scim.yaml': configText(
        scimInboundConnector('entra-push', { types: ['user'] }),
        flowRule('entra-users', { source: 'entra-push/user', join: { externalId: 'employeeId' }, attributes: { name: ['displayName', 90] } }),
      ),
    });
    const env = { ...API_SECRETS, IMESH_SECRET_ENTRA_PUSH_TOKEN: TOKEN };
    const leader = await startController({ world: w, env });
    await waitFor('the leader', async () => (await leader.readyz()).body.role === 'leader');
    await waitFor('the first export', () => targetRows(w).byId.get('E1')?.display === 'Alice', 30_000);
    const standby = await startController({ world: w, env });
    await waitFor('the standby to read a revision', async () => (await standby.readyz()).body.appliedRevision !== null, 30_000);
    expect(await standby.readyz()).toMatchObject({ status: 200, body: { ready: true, role: 'standby' } });

    const pushed = await fetch(`${standby.base}/scim/entra-push/v2/Users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], externalId: 'E1', userName: 'alice@contoso.com', displayName: 'Alice Smith', active: true }),
    });
    expect(pushed.status).toBe(201);
    // The schedule is an hour: only the push can bring the name, and only the leader runs.
    await waitFor('the pushed name in the target', () => targetRows(w).byId.get('E1')?.display === 'Alice Smith', 30_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\nleader:\n${describeLogs(leader)}\nstandby:\n${describeLogs(standby)}`);
    });
    expect(leader.hasLog((l) => l.event === 'cycle-start' && /SCIM push/.test(String(l.reason)))).toBe(true);

    // A sync request made on the standby waits in the store; the leader runs it.
    writeFileSync(w.hrFile, hrCsv([['E1', 'Alice', 'eng'], ['E2', 'Bob', 'ops']]));
    const asked = await apiCall<{ jobId: number }>(standby, 'POST', '/connectors/hr/sync');
    expect(asked.status).toBe(202);
    const job = await finishedJob(standby, asked.body.jobId);
    expect(job).toMatchObject({ status: 'succeeded', scope: ['hr'], requestedBy: ['sre'] });
    expect(targetRows(w).byId.has('E2')).toBe(true);
    expect(standby.hasLog((l) => l.event === 'cycle-start')).toBe(false);
  }, 180_000);
});
