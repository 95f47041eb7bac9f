/**
 * Explain: why each attribute of a mesh object has its value — the winning contribution and the
 * losers, with rule, connector, external id, confidence and time.
 */
import type { CompiledConfig, Value } from '../config/model.js';
import { ImeshError } from '../shared/errors.js';
import type { Queryable } from '../store/db.js';
import { joinAttributes, type ProvenanceEntry } from './mesh-object.js';
import { loadMeshObjects } from './mesh-store.js';
import { joinKey } from './values.js';
import { ownValue } from '../shared/own-property.js';

export interface Explanation {
  readonly type: string;
  readonly id: string;
  readonly deleted: boolean;
  readonly keys: Readonly<Record<string, Value>>;
  readonly attributes: readonly { name: string; value: Value; winner: ProvenanceEntry; losers: readonly ProvenanceEntry[] }[];
  readonly sources: readonly { connector: string; objectType: string; externalId: string; rule: string; how: string }[];
  readonly targets: readonly { projection: string; connector: string; objectType: string; externalId: string | null; dn: string | null; state: string; item: string }[];
}

export async function findMeshObject(q: Queryable, config: CompiledConfig, type: string, key: string): Promise<string> {
  if (!config.mesh.objectTypes.has(type)) {
    throw new ImeshError('NotFound', `unknown mesh type "${type}" (known: ${[...config.mesh.objectTypes.keys()].join(', ')})`);
  }
  const byId = await q.query<{ id: string }>('SELECT id FROM mesh_object WHERE id = $1 AND mesh_type = $2', [key, type]);
  if (byId[0]) return byId[0].id;
  const attributes = [...(joinAttributes(config).get(type) ?? [])];
  const normalized = joinKey(key) ?? '';
  const rows = await q.query<{ mesh_id: string; attribute: string }>(
    `SELECT DISTINCT mesh_id, attribute FROM mesh_key WHERE mesh_type = $1 AND value = $2 AND attribute ${q.dialect.in('$3')}`,
    [type, normalized, attributes],
  );
  const ids = [...new Set(rows.map((r) => r.mesh_id))];
  if (ids.length === 1) return ids[0]!;
  if (ids.length === 0) {
    throw new ImeshError('NotFound', `no ${type} has id or ${attributes.length > 0 ? attributes.join('/') : 'join attribute'} "${key}"`);
  }
  throw new ImeshError('Ambiguous', `"${key}" matches ${ids.length} ${type} objects: ${rows.map((r) => `${r.mesh_id} (${r.attribute})`).join(', ')}; use the id`);
}

export async function explain(q: Queryable, config: CompiledConfig, type: string, key: string, attribute?: string): Promise<Explanation> {
  const id = await findMeshObject(q, config, type, key);
  const object = (await loadMeshObjects(q, [id])).get(id)!;
  const keyNames = joinAttributes(config).get(type) ?? new Set<string>();
  const keys = Object.fromEntries([...keyNames].filter((k) => ownValue(object.attributes, k) !== undefined).map((k) => [k, ownValue(object.attributes, k)!]));
  let attributes = Object.entries(object.provenance)
    .map(([name, p]) => ({ name, value: ownValue(object.attributes, name) ?? p.winner.value, winner: p.winner, losers: p.losers }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  if (attribute !== undefined) {
    attributes = attributes.filter((a) => a.name === attribute);
    if (attributes.length === 0) {
      const known = config.mesh.objectTypes.get(type)?.attributes.has(attribute);
      throw new ImeshError('NotFound', known ? `${type}/${key} has no value for "${attribute}" (no source contributes one)` : `"${attribute}" is not an attribute of ${type}`);
    }
  }
  const sources = await q.query<{ connector: string; object_type: string; external_id: string; rule: string; how: string }>(
    'SELECT connector, object_type, external_id, rule, how FROM source_link WHERE mesh_id = $1 ORDER BY connector, rule',
    [id],
  );
  const targets = await q.query<{ projection: string; connector: string; object_type: string; external_id: string | null; dn: string | null; state: string; item: string }>(
    'SELECT projection, connector, object_type, external_id, dn, state, item FROM target_link WHERE mesh_id = $1 ORDER BY projection, item',
    [id],
  );
  return {
    type,
    id,
    deleted: object.deleted,
    keys,
    attributes,
    sources: sources.map((s) => ({ connector: s.connector, objectType: s.object_type, externalId: s.external_id, rule: s.rule, how: s.how })),
    targets: targets.map((t) => ({ projection: t.projection, connector: t.connector, objectType: t.object_type, externalId: t.external_id, dn: t.dn, state: t.state, item: t.item })),
  };
}
