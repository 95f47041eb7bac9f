/**
 * Mesh objects as the engine holds them: resolved attribute values with the provenance of each, and
 * the names people know them by.
 */
import type { CompiledConfig, Value } from '../config/model.js';
import { ownValue } from '../shared/own-property.js';
import { uuidV7 } from './mesh-id.js';

export interface ProvenanceEntry {
  readonly value: Value;
  readonly rule: string;
  readonly connector: string;
  readonly externalId: string;
  readonly confidence: number;
  readonly at: string;
  /**
   * For derived values (`roleMappings`): the source objects behind the value, one human-readable line
   * each (e.g. `entra-push/group/7f3… "dmm_owners" → organizationOwner`), so explain shows why.
   */
  readonly via?: readonly string[];
}

export interface AttributeProvenance {
  readonly winner: ProvenanceEntry;
  readonly losers: readonly ProvenanceEntry[];
}

export interface MeshObject {
  readonly id: string;
  readonly type: string;
  readonly attributes: Readonly<Record<string, Value>>;
  readonly provenance: Readonly<Record<string, AttributeProvenance>>;
  readonly deleted: boolean;
}

/** A new mesh object's id: time-ordered (./mesh-id.ts), so the store's indexes by mesh id grow at one end. */
export function newMeshId(): string {
  return uuidV7();
}

/** The mesh attributes that join rules (flow or projection) look objects up by, per mesh type. */
export function joinAttributes(config: CompiledConfig): Map<string, Set<string>> {
  const byType = new Map<string, Set<string>>();
  const add = (type: string, attribute: string) => {
    let set = byType.get(type);
    if (!set) byType.set(type, (set = new Set()));
    set.add(attribute);
  };
  for (const rule of config.flowRules) for (const join of rule.join) add(rule.meshType, join.mesh);
  for (const projection of config.projections) for (const join of projection.join) add(projection.meshType, join.mesh);
  return byType;
}

/** `person/E1002` when the object has a join key (what people search by), else `person/<id>`. */
export function meshLabel(type: string, id: string, attributes: Readonly<Record<string, Value>>, keys: ReadonlyMap<string, ReadonlySet<string>>): string {
  for (const attribute of keys.get(type) ?? []) {
    const value = ownValue(attributes, attribute);
    if (typeof value === 'string' || typeof value === 'number') return `${type}/${value}`;
  }
  return `${type}/${id}`;
}
