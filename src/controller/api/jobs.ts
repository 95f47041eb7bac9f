/**
 * Jobs: every reconcile cycle, seen as a job with a status, start and end, and counts per connector
 * (what an admin console calls sync jobs), plus the one sync request that may be waiting for its cycle.
 *
 * Ids: a sync request reserves the next id of the cycle table's sequence and waits in `job_request`;
 * the first reconcile cycle of at least the requested kind that starts afterwards takes that id as its
 * own (migration 2's trigger on PostgreSQL; the cycle itself on SQLite), so the id POST /sync returns is, from then on, the cycle's id. While a
 * request waits, further requests join it (a full one makes it full, connector scopes merge) instead
 * of queueing more cycles.
 */
import { approvalsOfRuns } from '../../engine/approvals.js';
import type { CycleKind, RunTrigger } from '../../engine/context.js';
import type { ApprovalRecord } from '../../reports/types.js';
import { redact } from '../../shared/logger.js';
import type { Queryable } from '../../store/db.js';
import { isoTimestampOrNull } from '../../store/timestamps.js';
import { countCycleJobs, cycleJobRow, cycleJobRows, lastFinishedCycleJobRow } from '../../engine/tables/cycles.js';
import { allQueuedRequestRows, queuedRequestRow, queuedRequestRows, upsertRequest, type JobRow } from '../../engine/tables/job-requests.js';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'blocked' | 'interrupted';

/** The counters every job shows per connector; a cycle may add more (read, joined, provisioned, heldBack …). */
export const JOB_COUNTERS = ['imported', 'created', 'updated', 'moved', 'enabled', 'disabled', 'deleted', 'failed', 'retried', 'givenUp', 'conflicts', 'errors'] as const;
export type JobCounter = (typeof JOB_COUNTERS)[number];
export type JobCounts = Record<JobCounter, number> & Record<string, number>;

export interface Job {
  readonly id: number;
  readonly status: JobStatus;
  readonly kind: CycleKind;
  /** `api` when a sync request asked for it; `controller` for schedules, new revisions, webhooks, SCIM pushes. */
  readonly trigger: 'api' | 'controller';
  readonly requestedAt: string | null;
  /** Names of the API tokens that asked (joined requests add theirs). */
  readonly requestedBy: readonly string[];
  /** How many sync requests this job answers. */
  readonly requests: number;
  /** A request asked this run to send every failed export again, given-up ones included (`imesh reconcile --retry-failed`). */
  readonly retryFailed: boolean;
  /** The connectors asked for: `[name]` from POST /connectors/{name}/sync, null from POST /sync (all). */
  readonly connectors: readonly string[] | null;
  /** The connectors a scoped run covered (a connector's own schedule, its Sync Now, `--connector`); null: the whole mesh. */
  readonly scope: readonly string[] | null;
  /**
   * Export counts per target object type: `objectCounts.user.created`, `objectCounts.group.updated` (the
   * documents' usersCreated, groupsUpdated); empty while queued or for runs recorded before them.
   */
  readonly objectCounts: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** What started the run: `schedule`, `revision`, `scim`, `api` (the tokens are in `requestedBy`) or `cli`; null when not recorded. */
  readonly triggeredBy: RunTrigger | null;
  readonly revision: string | null;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly durationMs: number | null;
  readonly counts: Readonly<Record<string, JobCounts>>;
  readonly totals: JobCounts;
  readonly errors: readonly string[];
  /** Approvals this run used (applied or refused): who, when, why, what they let through. */
  readonly approvals: readonly ApprovalRecord[];
}

export interface JobPage {
  readonly items: readonly Job[];
  readonly page: number;
  readonly pageSize: number;
  readonly total: number;
}

function emptyCounts(): JobCounts {
  return Object.fromEntries(JOB_COUNTERS.map((k) => [k, 0])) as JobCounts;
}

function toJob(row: JobRow): Job {
  const counts: Record<string, JobCounts> = {};
  const totals = emptyCounts();
  for (const [connector, values] of Object.entries(row.counts ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const c = emptyCounts();
    for (const [key, n] of Object.entries(values)) {
      if (typeof n !== 'number' || !Number.isFinite(n)) continue;
      c[key] = n;
      totals[key] = (totals[key] ?? 0) + n;
    }
    counts[connector] = c;
  }
  const status: JobStatus =
    row.result === 'queued' ? 'queued' : row.result === 'running' ? (row.superseded ? 'interrupted' : 'running') : (row.result as JobStatus);
  const startedAt = isoTimestampOrNull(row.started_at);
  const finishedAt = isoTimestampOrNull(row.finished_at);
  return {
    id: Number(row.id),
    status,
    kind: row.kind,
    trigger: row.requested_at === null ? 'controller' : 'api',
    requestedAt: isoTimestampOrNull(row.requested_at),
    requestedBy: row.requested_by ?? [],
    requests: row.requests ?? 0,
    retryFailed: row.retry_failed === true || Number(row.retry_failed) === 1,
    connectors: row.requested_at === null ? null : row.connectors,
    scope: row.scope ?? null,
    triggeredBy: row.trigger ?? null,
    objectCounts: row.type_counts ?? {},
    revision: row.revision,
    startedAt,
    finishedAt,
    durationMs: startedAt !== null && finishedAt !== null ? Date.parse(finishedAt) - Date.parse(startedAt) : null,
    counts,
    totals,
    errors: row.error ? row.error.split('\n').filter((line) => line !== '').map(redact) : [],
    approvals: [],
  };
}

/** The jobs with the approvals their runs used. */
async function withApprovals(q: Queryable, jobs: Job[]): Promise<Job[]> {
  const byRun = await approvalsOfRuns(q, jobs.filter((j) => j.status !== 'queued').map((j) => j.id));
  return jobs.map((job) => (byRun.has(job.id) ? { ...job, approvals: byRun.get(job.id)! } : job));
}

/**
 * Jobs newest first: waiting requests, then cycles by start time. `page` is 1-based. With `connector`,
 * only the jobs that cover it: whole-mesh ones and those whose scope (or request) names it.
 */
export async function listJobs(q: Queryable, page: number, pageSize: number, connector?: string): Promise<JobPage> {
  const queued = await queuedRequestRows(q, connector);
  const start = (page - 1) * pageSize;
  const fromQueue = queued.slice(start, start + pageSize);
  const wanted = pageSize - fromQueue.length;
  const cycles = wanted > 0 ? await cycleJobRows(q, wanted, Math.max(0, start - queued.length), connector) : [];
  const total = await countCycleJobs(q, connector);
  return { items: await withApprovals(q, [...fromQueue, ...cycles].map(toJob)), page, pageSize, total: total + queued.length };
}

export async function getJob(q: Queryable, id: number): Promise<Job | undefined> {
  // The waiting request first: if its cycle starts in between, the second query finds the cycle.
  const queued = await queuedRequestRow(q, id);
  if (queued) return toJob(queued);
  const cycle = await cycleJobRow(q, id);
  return cycle ? (await withApprovals(q, [toJob(cycle)]))[0] : undefined;
}

/** The newest finished reconcile cycle, as a job (each connector's "last run"). */
export async function lastFinishedJob(q: Queryable): Promise<Job | undefined> {
  const row = await lastFinishedCycleJobRow(q);
  return row ? (await withApprovals(q, [toJob(row)]))[0] : undefined;
}

export interface SyncRequest {
  readonly kind: CycleKind;
  /** null: every connector. */
  readonly connectors: readonly string[] | null;
  readonly requestedBy: string;
  /** Send every failed export again in this run (joined requests: any of them asks). */
  readonly retryFailed?: boolean;
}

/**
 * Queues a sync request, or joins the one already waiting. Atomic: two concurrent requests (even on two
 * replicas sharing a PostgreSQL store) end up in one job.
 */
export async function requestJob(q: Queryable, request: SyncRequest): Promise<{ job: Job; joined: boolean }> {
  const row = await upsertRequest(q, request.kind, request.connectors, request.requestedBy, request.retryFailed ?? false);
  const job = await getJob(q, row.id);
  if (!job) throw new Error(`job ${row.id} vanished right after it was queued`);
  return { job, joined: row.requests > 1 };
}

/** The requests still waiting for their cycles, one per scope (re-requested from the controller after a restart). */
export async function queuedJobs(q: Queryable): Promise<Job[]> {
  return (await allQueuedRequestRows(q)).map(toJob);
}
