/**
 * What a change of mesh values leaves in history: the states the changed values held (value, source,
 * confidence, since which run) become rows, and the new values' run is kept on the mesh object
 * (`value_since`). A new object's values date from its creation, so a first cycle records nothing but
 * the objects themselves. Runs for every changed object of a cycle; only known objects are compared.
 */
import type { Value } from '../config/model.js';
import { ownValue } from '../shared/own-property.js';
import type { Queryable } from '../store/db.js';
import type { CycleContext } from './context.js';
import { withheldFromHistory } from './history-secrets.js';
import { historyStamp } from './history-stamp.js';
import { loadObjectStates, type ObjectState, type ValueSince } from './tables/mesh-objects.js';
import { insertPreviousStates, type PreviousState } from './tables/value-history.js';
import { canonicalJson } from './values.js';

const sameValue = (a: Value, b: Value): boolean => a === b || canonicalJson(a) === canonicalJson(b);

/** Since which run the object holds this attribute's value, and whether it is withheld from history. */
export function sinceOf(state: Pick<ObjectState, 'since' | 'createdCycle'>, attribute: string): { run: number | null; withheld: boolean } {
  const since = ownValue(state.since, attribute);
  if (since === undefined) return { run: state.createdCycle, withheld: false };
  return typeof since === 'number' ? { run: since, withheld: false } : { run: since[0], withheld: true };
}

/**
 * The attributes of a known object whose value became current now (new or different), stamped with
 * `run`; withheld ones marked when history is kept (`markWithheld`). Undefined when there are none.
 */
export function newSince(before: Readonly<Record<string, Value>>, after: Readonly<Record<string, Value>>, run: number, markWithheld: boolean): ValueSince | undefined {
  let out: Record<string, number | [number, 1]> | undefined;
  for (const attribute of Object.keys(after)) {
    const value = after[attribute]!;
    const previous = ownValue(before, attribute);
    if (previous !== undefined && sameValue(previous, value)) continue;
    (out ??= {})[attribute] = markWithheld && withheldFromHistory(attribute, value) ? [run, 1] : run;
  }
  return out;
}

/** A new object's attributes that history must withhold (its other values date from its creation). */
export function withheldSince(attributes: Readonly<Record<string, Value>>, run: number): ValueSince | undefined {
  let out: Record<string, [number, 1]> | undefined;
  for (const attribute of Object.keys(attributes)) if (withheldFromHistory(attribute, attributes[attribute])) (out ??= {})[attribute] = [run, 1];
  return out;
}

/** The states a known object's values leave when its values become `after` (null: the object is deleted). */
export function previousStates(state: ObjectState, after: Readonly<Record<string, Value>> | null): PreviousState[] {
  if (state.deleted) return [];
  const out: PreviousState[] = [];
  for (const attribute of Object.keys(state.attributes)) {
    const value = state.attributes[attribute]!;
    const next = after === null ? undefined : ownValue(after, attribute);
    if (next !== undefined && sameValue(value, next)) continue;
    const since = sinceOf(state, attribute);
    const winner = ownValue(state.provenance, attribute)?.winner;
    out.push({
      attribute,
      value,
      since: since.run,
      withheld: since.withheld || withheldFromHistory(attribute, value),
      ended: next === undefined,
      ...(winner ? { source: { rule: winner.rule, connector: winner.connector, externalId: winner.externalId }, confidence: winner.confidence } : {}),
    });
  }
  return out;
}

/** Before mesh objects are deleted: each of their values ends, its last state recorded. */
export async function recordDeletedValues(ctx: CycleContext, q: Queryable, meshIds: readonly string[]): Promise<void> {
  const stamp = historyStamp(ctx);
  if (!stamp || meshIds.length === 0) return;
  const states = await loadObjectStates(q, meshIds);
  await insertPreviousStates(q, stamp, [...states.values()].map((state) => ({ meshId: state.id, states: previousStates(state, null) })));
}
