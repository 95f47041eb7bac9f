/**
 * Graph objects → staged objects. Properties keep Graph's names; a nested object flattens to dotted
 * names (`onPremisesExtensionAttributes.extensionAttribute1`), a list of scalars stays a list, nulls are
 * left out. `accountEnabled` is also the observed enabled state. A group's `members` attribute lists the
 * ids of its direct members, users and groups alike (nested groups as references).
 */
import type { Scalar, Value } from '../../config/model.js';
import type { StagedObject } from '../sdk.js';

export interface GraphItem {
  readonly id: string;
  readonly '@removed'?: { readonly reason?: string };
  readonly 'members@delta'?: ReadonlyArray<{ readonly id: string; readonly '@odata.type'?: string; readonly '@removed'?: unknown }>;
  readonly [property: string]: unknown;
}

function flatten(prefix: string, raw: unknown, out: Record<string, Value>): void {
  if (raw === null || raw === undefined) return;
  if (typeof raw === 'string') {
    if (raw !== '') out[prefix] = raw;
    return;
  }
  if (typeof raw === 'number' || typeof raw === 'boolean') {
    out[prefix] = raw;
    return;
  }
  if (Array.isArray(raw)) {
    const items: Scalar[] = raw.map((item) => (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean' ? item : JSON.stringify(item)));
    if (items.length > 0) out[prefix] = items;
    return;
  }
  if (typeof raw === 'object') {
    for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
      if (!key.includes('@')) flatten(`${prefix}.${key}`, value, out);
    }
  }
}

export function graphAttributes(item: GraphItem): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const [key, value] of Object.entries(item)) {
    if (key === 'id' || key.includes('@')) continue;
    flatten(key, value, out);
  }
  return out;
}

export function userObject(item: GraphItem): StagedObject {
  const attributes = graphAttributes(item);
  return { externalId: item.id, attributes, ...(typeof item.accountEnabled === 'boolean' ? { enabled: item.accountEnabled } : {}) };
}

export function groupObject(item: GraphItem, members: Iterable<string>): StagedObject {
  const attributes = graphAttributes(item);
  const list = [...new Set(members)].sort();
  if (list.length > 0) attributes.members = list;
  return { externalId: item.id, attributes };
}

/** `@removed` marks a deleted object, whether soft-deleted (reason `changed`) or purged (`deleted`). */
export function isRemoved(item: GraphItem): boolean {
  return item['@removed'] !== undefined;
}

/** Dotted attribute names back into Graph's nested shape, for writes. */
export function unflatten(attributes: Readonly<Record<string, Value | undefined>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(attributes)) {
    const parts = name.split('.');
    let target = out;
    for (const part of parts.slice(0, -1)) {
      const next = target[part];
      target = (next && typeof next === 'object' ? next : (target[part] = {})) as Record<string, unknown>;
    }
    target[parts[parts.length - 1]!] = value === undefined ? null : Array.isArray(value) ? [...value] : value;
  }
  return out;
}
