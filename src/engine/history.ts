/**
 * History: who changed a mesh object's values, when, from which source and under which config
 * revision, and what was exported to its target objects — `imesh history` and
 * GET /api/v1/objects/{type}/{key}/history.
 */
import { formatDuration } from '../config/duration.js';
import type { CompiledConfig, Value } from '../config/model.js';
import { ImeshError } from '../shared/errors.js';
import { ownValue } from '../shared/own-property.js';
import type { Queryable } from '../store/db.js';
import { findMeshObject } from './explain.js';
import { withheldFromHistory } from './history-secrets.js';
import { joinAttributes } from './mesh-object.js';
import { cycleStamps } from './tables/cycles.js';
import { readExportHistory, type ExportHistoryEntry } from './tables/export-history.js';
import { loadObjectStates, type ObjectState } from './tables/mesh-objects.js';
import { readLegacyValueHistory, readPreviousStates, type ValueHistoryEntry, type ValueSource } from './tables/value-history.js';
import { sinceOf } from './value-changes.js';

/** `retain` when history is off: nothing is recorded. */
export const HISTORY_OFF = '0s';

export interface History {
  readonly type: string;
  readonly id: string;
  readonly deleted: boolean;
  readonly keys: Readonly<Record<string, Value>>;
  /** Only this attribute's changes (and the exports that wrote it); null: every attribute. */
  readonly attribute: string | null;
  /** How long changes are kept (`Mesh.spec.history.retain`); `0s`: history is off. */
  readonly retain: string;
  /** Each value's changes, oldest first. */
  readonly values: readonly ValueHistoryEntry[];
  /** Each change exported to a target object of this mesh object, oldest first. */
  readonly exports: readonly ExportHistoryEntry[];
}

export async function history(q: Queryable, config: CompiledConfig, type: string, key: string, attribute?: string): Promise<History> {
  const id = await findMeshObject(q, config, type, key);
  if (attribute !== undefined && !config.mesh.objectTypes.get(type)?.attributes.has(attribute)) {
    throw new ImeshError('NotFound', `"${attribute}" is not an attribute of ${type}`);
  }
  const object = (await loadObjectStates(q, [id])).get(id)!;
  const keyNames = joinAttributes(config).get(type) ?? new Set<string>();
  const keys = Object.fromEntries([...keyNames].filter((k) => ownValue(object.attributes, k) !== undefined).map((k) => [k, ownValue(object.attributes, k)!]));
  const off = config.mesh.history.retainMs === 0;
  return {
    type,
    id,
    deleted: object.deleted,
    keys,
    attribute: attribute ?? null,
    retain: off ? HISTORY_OFF : formatDuration(config.mesh.history.retainMs),
    values: off ? [] : await valueHistory(q, object, attribute),
    exports: off ? [] : await readExportHistory(q, config, id, attribute),
  };
}

/**
 * Each value the object's attributes held, oldest first: the states recorded when they were left (and
 * the changes migration 12 recorded), then the current values, which retention never prunes.
 */
async function valueHistory(q: Queryable, object: ObjectState, attribute: string | undefined): Promise<ValueHistoryEntry[]> {
  const legacy = await readLegacyValueHistory(q, object.id, attribute);
  const previous = await readPreviousStates(q, object.id, attribute);
  const current = object.deleted ? [] : Object.keys(object.attributes).filter((name) => attribute === undefined || name === attribute).sort();
  const runs = new Set<number>();
  for (const state of previous) {
    if (state.since !== null) runs.add(state.since);
    runs.add(state.endedBy);
  }
  for (const name of current) {
    const run = sinceOf(object, name).run;
    if (run !== null) runs.add(run);
  }
  const stamps = await cycleStamps(q, [...runs]);
  const made = (run: number, at: string) => ({ run, revision: stamps.get(run)?.revision ?? null, at: stamps.get(run)?.startedAt ?? at });
  const sourced = (source: ValueSource | null | undefined, confidence: number | null | undefined) => ({
    connector: source?.connector ?? null,
    rule: source?.rule ?? null,
    externalId: source?.externalId ?? null,
    confidence: source ? (confidence ?? null) : null,
  });
  const out: ValueHistoryEntry[] = [...legacy];
  for (const state of previous) {
    // A state held since an unknown run predates migration 18: the change that made it is a legacy row.
    if (state.since !== null) out.push({ attribute: state.attribute, value: state.value, withheld: state.withheld, ...sourced(state.source, state.confidence), ...made(state.since, object.createdAt) });
    if (state.ended) out.push({ attribute: state.attribute, value: null, withheld: false, ...sourced(null, null), ...made(state.endedBy, state.endedAt), at: state.endedAt });
  }
  for (const name of current) {
    const since = sinceOf(object, name);
    if (since.run === null) continue;
    const value = object.attributes[name]!;
    const withheld = since.withheld || withheldFromHistory(name, value);
    const winner = ownValue(object.provenance, name)?.winner;
    out.push({ attribute: name, value: withheld ? null : value, withheld, ...sourced(winner, winner?.confidence), ...made(since.run, object.createdAt) });
  }
  // Each attribute's values are in order already; across attributes, by time (a stable sort).
  return out.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}
