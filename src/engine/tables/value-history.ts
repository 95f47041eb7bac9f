/**
 * The `value_history` table: each mesh value's changes over time. One row per mesh object and unit of
 * work in which any of its values changed; the rows of a page are written in one statement with the
 * page's mesh writes. Stored shape (migration 12):
 *
 *   sources: [[rule, connector, externalId], …]          each contributing source once
 *   changes: { attr: [value, source, confidence]          the new winning value
 *                  | [null]                                 the attribute lost its value
 *                  | [null, source, confidence, 1] }        changed, value withheld (a secret)
 */
import type { Value } from '../../config/model.js';
import type { Queryable } from '../../store/db.js';
import { isoTimestamp } from '../../store/timestamps.js';

/** Which run wrote a history row: the cycle's change number, its id (0 for a plan preview) and revision. */
export interface HistoryStamp {
  readonly seq: number;
  readonly cycleId: number;
  readonly revision: string | null;
}

export interface ValueSource {
  readonly rule: string;
  readonly connector: string;
  readonly externalId: string;
}

/** One attribute's new value: `value` null when it has none now; `withheld` when it may not be kept. */
export interface ValueChange {
  readonly attribute: string;
  readonly value: Value | null;
  readonly source?: ValueSource;
  readonly confidence?: number;
  readonly withheld?: boolean;
}

export interface ObjectValueChanges {
  readonly meshId: string;
  readonly meshType: string;
  readonly changes: readonly ValueChange[];
}

type StoredChange = [value: Value | null, source?: number, confidence?: number, withheld?: 1];

/** The stored shape of one object's changes; an object has a source or two, so they are found by a scan. */
function encode(changes: readonly ValueChange[]): { sources: [string, string, string][]; changes: Record<string, StoredChange> } {
  const sources: [string, string, string][] = [];
  const out: Record<string, StoredChange> = {};
  for (const change of changes) {
    const source = change.source;
    if (!source) {
      out[change.attribute] = [change.withheld ? null : change.value];
      continue;
    }
    let at = 0;
    while (at < sources.length && !(sources[at]![2] === source.externalId && sources[at]![1] === source.connector && sources[at]![0] === source.rule)) at++;
    if (at === sources.length) sources.push([source.rule, source.connector, source.externalId]);
    out[change.attribute] = change.withheld ? [null, at, change.confidence ?? 0, 1] : [change.value, at, change.confidence ?? 0];
  }
  return { sources, changes: out };
}

export async function insertValueHistory(q: Queryable, stamp: HistoryStamp, objects: readonly ObjectValueChanges[]): Promise<void> {
  const rows = objects.filter((o) => o.changes.length > 0).map((o) => ({ m: o.meshId, t: o.meshType, ...encode(o.changes) }));
  if (rows.length === 0) return;
  await q.query(
    `INSERT INTO value_history (mesh_id, mesh_type, seq, cycle_id, revision, sources, changes)
     SELECT x.m, x.t, $1, $2, $3, x.sources, x.changes FROM ${q.dialect.records('$4', { m: 'text', t: 'text', sources: 'jsonb', changes: 'jsonb' })}`,
    [stamp.seq, stamp.cycleId, stamp.revision, JSON.stringify(rows)],
  );
}

/** One value of one attribute, as history shows it. */
export interface ValueHistoryEntry {
  readonly attribute: string;
  /** The value from then on; null when the attribute lost its value, or when it is withheld. */
  readonly value: Value | null;
  readonly withheld: boolean;
  /** The source that won (absent when the attribute lost its value). */
  readonly connector: string | null;
  readonly rule: string | null;
  readonly externalId: string | null;
  readonly confidence: number | null;
  readonly revision: string | null;
  /** The run (job id); 0 for a plan preview's rolled-back rows, which no reader sees. */
  readonly run: number;
  readonly at: string;
}

/** A mesh object's value changes, oldest first; only `attribute`'s when given. */
export async function readValueHistory(q: Queryable, meshId: string, attribute?: string): Promise<ValueHistoryEntry[]> {
  const rows = await q.query<{ seq: string | number; cycle_id: string | number; revision: string | null; at: Date | string; sources: [string, string, string][]; changes: Record<string, StoredChange> }>(
    'SELECT seq, cycle_id, revision, at, sources, changes FROM value_history WHERE mesh_id = $1 ORDER BY seq, at',
    [meshId],
  );
  const out: ValueHistoryEntry[] = [];
  for (const row of rows) {
    const names = Object.keys(row.changes).sort();
    for (const name of names) {
      if (attribute !== undefined && name !== attribute) continue;
      const [value, sourceIndex, confidence, withheld] = row.changes[name]!;
      const source = sourceIndex === undefined ? undefined : row.sources[sourceIndex];
      out.push({
        attribute: name,
        value: withheld ? null : value,
        withheld: withheld === 1,
        connector: source?.[1] ?? null,
        rule: source?.[0] ?? null,
        externalId: source?.[2] ?? null,
        confidence: confidence ?? null,
        revision: row.revision,
        run: Number(row.cycle_id),
        at: isoTimestamp(row.at),
      });
    }
  }
  return out;
}

/** Deletes the rows written before `cutoff` (ISO 8601); returns how many. */
export async function pruneValueHistory(q: Queryable, cutoff: string): Promise<number> {
  const rows = await q.query<{ n: string | number }>('SELECT count(*) AS n FROM value_history WHERE at < $1', [cutoff]);
  const count = Number(rows[0]?.n ?? 0);
  if (count > 0) await q.query('DELETE FROM value_history WHERE at < $1', [cutoff]);
  return count;
}
