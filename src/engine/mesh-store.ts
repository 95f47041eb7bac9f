/**
 * Mesh objects, their join keys and their source links.
 */
import type { CompiledConfig, Value } from '../config/model.js';
import type { Queryable } from '../store/db.js';
import { joinAttributes, type MeshObject } from './mesh-object.js';
import { decodeProvenance } from './provenance-codec.js';
import { joinKey, toList } from './values.js';
import { ownValue } from '../shared/own-property.js';

/** Loads mesh objects; provenance (the bulk of a row) only when asked for. */
export async function loadMeshObjects(q: Queryable, ids: readonly string[], withProvenance = true): Promise<Map<string, MeshObject>> {
  if (ids.length === 0) return new Map();
  const rows = await q.query<{ id: string; mesh_type: string; attributes: Record<string, Value>; provenance: unknown; deleted: boolean }>(
    `SELECT id, mesh_type, attributes, ${withProvenance ? 'provenance' : 'NULL AS provenance'}, deleted FROM mesh_object WHERE id ${q.dialect.in('$1')}`,
    [ids],
  );
  return new Map(rows.map((row) => [row.id, { id: row.id, type: row.mesh_type, attributes: row.attributes, provenance: decodeProvenance(row.provenance, row.attributes), deleted: row.deleted }]));
}

export async function deleteMeshObjects(q: Queryable, seq: number, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const d = q.dialect;
  await q.query(`UPDATE mesh_object SET deleted = true, changed_seq = $1, updated_at = ${d.now} WHERE id ${d.in('$2')} AND NOT deleted`, [seq, ids]);
  await q.query(`DELETE FROM mesh_key WHERE mesh_id ${d.in('$1')}`, [ids]);
  await q.query(`DELETE FROM source_link WHERE mesh_id ${d.in('$1')}`, [ids]);
  await q.query(`DELETE FROM conflict WHERE kind = 'attribute' AND subject ${d.in('$1')}`, [ids]);
}

/** Rewrites the join keys of these mesh objects from their current attributes. */
export async function writeMeshKeys(q: Queryable, config: CompiledConfig, objects: readonly MeshObject[]): Promise<void> {
  if (objects.length === 0) return;
  const attributesByType = joinAttributes(config);
  const keys: { t: string; a: string; v: string; m: string }[] = [];
  for (const object of objects) {
    if (object.deleted) continue;
    for (const attribute of attributesByType.get(object.type) ?? []) {
      for (const value of toList(ownValue(object.attributes, attribute))) {
        const key = joinKey(value);
        if (key !== undefined) keys.push({ t: object.type, a: attribute, v: key, m: object.id });
      }
    }
  }
  await q.query(`DELETE FROM mesh_key WHERE mesh_id ${q.dialect.in('$1')}`, [objects.map((o) => o.id)]);
  if (keys.length > 0) {
    await q.query(
      `INSERT INTO mesh_key (mesh_type, attribute, value, mesh_id)
       SELECT x.t, x.a, x.v, x.m FROM ${q.dialect.records('$1', { t: 'text', a: 'text', v: 'text', m: 'text' })} WHERE true
       ON CONFLICT DO NOTHING`,
      [JSON.stringify(keys)],
    );
  }
}

/** Rebuilds every join key when the set of join attributes changed between revisions. */
export async function ensureMeshKeys(q: Queryable, config: CompiledConfig): Promise<void> {
  const wanted = JSON.stringify([...joinAttributes(config)].map(([type, attrs]) => [type, [...attrs].sort()]).sort());
  const d = q.dialect;
  const rows = await q.query<{ value: string }>(`SELECT ${d.jsonText('value')} AS value FROM meta WHERE key = 'mesh_key_attributes'`);
  if (rows[0]?.value === wanted) return;
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
  await q.query(
    `INSERT INTO meta (key, value) VALUES ('mesh_key_attributes', ${d.jsonString('$1')})
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
    [wanted],
  );
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

export interface ReferencedLink {
  readonly externalId: string;
  /** Lower-cased. */
  readonly dn: string | null;
  readonly meshId: string;
  readonly meshType: string;
}

/**
 * The live mesh objects linked to objects of `connector` whose external id, or DN (case-insensitively),
 * is one of `values`: how member lists and reference attributes find who they name. Two index lookups
 * rather than a join on the three-column key, which the planner gets badly wrong whenever one table's
 * statistics lag behind the other's.
 */
export async function linksByIdOrDn(q: Queryable, connector: string, values: readonly string[]): Promise<ReferencedLink[]> {
  const out: ReferencedLink[] = [];
  for (let start = 0; start < values.length; start += 5000) {
    const slice = values.slice(start, start + 5000);
    const objects = await q.query<{ object_type: string; external_id: string; dn: string | null }>(
      `SELECT object_type, external_id, lower(dn) AS dn FROM cs_object
        WHERE connector = $1 AND NOT deleted AND (external_id ${q.dialect.in('$2')} OR lower(dn) ${q.dialect.in('$3')})`,
      [connector, slice, slice.map((v) => v.toLowerCase())],
    );
    if (objects.length === 0) continue;
    const found = new Map(objects.map((o) => [`${o.object_type}\u0000${o.external_id}`, o]));
    const links = await q.query<{ object_type: string; external_id: string; mesh_id: string; mesh_type: string }>(
      `SELECT l.object_type, l.external_id, l.mesh_id, m.mesh_type
         FROM source_link l JOIN mesh_object m ON m.id = l.mesh_id
        WHERE l.connector = $1 AND l.object_type ${q.dialect.in('$2')} AND l.external_id ${q.dialect.in('$3')} AND NOT m.deleted`,
      [connector, [...new Set(objects.map((o) => o.object_type))], [...new Set(objects.map((o) => o.external_id))]],
    );
    for (const link of links) {
      const object = found.get(`${link.object_type}\u0000${link.external_id}`);
      if (object) out.push({ externalId: object.external_id, dn: object.dn, meshId: link.mesh_id, meshType: link.mesh_type });
    }
  }
  return out;
}
