/**
 * The entra-id connector's options, compiled once from the validated spec (schemas/connector.schema.json,
 * EntraIdConnectorSpec): defaults applied, contradictions refused naming the key.
 */
import type { ConnectorModel } from '../../config/model.js';
import { parseDuration } from '../../config/duration.js';
import { ConfigError } from '../../shared/errors.js';
import { secureBaseUrl } from '../http/index.js';

export type EntraObjectType = 'user' | 'group';

export interface EntraTypeOptions {
  /** `$select`, always including what the connector needs (id, and accountEnabled for users). */
  readonly select: readonly string[];
  /** An OData `$filter`; delta queries cannot carry one, so a filtered type is always read in full. */
  readonly filter?: string;
}

export interface EntraOptions {
  readonly connector: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecretRef: string;
  readonly authorityUrl: string;
  /** The Graph root (no version), e.g. https://graph.microsoft.com. */
  readonly graphUrl: string;
  readonly pageSize: number;
  readonly timeoutMs: number;
  readonly types: ReadonlyMap<EntraObjectType, EntraTypeOptions>;
}

/** The attributes a user's mesh mapping usually reads; Graph's own default set lacks accountEnabled, department and employeeId. */
export const DEFAULT_USER_SELECT = ['id', 'userPrincipalName', 'givenName', 'surname', 'displayName', 'mail', 'department', 'jobTitle', 'accountEnabled', 'employeeId'];
export const DEFAULT_GROUP_SELECT = ['id', 'displayName', 'description', 'mail', 'mailNickname', 'mailEnabled', 'securityEnabled', 'groupTypes'];

export function compileEntraSpec(model: ConnectorModel<'entra-id'>): EntraOptions {
  const spec = model.spec;
  const where = (key: string) => `${model.name}: spec.${key}`;
  const c = spec.connection;
  for (const key of ['tenantId', 'clientId', 'clientSecret'] as const) {
    if (!c || typeof c[key] !== 'string' || c[key].trim() === '') throw new ConfigError('ConfigInvalid', `${where(`connection.${key}`)} is required`);
  }
  const authority = secureBaseUrl(model.name, c.authorityUrl ?? 'https://login.microsoftonline.com', 'spec.connection.authorityUrl');
  const graph = secureBaseUrl(model.name, c.graphUrl ?? 'https://graph.microsoft.com', 'spec.connection.graphUrl');
  const pageSize = c.pageSize ?? 999;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 999) throw new ConfigError('ConfigInvalid', `${where('connection.pageSize')} is ${pageSize}; Graph pages hold 1 to 999 objects`);
  const timeoutMs = c.timeout === undefined ? 30_000 : parseDuration(c.timeout);
  if (timeoutMs === undefined || timeoutMs <= 0) throw new ConfigError('ConfigInvalid', `${where('connection.timeout')} "${c.timeout}" is not a duration such as 30s`);
  const types = new Map<EntraObjectType, EntraTypeOptions>();
  for (const [name, options] of Object.entries(spec.objectTypes ?? {})) {
    if (name !== 'user' && name !== 'group') throw new ConfigError('ConfigInvalid', `${where(`objectTypes.${name}`)}: Entra ID object types are user and group`);
    const declared = options?.select && options.select.length > 0 ? options.select : name === 'user' ? DEFAULT_USER_SELECT : DEFAULT_GROUP_SELECT;
    if (declared.some((p) => p === 'members' || p.includes('@'))) {
      throw new ConfigError('ConfigInvalid', `${where(`objectTypes.${name}.select`)}: list properties only; group members are always read (as the members attribute)`);
    }
    const required = name === 'user' ? ['id', 'accountEnabled'] : ['id'];
    const select = [...new Set([...required, ...declared])];
    types.set(name, { select, ...(options?.filter && options.filter.trim() !== '' ? { filter: options.filter.trim() } : {}) });
  }
  if (types.size === 0) throw new ConfigError('ConfigInvalid', `${where('objectTypes')} declares no object type (user, group)`);
  return {
    connector: model.name,
    tenantId: c.tenantId.trim(),
    clientId: c.clientId.trim(),
    clientSecretRef: String(c.clientSecret),
    authorityUrl: authority.href.replace(/\/+$/, ''),
    graphUrl: graph.href.replace(/\/+$/, ''),
    pageSize,
    timeoutMs,
    types,
  };
}
