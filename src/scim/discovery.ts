/**
 * The SCIM 2.0 discovery documents (RFC 7643 §5–7, RFC 7644 §4): `/ServiceProviderConfig`,
 * `/ResourceTypes`, `/Schemas`.
 * - Written: what a `scim-inbound` endpoint serves, describing what it really does: PATCH yes; filter
 *   yes (`eq`, `ne`, `co`, `sw`, `ew`, `pr`, `gt`/`ge`/`lt`/`le`, `and`, `or`, `not`); no bulk, sort,
 *   password change or ETag preconditions; bearer token authentication.
 * - Read: what the `scim` connector learns from a service provider's documents.
 */
import { coreSchemaOf, SCHEMA } from './urns.js';

// ── read ────────────────────────────────────────────────────────────────────────────────────────────

export interface ScimResourceInfo {
  /** Relative to the base URL, no leading slash: `Users`. */
  readonly endpoint: string;
  readonly schema: string;
}

/** What a service provider supports, and its resource types by lower-case name. */
export interface ServiceProvider {
  readonly patch: boolean;
  readonly etag: boolean;
  readonly filter: boolean;
  readonly maxResults?: number;
  readonly resources: ReadonlyMap<string, ScimResourceInfo>;
}

/**
 * The features a `/ServiceProviderConfig` document announces; without one (undefined), what most
 * service providers do: PATCH and filtering, no ETags.
 */
export function readServiceProviderConfig(config: Readonly<Record<string, unknown>> | undefined): Omit<ServiceProvider, 'resources'> {
  const flag = (key: string, fallback: boolean) => {
    const value = config?.[key] as { supported?: unknown } | undefined;
    return typeof value?.supported === 'boolean' ? value.supported : fallback;
  };
  const maxResults = Number((config?.filter as { maxResults?: unknown } | undefined)?.maxResults);
  return { patch: flag('patch', true), etag: flag('etag', false), filter: flag('filter', true), ...(Number.isFinite(maxResults) && maxResults > 0 ? { maxResults } : {}) };
}

/** The resource types of a `/ResourceTypes` answer (a ListResponse or a bare list), by lower-case name. */
export function readResourceTypes(body: unknown): Map<string, ScimResourceInfo> {
  const list = Array.isArray(body) ? body : ((body as { Resources?: unknown[] } | undefined)?.Resources ?? []);
  const resources = new Map<string, ScimResourceInfo>();
  for (const entry of Array.isArray(list) ? list : []) {
    const e = (entry ?? {}) as { name?: unknown; endpoint?: unknown; schema?: unknown };
    if (typeof e.name === 'string' && typeof e.endpoint === 'string') {
      resources.set(e.name.toLowerCase(), { endpoint: e.endpoint.replace(/^\/+/, ''), schema: typeof e.schema === 'string' ? e.schema : (coreSchemaOf(e.name) ?? '') });
    }
  }
  return resources;
}

// ── written ─────────────────────────────────────────────────────────────────────────────────────────

export const MAX_RESULTS = 1000;

export function serviceProviderConfig(base: string): Record<string, unknown> {
  return {
    schemas: [SCHEMA.serviceProviderConfig],
    documentationUri: 'https://identitymesh.dev/docs/scim-inbound',
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      { type: 'oauthbearertoken', name: 'Bearer token', description: "The connector's bearer token (spec.connection.bearerToken), sent as Authorization: Bearer …", primary: true },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
  };
}

export function resourceTypes(base: string, types: readonly string[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  if (types.includes('user')) {
    out.push({
      schemas: [SCHEMA.resourceType],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'User Account',
      schema: SCHEMA.user,
      schemaExtensions: [{ schema: SCHEMA.enterprise, required: false }],
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/User` },
    });
  }
  if (types.includes('group')) {
    out.push({
      schemas: [SCHEMA.resourceType],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      description: 'Group',
      schema: SCHEMA.group,
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/Group` },
    });
  }
  return out;
}

type Attr = Record<string, unknown>;

function attr(name: string, options: Partial<{ type: string; multiValued: boolean; required: boolean; caseExact: boolean; mutability: string; returned: string; uniqueness: string; subAttributes: Attr[] }> = {}): Attr {
  return {
    name,
    type: options.type ?? 'string',
    multiValued: options.multiValued ?? false,
    required: options.required ?? false,
    caseExact: options.caseExact ?? false,
    mutability: options.mutability ?? 'readWrite',
    returned: options.returned ?? 'default',
    uniqueness: options.uniqueness ?? 'none',
    ...(options.subAttributes ? { subAttributes: options.subAttributes } : {}),
  };
}

const multi = (name: string, extra: Attr[] = []) =>
  attr(name, { type: 'complex', multiValued: true, subAttributes: [attr('value'), attr('display'), attr('type'), attr('primary', { type: 'boolean' }), ...extra] });

export function schemas(base: string, types: readonly string[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const meta = (id: string) => ({ resourceType: 'Schema', location: `${base}/Schemas/${id}` });
  if (types.includes('user')) {
    out.push({
      schemas: [SCHEMA.schema],
      id: SCHEMA.user,
      name: 'User',
      description: 'User Account',
      attributes: [
        attr('userName', { required: true, uniqueness: 'server' }),
        attr('name', {
          type: 'complex',
          subAttributes: ['formatted', 'familyName', 'givenName', 'middleName', 'honorificPrefix', 'honorificSuffix'].map((n) => attr(n)),
        }),
        ...['displayName', 'nickName', 'profileUrl', 'title', 'userType', 'preferredLanguage', 'locale', 'timezone'].map((n) => attr(n)),
        attr('externalId', { caseExact: true }),
        attr('active', { type: 'boolean' }),
        multi('emails'),
        multi('phoneNumbers'),
        attr('addresses', {
          type: 'complex',
          multiValued: true,
          subAttributes: ['formatted', 'streetAddress', 'locality', 'region', 'postalCode', 'country', 'type'].map((n) => attr(n)).concat([attr('primary', { type: 'boolean' })]),
        }),
        attr('groups', { type: 'complex', multiValued: true, mutability: 'readOnly', subAttributes: [attr('value', { mutability: 'readOnly' }), attr('display', { mutability: 'readOnly' })] }),
        multi('roles'),
      ],
      meta: meta(SCHEMA.user),
    });
    out.push({
      schemas: [SCHEMA.schema],
      id: SCHEMA.enterprise,
      name: 'EnterpriseUser',
      description: 'Enterprise User',
      attributes: [
        ...['employeeNumber', 'costCenter', 'organization', 'division', 'department'].map((n) => attr(n)),
        attr('manager', { type: 'complex', subAttributes: [attr('value'), attr('displayName', { mutability: 'readOnly' })] }),
      ],
      meta: meta(SCHEMA.enterprise),
    });
  }
  if (types.includes('group')) {
    out.push({
      schemas: [SCHEMA.schema],
      id: SCHEMA.group,
      name: 'Group',
      description: 'Group',
      attributes: [
        attr('displayName', { required: true }),
        attr('externalId', { caseExact: true }),
        attr('members', { type: 'complex', multiValued: true, subAttributes: [attr('value', { caseExact: true, mutability: 'immutable' }), attr('display'), attr('type', { mutability: 'immutable' })] }),
      ],
      meta: meta(SCHEMA.group),
    });
  }
  return out;
}
