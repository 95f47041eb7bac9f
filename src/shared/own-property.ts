/**
 * Attribute names come from configuration, source data and HTTP clients; none of them may reach a
 * JavaScript object's internals. Lookups read only an object's own properties, and the three names
 * that address the prototype chain are never attribute names anywhere.
 */

/** Names that reach a JavaScript object's prototype chain instead of its data. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** True for `__proto__`, `constructor`, `prototype`, and for a dotted path with one of them as a segment. */
export function isReservedName(name: string): boolean {
  return name.split('.').some((segment) => RESERVED_NAMES.has(segment.trim()));
}

/** The object's own property `name`; never an inherited one (`toString`, `constructor`, `__proto__`). */
export function ownValue<T>(record: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.hasOwn(record, name) ? record[name] : undefined;
}
