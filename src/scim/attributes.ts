/**
 * Reading and writing a SCIM resource's attributes by their paths (attribute-paths.ts).
 *
 * A resource is flattened to staged attributes named by SCIM paths:
 *   simple, sub-attribute, `[type eq "…"]` and extension paths   one value each
 *   emails.value                                       values of entries without a type (read only)
 *   members / groups                                   the `value`s (ids) of a group's members / a user's groups
 *   roles / entitlements                               whole entries, as structured values (`value`, `type`, `display`)
 */
import type { Scalar, Value } from '../config/model.js';
import { decodeStructured, encodeStructured } from '../config/structured-value.js';
import { isReservedName } from '../shared/own-property.js';
import { findKey, getAttribute, type ScimPath } from './attribute-paths.js';

/** Attributes that are never staged or written as values. */
const SKIPPED = new Set(['schemas', 'id', 'meta', 'password']);
/** Multi-valued complex attributes whose entries are references: staged as the list of their `value`s. */
const REFERENCES = new Set(['members', 'groups']);
/**
 * Multi-valued complex attributes staged and written whole: each entry is one structured value of its
 * `value`, `type` and `display` (RFC 7643 §4.1.2; `primary` is left out, so a server that sets it is
 * not drift). Two entries may share a `type` (two team roles), which `[type eq "…"]` paths cannot tell apart.
 */
const STRUCTURED_LISTS = new Set(['roles', 'entitlements']);
const STRUCTURED_FIELDS = ['value', 'type', 'display'] as const;

function scalar(value: unknown): value is Scalar {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function put(out: Record<string, Value>, name: string, value: unknown): void {
  // A server's `__proto__` key must not become the staged object's prototype.
  if (isReservedName(name)) return;
  if (scalar(value)) {
    if (value !== '') out[name] = value;
  } else if (Array.isArray(value)) {
    const items = value.filter(scalar);
    if (items.length > 0) out[name] = items;
  }
}

function flattenAttribute(out: Record<string, Value>, prefix: string, attribute: string, value: unknown): void {
  const name = `${prefix}${attribute}`;
  if (value === null || value === undefined) return;
  if (scalar(value)) return put(out, name, value);
  if (Array.isArray(value)) {
    if (value.every(scalar)) return put(out, name, value);
    if (STRUCTURED_LISTS.has(attribute.toLowerCase()) && prefix === '') {
      const entries = value.filter((entry): entry is Record<string, unknown> => Boolean(entry) && typeof entry === 'object');
      put(out, name, entries.map((e) => encodeStructured(Object.fromEntries(STRUCTURED_FIELDS.map((f) => [f, scalar(e[f]) ? e[f] : undefined])))));
      return;
    }
    if (REFERENCES.has(attribute) && prefix === '') {
      put(out, name, value.map((entry) => (entry && typeof entry === 'object' ? (entry as Record<string, unknown>).value : undefined)).filter(scalar));
      return;
    }
    const untyped: Scalar[] = [];
    for (const entry of value) {
      if (!entry || typeof entry !== 'object') continue;
      const e = entry as Record<string, unknown>;
      if (typeof e.type === 'string' && e.type !== '') {
        for (const [sub, subValue] of Object.entries(e)) {
          if (sub === 'type' || sub === 'primary' || sub === '$ref') continue;
          put(out, `${name}[type eq ${JSON.stringify(e.type)}].${sub}`, subValue);
        }
      } else if (scalar(e.value)) {
        untyped.push(e.value);
      }
    }
    if (untyped.length > 0) out[`${name}.value`] = untyped;
    return;
  }
  if (typeof value === 'object') {
    for (const [sub, subValue] of Object.entries(value as Record<string, unknown>)) {
      if (sub === '$ref') continue;
      put(out, `${name}.${sub}`, subValue);
    }
  }
}

/** A SCIM resource → staged attributes, named by their SCIM paths. */
export function flattenResource(resource: Readonly<Record<string, unknown>>): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const [key, value] of Object.entries(resource)) {
    if (SKIPPED.has(key)) continue;
    if (key.toLowerCase().startsWith('urn:') && value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [attribute, inner] of Object.entries(value as Record<string, unknown>)) flattenAttribute(out, `${key}:`, attribute, inner);
      continue;
    }
    flattenAttribute(out, '', key, value);
  }
  return out;
}

/** A value as JSON for a request body: structured values (roles entries) become objects. */
export function toJson(value: Value): unknown {
  const one = (item: Scalar): unknown => decodeStructured(item) ?? item;
  return Array.isArray(value) ? (value as readonly Scalar[]).map(one) : one(value as Scalar);
}

/**
 * Writes `value` at `path` into a resource body (for POST and PUT). Returns false for a path that cannot
 * be written this way (`emails.value`, read-only `groups`).
 */
export function setPath(resource: Record<string, unknown>, path: ScimPath, value: Value | undefined): boolean {
  let container: Record<string, unknown> = resource;
  if (path.urn) {
    const existing = resource[path.urn];
    container = existing && typeof existing === 'object' && !Array.isArray(existing) ? (existing as Record<string, unknown>) : (resource[path.urn] = {});
    const schemas = Array.isArray(resource.schemas) ? (resource.schemas as string[]) : (resource.schemas = []);
    if (value !== undefined && !schemas.includes(path.urn)) schemas.push(path.urn);
  }
  const key = findKey(container, path.attribute) ?? path.attribute;
  if (path.attribute === 'groups' && !path.urn) return false;
  if (path.attribute === 'members' && !path.urn && path.type === undefined && path.sub === undefined) {
    if (value === undefined) delete container[key];
    else container[key] = (Array.isArray(value) ? value : [value]).map((v) => ({ value: v }));
    return true;
  }
  if (path.type !== undefined) {
    const list = Array.isArray(container[key]) ? (container[key] as Record<string, unknown>[]) : [];
    const sub = path.sub ?? 'value';
    const index = list.findIndex((e) => e && typeof e === 'object' && e.type === path.type);
    if (value === undefined) {
      if (index >= 0) list.splice(index, 1);
    } else if (index >= 0) {
      list[index] = { ...list[index], [sub]: toJson(value) };
    } else {
      list.push({ type: path.type, [sub]: toJson(value) });
    }
    container[key] = list;
    if (list.length === 0) delete container[key];
    return true;
  }
  if (path.sub !== undefined) {
    if (path.sub === 'value' && Array.isArray(container[key])) return false; // `emails.value`: untyped entries
    const existing = container[key];
    const complex = existing && typeof existing === 'object' && !Array.isArray(existing) ? (existing as Record<string, unknown>) : (container[key] = {});
    if (value === undefined) delete complex[path.sub];
    else complex[path.sub] = toJson(value);
    return true;
  }
  if (value === undefined) delete container[key];
  else container[key] = toJson(value);
  return true;
}

/** The entry a `[type eq "…"]` path selects exists in the resource. */
export function hasTypedEntry(resource: Readonly<Record<string, unknown>>, path: ScimPath): boolean {
  const container = path.urn ? (resource[findKey(resource, path.urn) ?? path.urn] as Record<string, unknown> | undefined) : resource;
  if (!container) return false;
  const list = container[findKey(container, path.attribute) ?? path.attribute];
  return Array.isArray(list) && list.some((e) => e && typeof e === 'object' && (e as Record<string, unknown>).type === path.type);
}

/**
 * The values at a dotted attribute path (`name.givenName`, `emails.value`, an extension's
 * `urn:…:User:manager.value`), names matched case-insensitively. Multi-valued attributes contribute
 * each entry; with `entries` false, complex entries without a sub-attribute count as their `value`.
 */
export function valuesAt(resource: Readonly<Record<string, unknown>>, path: string, entries = false): unknown[] {
  let container: unknown = resource;
  let rest = path;
  for (const k of Object.keys(resource)) {
    if (k.toLowerCase().startsWith('urn:') && path.toLowerCase().startsWith(`${k.toLowerCase()}:`)) {
      container = resource[k];
      rest = path.slice(k.length + 1);
    }
  }
  let current: unknown[] = [container];
  for (const part of rest.split('.')) {
    const next: unknown[] = [];
    for (const item of current) {
      if (!item || typeof item !== 'object' || Array.isArray(item)) continue;
      const value = getAttribute(item as Record<string, unknown>, part);
      if (Array.isArray(value)) next.push(...value);
      else if (value !== undefined && value !== null) next.push(value);
    }
    current = next;
  }
  if (entries) return current;
  return current.map((v) => (v && typeof v === 'object' && !Array.isArray(v) && 'value' in v ? (v as { value: unknown }).value : v));
}

/** The attribute names of an `attributes` or `excludedAttributes` query parameter (comma-separated). */
export function attributeList(parameter: string | null | undefined): string[] {
  return parameter ? parameter.split(',').map((s) => s.trim()).filter((s) => s !== '') : [];
}

/**
 * `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5), by top-level attribute (an extension's
 * attribute selects its whole extension object); `id`, `schemas` and `meta` always stay.
 */
export function selectAttributes(resource: Readonly<Record<string, unknown>>, include: readonly string[], exclude: readonly string[]): Record<string, unknown> {
  if (include.length === 0 && exclude.length === 0) return { ...resource };
  const top = (name: string) => {
    const lower = name.toLowerCase();
    const urn = Object.keys(resource).find((k) => k.toLowerCase().startsWith('urn:') && lower.startsWith(`${k.toLowerCase()}:`));
    return urn ? urn.toLowerCase() : lower.split('.')[0]!;
  };
  const included = new Set(include.map(top));
  const excluded = new Set(exclude.map((a) => a.toLowerCase()));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(resource)) {
    const lower = k.toLowerCase();
    const always = lower === 'id' || lower === 'schemas' || lower === 'meta';
    if (!always && included.size > 0 && !included.has(lower)) continue;
    if (!always && excluded.has(lower)) continue;
    out[k] = v;
  }
  return out;
}
