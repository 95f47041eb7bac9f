/**
 * The confidence resolver: every contribution to a mesh object's attribute competes, the highest
 * confidence wins. Equal confidence with different values is a conflict, resolved deterministically
 * (rule name, then connector, then external id) and reported. Winner and losers are kept as
 * provenance. Which contributions there are is the caller's: `sources` (one per rule kind in use,
 * ./rules/rule-kinds.ts).
 */
import type { Value } from '../config/model.js';
import type { Queryable } from '../store/db.js';
import type { CycleContext } from './context.js';
import { historyStamp } from './history-stamp.js';
import { joinAttributes, meshLabel, type AttributeProvenance, type MeshObject, type ProvenanceEntry } from './mesh-object.js';
import type { PageFootprint } from './overlapped-pages.js';
import type { Contribution, ContributionSource, FreshObject } from './rules/rule-kind.js';
import { clearConflicts, insertConflicts, type NewConflict } from './tables/conflicts.js';
import { joinKeysOf, writeMeshKeys } from './tables/mesh-keys.js';
import { loadMeshObjects, loadObjectStates, writeResolved, type ValueSince } from './tables/mesh-objects.js';
import { insertPreviousStates } from './tables/value-history.js';
import { newSince, previousStates, withheldSince } from './value-changes.js';
import { canonicalJson, sameValue } from './values.js';

const NO_LOSERS: readonly ProvenanceEntry[] = Object.freeze([]);

function compareEntries(a: ProvenanceEntry, b: ProvenanceEntry): number {
  if (a.confidence !== b.confidence) return b.confidence - a.confidence;
  if (a.rule !== b.rule) return a.rule < b.rule ? -1 : 1;
  if (a.connector !== b.connector) return a.connector < b.connector ? -1 : 1;
  return a.externalId < b.externalId ? -1 : a.externalId > b.externalId ? 1 : 0;
}

interface Resolved {
  readonly id: string;
  readonly type: string;
  readonly attributes: Record<string, Value>;
  readonly provenance: Record<string, AttributeProvenance>;
  readonly changed: boolean;
}

/**
 * Resolves the attributes of these mesh objects from everything `sources` contribute and stores them;
 * returns how many changed. `fresh` objects are inserted with their first values in one statement, and
 * nothing about them is read back.
 */
export async function resolveValues(
  ctx: CycleContext,
  q: Queryable,
  meshIds: readonly string[],
  sources: readonly ContributionSource[],
  fresh: ReadonlyMap<string, FreshObject> = new Map(),
  footprint?: PageFootprint,
): Promise<number> {
  if (meshIds.length === 0) return 0;
  const config = ctx.config;
  const keyAttributes = joinAttributes(config);
  const objects = await loadMeshObjects(q, meshIds.filter((id) => !fresh.has(id)), false);
  for (const [id, { type }] of fresh) objects.set(id, { id, type, attributes: {}, provenance: {}, deleted: false });
  const live = [...objects.values()].filter((object) => !object.deleted);
  const contributed: ReadonlyMap<string, readonly Contribution[]>[] = [];
  for (const source of sources) contributed.push(await source(q, { objects: live, fresh }));

  const updates: Resolved[] = [];
  const conflicts: NewConflict[] = [];
  for (const object of live) {
    const type = config.mesh.objectTypes.get(object.type);
    if (!type) {
      if (fresh.has(object.id)) updates.push({ id: object.id, type: object.type, attributes: {}, provenance: {}, changed: true });
      continue;
    }
    const candidates = new Map<string, ProvenanceEntry[]>();
    for (const byMesh of contributed) {
      for (const { attribute, entry } of byMesh.get(object.id) ?? []) {
        if (!type.attributes.has(attribute)) continue;
        const list = candidates.get(attribute);
        if (list) list.push(entry);
        else candidates.set(attribute, [entry]);
      }
    }
    const attributes: Record<string, Value> = {};
    const provenance: Record<string, AttributeProvenance> = {};
    const rivalries: { attribute: string; winner: ProvenanceEntry; rivals: ProvenanceEntry[] }[] = [];
    for (const [name, entries] of candidates) {
      if (entries.length === 1) {
        // One source for the attribute (most of them): it wins, and there is nothing to weigh.
        const winner = entries[0]!;
        attributes[name] = winner.value;
        provenance[name] = { winner, losers: NO_LOSERS };
        continue;
      }
      entries.sort(compareEntries);
      const [winner, ...losers] = entries as [ProvenanceEntry, ...ProvenanceEntry[]];
      attributes[name] = winner.value;
      provenance[name] = { winner, losers };
      const rivals = losers.filter((loser) => loser.confidence === winner.confidence && !sameValue(loser.value, winner.value));
      if (rivals.length > 0) rivalries.push({ attribute: name, winner, rivals });
    }
    if (rivalries.length > 0) {
      const label = meshLabel(object.type, object.id, attributes, keyAttributes);
      for (const { attribute, winner, rivals } of rivalries) conflicts.push(attributeConflict(object, attribute, label, winner, rivals));
    }
    // A fresh object counts as changed whatever its values: no need to compare them.
    const changed = fresh.has(object.id) || canonicalJson(attributes) !== canonicalJson(object.attributes);
    updates.push({ id: object.id, type: object.type, attributes, provenance, changed });
  }

  if (updates.length > 0) {
    const stamp = historyStamp(ctx);
    // Since which run each value holds: a new object's from its creation; a known one's changed values from now.
    const written = updates.map((u): Resolved & { since?: ValueSince } => {
      if (!u.changed) return u;
      const since = fresh.has(u.id) ? (stamp ? withheldSince(u.attributes, ctx.cycleId) : undefined) : newSince(objects.get(u.id)?.attributes ?? {}, u.attributes, ctx.cycleId, stamp !== null);
      return since ? { ...u, since } : u;
    });
    // The states the changed values of known objects leave, read before they are overwritten.
    const known = stamp ? updates.filter((u) => u.changed && !fresh.has(u.id)) : [];
    const states = await loadObjectStates(q, known.map((u) => u.id));
    await writeResolved(q, ctx.seq, ctx.cycleId, written, fresh);
    const changedObjects: MeshObject[] = updates.filter((u) => u.changed).map((u) => ({ ...u, deleted: false }));
    if (footprint) {
      // The keys rewritten: each changed object's old and new values of its join attributes.
      for (const object of changedObjects) {
        for (const attributes of [object.attributes, objects.get(object.id)?.attributes ?? {}]) {
          for (const { attribute, value } of joinKeysOf(keyAttributes, object.type, attributes)) footprint.key(object.type, attribute, value);
        }
      }
    }
    await writeMeshKeys(q, config, changedObjects, fresh);
    if (stamp) {
      await insertPreviousStates(
        q,
        stamp,
        known.flatMap((u) => {
          const state = states.get(u.id);
          return state ? [{ meshId: u.id, states: previousStates(state, u.attributes) }] : [];
        }),
      );
    }
  }
  // An object provisioned in this unit of work has no recorded conflicts yet.
  await clearConflicts(q, ['attribute'], { subjects: meshIds.filter((meshId) => !fresh.has(meshId)).map((meshId) => ({ on: 'mesh', meshId })) });
  await insertConflicts(q, conflicts);
  return updates.filter((u) => u.changed).length;
}

function attributeConflict(object: MeshObject, attribute: string, label: string, winner: ProvenanceEntry, rivals: readonly ProvenanceEntry[]): NewConflict {
  return {
    kind: 'attribute',
    subject: { on: 'mesh', meshId: object.id },
    scope: { in: 'mesh' },
    attribute,
    meshType: object.type,
    details: {
      values: [winner, ...rivals].map((e) => ({ value: e.value, rule: e.rule, connector: e.connector, externalId: e.externalId, confidence: e.confidence })),
      winner: { value: winner.value, rule: winner.rule },
      reason: `${rivals.length + 1} sources contribute different values at confidence ${winner.confidence}; "${winner.rule}" wins by rule name`,
      object: label,
    },
  };
}
