/**
 * The `cycle` table: one row per reconcile cycle (and per plan preview that recorded one); a reconcile
 * cycle's id is its job id. Jobs read here are cycles with the sync request each answered.
 */
import type { CycleSummary } from '../../reports/types.js';
import type { Queryable } from '../../store/db.js';
import { isoTimestampOrNull } from '../../store/timestamps.js';
import type { CycleKind, RunTrigger } from '../context.js';
import { claimQueuedRequest, type JobRow } from './job-requests.js';

/**
 * Starts a cycle's row. The first reconcile cycle of a waiting sync request's scope and of at least its
 * kind takes the request's reserved id: on PostgreSQL a trigger does it (migrations 2, 7 and 8, so
 * replicas sharing a store agree); on SQLite, the single writer does it here.
 */
export async function insertCycle(q: Queryable, kind: CycleKind, mode: string, revision: string | null | undefined, scope: readonly string[] | null, trigger: RunTrigger | null): Promise<number> {
  const list = scope === null ? null : [...scope];
  if (q.dialect.name === 'postgres') {
    const rows = await q.query<{ id: string }>(`INSERT INTO cycle (kind, mode, revision, result, scope, trigger) VALUES ($1, $2, $3, 'running', $4, $5) RETURNING CAST(id AS text) AS id`, [kind, mode, revision, list, trigger]);
    return Number(rows[0]?.id);
  }
  const claimed = mode === 'reconcile' ? await claimQueuedRequest(q, kind, scope) : undefined;
  const id = claimed ?? (await q.dialect.nextval(q, 'cycle_id_seq'));
  await q.query(`INSERT INTO cycle (id, kind, mode, revision, result, scope, trigger) VALUES ($1, $2, $3, $4, 'running', $5, $6)`, [id, kind, mode, revision, list, trigger]);
  return id;
}

export interface CycleEnd {
  readonly result: string;
  readonly counts: unknown;
  readonly error: string | null;
  readonly typeCounts: unknown;
}

export async function finishCycle(q: Queryable, id: number, end: CycleEnd): Promise<void> {
  await q.query(`UPDATE cycle SET result = $2, finished_at = ${q.dialect.now}, counts = ${q.dialect.json('$3')}, error = $4, type_counts = ${q.dialect.json('$5')} WHERE id = $1`, [
    id,
    end.result,
    JSON.stringify(end.counts),
    end.error,
    JSON.stringify(end.typeCounts),
  ]);
}

/** Cycles still `running` become `interrupted` (only when no other process writes the store); their ids. */
export async function markRunningInterrupted(q: Queryable): Promise<number[]> {
  const rows = await q.query<{ id: string }>(
    `UPDATE cycle SET result = 'interrupted', error = coalesce(error, 'the process running it stopped before it finished') WHERE result = 'running' RETURNING CAST(id AS text) AS id`,
  );
  return rows.map((r) => Number(r.id));
}

export async function anyCycle(q: Queryable): Promise<boolean> {
  return (await q.query<{ one: number }>('SELECT 1 AS one FROM cycle LIMIT 1')).length > 0;
}

/** The newest reconcile cycles, newest first. */
export async function recentCycles(q: Queryable, limit = 10): Promise<CycleSummary[]> {
  const rows = await q.query<{ id: string; kind: 'full' | 'delta'; mode: 'reconcile' | 'plan'; result: CycleSummary['result']; started_at: Date; finished_at: Date | null; revision: string | null; counts: CycleSummary['counts'] }>(
    `SELECT CAST(id AS text) AS id, kind, mode, result, started_at, finished_at, revision, counts FROM cycle WHERE mode = 'reconcile' ORDER BY id DESC LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({ id: Number(r.id), kind: r.kind, mode: r.mode, result: r.result, startedAt: isoTimestampOrNull(r.started_at) ?? '', finishedAt: isoTimestampOrNull(r.finished_at), revision: r.revision, counts: r.counts }));
}

// A cycle still `running` while a later one started was cut off (its process stopped): `superseded`.
const CYCLE_JOBS = `
  SELECT CAST(c.id AS text) AS id, c.result, c.kind, c.revision, c.started_at, c.finished_at, c.counts, c.error,
         j.requested_at, j.requested_by, j.requests, j.connectors, c.scope, c.trigger, c.type_counts,
         (c.finished_at IS NULL AND EXISTS (SELECT 1 FROM cycle n WHERE n.mode = 'reconcile' AND n.started_at > c.started_at)) AS superseded, j.retry_failed
    FROM cycle c LEFT JOIN job_request j ON j.id = c.id AND j.state = 'started'
   WHERE c.mode = 'reconcile'`;

/** With `connector`: only whole-mesh cycles and those whose scope names it. */
function scopeFilter(q: Queryable, param: string, connector: string | undefined): string {
  return connector === undefined ? '' : ` AND (c.scope IS NULL OR ${param} ${q.dialect.in('c.scope')})`;
}

/** Reconcile cycles as jobs, newest first. */
export async function cycleJobRows(q: Queryable, limit: number, offset: number, connector?: string): Promise<JobRow[]> {
  return q.query<JobRow>(`${CYCLE_JOBS}${scopeFilter(q, '$3', connector)} ORDER BY c.started_at DESC, c.id DESC LIMIT $1 OFFSET $2`, [limit, offset, ...(connector === undefined ? [] : [connector])]);
}

export async function countCycleJobs(q: Queryable, connector?: string): Promise<number> {
  const rows = await q.query<{ n: number }>(`SELECT CAST(count(*) AS integer) AS n FROM cycle c WHERE c.mode = 'reconcile'${scopeFilter(q, '$1', connector)}`, connector === undefined ? [] : [connector]);
  return rows[0]?.n ?? 0;
}

export async function cycleJobRow(q: Queryable, id: number): Promise<JobRow | undefined> {
  return (await q.query<JobRow>(`${CYCLE_JOBS} AND c.id = $1`, [id]))[0];
}

/** The newest finished reconcile cycle, as a job. */
export async function lastFinishedCycleJobRow(q: Queryable): Promise<JobRow | undefined> {
  return (await q.query<JobRow>(`${CYCLE_JOBS} AND c.finished_at IS NOT NULL ORDER BY c.started_at DESC, c.id DESC LIMIT 1`))[0];
}

/** The config revision and start time of these cycles (history dates values by the run that made them). */
export async function cycleStamps(q: Queryable, ids: readonly number[]): Promise<Map<number, { revision: string | null; startedAt: string }>> {
  if (ids.length === 0) return new Map();
  const rows = await q.query<{ id: string; revision: string | null; started_at: Date | string }>(`SELECT CAST(id AS text) AS id, revision, started_at FROM cycle WHERE id ${q.dialect.in('$1')}`, [ids]);
  return new Map(rows.map((r) => [Number(r.id), { revision: r.revision, startedAt: isoTimestampOrNull(r.started_at) ?? '' }]));
}
