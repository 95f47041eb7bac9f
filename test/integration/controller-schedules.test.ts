/**
 * Per-connector schedules with real processes (`imesh run` against a bare repository and PostgreSQL,
 * DESIGN §8): two connectors on different intervals run as their own scoped runs, and a manual
 * connector never runs unasked. Needs `npm run build`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { configText, csvConnector } from '../fixtures/config-yaml.js';
import type { Job } from '../../src/controller/api/jobs.js';
import { API_SECRETS, apiCall, hrCsv, makeWorld, pushConfig, startController, targetRows, waitFor, worldsCleanedUp } from '../controller/process-harness.js';

const worlds = worldsCleanedUp(inject('pgUrl'));

describe('imesh run with per-connector schedules', () => {
  it('runs each scheduled connector on its own interval as a scoped run, and a manual one never unasked', async () => {
    const w = makeWorld(inject('pgUrl'), [['E1', 'Alice', 'eng']], { api: true });
    worlds.push(w);
    const badges = join(w.dir, 'data', 'badges.csv');
    writeFileSync(badges, 'badge,owner\nB1,E1\n');
    pushConfig(w, {
      'config/connectors.yaml': configText(
        csvConnector('hr', { user: { file: w.hrFile, externalIdColumn: 'id' } }, { schedule: { interval: '1s' } }),
        csvConnector('directory', { account: { file: w.targetFile, externalIdColumn: 'account_id' } }, { schedule: { interval: '1h' } }),
        csvConnector('badges', { badge: { file: badges, externalIdColumn: 'badge' } }, { schedule: { manual: true } }),
      ),
    });
    const controller = await startController({ world: w, env: API_SECRETS });
    await waitFor('the first export', () => targetRows(w).ids.length === 1, 30_000);

    // hr's runs (every second) carry a change to the directory; the directory's own run is hourly.
    writeFileSync(w.hrFile, hrCsv([['E1', 'Alice', 'eng'], ['E2', 'Bob', 'ops']]));
    await waitFor('E2 exported by an hr run', () => targetRows(w).byId.has('E2'), 30_000);
    await waitFor('several hr runs', () => controller.logs.filter((l) => l.event === 'cycle-start' && JSON.stringify(l.scope) === '["hr"]').length >= 3, 30_000);

    const scopes = controller.logs.filter((l) => l.event === 'cycle-start').map((l) => (Array.isArray(l.scope) ? (l.scope as string[]).join(',') : 'all'));
    expect(scopes.filter((s) => s === 'directory')).toHaveLength(1); // its first run only
    expect(scopes.filter((s) => s === 'hr').length).toBeGreaterThanOrEqual(3);
    expect(scopes.some((s) => s.split(',').includes('badges') || s === 'all')).toBe(false);
    const finished = controller.logs.filter((l) => l.event === 'cycle' && l.result !== 'succeeded');
    expect(finished).toEqual([]);

    // The jobs say the same: each connector's runs carry its scope and the schedule as their trigger.
    const jobsOf = async (name: string) => (await apiCall<{ items: Job[] }>(controller, 'GET', `/connectors/${name}/jobs?pageSize=100`)).body.items;
    const hrJobs = await jobsOf('hr');
    expect(hrJobs.length).toBeGreaterThanOrEqual(3);
    expect(hrJobs.every((j) => JSON.stringify(j.scope) === '["hr"]' && j.triggeredBy === 'schedule')).toBe(true);
    expect((await jobsOf('directory')).map((j) => [j.scope, j.triggeredBy])).toEqual([[['directory'], 'schedule']]);
    expect(await jobsOf('badges')).toEqual([]); // never run unasked

    // Asked for by name, the manual connector runs alone.
    const asked = await apiCall<{ jobId: number }>(controller, 'POST', '/connectors/badges/sync');
    expect(asked.status).toBe(202);
    const job = await waitFor('the badges job', async () => {
      const { body } = await apiCall<Job>(controller, 'GET', `/jobs/${asked.body.jobId}`);
      return body.status === 'queued' || body.status === 'running' ? undefined : body;
    }, 30_000, 200);
    expect(job).toMatchObject({ status: 'succeeded', scope: ['badges'], triggeredBy: 'api', requestedBy: ['sre'] });
    expect((await jobsOf('badges')).map((j) => j.id)).toEqual([job.id]);
  }, 120_000);
});
