/**
 * Failed exports and their attempts (the `export_error` table; Mesh `spec.exportRetry`). One row per
 * projected object (projection, mesh id, item) whose last export failed: its error (code, message,
 * retryable), the cycles that sent it (`attempts`) and the fingerprint of the change that failed.
 *
 * - A retryable failure is retried inside the cycle (exporter.ts), then sent again by the next cycles:
 *   the first RETRY_AT_ONCE attempts at once, then after 1, 2, 4 … minutes, at most an hour apart.
 * - A non-retryable one is sent again only when its object is planned anyway (it changed, or a full
 *   cycle).
 * - After `maxAttempts` cycles the change is given up: the planner withholds it — also on a full cycle —
 *   while its fingerprint stays the same, so it is sent again once its desired state changes, or after
 *   `imesh reconcile --retry-failed` (which sets `attempts` to 0: due at once, counted afresh).
 * - A change refused because this replica stopped exporting (ExportPaused) is no attempt (`attempts` 0).
 */
import type { ExportChange } from '../connectors/sdk.js';
import type { Queryable } from '../store/db.js';
import type { Dialect } from '../store/dialect.js';
import { hashOf } from './values.js';

export const RETRY_AT_ONCE = 3;

/** Failed exports of a projection that the next cycle sends again by itself (an SQL condition). */
function retryDue(d: Dialect, maxAttempts: number): string {
  const delayed =
    d.name === 'sqlite'
      ? `strftime('%Y-%m-%dT%H:%M:%fZ', at, '+' || min(3600, 60 * (1 << (attempts - ${RETRY_AT_ONCE}))) || ' seconds') <= ${d.now}`
      : `at + least(interval '1 hour', interval '1 minute' * power(2, attempts - ${RETRY_AT_ONCE})) <= now()`;
  return `(attempts = 0 OR (retryable AND attempts < ${Math.trunc(maxAttempts)} AND (attempts < ${RETRY_AT_ONCE} OR ${delayed})))`;
}

export const objectKey = (meshId: string, item: string): string => `${meshId}\u0000${item}`;

/**
 * What an object's planned changes would write: the operations, addresses and desired values, without
 * the run's change ids and the observed `from` values. The same desired state gives the same fingerprint.
 */
export function changeFingerprint(changes: readonly ExportChange[]): string {
  return hashOf(
    changes.map((change) => {
      const { id: _id, ...rest } = change;
      if (change.op !== 'update') return rest;
      return { ...rest, attributes: Object.fromEntries(Object.entries(change.attributes).map(([name, c]) => [name, { to: c.to ?? null, add: c.add ?? null, remove: c.remove ?? null }])) };
    }),
  );
}

export interface FailedExport {
  readonly meshId: string;
  readonly item: string;
  readonly op: string;
  readonly code: string;
  readonly message: string;
  readonly retryable: boolean;
  readonly attempts: number;
  readonly changeHash: string | null;
  readonly object: string | null;
}

/** A change the cycle withheld because it was given up, as the cycle record, job and status show it. */
export interface GivenUpExport {
  readonly projection: string;
  readonly connector: string;
  readonly meshId: string;
  readonly object: string;
  readonly op: string;
  readonly code: string;
  readonly message: string;
  readonly attempts: number;
}

/** The failed exports of these mesh objects for one projection, by objectKey. */
export async function loadFailedExports(q: Queryable, projection: string, meshIds: readonly string[]): Promise<Map<string, FailedExport>> {
  const rows = await q.query<{ mesh_id: string; item: string; op: string; code: string; message: string; retryable: boolean | number; attempts: number; change_hash: string | null; object: string | null }>(
    `SELECT mesh_id, item, op, code, message, retryable, attempts, change_hash, object FROM export_error WHERE projection = $1 AND mesh_id ${q.dialect.in('$2')}`,
    [projection, meshIds],
  );
  return new Map(
    rows.map((r) => [
      objectKey(r.mesh_id, r.item),
      { meshId: r.mesh_id, item: r.item, op: r.op, code: r.code, message: r.message, retryable: Boolean(r.retryable), attempts: Number(r.attempts), changeHash: r.change_hash, object: r.object },
    ]),
  );
}

/** Whether any export of the projection failed and is not settled (its primary key answers at once). */
export async function anyFailedExports(q: Queryable, projection: string): Promise<boolean> {
  return (await q.query('SELECT 1 AS failed FROM export_error WHERE projection = $1 LIMIT 1', [projection])).length > 0;
}

/** Forgets failed exports of objects whose plan no longer sends anything (their desired state is reached or gone). */
export async function settleFailedExports(q: Queryable, projection: string, objects: readonly { meshId: string; item: string }[]): Promise<void> {
  if (objects.length === 0) return;
  await q.query(
    `DELETE FROM export_error WHERE projection = $1 AND EXISTS (SELECT 1 FROM ${q.dialect.records('$2', { mesh_id: 'text', item: 'text' })} WHERE x.mesh_id = export_error.mesh_id AND x.item = export_error.item)`,
    [projection, JSON.stringify(objects.map((o) => ({ mesh_id: o.meshId, item: o.item })))],
  );
}

/** `--retry-failed`: every failed export of these projections is due at once and counted afresh. */
export async function retryFailedExports(q: Queryable, projections: readonly string[]): Promise<number> {
  if (projections.length === 0) return 0;
  const rows = await q.query<{ n: number }>(`UPDATE export_error SET attempts = 0 WHERE projection ${q.dialect.in('$1')} RETURNING 1 AS n`, [projections]);
  return rows.length;
}

/** The mesh objects of a projection whose failed export the next cycle sends again by itself. */
export async function retryDueIds(q: Queryable, projection: string, maxAttempts: number): Promise<string[]> {
  const rows = await q.query<{ id: string }>(`SELECT mesh_id AS id FROM export_error WHERE projection = $1 AND ${retryDue(q.dialect, maxAttempts)}`, [projection]);
  return rows.map((r) => r.id);
}

/** One failed export as recorded: its error and the fingerprint of the change that failed. */
export interface FailureRow {
  readonly projection: string;
  readonly mesh_id: string;
  readonly item: string;
  readonly op: string;
  readonly code: string;
  readonly message: string;
  readonly retryable: boolean;
  readonly change_hash: string;
  readonly object: string;
}

/** Forgets the failed exports of these mesh objects (their export succeeded). */
export async function clearFailedExports(q: Queryable, projection: string, meshIds: readonly string[]): Promise<void> {
  if (meshIds.length === 0) return;
  await q.query(`DELETE FROM export_error WHERE projection = $1 AND mesh_id ${q.dialect.in('$2')}`, [projection, meshIds]);
}

/**
 * Records failed exports in one statement. A change that failed again with the same fingerprint adds an
 * attempt; a different change starts counting afresh; a failure coded `noAttempt` (exports stopped) is
 * no attempt (0: due at the next cycle).
 */
export async function recordFailedExports(q: Queryable, failures: readonly FailureRow[], noAttempt: string): Promise<void> {
  if (failures.length === 0) return;
  await q.query(
    `INSERT INTO export_error (projection, mesh_id, item, op, code, message, retryable, change_hash, object, attempts)
     SELECT x.projection, x.mesh_id, x.item, x.op, x.code, x.message, x.retryable, x.change_hash, x.object, CASE WHEN x.code = $2 THEN 0 ELSE 1 END
       FROM ${q.dialect.records('$1', { projection: 'text', mesh_id: 'text', item: 'text', op: 'text', code: 'text', message: 'text', retryable: 'boolean', change_hash: 'text', object: 'text' })} WHERE true
     ON CONFLICT (projection, mesh_id, item) DO UPDATE
       SET op = EXCLUDED.op, code = EXCLUDED.code, message = EXCLUDED.message, retryable = EXCLUDED.retryable, object = EXCLUDED.object,
           attempts = CASE WHEN EXCLUDED.code = $2 THEN export_error.attempts
                           WHEN export_error.change_hash = EXCLUDED.change_hash THEN export_error.attempts + 1 ELSE 1 END,
           change_hash = EXCLUDED.change_hash, at = ${q.dialect.now}`,
    [JSON.stringify(failures), noAttempt],
  );
}

/** Per projection: failed exports, how many are given up (`maxAttempts`), how many wait (not retryable), and one message. */
export interface ExportErrorCounts {
  readonly projection: string;
  readonly n: number;
  readonly given_up: number;
  readonly waiting: number;
  readonly message: string;
}

export async function failedExportCounts(q: Queryable, maxAttempts: number): Promise<{ total: number; byProjection: ExportErrorCounts[] }> {
  const pending = await q.query<{ n: number }>('SELECT CAST(count(*) AS integer) AS n FROM export_error');
  const byProjection = await q.query<ExportErrorCounts>(
    `SELECT projection, CAST(count(*) AS integer) AS n,
            CAST(count(*) FILTER (WHERE attempts >= $1) AS integer) AS given_up,
            CAST(count(*) FILTER (WHERE NOT retryable AND attempts < $1) AS integer) AS waiting, min(message) AS message
       FROM export_error GROUP BY projection`,
    [maxAttempts],
  );
  return { total: pending[0]?.n ?? 0, byProjection };
}

/** The given-up exports (at most 1,000, oldest first). */
export async function loadGivenUpExports(q: Queryable, maxAttempts: number): Promise<{ projection: string; object: string | null; mesh_id: string; op: string; code: string; message: string; attempts: number; at: Date | string }[]> {
  return q.query<{ projection: string; object: string | null; mesh_id: string; op: string; code: string; message: string; attempts: number; at: Date | string }>(
    `SELECT projection, object, mesh_id, op, code, message, attempts, at FROM export_error WHERE attempts >= $1 ORDER BY at, projection, mesh_id LIMIT 1000`,
    [maxAttempts],
  );
}
