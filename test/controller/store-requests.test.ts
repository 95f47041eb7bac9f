import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CompiledConfig } from '../../src/config/model.js';
import { requestJob } from '../../src/controller/api/jobs.js';
import { StoreRequestWatcher, waitingSyncJobs, type StoredRequest } from '../../src/controller/store-requests.js';
import { openTestStore } from '../engine/test-store.js';
import { quietLogger } from './quiet-logger.js';

const request = (key: string, connectors: string[] | null = null): StoredRequest => ({ key, kind: 'delta', reason: key, connectors, trigger: 'api' });

function watcher(shown: StoredRequest[][], state: { leader: boolean; busy: boolean; queued: (string[] | null)[] }) {
  const asked: string[] = [];
  const w = new StoreRequestWatcher({
    sources: [async () => shown[0] ?? []],
    running: () => ({}) as CompiledConfig,
    isLeader: () => state.leader,
    isQueued: (connectors) => state.queued.some((q) => JSON.stringify(q) === JSON.stringify(connectors)),
    busy: () => state.busy,
    request: (r) => asked.push(r.key),
    log: quietLogger(),
  });
  return { w, asked };
}

describe('requests waiting in the store', () => {
  it('asks the run loop once per request, only on the leader, and not for a scope already queued', async () => {
    const shown = [[request('job:1:delta', ['hr']), request('scim:entra:7')]];
    const state = { leader: false, busy: false, queued: [] as (string[] | null)[] };
    const { w, asked } = watcher(shown, state);
    await w.pollOnce();
    expect(asked).toEqual([]); // a standby runs nothing

    state.leader = true;
    state.busy = true; // a run in progress may import what waits: look again after it
    await w.pollOnce();
    expect(asked).toEqual([]);

    state.busy = false;
    state.queued = [['hr']]; // this replica's own API call already queued hr's run
    await w.pollOnce();
    await w.pollOnce();
    expect(asked).toEqual(['scim:entra:7']);

    // A newer push is a new request; one the store no longer shows is forgotten and may come back.
    shown[0] = [request('scim:entra:9')];
    await w.pollOnce();
    shown[0] = [request('job:1:delta', ['hr'])];
    state.queued = [];
    await w.pollOnce();
    expect(asked).toEqual(['scim:entra:7', 'scim:entra:9', 'job:1:delta']);

    // A new leader asks afresh for what still waits.
    w.leaderChanged();
    await w.pollOnce();
    expect(asked).toEqual(['scim:entra:7', 'scim:entra:9', 'job:1:delta', 'job:1:delta']);
  });

  it("a sync request's retryFailed reaches the leader, also when a request joins it later", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'imesh-store-requests-'));
    const db = await openTestStore(dir);
    try {
      const waiting = waitingSyncJobs(db);
      const { job } = await requestJob(db, { kind: 'delta', connectors: ['hr'], requestedBy: 'sre' });
      expect(await waiting({} as CompiledConfig)).toEqual([expect.objectContaining({ key: `job:${job.id}:delta`, connectors: ['hr'] })]);
      expect((await waiting({} as CompiledConfig))[0]?.retryFailed).toBeUndefined();
      // Joined by a request that asks for it: a new key, so the leader asks its run loop again, with it.
      const joined = await requestJob(db, { kind: 'delta', connectors: ['hr'], requestedBy: 'ops', retryFailed: true });
      expect(joined).toMatchObject({ joined: true, job: { id: job.id, retryFailed: true } });
      expect(await waiting({} as CompiledConfig)).toEqual([expect.objectContaining({ key: `job:${job.id}:delta:retry-failed`, retryFailed: true })]);
      // A later request without it does not take it away.
      expect((await requestJob(db, { kind: 'delta', connectors: ['hr'], requestedBy: 'sre' })).job.retryFailed).toBe(true);
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
