/**
 * Attribute values: coercion to mesh types, comparison, canonical serialisation and hashing.
 */
import { hash } from 'node:crypto';
import type { MeshAttribute, Scalar, Value } from '../config/model.js';

const TRUE_WORDS = new Set(['true', '1', 'yes', 'y', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'n', 'off']);

/** Null, undefined, empty strings and empty lists contribute nothing. */
export function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.every(isEmpty);
  return false;
}

export function parseBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') {
    const word = value.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
  }
  return undefined;
}

function coerceScalar(value: unknown, attribute: MeshAttribute): Scalar | undefined {
  if (isEmpty(value)) return undefined;
  switch (attribute.type) {
    case 'boolean':
      return parseBoolean(value);
    case 'integer': {
      const number = typeof value === 'number' ? value : Number(String(value).trim());
      return Number.isInteger(number) ? number : undefined;
    }
    default:
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
      return JSON.stringify(value);
  }
}

/**
 * Converts a source value to the mesh attribute's type. Returns undefined when nothing usable remains
 * (empty, or not convertible: "maybe" for a boolean). Multi-valued attributes become sorted, unique lists.
 */
export function coerce(value: unknown, attribute: MeshAttribute, separator = ';'): Value | undefined {
  if (attribute.multiValued) {
    const raw = Array.isArray(value) ? value : typeof value === 'string' ? value.split(separator) : [value];
    const items = raw.map((item) => coerceScalar(typeof item === 'string' ? item.trim() : item, attribute)).filter((item): item is Scalar => item !== undefined);
    if (items.length === 0) return undefined;
    return sortedUnique(items);
  }
  if (Array.isArray(value)) {
    const first = value.find((item) => !isEmpty(item));
    return coerceScalar(first, attribute);
  }
  return coerceScalar(value, attribute);
}

export function sortedUnique(items: readonly Scalar[]): Scalar[] {
  const seen = new Map<string, Scalar>();
  for (const item of items) seen.set(typeof item + ':' + String(item), item);
  return [...seen.values()].sort((a, b) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
}

/** JSON with sorted object keys, so equal values serialise identically. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const item = (value as Record<string, unknown>)[key];
      if (item !== undefined) out[key] = sortKeys(item);
    }
    return out;
  }
  return value;
}

export function hashOf(value: unknown): string {
  return sha1(canonicalJson(value));
}

export function sha1(text: string): string {
  return hash('sha1', text, 'base64url');
}

/** Normalised form of a join value: trimmed, lower-cased. Joins compare case-insensitively. */
export function joinKey(value: unknown): string | undefined {
  if (isEmpty(value)) return undefined;
  if (Array.isArray(value)) return joinKey(value.find((item) => !isEmpty(item)));
  return String(value).trim().toLowerCase();
}

/** A source object's attribute by name; an exact match first, else case-insensitively (sources differ in case). */
export function sourceValue(attributes: Readonly<Record<string, Value>>, name: string): Value | undefined {
  if (Object.hasOwn(attributes, name)) return attributes[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(attributes)) if (key.toLowerCase() === lower) return attributes[key];
  return undefined;
}

export function toList(value: Value | undefined | null): Scalar[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? [...(value as Scalar[])] : [value as Scalar];
}

/**
 * Do two values mean the same thing to a target? Lists compare as sets; scalars by their string form
 * (a table returns `42` where we rendered "42"); `caseInsensitive` for directory DNs.
 */
export function sameValue(a: Value | undefined | null, b: Value | undefined | null, caseInsensitive = false): boolean {
  const left = toList(isEmpty(a) ? undefined : a).map((item) => norm(item, caseInsensitive));
  const right = toList(isEmpty(b) ? undefined : b).map((item) => norm(item, caseInsensitive));
  if (left.length !== right.length) return false;
  const set = new Set(left);
  return right.every((item) => set.has(item));
}

function norm(item: Scalar, caseInsensitive: boolean): string {
  const text = typeof item === 'boolean' ? String(item) : String(item);
  return caseInsensitive ? text.toLowerCase() : text;
}
