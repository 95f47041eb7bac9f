/**
 * `imesh reconcile --server URL [--connector NAME]`: "sync now" through the operator API. It asks for a
 * cycle (POST /sync, or POST /connectors/{name}/sync for one connector's scoped run; an operator call), then follows the job until it ends and exits as a local reconcile
 * would: 0 succeeded, 3 blocked by a safety gate, 1 failed or interrupted (or still running when the
 * wait ends).
 */
import type { Job } from '../../controller/api/jobs.js';
import type { StatusView } from '../../controller/api/status-views.js';
import { ServerError, type OperatorClient } from './operator-client.js';

const FIRST_POLL_MS = 250;
const MAX_POLL_MS = 2_000;

export interface RemoteReconcileOptions {
  readonly full: boolean;
  /** Sync Now for this connector only (its scoped run); without it, the whole mesh. */
  readonly connector?: string;
  /** Send every failed export again in the job (`--retry-failed`). */
  readonly retryFailed?: boolean;
  readonly timeoutMs: number;
  /** Lines for people: where the job stands (stderr). */
  readonly note: (line: string) => void;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface RemoteReconcileResult {
  readonly job: Job;
  readonly exitCode: number;
  /** Gate messages of a blocked job (from the controller's status). */
  readonly gates: readonly string[];
}

const FINISHED = new Set<Job['status']>(['succeeded', 'failed', 'blocked', 'interrupted']);

export function exitCodeOf(job: Job): number {
  if (job.status === 'succeeded') return 0;
  if (job.status === 'blocked') return 3;
  return 1;
}

/** `delta`, or `delta, connectors hr` for a scoped run, as a local cycle's summary says it. */
function kindAndScope(job: Pick<Job, 'kind' | 'scope' | 'connectors' | 'retryFailed'>): string {
  const scope = job.scope ?? job.connectors;
  return `${job.kind}${scope ? `, connectors ${scope.join(', ')}` : ''}${job.retryFailed ? ', retrying failed exports' : ''}`;
}

/** `job 43 (delta) succeeded: 17 imported change(s); 5 created, 12 updated`, like a local cycle's summary. */
export function jobSummary(job: Job): string {
  const t = job.totals;
  const parts = (['created', 'updated', 'moved', 'enabled', 'disabled', 'deleted', 'failed', 'retried', 'givenUp', 'heldBack'] as const).filter((k) => (t[k] ?? 0) > 0).map((k) => `${t[k]} ${k}`);
  const duration = job.durationMs === null ? '' : ` in ${(job.durationMs / 1000).toFixed(1)} s`;
  return `job ${job.id} (${kindAndScope(job)}) ${job.status}${duration}: ${t.imported ?? 0} imported change(s); ${parts.length > 0 ? parts.join(', ') : 'nothing to export'}; conflicts: ${t.conflicts ?? 0}`;
}

export async function remoteReconcile(api: OperatorClient, options: RemoteReconcileOptions): Promise<RemoteReconcileResult> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const path = options.connector === undefined ? '/sync' : `/connectors/${encodeURIComponent(options.connector)}/sync`;
  const asked = await api.post<{ jobId: number; joined: boolean; job: Job }>(path, { mode: options.full ? 'full' : 'delta', ...(options.retryFailed ? { retryFailed: true } : {}) });
  options.note(`${asked.joined ? 'joined waiting' : 'asked for'} sync job ${asked.jobId} (${kindAndScope(asked.job)}) on ${api.display}`);
  const end = Date.now() + options.timeoutMs;
  let job = asked.job;
  let wait = FIRST_POLL_MS;
  let announced = job.status;
  while (!FINISHED.has(job.status)) {
    if (Date.now() >= end) {
      throw new ServerError(
        'ServerTimeout',
        `sync job ${job.id} is still ${job.status} on ${api.display} after ${Math.round(options.timeoutMs / 1000)} s; it goes on there: follow it with GET /api/v1/jobs/${job.id}, or wait longer with --timeout`,
        undefined,
        { retryable: true },
      );
    }
    await sleep(Math.min(wait, Math.max(0, end - Date.now())));
    wait = Math.min(wait * 2, MAX_POLL_MS);
    job = await api.get<Job>(`/jobs/${job.id}`);
    if (job.status !== announced) {
      announced = job.status;
      if (job.status === 'running') options.note(`sync job ${job.id} running (revision ${job.revision ?? 'unknown'})`);
    }
  }
  let gates: string[] = [];
  if (job.status === 'blocked') {
    const status = await api.get<StatusView>('/status');
    gates = status.gates.map((g) => g.message || `${g.connector}: ${g.type}`);
  }
  return { job, exitCode: exitCodeOf(job), gates };
}
