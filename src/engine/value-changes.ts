/**
 * What changed between a mesh object's stored values and its recomputed ones, attribute by attribute,
 * with the source that won each new value: the rows of its value history.
 */
import type { Value } from '../config/model.js';
import { ownValue } from '../shared/own-property.js';
import { withheldFromHistory } from './history-secrets.js';
import type { AttributeProvenance } from './mesh-object.js';
import type { ValueChange } from './tables/value-history.js';
import { canonicalJson } from './values.js';

export function valueChanges(
  before: Readonly<Record<string, Value>>,
  after: Readonly<Record<string, Value>>,
  provenance: Readonly<Record<string, AttributeProvenance>>,
): ValueChange[] {
  const changes: ValueChange[] = [];
  for (const [attribute, value] of Object.entries(after)) {
    const previous = ownValue(before, attribute);
    if (previous !== undefined && canonicalJson(previous) === canonicalJson(value)) continue;
    const winner = ownValue(provenance, attribute)?.winner;
    changes.push({
      attribute,
      value,
      ...(winner ? { source: { rule: winner.rule, connector: winner.connector, externalId: winner.externalId }, confidence: winner.confidence } : {}),
      ...(withheldFromHistory(attribute, value) ? { withheld: true } : {}),
    });
  }
  for (const attribute of Object.keys(before)) {
    if (ownValue(after, attribute) === undefined) changes.push({ attribute, value: null });
  }
  return changes;
}
