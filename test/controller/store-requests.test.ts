import { describe, expect, it } from 'vitest';
import type { CompiledConfig } from '../../src/config/model.js';
import { StoreRequestWatcher, type StoredRequest } from '../../src/controller/store-requests.js';
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
});
