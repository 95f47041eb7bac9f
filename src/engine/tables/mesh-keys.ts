/**
 * The `mesh_key` table: the normalised values of the mesh attributes that join rules look objects up
 * by (./mesh-object.ts joinAttributes), one row per value.
 */
import type { CompiledConfig, Value } from '../../config/model.js';
import type { Queryable } from '../../store/db.js';
import { getMeta, setMeta } from '../applied-config.js';
import { joinAttributes, type MeshObject } from '../mesh-object.js';
import { ownValue } from '../../shared/own-property.js';
import { joinKey, toList } from '../values.js';

/** Which join attributes the keys were built for (meta key). */
const BUILT_FOR = 'mesh_key_attributes';

/**
 * Rewrites the join keys of these mesh objects from their current attributes. `fresh`: ids of objects
 * created in this unit of work, which have no keys to delete yet.
 */
export async function writeMeshKeys(q: Queryable, config: CompiledConfig, objects: readonly MeshObject[], fresh: ReadonlySet<string> | ReadonlyMap<string, unknown> = new Set()): Promise<void> {
  if (objects.length === 0) return;
  const attributesByType = joinAttributes(config);
  let keys: { t: string; a: string; v: string; m: string }[] = [];
  for (const object of objects) {
    if (object.deleted) continue;
    for (const { attribute, value } of joinKeysOf(attributesByType, object.type, object.attributes)) keys.push({ t: object.type, a: attribute, v: value, m: object.id });
  }
  await deleteMeshKeys(q, objects.filter((o) => !fresh.has(o.id)).map((o) => o.id));
  if (q.copyRows && fresh.size > 0) {
    // A fresh object's keys are in no row yet: the store's bulk load takes them, each once.
    const seen = new Set<string>();
    const rows: string[][] = [];
    for (const key of keys) {
      if (!fresh.has(key.m)) continue;
      const id = `${key.t}\u0000${key.a}\u0000${key.v}\u0000${key.m}`;
      if (seen.has(id)) continue;
      seen.add(id);
      rows.push([key.t, key.a, key.v, key.m]);
    }
    if (rows.length > 0) await q.copyRows('mesh_key', ['mesh_type', 'attribute', 'value', 'mesh_id'], rows);
    keys = keys.filter((key) => !fresh.has(key.m));
  }
  if (keys.length > 0) {
    await q.query(
      `INSERT INTO mesh_key (mesh_type, attribute, value, mesh_id)
       SELECT x.t, x.a, x.v, x.m FROM ${q.dialect.records('$1', { t: 'text', a: 'text', v: 'text', m: 'text' })} WHERE true
       ON CONFLICT DO NOTHING`,
      [JSON.stringify(keys)],
    );
  }
}

/** The join keys of a mesh object of this type with these attributes: one per join attribute's value. */
export function joinKeysOf(attributesByType: ReadonlyMap<string, ReadonlySet<string>>, type: string, attributes: Readonly<Record<string, Value>>): { attribute: string; value: string }[] {
  const keys: { attribute: string; value: string }[] = [];
  for (const attribute of attributesByType.get(type) ?? []) {
    for (const value of toList(ownValue(attributes, attribute))) {
      const key = joinKey(value);
      if (key !== undefined) keys.push({ attribute, value: key });
    }
  }
  return keys;
}

export async function deleteMeshKeys(q: Queryable, meshIds: readonly string[]): Promise<void> {
  if (meshIds.length === 0) return;
  await q.query(`DELETE FROM mesh_key WHERE mesh_id ${q.dialect.in('$1')}`, [meshIds]);
}

/**
 * Rebuilds every join key, from the live mesh objects' attributes, when the set of join attributes
 * changed between revisions.
 */
export async function ensureMeshKeys(q: Queryable, config: CompiledConfig): Promise<void> {
  const wanted = JSON.stringify([...joinAttributes(config)].map(([type, attrs]) => [type, [...attrs].sort()]).sort());
  const d = q.dialect;
  if ((await getMeta<string>(q, BUILT_FOR)) === wanted) return;
  await q.query('DELETE FROM mesh_key');
  for (const [type, attributes] of joinAttributes(config)) {
    for (const attribute of attributes) {
      // Each value of the attribute (a list's items, or the one value) as text.
      const values =
        d.name === 'postgres'
          ? `jsonb_array_elements_text(CASE jsonb_typeof(m.attributes -> $2) WHEN 'array' THEN m.attributes -> $2 ELSE jsonb_build_array(m.attributes -> $2) END) AS v(value)`
          : `json_each(CASE json_type(m.attributes -> $2) WHEN 'array' THEN m.attributes -> $2 ELSE json_array(m.attributes ->> $2) END) AS v`;
      await q.query(
        `INSERT INTO mesh_key (mesh_type, attribute, value, mesh_id)
         SELECT m.mesh_type, $2, lower(trim(v.value)), m.id
           FROM mesh_object m, ${values}
          WHERE m.mesh_type = $1 AND NOT m.deleted AND (m.attributes -> $2) IS NOT NULL AND v.value IS NOT NULL AND trim(v.value) <> ''
         ON CONFLICT DO NOTHING`,
        [type, attribute],
      );
    }
  }
  await setMeta(q, BUILT_FOR, wanted);
}

/** Mesh ids whose join attribute has one of these normalised values. */
export async function lookupKeys(q: Queryable, meshType: string, attribute: string, values: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (values.length === 0) return out;
  const rows = await q.query<{ value: string; mesh_id: string }>(
    `SELECT value, mesh_id FROM mesh_key WHERE mesh_type = $1 AND attribute = $2 AND value ${q.dialect.in('$3')}`,
    [meshType, attribute, values],
  );
  for (const row of rows) {
    const list = out.get(row.value);
    if (list) list.push(row.mesh_id);
    else out.set(row.value, [row.mesh_id]);
  }
  return out;
}

/** Mesh objects of a type whose value of any of `attributes` is this normalised value, with the attribute. */
export async function findByKey(q: Queryable, meshType: string, value: string, attributes: readonly string[]): Promise<{ meshId: string; attribute: string }[]> {
  const rows = await q.query<{ mesh_id: string; attribute: string }>(
    `SELECT DISTINCT mesh_id, attribute FROM mesh_key WHERE mesh_type = $1 AND value = $2 AND attribute ${q.dialect.in('$3')}`,
    [meshType, value, attributes],
  );
  return rows.map((row) => ({ meshId: row.mesh_id, attribute: row.attribute }));
}
