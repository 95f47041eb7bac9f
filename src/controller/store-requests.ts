/**
 * Requests that wait in the store for the leader. Every replica serves the API and the SCIM inbound
 * endpoint, but only the leader runs: a sync request made on a standby waits in `job_request`, and a
 * SCIM push a standby took waits in the inbox. The leader looks for both every few seconds and asks its
 * run loop for each once (a request of the same scope already queued answers it). The store is the only
 * channel between replicas: no messages of our own.
 */
import type { CompiledConfig } from '../config/model.js';
import { descriptorOf } from '../connectors/registry.js';
import type { CycleKind, RunTrigger } from '../engine/context.js';
import { errorMessage } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { Queryable } from '../store/db.js';
import { queuedJobs } from './api/jobs.js';
import type { ScimInbox } from './scim/inbox.js';
import { Wakeup } from './wakeup.js';

export const STORE_REQUEST_POLL_MS = 2_000;

export interface StoredRequest {
  /** Identifies the request: asked for once while the store still shows it. */
  readonly key: string;
  readonly kind: CycleKind;
  readonly reason: string;
  /** null: the whole mesh. */
  readonly connectors: readonly string[] | null;
  readonly trigger: RunTrigger;
  /** Send every failed export again (a sync request's `retryFailed`). */
  readonly retryFailed?: boolean;
}

/** One place requests wait, read against the running revision. */
export type StoredRequestSource = (config: CompiledConfig) => Promise<readonly StoredRequest[]>;

/** Sync requests (POST /sync, /connectors/{name}/sync) waiting for their cycles. */
export function waitingSyncJobs(q: Queryable): StoredRequestSource {
  return async () =>
    (await queuedJobs(q)).map((job) => ({
      // A joined full (or retryFailed) request changes the waiting job: asked for again, and the run loop merges it.
      key: `job:${job.id}:${job.kind}${job.retryFailed ? ':retry-failed' : ''}`,
      kind: job.kind,
      reason: `sync job ${job.id} requested by ${job.requestedBy.join(', ')}${job.connectors ? ` for ${job.connectors.join(', ')}` : ''}`,
      connectors: job.connectors,
      trigger: 'api' as const,
      ...(job.retryFailed ? { retryFailed: true } : {}),
    }));
}

/**
 * SCIM pushes the running revision's scim-inbound connectors have not imported yet. None while this
 * replica's own endpoint holds pushes for its debounced request (`localPending`): that request runs
 * them, and asking now would defeat the debounce that turns a burst of pushes into one run.
 */
export function unimportedPushes(inbox: ScimInbox, localPending: () => boolean = () => false): StoredRequestSource {
  return async (config) => {
    if (localPending()) return [];
    const inbound = [...config.connectors.values()].filter((c) => descriptorOf(c.type).inbox).map((c) => c.name);
    if (inbound.length === 0) return [];
    const newest = await inbox.unimported(inbound);
    return [...newest].map(([connector, seq]) => ({ key: `scim:${connector}:${seq}`, kind: 'delta' as const, reason: `SCIM push to ${connector}`, connectors: null, trigger: 'scim' as const }));
  };
}

export interface StoreRequestWatcherOptions {
  readonly sources: readonly StoredRequestSource[];
  readonly running: () => CompiledConfig | undefined;
  readonly isLeader: () => boolean;
  /** Whether a request of this scope already waits in the run loop. */
  readonly isQueued: (connectors: readonly string[] | null) => boolean;
  /**
   * Whether a run is in progress: the store is read again after it, when what it imported (an inbox
   * row, a request it answered) no longer shows as waiting.
   */
  readonly busy: () => boolean;
  readonly request: (request: StoredRequest) => void;
  readonly log: Logger;
  readonly intervalMs?: number;
}

export class StoreRequestWatcher {
  private readonly asked = new Set<string>();
  private readonly wake = new Wakeup();
  private stopping = false;

  constructor(private readonly options: StoreRequestWatcherOptions) {}

  /** A new leader asks afresh for everything waiting. */
  leaderChanged(): void {
    this.asked.clear();
    this.wake.wake();
  }

  /** Asks the run loop for each request not asked for yet; forgets those the store no longer shows. */
  async pollOnce(): Promise<void> {
    const { running, isLeader, isQueued, request, sources } = this.options;
    const config = running();
    if (!config || !isLeader() || this.options.busy()) return;
    const seen = new Set<string>();
    for (const source of sources) {
      for (const r of await source(config)) {
        seen.add(r.key);
        if (this.asked.has(r.key)) continue;
        this.asked.add(r.key);
        if (!isQueued(r.connectors)) request(r);
      }
    }
    for (const key of this.asked) if (!seen.has(key)) this.asked.delete(key);
  }

  async loop(): Promise<void> {
    const interval = this.options.intervalMs ?? STORE_REQUEST_POLL_MS;
    while (!this.stopping) {
      try {
        await this.pollOnce();
      } catch (error) {
        this.options.log.warn({ event: 'store-requests-failed', error: errorMessage(error) }, 'cannot read the requests waiting in the store; trying again');
      }
      await this.wake.wait(interval);
    }
  }

  stop(): void {
    this.stopping = true;
    this.wake.wake();
  }
}
