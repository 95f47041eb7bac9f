/**
 * The `export_history` table: each change exported to a target and what came of it, written in one
 * statement with the export batch's other records (migration 12).
 */
import type { Scalar, Value } from '../../config/model.js';
import type { Queryable } from '../../store/db.js';
import { isoTimestamp } from '../../store/timestamps.js';
import type { HistoryStamp } from './value-history.js';

export type ExportOutcome = 'ok' | 'failed' | 'heldBack';

/**
 * What an export wrote: a create's values, an update's new values (null: cleared; a list's
 * added and removed items), a move's new DN under `dn`. A withheld value (a secret) is `(withheld)`.
 */
export type ExportedValues = Readonly<Record<string, ExportedValue>>;

/** A value written, null for a cleared one, or the items a multi-valued update added and removed. */
export type ExportedValue = Value | null | { readonly add: readonly Scalar[]; readonly remove: readonly Scalar[] };

export interface ExportRecord {
  readonly projection: string;
  readonly meshId: string;
  readonly item: string;
  readonly connector: string;
  readonly objectType: string;
  /** The target object: DN, key or external id, as plans name it. */
  readonly object: string;
  readonly op: string;
  readonly attributes: ExportedValues | null;
  readonly result: ExportOutcome;
  /** `code: message` of a failure, or why a create was held back. */
  readonly error: string | null;
}

export async function insertExportHistory(q: Queryable, stamp: HistoryStamp, records: readonly ExportRecord[]): Promise<void> {
  if (records.length === 0) return;
  await q.query(
    `INSERT INTO export_history (projection, mesh_id, item, connector, object_type, object, op, attributes, result, error, seq, cycle_id, revision)
     SELECT x.projection, x.mesh_id, x.item, x.connector, x.object_type, x.object, x.op, x.attributes, x.result, x.error, $1, $2, $3
       FROM ${q.dialect.records('$4', { projection: 'text', mesh_id: 'text', item: 'text', connector: 'text', object_type: 'text', object: 'text', op: 'text', attributes: 'jsonb', result: 'text', error: 'text' })}`,
    [
      stamp.seq,
      stamp.cycleId,
      stamp.revision,
      JSON.stringify(
        records.map((r) => ({ projection: r.projection, mesh_id: r.meshId, item: r.item, connector: r.connector, object_type: r.objectType, object: r.object, op: r.op, attributes: r.attributes, result: r.result, error: r.error })),
      ),
    ],
  );
}

export interface ExportHistoryEntry {
  readonly projection: string;
  readonly connector: string;
  readonly objectType: string;
  readonly object: string;
  readonly item: string;
  readonly op: string;
  readonly attributes: ExportedValues | null;
  readonly result: ExportOutcome;
  readonly error: string | null;
  readonly revision: string | null;
  readonly run: number;
  readonly at: string;
}

/** The exports made for a mesh object, oldest first; with `attribute`, those that wrote it and the deletes of the object. */
export async function readExportHistory(q: Queryable, meshId: string, attribute?: string): Promise<ExportHistoryEntry[]> {
  const rows = await q.query<{
    projection: string;
    connector: string;
    object_type: string;
    object: string;
    item: string;
    op: string;
    attributes: ExportedValues | null;
    result: ExportOutcome;
    error: string | null;
    revision: string | null;
    cycle_id: string | number;
    at: Date | string;
  }>(
    `SELECT projection, connector, object_type, object, item, op, attributes, result, error, revision, cycle_id, at
       FROM export_history WHERE mesh_id = $1 ORDER BY seq, at`,
    [meshId],
  );
  return rows
    .filter((row) => attribute === undefined || (row.attributes !== null && Object.hasOwn(row.attributes, attribute)) || row.op === 'delete')
    .map((row) => ({
      projection: row.projection,
      connector: row.connector,
      objectType: row.object_type,
      object: row.object,
      item: row.item,
      op: row.op,
      attributes: row.attributes,
      result: row.result,
      error: row.error,
      revision: row.revision,
      run: Number(row.cycle_id),
      at: isoTimestamp(row.at),
    }));
}

/** Deletes the rows written before `cutoff` (ISO 8601); returns how many. */
export async function pruneExportHistory(q: Queryable, cutoff: string): Promise<number> {
  const rows = await q.query<{ n: string | number }>('SELECT count(*) AS n FROM export_history WHERE at < $1', [cutoff]);
  const count = Number(rows[0]?.n ?? 0);
  if (count > 0) await q.query('DELETE FROM export_history WHERE at < $1', [cutoff]);
  return count;
}
