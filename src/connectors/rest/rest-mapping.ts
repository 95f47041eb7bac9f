/**
 * One API item → one staged object: the external id, the attributes (JSON pointers; nested arrays of
 * values are multi-valued, objects are not values), the enabled state (`accountEnabled`) and the soft
 * delete flag. An item without a usable id cannot be staged or held back, so it is skipped and counted.
 */
import type { Scalar, Value } from '../../config/model.js';
import { isReservedName } from '../../shared/own-property.js';
import { ENABLED_ATTRIBUTE, type StagedObject } from '../sdk.js';
import { readPointer, type JsonPointer } from './json-pointer.js';
import type { RestTypeOptions } from './rest-spec.js';

/** A JSON value as an attribute value: scalars as they are, arrays of scalars as lists; anything else absent. */
export function toValue(raw: unknown): Value | undefined {
  if (typeof raw === 'string' || typeof raw === 'boolean') return raw;
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  if (Array.isArray(raw)) {
    const list = raw.filter((v): v is Scalar => typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)));
    return list.length > 0 ? list : undefined;
  }
  return undefined;
}

/** The external id of an item (a string, or a number written in decimal), or undefined. */
export function itemId(item: unknown, pointer: JsonPointer): string | undefined {
  const raw = readPointer(item, pointer);
  if (typeof raw === 'string' && raw !== '') return raw;
  if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
  return undefined;
}

/** Loose scalar equality for flags: `true` matches "true", 1 matches "1". */
export function sameScalar(raw: unknown, expected: Scalar): boolean {
  if (raw === expected) return true;
  if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') return String(raw).toLowerCase() === String(expected).toLowerCase();
  return false;
}

export function stagedObject(item: unknown, type: RestTypeOptions): StagedObject | undefined {
  const externalId = itemId(item, type.externalId);
  if (externalId === undefined) return undefined;
  const attributes: Record<string, Value> = {};
  if (type.attributes) {
    for (const [name, pointer] of type.attributes) {
      const value = toValue(readPointer(item, pointer));
      if (value !== undefined) attributes[name] = value;
    }
  } else if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
    for (const [name, raw] of Object.entries(item as Record<string, unknown>)) {
      if (isReservedName(name)) continue;
      const value = toValue(raw);
      if (value !== undefined) attributes[name] = value;
    }
  }
  let enabled: boolean | undefined;
  if (type.enabled) {
    enabled = sameScalar(readPointer(item, type.enabled.pointer), type.enabled.value);
    if (!Object.hasOwn(attributes, ENABLED_ATTRIBUTE)) attributes[ENABLED_ATTRIBUTE] = enabled;
  }
  const deleted = type.deleted !== undefined && sameScalar(readPointer(item, type.deleted.pointer), type.deleted.value);
  return { externalId, attributes, ...(enabled !== undefined ? { enabled } : {}), ...(deleted ? { deleted: true } : {}) };
}
