/**
 * The shapes of the resources an inbound SCIM endpoint keeps (RFC 7643 §4 User, §4.2 Group): which
 * collection holds which kind, what a stored resource must carry, how one is presented with `meta`, and
 * the ListResponse (RFC 7644 §3.4.2).
 */
import { normaliseBooleans } from './entra-compat.js';
import { ScimError } from './scim-error.js';
import { SCHEMA } from './urns.js';

export type ResourceKind = 'user' | 'group';

export const RESOURCE_NAME: Readonly<Record<ResourceKind, string>> = { user: 'User', group: 'Group' };
/** The collection each kind lives in, relative to the endpoint's base (RFC 7644 §3.2). */
export const COLLECTION: Readonly<Record<ResourceKind, string>> = { user: 'Users', group: 'Groups' };

/** The kind a collection name (`Users`, `groups` …) holds, or undefined. */
export function kindOfCollection(collection: string): ResourceKind | undefined {
  const lower = collection.toLowerCase();
  return lower === 'users' ? 'user' : lower === 'groups' ? 'group' : undefined;
}

export function asObject(value: unknown, what: string): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new ScimError(400, `${what} must be a JSON object`, 'invalidSyntax');
  return value as Record<string, unknown>;
}

/**
 * A written resource as it is stored: no `meta`, the given id, booleans normalised, the core schema and
 * every extension listed in `schemas`, members unique by value. Refuses a User without `userName`, a
 * non-boolean `active`, a Group without `displayName` and members without a value (400 `invalidValue`).
 */
export function cleanResource(kind: ResourceKind, body: Readonly<Record<string, unknown>>, id: string): Record<string, unknown> {
  const resource = normaliseBooleans(body) as Record<string, unknown>;
  delete resource.meta;
  resource.id = id;
  const core = kind === 'user' ? SCHEMA.user : SCHEMA.group;
  const listed = Array.isArray(resource.schemas) ? (resource.schemas as unknown[]).filter((s): s is string => typeof s === 'string') : [];
  const extensions = Object.keys(resource).filter((k) => k.toLowerCase().startsWith('urn:') && k !== 'schemas');
  resource.schemas = [...new Set([core, ...listed.filter((s) => s !== core), ...extensions])];
  if (kind === 'user') {
    if (typeof resource.userName !== 'string' || resource.userName.trim() === '') throw new ScimError(400, 'userName is required', 'invalidValue');
    if ('active' in resource && typeof resource.active !== 'boolean') throw new ScimError(400, 'active must be a boolean', 'invalidValue');
  } else {
    if (typeof resource.displayName !== 'string' || resource.displayName.trim() === '') throw new ScimError(400, 'displayName is required', 'invalidValue');
    if (resource.members !== undefined) {
      if (!Array.isArray(resource.members)) throw new ScimError(400, 'members must be a list', 'invalidValue');
      const seen = new Map<string, Record<string, unknown>>();
      for (const member of resource.members) {
        const m = asObject(member, 'a member');
        if (typeof m.value !== 'string' || m.value === '') throw new ScimError(400, 'every member needs a value (the member id)', 'invalidValue');
        seen.set(m.value, m);
      }
      resource.members = [...seen.values()];
      if (seen.size === 0) delete resource.members;
    }
  }
  return resource;
}

export interface StoredResource {
  readonly id: string;
  readonly kind: ResourceKind;
  readonly resource: Readonly<Record<string, unknown>>;
  readonly created: string;
  readonly lastModified: string;
  readonly version: number | string;
}

/** A stored resource as served, with its `meta` (RFC 7643 §3.1); `base` is the endpoint's URL. */
export function presentResource(stored: StoredResource, base: string): Record<string, unknown> {
  return {
    ...stored.resource,
    id: stored.id,
    meta: {
      resourceType: RESOURCE_NAME[stored.kind],
      created: stored.created,
      lastModified: stored.lastModified,
      version: `W/"${stored.version}"`,
      location: `${base}/${COLLECTION[stored.kind]}/${stored.id}`,
    },
  };
}

/** A ListResponse (RFC 7644 §3.4.2) of one page. */
export function listResponse(page: readonly unknown[], totalResults: number, startIndex: number): Record<string, unknown> {
  return { schemas: [SCHEMA.list], totalResults, startIndex, itemsPerPage: page.length, Resources: page };
}
