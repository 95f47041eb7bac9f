/**
 * Inbound flows: every linked source object contributes values at its rule's confidence; the highest
 * confidence wins per attribute. Equal confidence with different values is a conflict, resolved
 * deterministically (rule name, then connector, then external id) and reported. Empty values
 * contribute nothing. Winner and losers are kept as provenance.
 */
import type { CompiledConfig, FlowRuleModel, MeshObjectType, Value } from '../config/model.js';
import type { Queryable } from '../store/db.js';
import { isoTimestamp } from '../store/timestamps.js';
import { loadObjects, type CsObject } from './connector-space.js';
import type { CycleContext } from './context.js';
import { derivedContributions } from './derived-flows.js';
import { joinAttributes, linksByIdOrDn, loadMeshObjects, meshLabel, writeMeshKeys, type AttributeProvenance, type MeshObject, type ProvenanceEntry } from './mesh-store.js';
import { encodeProvenance } from './provenance-codec.js';
import { canonicalJson, coerce, isEmpty, sameValue, sortedUnique, toList } from './values.js';

export function sourceValue(attributes: Readonly<Record<string, Value>>, name: string): Value | undefined {
  if (Object.hasOwn(attributes, name)) return attributes[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(attributes)) if (key.toLowerCase() === lower) return attributes[key];
  return undefined;
}

export interface LinkedSource {
  mesh_id: string;
  rule: string;
  connector: string;
  object_type: string;
  external_id: string;
  attributes: Record<string, Value>;
  updated_at: Date | string;
}

function compareEntries(a: ProvenanceEntry, b: ProvenanceEntry): number {
  if (a.confidence !== b.confidence) return b.confidence - a.confidence;
  if (a.rule !== b.rule) return a.rule < b.rule ? -1 : 1;
  if (a.connector !== b.connector) return a.connector < b.connector ? -1 : 1;
  return a.externalId < b.externalId ? -1 : a.externalId > b.externalId ? 1 : 0;
}

interface ConflictRow {
  kind: 'attribute';
  subject: string;
  attribute: string;
  mesh_type: string;
  scope: string;
  details: unknown;
}

/** Resolves source references (member DNs or ids) to mesh ids through the referenced objects' links. */
async function resolveReferences(q: Queryable, wanted: Map<string, Set<string>>): Promise<Map<string, string>> {
  const resolved = new Map<string, string>();
  for (const [connector, values] of wanted) {
    const list = [...values];
    for (const link of await linksByIdOrDn(q, connector, list)) {
      if (link.dn) resolved.set(`${connector}\u0000${link.dn}`, link.meshId);
      resolved.set(`${connector}\u0000${link.externalId.toLowerCase()}`, link.meshId);
    }
  }
  return resolved;
}

/**
 * The live source objects linked to these mesh objects. Two index lookups rather than one join: a join
 * on the three-column key is planned badly whenever one table's statistics lag behind (measured: a
 * merge join on connector and object type alone, 140 s for one page of 5,000 after a bulk import).
 */
async function linkedSources(q: Queryable, meshIds: readonly string[]): Promise<LinkedSource[]> {
  if (meshIds.length === 0) return [];
  const links = await q.query<{ mesh_id: string; rule: string; connector: string; object_type: string; external_id: string }>(
    `SELECT mesh_id, rule, connector, object_type, external_id FROM source_link WHERE mesh_id ${q.dialect.in('$1')}`,
    [meshIds],
  );
  const bySpace = new Map<string, { connector: string; objectType: string; ids: string[] }>();
  for (const link of links) {
    const key = `${link.connector}\u0000${link.object_type}`;
    const space = bySpace.get(key);
    if (space) space.ids.push(link.external_id);
    else bySpace.set(key, { connector: link.connector, objectType: link.object_type, ids: [link.external_id] });
  }
  const objects = new Map<string, Map<string, CsObject>>();
  for (const [key, space] of bySpace) objects.set(key, await loadObjects(q, space.connector, space.objectType, space.ids));
  const out: LinkedSource[] = [];
  for (const link of links) {
    const object = objects.get(`${link.connector}\u0000${link.object_type}`)?.get(link.external_id);
    if (object && !object.deleted) out.push({ ...link, attributes: object.attributes, updated_at: object.updatedAt });
  }
  return out;
}

/** A mesh object provisioned in this unit of work and not written yet, with the source it came from. */
export interface FreshObject {
  readonly type: string;
  readonly link: LinkedSource;
}

/**
 * Recomputes the attributes of these mesh objects from all their linked sources. `fresh` objects are
 * inserted with their first values in one statement, and nothing about them is read back.
 */
export async function recompute(ctx: CycleContext, q: Queryable, meshIds: readonly string[], fresh: ReadonlyMap<string, FreshObject> = new Map()): Promise<number> {
  if (meshIds.length === 0) return 0;
  const config = ctx.config;
  const rules = new Map(config.flowRules.map((rule) => [rule.name, rule]));
  const keyAttributes = joinAttributes(config);
  const stored = meshIds.filter((id) => !fresh.has(id));
  const objects = await loadMeshObjects(q, stored, false);
  for (const [id, { type }] of fresh) objects.set(id, { id, type, attributes: {}, provenance: {}, deleted: false });
  const links = [...(await linkedSources(q, stored)), ...[...fresh.values()].map((f) => f.link)];
  const byMesh = new Map<string, LinkedSource[]>();
  for (const link of links) {
    const list = byMesh.get(link.mesh_id);
    if (list) list.push(link);
    else byMesh.set(link.mesh_id, [link]);
  }

  const referenceWanted = new Map<string, Set<string>>();
  for (const link of links) {
    const rule = rules.get(link.rule);
    const type = rule && config.mesh.objectTypes.get(rule.meshType);
    if (!rule || !type) continue;
    for (const flow of rule.attributes) {
      if (type.attributes.get(flow.mesh)?.type !== 'reference' || !flow.source) continue;
      let set = referenceWanted.get(link.connector);
      if (!set) referenceWanted.set(link.connector, (set = new Set()));
      for (const value of toList(sourceValue(link.attributes, flow.source))) set.add(String(value));
    }
  }
  const references = await resolveReferences(q, referenceWanted);
  // membership and roleMappings rules: values derived from relation objects, not from linked sources.
  const derived = await derivedContributions(ctx, q, [...objects.values()]);

  const updates: { id: string; type: string; attributes: Record<string, Value>; provenance: Record<string, AttributeProvenance>; changed: boolean }[] = [];
  const conflicts: ConflictRow[] = [];
  for (const object of objects.values()) {
    if (object.deleted) continue;
    const type = config.mesh.objectTypes.get(object.type);
    if (!type) {
      if (fresh.has(object.id)) updates.push({ id: object.id, type: object.type, attributes: {}, provenance: {}, changed: true });
      continue;
    }
    const candidates = new Map<string, ProvenanceEntry[]>();
    for (const link of byMesh.get(object.id) ?? []) {
      const rule = rules.get(link.rule);
      if (!rule || rule.meshType !== object.type) continue;
      contribute(rule, type, link, references, candidates);
    }
    for (const { attribute, entry } of derived.get(object.id) ?? []) {
      if (!type.attributes.has(attribute)) continue;
      const list = candidates.get(attribute);
      if (list) list.push(entry);
      else candidates.set(attribute, [entry]);
    }
    const attributes: Record<string, Value> = {};
    const provenance: Record<string, AttributeProvenance> = {};
    const firstConflict = conflicts.length;
    for (const [name, entries] of candidates) {
      entries.sort(compareEntries);
      const [winner, ...losers] = entries as [ProvenanceEntry, ...ProvenanceEntry[]];
      attributes[name] = winner.value;
      provenance[name] = { winner, losers };
      const rivals = losers.filter((loser) => loser.confidence === winner.confidence && !sameValue(loser.value, winner.value));
      if (rivals.length > 0) {
        conflicts.push({
          kind: 'attribute',
          subject: object.id,
          attribute: name,
          mesh_type: object.type,
          scope: 'mesh',
          details: {
            values: [winner, ...rivals].map((e) => ({ value: e.value, rule: e.rule, connector: e.connector, externalId: e.externalId, confidence: e.confidence })),
            winner: { value: winner.value, rule: winner.rule },
            reason: `${rivals.length + 1} sources contribute different values at confidence ${winner.confidence}; "${winner.rule}" wins by rule name`,
          },
        });
      }
    }
    const label = meshLabel(object.type, object.id, attributes, keyAttributes);
    for (const conflict of conflicts.slice(firstConflict)) (conflict.details as { object?: string }).object = label;
    const changed = canonicalJson(attributes) !== canonicalJson(object.attributes);
    updates.push({ id: object.id, type: object.type, attributes, provenance, changed: changed || fresh.has(object.id) });
  }

  if (updates.length > 0) {
    await q.query(
      `INSERT INTO mesh_object AS m (id, mesh_type, attributes, provenance, changed_seq)
       SELECT x.id, x.type, x.attributes, x.provenance, $1
         FROM ${q.dialect.records('$2', { id: 'text', type: 'text', attributes: 'jsonb', provenance: 'jsonb' })} WHERE true
       ON CONFLICT (id) DO UPDATE SET attributes = EXCLUDED.attributes, provenance = EXCLUDED.provenance,
              changed_seq = CASE WHEN (EXCLUDED.attributes IS DISTINCT FROM m.attributes) THEN $1 ELSE m.changed_seq END,
              updated_at = CASE WHEN (EXCLUDED.attributes IS DISTINCT FROM m.attributes) THEN ${q.dialect.now} ELSE m.updated_at END`,
      [ctx.seq, JSON.stringify(updates.map((u) => ({ id: u.id, type: u.type, attributes: u.attributes, provenance: encodeProvenance(u.provenance) })))],
    );
    const changedObjects: MeshObject[] = updates
      .filter((u) => u.changed)
      .map((u) => ({ id: u.id, type: objects.get(u.id)?.type ?? '', attributes: u.attributes, provenance: u.provenance, deleted: false }));
    await writeMeshKeys(q, config, changedObjects);
  }
  await q.query(`DELETE FROM conflict WHERE kind = 'attribute' AND subject ${q.dialect.in('$1')}`, [meshIds]);
  await insertConflicts(q, conflicts);
  return updates.filter((u) => u.changed).length;
}

function contribute(
  rule: FlowRuleModel,
  type: MeshObjectType,
  link: LinkedSource,
  references: Map<string, string>,
  candidates: Map<string, ProvenanceEntry[]>,
): void {
  const at = isoTimestamp(link.updated_at);
  for (const flow of rule.attributes) {
    const attribute = type.attributes.get(flow.mesh);
    if (!attribute) continue;
    let raw: Value | undefined;
    if (flow.source !== undefined) raw = sourceValue(link.attributes, flow.source);
    else if (flow.template) {
      const rendered = flow.template.render((name) => sourceValue(link.attributes, name));
      raw = rendered.ok ? rendered.value : undefined;
    }
    if (isEmpty(raw)) continue;
    let value: Value | undefined;
    if (attribute.type === 'reference') {
      const ids = toList(raw)
        .map((item) => references.get(`${link.connector}\u0000${String(item).toLowerCase()}`))
        .filter((id): id is string => id !== undefined);
      value = attribute.multiValued ? (ids.length > 0 ? sortedUnique(ids) : undefined) : ids[0];
    } else {
      value = coerce(raw, attribute);
    }
    if (value === undefined) continue;
    const entry: ProvenanceEntry = { value, rule: rule.name, connector: link.connector, externalId: link.external_id, confidence: flow.confidence, at };
    const list = candidates.get(flow.mesh);
    if (list) list.push(entry);
    else candidates.set(flow.mesh, [entry]);
  }
}

export async function insertConflicts(q: Queryable, rows: readonly { kind: string; subject: string; attribute: string; mesh_type: string; scope: string; details: unknown }[]): Promise<void> {
  if (rows.length === 0) return;
  await q.query(
    `INSERT INTO conflict (kind, subject, attribute, mesh_type, scope, details)
     SELECT x.kind, x.subject, x.attribute, x.mesh_type, x.scope, x.details
       FROM ${q.dialect.records('$1', { kind: 'text', subject: 'text', attribute: 'text', mesh_type: 'text', scope: 'text', details: 'jsonb' })} WHERE true
     ON CONFLICT (kind, subject, attribute) DO UPDATE SET details = EXCLUDED.details, scope = EXCLUDED.scope, last_seen = ${q.dialect.now}`,
    [JSON.stringify(rows)],
  );
}

export type { CompiledConfig };
