/**
 * The `value_history` table: the states mesh values left. A value's current state is the mesh
 * object's (value and winning source in `mesh_object`, since when in its `created_cycle` and
 * `value_since`); when it changes or ends, its previous state is written here, one row per mesh object
 * and unit of work, with the page's mesh writes. So a first cycle writes no history. Stored shape
 * (migration 18):
 *
 *   sources: [[rule, connector, externalId], …]                each source that held a value once
 *   changes: { attr: [value, since, flags, source?, confidence?] }
 *     value:  the value it held (null when withheld: a secret is never history)
 *     since:  the run (cycle id) from which it held it; null when not known (the object predates it)
 *     flags:  1 the value is withheld, 2 no value followed (the attribute or the object ended)
 *
 * Rows of migration 12 (`value_history_v12`, one per change holding the new value) stay readable until
 * retention prunes them.
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

export const WITHHELD_FLAG = 1;
export const ENDED_FLAG = 2;

/** The state one attribute left: the value it held, from which run and source. */
export interface PreviousState {
  readonly attribute: string;
  readonly value: Value;
  /** The run from which it held this value; null when that is not known. */
  readonly since: number | null;
  readonly source?: ValueSource;
  readonly confidence?: number;
  readonly withheld: boolean;
  /** No value followed: the attribute lost its value, or the object was deleted. */
  readonly ended: boolean;
}

export interface ObjectPreviousStates {
  readonly meshId: string;
  readonly states: readonly PreviousState[];
}

type StoredState = [value: Value | null, since: number | null, flags: number, source?: number, confidence?: number];

function encode(states: readonly PreviousState[]): { sources: [string, string, string][]; changes: Record<string, StoredState> } {
  const sources: [string, string, string][] = [];
  const out: Record<string, StoredState> = {};
  for (const state of states) {
    const flags = (state.withheld ? WITHHELD_FLAG : 0) | (state.ended ? ENDED_FLAG : 0);
    const value = state.withheld ? null : state.value;
    const source = state.source;
    if (!source) {
      out[state.attribute] = [value, state.since, flags];
      continue;
    }
    // An object has a source or two, so they are found by a scan.
    let at = 0;
    while (at < sources.length && !(sources[at]![2] === source.externalId && sources[at]![1] === source.connector && sources[at]![0] === source.rule)) at++;
    if (at === sources.length) sources.push([source.rule, source.connector, source.externalId]);
    out[state.attribute] = [value, state.since, flags, at, state.confidence ?? 0];
  }
  return { sources, changes: out };
}

export async function insertPreviousStates(q: Queryable, stamp: HistoryStamp, objects: readonly ObjectPreviousStates[]): Promise<void> {
  const rows = objects.filter((o) => o.states.length > 0).map((o) => ({ m: o.meshId, ...encode(o.states) }));
  if (rows.length === 0) return;
  await q.query(
    `INSERT INTO value_history (mesh_id, seq, cycle_id, sources, changes)
     SELECT x.m, $1, $2, x.sources, x.changes FROM ${q.dialect.records('$3', { m: 'text', sources: 'jsonb', changes: 'jsonb' })}`,
    [stamp.seq, stamp.cycleId, JSON.stringify(rows)],
  );
}

/** One state an attribute left, as read back: oldest first per object. */
export interface StoredPreviousState {
  readonly attribute: string;
  readonly value: Value | null;
  readonly withheld: boolean;
  readonly ended: boolean;
  readonly since: number | null;
  readonly source: ValueSource | null;
  readonly confidence: number | null;
  /** The run that ended it, and when. */
  readonly endedBy: number;
  readonly endedAt: string;
}

export async function readPreviousStates(q: Queryable, meshId: string, attribute?: string): Promise<StoredPreviousState[]> {
  const rows = await q.query<{ cycle_id: string | number; at: Date | string; sources: [string, string, string][]; changes: Record<string, StoredState> }>(
    'SELECT cycle_id, at, sources, changes FROM value_history WHERE mesh_id = $1 ORDER BY seq, at',
    [meshId],
  );
  const out: StoredPreviousState[] = [];
  for (const row of rows) {
    for (const name of Object.keys(row.changes).sort()) {
      if (attribute !== undefined && name !== attribute) continue;
      const [value, since, flags, sourceIndex, confidence] = row.changes[name]!;
      const source = sourceIndex === undefined ? undefined : row.sources[sourceIndex];
      out.push({
        attribute: name,
        value: flags & WITHHELD_FLAG ? null : value,
        withheld: (flags & WITHHELD_FLAG) !== 0,
        ended: (flags & ENDED_FLAG) !== 0,
        since: since === null ? null : Number(since),
        source: source ? { rule: source[0], connector: source[1], externalId: source[2] } : null,
        confidence: confidence ?? null,
        endedBy: Number(row.cycle_id),
        endedAt: isoTimestamp(row.at),
      });
    }
  }
  return out;
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

type LegacyChange = [value: Value | null, source?: number, confidence?: number, withheld?: 1];

/** The value changes migration 12 recorded (each row holds the new values), oldest first. */
export async function readLegacyValueHistory(q: Queryable, meshId: string, attribute?: string): Promise<ValueHistoryEntry[]> {
  const rows = await q.query<{ seq: string | number; cycle_id: string | number; revision: string | null; at: Date | string; sources: [string, string, string][]; changes: Record<string, LegacyChange> }>(
    'SELECT seq, cycle_id, revision, at, sources, changes FROM value_history_v12 WHERE mesh_id = $1 ORDER BY seq, at',
    [meshId],
  );
  const out: ValueHistoryEntry[] = [];
  for (const row of rows) {
    for (const name of Object.keys(row.changes).sort()) {
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

/** Deletes the rows written before `cutoff` (ISO 8601), of both shapes; returns how many. */
export async function pruneValueHistory(q: Queryable, cutoff: string): Promise<number> {
  let count = 0;
  for (const table of ['value_history', 'value_history_v12']) {
    const rows = await q.query<{ n: string | number }>(`SELECT count(*) AS n FROM ${table} WHERE at < $1`, [cutoff]);
    const n = Number(rows[0]?.n ?? 0);
    if (n > 0) await q.query(`DELETE FROM ${table} WHERE at < $1`, [cutoff]);
    count += n;
  }
  return count;
}
