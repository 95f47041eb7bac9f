/**
 * The `mesh_object` table: each identity's resolved attributes and their provenance, stamped with the
 * change number of the cycle that last changed its values. Deleted objects stay, marked.
 */
import type { Value } from '../../config/model.js';
import type { Queryable } from '../../store/db.js';
import type { AttributeProvenance, MeshObject } from '../mesh-object.js';
import { isoTimestamp } from '../../store/timestamps.js';
import { contributesSql, decodeProvenance, encodeProvenance } from '../provenance-codec.js';

/** Loads mesh objects; provenance (the bulk of a row) only when asked for. */
export async function loadMeshObjects(q: Queryable, ids: readonly string[], withProvenance = true): Promise<Map<string, MeshObject>> {
  if (ids.length === 0) return new Map();
  const rows = await q.query<{ id: string; mesh_type: string; attributes: Record<string, Value>; provenance: unknown; deleted: boolean }>(
    `SELECT id, mesh_type, attributes, ${withProvenance ? 'provenance' : 'NULL AS provenance'}, deleted FROM mesh_object WHERE id ${q.dialect.in('$1')}`,
    [ids],
  );
  const objects = new Map<string, MeshObject>();
  for (const row of rows) objects.set(row.id, { id: row.id, type: row.mesh_type, attributes: row.attributes, provenance: decodeProvenance(row.provenance, row.attributes), deleted: row.deleted });
  return objects;
}

/** Since which run each attribute holds its value, where not since the object's creation: `[run, 1]` when withheld from history. */
export type ValueSince = Readonly<Record<string, number | readonly [number, 1]>>;

export interface ResolvedValues {
  readonly id: string;
  readonly type: string;
  readonly attributes: Readonly<Record<string, Value>>;
  readonly provenance: Readonly<Record<string, AttributeProvenance>>;
  /** The attributes whose value became current in this run (merged into what the object had); absent: none. */
  readonly since?: ValueSince;
}

/**
 * Writes resolved values in one statement: new objects are inserted (created by run `cycleId`; those
 * `fresh` in this unit of work by the store's bulk load where it has one), known ones updated; the
 * change number and time move only where the values changed (provenance alone is not a change).
 */
export async function writeResolved(q: Queryable, seq: number, cycleId: number, all: readonly ResolvedValues[], fresh: ReadonlySet<string> | ReadonlyMap<string, unknown> = new Set()): Promise<void> {
  let objects = all;
  if (q.copyRows && fresh.size > 0) {
    // Objects created in this unit of work are in no row yet: the store's bulk load takes them.
    await q.copyRows(
      'mesh_object',
      ['id', 'mesh_type', 'attributes', 'provenance', 'changed_seq', 'created_cycle', 'value_since'],
      all.filter((o) => fresh.has(o.id)).map((o) => [o.id, o.type, o.attributes, encodeProvenance(o.provenance), seq, cycleId, o.since ?? null]),
    );
    objects = all.filter((o) => !fresh.has(o.id));
  }
  if (objects.length === 0) return;
  const mergedSince = q.dialect.name === 'sqlite' ? 'json_patch(m.value_since, EXCLUDED.value_since)' : 'm.value_since || EXCLUDED.value_since';
  await q.query(
    `INSERT INTO mesh_object AS m (id, mesh_type, attributes, provenance, changed_seq, created_cycle, value_since)
     SELECT x.id, x.type, x.attributes, x.provenance, $1, $2, x.since
       FROM ${q.dialect.records('$3', { id: 'text', type: 'text', attributes: 'jsonb', provenance: 'json', since: 'jsonb' })} WHERE true
     ON CONFLICT (id) DO UPDATE SET attributes = EXCLUDED.attributes, provenance = EXCLUDED.provenance,
            changed_seq = CASE WHEN (EXCLUDED.attributes IS DISTINCT FROM m.attributes) THEN $1 ELSE m.changed_seq END,
            updated_at = CASE WHEN (EXCLUDED.attributes IS DISTINCT FROM m.attributes) THEN ${q.dialect.now} ELSE m.updated_at END,
            value_since = CASE WHEN EXCLUDED.value_since IS NULL THEN m.value_since WHEN m.value_since IS NULL THEN EXCLUDED.value_since ELSE ${mergedSince} END`,
    // An absent `since` is SQL NULL (a JSON null would be a value).
    [seq, cycleId, JSON.stringify(objects.map((o) => ({ id: o.id, type: o.type, attributes: o.attributes, provenance: encodeProvenance(o.provenance), since: o.since })))],
  );
}

/** A mesh object as its history reads it: its values and provenance, and since when it holds them. */
export interface ObjectState extends MeshObject {
  /** The run that created it; null when it predates history (migration 18). */
  readonly createdCycle: number | null;
  readonly createdAt: string;
  readonly since: ValueSince;
}

/** The state (values, provenance, since when) of these mesh objects, deleted ones included. */
export async function loadObjectStates(q: Queryable, ids: readonly string[]): Promise<Map<string, ObjectState>> {
  if (ids.length === 0) return new Map();
  const rows = await q.query<{ id: string; mesh_type: string; attributes: Record<string, Value>; provenance: unknown; deleted: boolean; created_cycle: string | number | null; created_at: Date | string; value_since: ValueSince | null }>(
    `SELECT id, mesh_type, attributes, provenance, deleted, created_cycle, created_at, value_since FROM mesh_object WHERE id ${q.dialect.in('$1')}`,
    [ids],
  );
  return new Map(
    rows.map((row) => [
      row.id,
      {
        id: row.id,
        type: row.mesh_type,
        attributes: row.attributes,
        provenance: decodeProvenance(row.provenance, row.attributes),
        deleted: Boolean(row.deleted),
        createdCycle: row.created_cycle === null ? null : Number(row.created_cycle),
        createdAt: isoTimestamp(row.created_at),
        since: row.value_since ?? {},
      },
    ]),
  );
}

export async function markMeshObjectsDeleted(q: Queryable, seq: number, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await q.query(`UPDATE mesh_object SET deleted = true, changed_seq = $1, updated_at = ${q.dialect.now} WHERE id ${q.dialect.in('$2')} AND NOT deleted`, [seq, ids]);
}

/** Whether a mesh object with this id and type exists (deleted or not). */
export async function meshObjectExists(q: Queryable, id: string, meshType: string): Promise<boolean> {
  return (await q.query('SELECT id FROM mesh_object WHERE id = $1 AND mesh_type = $2', [id, meshType])).length > 0;
}

/** Which of these ids are deleted mesh objects. */
export async function deletedAmong(q: Queryable, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await q.query<{ id: string }>(`SELECT id FROM mesh_object WHERE id ${q.dialect.in('$1')} AND deleted`, [ids]);
  return new Set(rows.map((row) => row.id));
}

/** The mesh types of the live mesh objects among these ids. */
export async function liveTypes(q: Queryable, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await q.query<{ id: string; mesh_type: string }>(`SELECT id, mesh_type FROM mesh_object WHERE id ${q.dialect.in('$1')} AND NOT deleted`, [ids]);
  return new Map(rows.map((row) => [row.id, row.mesh_type]));
}

/** Every live mesh object of a type. */
export async function liveIds(q: Queryable, meshType: string): Promise<string[]> {
  const rows = await q.query<{ id: string }>('SELECT id FROM mesh_object WHERE mesh_type = $1 AND NOT deleted', [meshType]);
  return rows.map((r) => r.id);
}

/** The mesh objects of a type stamped with exactly this change number (what one run changed). */
export async function changedAt(q: Queryable, meshType: string, seq: number): Promise<string[]> {
  const rows = await q.query<{ id: string }>('SELECT id FROM mesh_object WHERE mesh_type = $1 AND changed_seq = $2', [meshType, seq]);
  return rows.map((r) => r.id);
}

/** The mesh objects of a type changed after `since` (deleted ones included). */
export async function changedSince(q: Queryable, meshType: string, since: number): Promise<string[]> {
  const rows = await q.query<{ id: string }>('SELECT id FROM mesh_object WHERE mesh_type = $1 AND changed_seq > $2', [meshType, since]);
  return rows.map((r) => r.id);
}

/** Live mesh objects whose reference attribute `attribute` (of `meshType`) names any of these mesh ids. */
export async function referrersOf(q: Queryable, meshType: string, attribute: string, ids: readonly string[]): Promise<string[]> {
  const rows = await q.query<{ id: string }>(
    q.dialect.name === 'sqlite'
      ? `SELECT id FROM mesh_object WHERE mesh_type = $1 AND NOT deleted
           AND EXISTS (SELECT 1 FROM json_each(attributes -> $2) AS v WHERE v.value IN (SELECT value FROM json_each($3)))`
      : `SELECT id FROM mesh_object WHERE mesh_type = $1 AND NOT deleted AND (attributes -> $2) ?| $3::text[]`,
    [meshType, attribute, ids],
  );
  return rows.map((row) => row.id);
}

/** Live mesh objects of a type whose `attribute` has a contribution (winner or loser) from `rule`. */
export async function contributedBy(q: Queryable, meshType: string, attribute: string, rule: string): Promise<string[]> {
  const rows = await q.query<{ id: string }>(
    `SELECT id FROM mesh_object
      WHERE mesh_type = $1 AND NOT deleted
        AND ${contributesSql(q.dialect, '$2', '$3')}`,
    [meshType, attribute, rule],
  );
  return rows.map((r) => r.id);
}

/** Live mesh objects per type. */
export async function liveCounts(q: Queryable): Promise<{ mesh_type: string; n: number }[]> {
  return q.query<{ mesh_type: string; n: number }>('SELECT mesh_type, CAST(count(*) AS integer) AS n FROM mesh_object WHERE NOT deleted GROUP BY mesh_type');
}
