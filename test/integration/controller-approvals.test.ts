/**
 * Approvals with real processes (`imesh run` against a bare repository and PostgreSQL, DESIGN §8): a
 * tripped gate on a running controller is approved through the API; the approval lets exactly the
 * objects held back when it was given through, once, and not a different set; who, when, why and what
 * it let through end up in the jobs and on the reports branch. Needs `npm run build`.
 */
import { writeFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import type { Job } from '../../src/controller/api/jobs.js';
import type { ApprovalRecord, HeldObject } from '../../src/reports/types.js';
import { mesh } from '../fixtures/config-yaml.js';
import {
  API_SECRETS,
  API_SPEC,
  apiCall,
  describeLogs,
  hrCsv,
  makeWorld,
  pushConfig,
  REPORTS_BRANCH,
  remoteReports,
  startController,
  targetRows,
  waitFor,
  worldsCleanedUp,
  type ControllerProcess,
} from '../controller/process-harness.js';
import { tryGit } from '../git/temp-repo.js';

const worlds = worldsCleanedUp(inject('pgUrl'));

const PEOPLE: readonly (readonly [string, string, string])[] = [
  ['E1', 'Alice', 'eng'],
  ['E2', 'Bob', 'eng'],
  ['E3', 'Carol', 'ops'],
  ['E4', 'Dan', 'ops'],
  ['E5', 'Erin', 'ops'],
  ['E6', 'Frank', 'ops'],
];
const FINISHED = new Set(['succeeded', 'failed', 'blocked', 'interrupted']);

interface Approvals {
  held: (HeldObject & { jobId: number })[];
  heldTotal: number;
  pending: ApprovalRecord | null;
  items: ApprovalRecord[];
}

/** Sync Now for the whole mesh; the finished job. */
async function syncNow(proc: ControllerProcess): Promise<Job> {
  const queued = await apiCall<{ jobId: number }>(proc, 'POST', '/sync');
  expect(queued.status).toBe(202);
  return waitFor(`job ${queued.body.jobId} to finish`, async () => {
    const { body } = await apiCall<Job>(proc, 'GET', `/jobs/${queued.body.jobId}`);
    return FINISHED.has(body.status) ? body : undefined;
  }, 60_000, 200).catch((error: unknown) => {
    throw new Error(`${String(error)}\n${describeLogs(proc)}`);
  });
}

const heldIds = async (proc: ControllerProcess, connector: string) =>
  (await apiCall<Approvals>(proc, 'GET', `/connectors/${connector}/approvals`)).body.held.map((o) => `${o.gate} ${o.op} ${o.externalId}`);

const approve = (proc: ControllerProcess, connector: string, allowDeletes: number, reason: string) =>
  apiCall<{ approval: ApprovalRecord }>(proc, 'POST', `/connectors/${connector}/approvals`, { allowDeletes, reason });

describe('imesh run: approving held-back deletions through the API', () => {
  it('an approval of N lets the N pending deletions through once, not a different set, and shows on the reports branch', async () => {
    const w = makeWorld(inject('pgUrl'), PEOPLE, { api: true });
    worlds.push(w);
    // Runs only when asked (after the first), and a gate that trips on more than two deletions.
    pushConfig(w, {
      'config/mesh.yaml': mesh(
        { person: { employeeId: 'string', name: 'string', dept: 'string' } },
        { name: 'controller-test', safety: { maxDeletes: 2, maxDeletePercent: 100 }, spec: { schedule: { interval: '1h' }, api: API_SPEC } },
      ),
    });
    const proc = await startController({ world: w, env: API_SECRETS });
    await waitFor('the first run to export six accounts', () => targetRows(w).ids.length === 6, 60_000, 200).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${describeLogs(proc)}`);
    });
    await waitFor('the first run to finish', async () => (await apiCall<{ items: Job[] }>(proc, 'GET', '/jobs')).body.items.some((j) => FINISHED.has(j.status)), 30_000, 200);

    // Four people leave HR at once: HR's import guard holds them back.
    writeFileSync(w.hrFile, hrCsv(PEOPLE.slice(0, 2)));
    const guarded = await syncNow(proc);
    expect(guarded.status).toBe('blocked');
    expect(await heldIds(proc, 'hr')).toEqual(['import delete E3', 'import delete E4', 'import delete E5', 'import delete E6']);
    expect((await approve(proc, 'hr', 3, 'too few')).body).toMatchObject({ code: 'AllowanceTooSmall' });
    const first = await approve(proc, 'hr', 4, 'four leavers, confirmed by HR');
    expect(first.status).toBe(201);

    // Before the next run the held-back set changes: Carol stays after all, Bob leaves. Still four
    // deletions, but not the four approved: the guard blocks them all and the approval is used up.
    writeFileSync(w.hrFile, hrCsv([PEOPLE[0]!, PEOPLE[2]!]));
    const refused = await syncNow(proc);
    expect(refused.status).toBe('blocked');
    expect(refused.approvals).toEqual([expect.objectContaining({ id: first.body.approval.id, state: 'refused', letThrough: [] })]);
    expect(refused.approvals[0]?.note).toContain('1 of the 4 held back was not held back when approval');
    expect(refused.approvals[0]?.note).toContain('E2');
    expect(targetRows(w).ids.sort()).toEqual(['E1', 'E2', 'E3', 'E4', 'E5', 'E6']);
    expect(await heldIds(proc, 'hr')).toEqual(['import delete E2', 'import delete E4', 'import delete E5', 'import delete E6']);

    const second = await approve(proc, 'hr', 4, 'Bob left instead of Carol');
    expect(second.status).toBe(201);
    // The import goes through; the four account deletions are the directory's delete gate's to hold.
    const imported = await syncNow(proc);
    expect(imported.status).toBe('blocked');
    expect(imported.approvals.map((a) => [a.id, a.connector, a.state, a.letThrough.length, a.approvedBy])).toEqual([[second.body.approval.id, 'hr', 'applied', 4, 'sre']]);
    expect(targetRows(w).ids).toHaveLength(6);
    expect(await heldIds(proc, 'directory')).toEqual(['export delete E2', 'export delete E4', 'export delete E5', 'export delete E6']);

    const third = await approve(proc, 'directory', 4, 'their accounts go too');
    expect(third.status).toBe(201);
    const applied = await syncNow(proc);
    expect(applied.status).toBe('succeeded');
    expect(targetRows(w).ids.sort()).toEqual(['E1', 'E3']);
    expect(applied.approvals.map((a) => [a.id, a.state, a.reason, a.letThrough.map((o) => o.externalId)])).toEqual([[third.body.approval.id, 'applied', 'their accounts go too', ['E2', 'E4', 'E5', 'E6']]]);
    // Once: nothing is held back any more, so there is nothing left to approve.
    expect((await approve(proc, 'directory', 4, 'again')).body).toMatchObject({ code: 'NothingPending' });

    // The audit trail in Git: the reports commits name each approval's outcome, who gave it and why.
    const log = await waitFor('the reports commit of the approved run', () => {
      const text = tryGit(w.remote, 'log', '--format=%B', `refs/heads/${REPORTS_BRANCH}`);
      return text.includes(`approval #${third.body.approval.id} applied`) ? text : undefined;
    }, 30_000, 200);
    expect(log).toContain(`Approval: #${first.body.approval.id} hr refused by sre at ${first.body.approval.approvedAt}: let nothing through; reason: four leavers, confirmed by HR; 1 of the 4 held back was not held back`);
    expect(log).toContain(`Approval: #${second.body.approval.id} hr applied by sre at ${second.body.approval.approvedAt}: let through 4 (delete E2, delete E4, delete E5, delete E6); reason: Bob left instead of Carol`);
    expect(log).toContain(`Approval: #${third.body.approval.id} directory applied by sre at ${third.body.approval.approvedAt}: let through 4 (delete E2, delete E4, delete E5, delete E6); reason: their accounts go too`);
    const status = remoteReports(w).status as { approvals?: ApprovalRecord[] } | undefined;
    expect(status?.approvals?.map((a) => [a.id, a.connector, a.state, a.approvedBy, a.reason])).toEqual([[third.body.approval.id, 'directory', 'applied', 'sre', 'their accounts go too']]);
    const md = tryGit(w.remote, 'show', `refs/heads/${REPORTS_BRANCH}:reports/status.md`);
    expect(md).toContain('## Approvals');
  });
});
