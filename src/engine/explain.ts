/**
 * Explain: why each attribute of a mesh object has its value — the winning contribution and the
 * losers, with rule, connector, external id, confidence and time.
 */
import type { CompiledConfig, Value } from '../config/model.js';
import { ImeshError } from '../shared/errors.js';
import type { Queryable } from '../store/db.js';
import { joinAttributes, type ProvenanceEntry } from './mesh-object.js';
import { findByKey } from './tables/mesh-keys.js';
import { loadMeshObjects, meshObjectExists } from './tables/mesh-objects.js';
import { linksOfOne } from './tables/source-links.js';
import { linksOfMeshObject } from './tables/target-links.js';
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
  if (await meshObjectExists(q, key, type)) return key;
  const attributes = [...(joinAttributes(config).get(type) ?? [])];
  const normalized = joinKey(key) ?? '';
  const rows = await findByKey(q, type, normalized, attributes);
  const ids = [...new Set(rows.map((r) => r.meshId))];
  if (ids.length === 1) return ids[0]!;
  if (ids.length === 0) {
    throw new ImeshError('NotFound', `no ${type} has id or ${attributes.length > 0 ? attributes.join('/') : 'join attribute'} "${key}"`);
  }
  throw new ImeshError('Ambiguous', `"${key}" matches ${ids.length} ${type} objects: ${rows.map((r) => `${r.meshId} (${r.attribute})`).join(', ')}; use the id`);
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
  const sources = await linksOfOne(q, id);
  const targets = await linksOfMeshObject(q, id);
  return {
    type,
    id,
    deleted: object.deleted,
    keys,
    attributes,
    sources: sources.map((s) => ({ connector: s.connector, objectType: s.objectType, externalId: s.externalId, rule: s.rule, how: s.how })),
    targets: targets.map((t) => ({ projection: t.projection, connector: t.connector, objectType: t.objectType, externalId: t.externalId, dn: t.dn, state: t.state, item: t.item })),
  };
}
