/**
 * SCIM attribute paths as staged attribute names. An imported resource is flattened to names that are
 * themselves SCIM paths (RFC 7644 §3.5.2 "attribute path" / "valuePath" grammar), so a projection writes
 * to the same names it reads and a PATCH can target them directly:
 *
 *   userName, active, externalId                      simple attributes
 *   name.givenName                                     a sub-attribute of a complex attribute
 *   emails[type eq "work"].value                      a multi-valued attribute's entry, by its type
 *   emails.value                                       values of entries without a type (read only)
 *   urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber    extension attributes
 *   members / groups                                   the `value`s (ids) of a group's members / a user's groups
 *   roles / entitlements                               whole entries, as structured values (`value`, `type`, `display`)
 */
import type { Scalar, Value } from '../../config/model.js';
import { isReservedName } from '../../shared/own-property.js';
import { decodeStructured, encodeStructured } from '../../config/structured-value.js';

export interface ScimPath {
  /** Extension schema URN, when the attribute belongs to one. */
  readonly urn?: string;
  readonly attribute: string;
  /** `type eq "…"` selecting one entry of a multi-valued attribute. */
  readonly type?: string;
  readonly sub?: string;
}

const NAME = '[A-Za-z$][\\w$-]*';
const PATH = new RegExp(`^(?:(urn:[^\\s\\[\\]]+):)?(${NAME})(?:\\[type eq "((?:[^"\\\\]|\\\\.)*)"\\])?(?:\\.(${NAME}))?$`);

export function parsePath(name: string): ScimPath | undefined {
  const m = PATH.exec(name);
  if (!m) return undefined;
  return { ...(m[1] ? { urn: m[1] } : {}), attribute: m[2]!, ...(m[3] !== undefined ? { type: m[3].replace(/\\(.)/g, '$1') } : {}), ...(m[4] ? { sub: m[4] } : {}) };
}

export function formatPath(path: ScimPath): string {
  const prefix = path.urn ? `${path.urn}:` : '';
  const filter = path.type !== undefined ? `[type eq ${JSON.stringify(path.type)}]` : '';
  return `${prefix}${path.attribute}${filter}${path.sub ? `.${path.sub}` : ''}`;
}

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

/** SCIM attribute names are case-insensitive (RFC 7643 §2.1). */
function findKey(object: Readonly<Record<string, unknown>>, name: string): string | undefined {
  if (name in object) return name;
  const lower = name.toLowerCase();
  return Object.keys(object).find((key) => key.toLowerCase() === lower);
}

/** A SCIM filter comparing an attribute with a string (RFC 7644 §3.4.2.2; the value is a JSON string). */
export function equalsFilter(attribute: string, value: string): string {
  return `${attribute} eq ${JSON.stringify(value)}`;
}
