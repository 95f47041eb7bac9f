/**
 * What changed between a mesh object's stored values and its recomputed ones, attribute by attribute,
 * with the source that won each new value: the rows of its value history. Runs for every changed object
 * of a cycle (every object of a first one), so it allocates one plain object per change and nothing else.
 */
import type { Value } from '../config/model.js';
import { ownValue } from '../shared/own-property.js';
import type { Queryable } from '../store/db.js';
import type { CycleContext } from './context.js';
import { withheldFromHistory } from './history-secrets.js';
import { historyStamp } from './history-stamp.js';
import type { AttributeProvenance } from './mesh-object.js';
import { loadMeshObjects } from './tables/mesh-objects.js';
import { insertValueHistory, type ValueChange } from './tables/value-history.js';
import { canonicalJson } from './values.js';

export function valueChanges(
  before: Readonly<Record<string, Value>>,
  after: Readonly<Record<string, Value>>,
  provenance: Readonly<Record<string, AttributeProvenance>>,
): ValueChange[] {
  const changes: ValueChange[] = [];
  const fresh = Object.keys(before).length === 0;
  for (const attribute of Object.keys(after)) {
    const value = after[attribute]!;
    if (!fresh) {
      const previous = ownValue(before, attribute);
      if (previous !== undefined && canonicalJson(previous) === canonicalJson(value)) continue;
    }
    const winner = ownValue(provenance, attribute)?.winner;
    const withheld = withheldFromHistory(attribute, value);
    changes.push(
      winner
        ? { attribute, value, source: { rule: winner.rule, connector: winner.connector, externalId: winner.externalId }, confidence: winner.confidence, withheld }
        : { attribute, value, withheld },
    );
  }
  if (!fresh) for (const attribute of Object.keys(before)) if (ownValue(after, attribute) === undefined) changes.push({ attribute, value: null });
  return changes;
}

/** Before mesh objects are deleted: each of their values ends (a change to no value) in their history. */
export async function recordDeletedValues(ctx: CycleContext, q: Queryable, meshIds: readonly string[]): Promise<void> {
  const stamp = historyStamp(ctx);
  if (!stamp || meshIds.length === 0) return;
  const objects = await loadMeshObjects(q, meshIds, false);
  const ended = [...objects.values()].filter((o) => !o.deleted).map((o) => ({ meshId: o.id, meshType: o.type, changes: valueChanges(o.attributes, {}, {}) }));
  await insertValueHistory(q, stamp, ended);
}
