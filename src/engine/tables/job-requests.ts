/**
 * The `job_request` table: sync requests (POST /sync, /connectors/{name}/sync) waiting for their cycle.
 * A request reserves the next id of the cycle table's sequence; the first reconcile cycle of its scope
 * and of at least its kind takes that id (migration 2's trigger on PostgreSQL, `claimQueuedRequest` on
 * SQLite). One request waits per scope: further requests join it.
 */
import type { CycleKind, RunTrigger } from '../context.js';
import type { Queryable } from '../../store/db.js';

/** A job as the store holds it: a cycle with the request it answered, or a request still waiting. */
export interface JobRow {
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
  /** The request asked its cycle to send every failed export again; null: no request. */
  retry_failed: boolean | number | null;
}

const QUEUED_JOBS = `
  SELECT CAST(j.id AS text) AS id, 'queued' AS result, j.kind, CAST(NULL AS text) AS revision, CAST(NULL AS timestamptz) AS started_at, CAST(NULL AS timestamptz) AS finished_at,
         CAST(NULL AS jsonb) AS counts, CAST(NULL AS text) AS error, j.requested_at, j.requested_by, j.requests, j.connectors, CAST(NULL AS text[]) AS scope, 'api' AS trigger, CAST(NULL AS jsonb) AS type_counts, false AS superseded, j.retry_failed
    FROM job_request j
   WHERE j.state = 'queued'`;

/** Waiting requests newest first; with `connector`, those for everything and those naming it. */
export async function queuedRequestRows(q: Queryable, connector?: string): Promise<JobRow[]> {
  const filter = connector === undefined ? '' : ` AND (j.connectors IS NULL OR $1 ${q.dialect.in('j.connectors')})`;
  return q.query<JobRow>(`${QUEUED_JOBS}${filter} ORDER BY j.requested_at DESC, j.id DESC`, connector === undefined ? [] : [connector]);
}

export async function queuedRequestRow(q: Queryable, id: number): Promise<JobRow | undefined> {
  return (await q.query<JobRow>(`${QUEUED_JOBS} AND j.id = $1`, [id]))[0];
}

/** Waiting requests oldest first. */
export async function allQueuedRequestRows(q: Queryable): Promise<JobRow[]> {
  return q.query<JobRow>(`${QUEUED_JOBS} ORDER BY j.requested_at, j.id`);
}

/** One waiting request per scope (migration 8): '*' for everything, else the sorted connectors joined by ','. */
export function scopeKeyOf(connectors: readonly string[] | null): string {
  return connectors === null ? '*' : [...connectors].sort().join(',');
}

/**
 * Queues a request, or joins the one of its scope already waiting. Atomic: two concurrent requests (even
 * on two replicas sharing a PostgreSQL store) end up in one row.
 */
export async function upsertRequest(q: Queryable, kind: CycleKind, connectors: readonly string[] | null, requestedBy: string, retryFailed = false): Promise<{ id: number; requests: number }> {
  const list = connectors === null ? null : [...connectors];
  const rows = await q.query<{ id: string; requests: number }>(
    q.dialect.name === 'sqlite' ? SQLITE_REQUEST : POSTGRES_REQUEST,
    q.dialect.name === 'sqlite'
      ? [kind, list, requestedBy, await q.dialect.nextval(q, 'cycle_id_seq'), scopeKeyOf(list), retryFailed]
      : [kind, list, requestedBy, scopeKeyOf(list), retryFailed],
  );
  const row = rows[0];
  if (!row) throw new Error('queueing the sync request returned no row');
  return { id: Number(row.id), requests: row.requests };
}

/**
 * On SQLite (one writer, no trigger): the waiting request a starting reconcile cycle answers, marked
 * started; its id becomes the cycle's. A connector's run never takes a request for everything, nor the reverse.
 */
export async function claimQueuedRequest(q: Queryable, kind: CycleKind, scope: readonly string[] | null): Promise<number | undefined> {
  const claimed = await q.query<{ id: number }>(
    `UPDATE job_request SET state = 'started', started_at = ${q.dialect.now} WHERE state = 'queued' AND (kind = 'delta' OR $1 = 'full') AND scope_key = $2 RETURNING id`,
    [kind, scope === null ? '*' : scope.join(',')],
  );
  return claimed[0]?.id;
}

const POSTGRES_REQUEST = `INSERT INTO job_request (id, kind, connectors, requested_by, scope_key, retry_failed)
     VALUES (nextval(pg_get_serial_sequence('cycle', 'id')), $1, $2::text[], ARRAY[$3::text], $4, $5::boolean)
     ON CONFLICT (scope_key) WHERE state = 'queued' DO UPDATE SET
       kind = CASE WHEN job_request.kind = 'full' OR EXCLUDED.kind = 'full' THEN 'full' ELSE 'delta' END,
       connectors = CASE WHEN job_request.connectors IS NULL OR EXCLUDED.connectors IS NULL THEN NULL
                         ELSE ARRAY(SELECT DISTINCT x FROM unnest(job_request.connectors || EXCLUDED.connectors) AS x ORDER BY 1) END,
       requested_by = ARRAY(SELECT DISTINCT x FROM unnest(job_request.requested_by || EXCLUDED.requested_by) AS x ORDER BY 1),
       requests = job_request.requests + 1,
       retry_failed = job_request.retry_failed OR EXCLUDED.retry_failed
     RETURNING CAST(id AS text) AS id, requests`;

/** The same on SQLite: lists are JSON arrays, and the id is reserved before ($4). */
const SQLITE_REQUEST = `INSERT INTO job_request (id, kind, connectors, requested_by, scope_key, retry_failed)
     VALUES ($4, $1, $2, json_array($3), $5, $6)
     ON CONFLICT (scope_key) WHERE state = 'queued' DO UPDATE SET
       kind = CASE WHEN job_request.kind = 'full' OR EXCLUDED.kind = 'full' THEN 'full' ELSE 'delta' END,
       connectors = CASE WHEN job_request.connectors IS NULL OR EXCLUDED.connectors IS NULL THEN NULL
                         ELSE (SELECT json_group_array(x ORDER BY x) FROM (SELECT value AS x FROM json_each(job_request.connectors) UNION SELECT value FROM json_each(EXCLUDED.connectors))) END,
       requested_by = (SELECT json_group_array(x ORDER BY x) FROM (SELECT value AS x FROM json_each(job_request.requested_by) UNION SELECT value FROM json_each(EXCLUDED.requested_by))),
       requests = job_request.requests + 1,
       retry_failed = job_request.retry_failed OR EXCLUDED.retry_failed
     RETURNING CAST(id AS text) AS id, requests`;
