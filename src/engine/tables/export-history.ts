/**
 * The `export_history` table: each change exported to a target and what came of it, written in one
 * statement with the export batch's other records (migrations 12 and 16). What the config and the
 * cycle record say is not repeated: the target connector and object type are the projection's, the
 * revision the run's. A create's values are not either (they are the mesh values of its run, in the
 * value history); rows written before migration 18 still hold them. A create that made a new link is no
 * row at all: the link keeps its run (target_link.created_cycle, migration 20) and the reader shows it
 * from there; it becomes a row only if the link is released to another mesh object.
 */
import type { CompiledConfig, Scalar, Value } from '../../config/model.js';
import type { Queryable } from '../../store/db.js';
import { isoTimestamp } from '../../store/timestamps.js';
import { cycleStamps } from './cycles.js';
import { linkCreations, type LinkCreation } from './target-links.js';
import type { HistoryStamp } from './value-history.js';

export type ExportOutcome = 'ok' | 'failed' | 'heldBack';

/**
 * What an export wrote: an update's new values (null: cleared; a list's added and removed items), a
 * move's new DN under `dn`, an enable's or disable's state; rows written before migration 18 also hold
 * a create's values. A withheld value (a secret) is `(withheld)`.
 */
export type ExportedValues = Readonly<Record<string, ExportedValue>>;

/** A value written, null for a cleared one, or the items a multi-valued update added and removed. */
export type ExportedValue = Value | null | { readonly add: readonly Scalar[]; readonly remove: readonly Scalar[] };

export interface ExportRecord {
  readonly projection: string;
  readonly meshId: string;
  readonly item: string;
  /** The target object: DN, key or external id, as plans name it. */
  readonly object: string;
  readonly op: string;
  /** What an update or move wrote; null for a create (its run's mesh values), a delete, an enable. */
  readonly attributes: ExportedValues | null;
  readonly result: ExportOutcome;
  /** `code: message` of a failure, or why a create was held back. */
  readonly error: string | null;
}

export async function insertExportHistory(q: Queryable, stamp: HistoryStamp, records: readonly ExportRecord[]): Promise<void> {
  if (records.length === 0) return;
  await q.query(
    `INSERT INTO export_history (projection, mesh_id, item, object, op, attributes, result, error, seq, cycle_id)
     SELECT x.p, x.m, x.i, x.o, x.op, x.a, x.r, x.e, $1, $2
       FROM ${q.dialect.records('$3', { p: 'text', m: 'text', i: 'text', o: 'text', op: 'text', a: 'jsonb', r: 'text', e: 'text' })}`,
    [
      stamp.seq,
      stamp.cycleId,
      // Absent fields are SQL NULL.
      JSON.stringify(records.map((r) => ({ p: r.projection, m: r.meshId, i: r.item, o: r.object, op: r.op, a: r.attributes ?? undefined, r: r.result, e: r.error ?? undefined }))),
    ],
  );
}

/**
 * Moves the creates that released links recorded into export history: each as its run's create
 * (ordered first among the object's exports), kept from now for the retention.
 */
export async function insertReleasedCreations(q: Queryable, creations: readonly LinkCreation[]): Promise<void> {
  if (creations.length === 0) return;
  await q.query(
    `INSERT INTO export_history (projection, mesh_id, item, connector, object_type, object, op, result, seq, cycle_id)
     SELECT x.p, x.m, x.i, x.c, x.t, x.o, 'create', 'ok', 0, x.r FROM ${q.dialect.records('$1', { p: 'text', m: 'text', i: 'text', c: 'text', t: 'text', o: 'text', r: 'bigint' })}`,
    [JSON.stringify(creations.map((c) => ({ p: c.projection, m: c.meshId, i: c.item, c: c.connector, t: c.objectType, o: c.object, r: c.createdCycle })))],
  );
}

export interface ExportHistoryEntry {
  readonly projection: string;
  /** The projection's target (empty when the projection is no longer configured). */
  readonly connector: string;
  readonly objectType: string;
  readonly object: string;
  readonly item: string;
  readonly op: string;
  /** What it wrote; null for a create recorded since migration 18 (it wrote its run's mesh values), a delete. */
  readonly attributes: ExportedValues | null;
  readonly result: ExportOutcome;
  readonly error: string | null;
  readonly revision: string | null;
  readonly run: number;
  readonly at: string;
}

/** The exports made for a mesh object, oldest first; with `attribute`, those that wrote it, the creates and the deletes. */
export async function readExportHistory(q: Queryable, config: CompiledConfig, meshId: string, attribute?: string): Promise<ExportHistoryEntry[]> {
  const rows = await q.query<{
    projection: string;
    connector: string | null;
    object_type: string | null;
    object: string;
    item: string;
    op: string;
    attributes: ExportedValues | null;
    result: ExportOutcome;
    error: string | null;
    cycle_id: string | number;
    at: Date | string;
  }>(`SELECT projection, connector, object_type, object, item, op, attributes, result, error, cycle_id, at FROM export_history WHERE mesh_id = $1 ORDER BY seq, at`, [meshId]);
  const kept = rows.filter((row) => attribute === undefined || row.op === 'delete' || (row.attributes === null ? row.op === 'create' : Object.hasOwn(row.attributes, attribute)));
  // The creates the object's links still hold: a create writes every attribute, so none is filtered out.
  const creations = await linkCreations(q, meshId);
  const stamps = await cycleStamps(q, [...new Set([...kept.map((row) => Number(row.cycle_id)), ...creations.map((c) => c.createdCycle)])]);
  const fromLinks = creations.map(
    (c): ExportHistoryEntry => ({
      projection: c.projection,
      connector: c.connector,
      objectType: c.objectType,
      object: c.object,
      item: c.item,
      op: 'create',
      attributes: null,
      result: 'ok',
      error: null,
      revision: stamps.get(c.createdCycle)?.revision ?? null,
      run: c.createdCycle,
      at: stamps.get(c.createdCycle)?.startedAt ?? '',
    }),
  );
  const fromRows = kept.map((row): ExportHistoryEntry => {
    const target = config.projections.find((p) => p.name === row.projection)?.target;
    return {
      projection: row.projection,
      connector: row.connector ?? target?.connector ?? '',
      objectType: row.object_type ?? target?.objectType ?? '',
      object: row.object,
      item: row.item,
      op: row.op,
      attributes: row.attributes,
      result: row.result,
      error: row.error,
      revision: stamps.get(Number(row.cycle_id))?.revision ?? null,
      run: Number(row.cycle_id),
      at: isoTimestamp(row.at),
    };
  });
  // Rows are in order; a link's create (dated by its run's start) goes before what followed it.
  return [...fromLinks, ...fromRows].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

/** Deletes the rows written before `cutoff` (ISO 8601); returns how many. */
export async function pruneExportHistory(q: Queryable, cutoff: string): Promise<number> {
  const rows = await q.query<{ n: string | number }>('SELECT count(*) AS n FROM export_history WHERE at < $1', [cutoff]);
  const count = Number(rows[0]?.n ?? 0);
  if (count > 0) await q.query('DELETE FROM export_history WHERE at < $1', [cutoff]);
  return count;
}
