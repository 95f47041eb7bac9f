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

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'blocked' | 'interrupted';

/** The counters every job shows per connector; a cycle may add more (read, joined, provisioned, heldBack …). */
export const JOB_COUNTERS = ['imported', 'created', 'updated', 'moved', 'enabled', 'disabled', 'deleted', 'failed', 'conflicts', 'errors'] as const;
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

interface JobRow {
  id: string;
  result: string;
  kind: CycleKind;
  revision: string | null;
  started_at: Date | string | null;
  finished_at: Date | string | null;
  counts: Record<string, Record<string, number>> | null;
  error: string | null;
  requested_at: Date | string | null;
  requested_by: string[] | null;
  requests: number | null;
  connectors: string[] | null;
  scope: string[] | null;
  trigger: RunTrigger | null;
  type_counts: Record<string, Record<string, number>> | null;
  superseded: boolean;
}

const CYCLE_JOBS = `
  SELECT CAST(c.id AS text) AS id, c.result, c.kind, c.revision, c.started_at, c.finished_at, c.counts, c.error,
         j.requested_at, j.requested_by, j.requests, j.connectors, c.scope, c.trigger, c.type_counts,
         (c.finished_at IS NULL AND EXISTS (SELECT 1 FROM cycle n WHERE n.mode = 'reconcile' AND n.started_at > c.started_at)) AS superseded
    FROM cycle c LEFT JOIN job_request j ON j.id = c.id AND j.state = 'started'
   WHERE c.mode = 'reconcile'`;

const QUEUED_JOBS = `
  SELECT CAST(j.id AS text) AS id, 'queued' AS result, j.kind, CAST(NULL AS text) AS revision, CAST(NULL AS timestamptz) AS started_at, CAST(NULL AS timestamptz) AS finished_at,
         CAST(NULL AS jsonb) AS counts, CAST(NULL AS text) AS error, j.requested_at, j.requested_by, j.requests, j.connectors, CAST(NULL AS text[]) AS scope, 'api' AS trigger, CAST(NULL AS jsonb) AS type_counts, false AS superseded
    FROM job_request j
   WHERE j.state = 'queued'`;


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
  const queuedFilter = connector === undefined ? '' : ` AND (j.connectors IS NULL OR $1 ${q.dialect.in('j.connectors')})`;
  const cycleFilter = connector === undefined ? '' : ` AND (c.scope IS NULL OR $3 ${q.dialect.in('c.scope')})`;
  const filterParams = connector === undefined ? [] : [connector];
  const queued = await q.query<JobRow>(`${QUEUED_JOBS}${queuedFilter} ORDER BY j.requested_at DESC, j.id DESC`, filterParams);
  const start = (page - 1) * pageSize;
  const fromQueue = queued.slice(start, start + pageSize);
  const wanted = pageSize - fromQueue.length;
  const cycles =
    wanted > 0
      ? await q.query<JobRow>(`${CYCLE_JOBS}${cycleFilter} ORDER BY c.started_at DESC, c.id DESC LIMIT $1 OFFSET $2`, [wanted, Math.max(0, start - queued.length), ...filterParams])
      : [];
  const total = await q.query<{ n: number }>(
    `SELECT CAST(count(*) AS integer) AS n FROM cycle c WHERE c.mode = 'reconcile'${connector === undefined ? '' : ` AND (c.scope IS NULL OR $1 ${q.dialect.in('c.scope')})`}`,
    filterParams,
  );
  return { items: await withApprovals(q, [...fromQueue, ...cycles].map(toJob)), page, pageSize, total: (total[0]?.n ?? 0) + queued.length };
}

export async function getJob(q: Queryable, id: number): Promise<Job | undefined> {
  // The waiting request first: if its cycle starts in between, the second query finds the cycle.
  const queued = await q.query<JobRow>(`${QUEUED_JOBS} AND j.id = $1`, [id]);
  if (queued[0]) return toJob(queued[0]);
  const cycle = await q.query<JobRow>(`${CYCLE_JOBS} AND c.id = $1`, [id]);
  return cycle[0] ? (await withApprovals(q, [toJob(cycle[0])]))[0] : undefined;
}

/** The newest finished reconcile cycle, as a job (each connector's "last run"). */
export async function lastFinishedJob(q: Queryable): Promise<Job | undefined> {
  const rows = await q.query<JobRow>(`${CYCLE_JOBS} AND c.finished_at IS NOT NULL ORDER BY c.started_at DESC, c.id DESC LIMIT 1`);
  return rows[0] ? (await withApprovals(q, [toJob(rows[0])]))[0] : undefined;
}

export interface SyncRequest {
  readonly kind: CycleKind;
  /** null: every connector. */
  readonly connectors: readonly string[] | null;
  readonly requestedBy: string;
}

/**
 * Queues a sync request, or joins the one already waiting. Atomic: two concurrent requests (even on two
 * replicas sharing a PostgreSQL store) end up in one job.
 */
export async function requestJob(q: Queryable, request: SyncRequest): Promise<{ job: Job; joined: boolean }> {
  const connectors = request.connectors === null ? null : [...request.connectors];
  const rows = await q.query<{ id: string; requests: number }>(
    q.dialect.name === 'sqlite' ? SQLITE_REQUEST : POSTGRES_REQUEST,
    q.dialect.name === 'sqlite'
      ? [request.kind, connectors, request.requestedBy, await q.dialect.nextval(q, 'cycle_id_seq'), scopeKeyOf(connectors)]
      : [request.kind, connectors, request.requestedBy, scopeKeyOf(connectors)],
  );
  const row = rows[0];
  if (!row) throw new Error('queueing the sync request returned no row');
  const job = await getJob(q, Number(row.id));
  if (!job) throw new Error(`job ${row.id} vanished right after it was queued`);
  return { job, joined: row.requests > 1 };
}

/** One waiting request per scope (migration 8): '*' for everything, else the sorted connectors joined by ','. */
function scopeKeyOf(connectors: string[] | null): string {
  return connectors === null ? '*' : [...connectors].sort().join(',');
}

const POSTGRES_REQUEST = `INSERT INTO job_request (id, kind, connectors, requested_by, scope_key)
     VALUES (nextval(pg_get_serial_sequence('cycle', 'id')), $1, $2::text[], ARRAY[$3::text], $4)
     ON CONFLICT (scope_key) WHERE state = 'queued' DO UPDATE SET
       kind = CASE WHEN job_request.kind = 'full' OR EXCLUDED.kind = 'full' THEN 'full' ELSE 'delta' END,
       connectors = CASE WHEN job_request.connectors IS NULL OR EXCLUDED.connectors IS NULL THEN NULL
                         ELSE ARRAY(SELECT DISTINCT x FROM unnest(job_request.connectors || EXCLUDED.connectors) AS x ORDER BY 1) END,
       requested_by = ARRAY(SELECT DISTINCT x FROM unnest(job_request.requested_by || EXCLUDED.requested_by) AS x ORDER BY 1),
       requests = job_request.requests + 1
     RETURNING CAST(id AS text) AS id, requests`;

/** The same on SQLite: lists are JSON arrays, and the id is reserved before ($4). */
const SQLITE_REQUEST = `INSERT INTO job_request (id, kind, connectors, requested_by, scope_key)
     VALUES ($4, $1, $2, json_array($3), $5)
     ON CONFLICT (scope_key) WHERE state = 'queued' DO UPDATE SET
       kind = CASE WHEN job_request.kind = 'full' OR EXCLUDED.kind = 'full' THEN 'full' ELSE 'delta' END,
       connectors = CASE WHEN job_request.connectors IS NULL OR EXCLUDED.connectors IS NULL THEN NULL
                         ELSE (SELECT json_group_array(x ORDER BY x) FROM (SELECT value AS x FROM json_each(job_request.connectors) UNION SELECT value FROM json_each(EXCLUDED.connectors))) END,
       requested_by = (SELECT json_group_array(x ORDER BY x) FROM (SELECT value AS x FROM json_each(job_request.requested_by) UNION SELECT value FROM json_each(EXCLUDED.requested_by))),
       requests = job_request.requests + 1
     RETURNING CAST(id AS text) AS id, requests`;

/** The requests still waiting for their cycles, one per scope (re-requested from the controller after a restart). */
export async function queuedJobs(q: Queryable): Promise<Job[]> {
  return (await q.query<JobRow>(`${QUEUED_JOBS} ORDER BY j.requested_at, j.id`)).map(toJob);
}
