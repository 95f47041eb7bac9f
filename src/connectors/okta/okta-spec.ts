/**
 * The okta connector's options, compiled once from the validated spec (src/config/generated/connector.ts,
 * schemas/connector.schema.json): defaults applied, contradictions refused with the offending key.
 */
import type { ConnectorModel } from '../../config/model.js';
import { parseDuration } from '../../config/duration.js';
import { ConfigError } from '../../shared/errors.js';
import { withDefaultScheme } from '../../shared/default-scheme.js';
import { secureBaseUrl } from '../http/index.js';

export type OktaObjectType = 'user' | 'group' | 'membership';

export interface OktaOptions {
  readonly connector: string;
  readonly orgUrl: string;
  /** The `{{secret:…}}` reference (resolved per connector instance, never stored resolved here). */
  readonly apiTokenRef: string;
  readonly pageSize: number;
  readonly timeoutMs: number;
  readonly types: ReadonlySet<OktaObjectType>;
  readonly userSearch?: string;
  readonly groupSearch?: string;
  /** `id` (immutable, recommended) or `login` (can change). */
  readonly userExternalId: 'id' | 'login';
}

export const OKTA_MAX_PAGE = 200;

export function compileOktaSpec(model: ConnectorModel<'okta'>): OktaOptions {
  const spec = model.spec;
  const where = (key: string) => `${model.name}: spec.${key}`;
  const connection = spec.connection;
  if (!connection || typeof connection.orgUrl !== 'string') throw new ConfigError('ConfigInvalid', `${where('connection.orgUrl')} is required (for example https://contoso.okta.com)`);
  // A bare domain, as the Okta runbook writes OrgDomain (the Okta runbook), means https://.
  const org = secureBaseUrl(model.name, withDefaultScheme(connection.orgUrl, 'https'), 'spec.connection.orgUrl');
  if (org.pathname !== '/' && org.pathname !== '') {
    throw new ConfigError('ConfigInvalid', `${where('connection.orgUrl')} must be the org's URL without a path (https://${org.host}), not ${org.href}`);
  }
  const pageSize = connection.pageSize ?? OKTA_MAX_PAGE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > OKTA_MAX_PAGE) {
    throw new ConfigError('ConfigInvalid', `${where('connection.pageSize')} is ${pageSize}; Okta pages hold 1 to ${OKTA_MAX_PAGE} objects`);
  }
  const timeoutMs = connection.timeout === undefined ? 30_000 : parseDuration(connection.timeout);
  if (timeoutMs === undefined || timeoutMs <= 0) throw new ConfigError('ConfigInvalid', `${where('connection.timeout')} "${connection.timeout}" is not a duration such as 30s`);
  const declared = Object.keys(spec.objectTypes ?? {});
  const types = new Set<OktaObjectType>();
  for (const name of declared) {
    if (name !== 'user' && name !== 'group' && name !== 'membership') {
      throw new ConfigError('ConfigInvalid', `${where(`objectTypes.${name}`)}: Okta object types are user, group and membership`);
    }
    types.add(name);
  }
  if (types.size === 0) throw new ConfigError('ConfigInvalid', `${where('objectTypes')} declares no object type (user, group, membership)`);
  const externalId = spec.objectTypes.user?.externalIdAttribute ?? 'id';
  if (externalId !== 'id' && externalId !== 'login') {
    throw new ConfigError('ConfigInvalid', `${where('objectTypes.user.externalIdAttribute')} is "${externalId}"; use id (immutable, recommended) or login`);
  }
  const groupExternalId = spec.objectTypes.group?.externalIdAttribute ?? 'id';
  if (groupExternalId !== 'id') {
    throw new ConfigError('ConfigInvalid', `${where('objectTypes.group.externalIdAttribute')} is "${groupExternalId}"; Okta groups are anchored by their id`);
  }
  return {
    connector: model.name,
    orgUrl: org.origin,
    apiTokenRef: String(connection.apiToken),
    pageSize,
    timeoutMs,
    types,
    ...(nonEmpty(spec.objectTypes.user?.search) ? { userSearch: spec.objectTypes.user!.search!.trim() } : {}),
    ...(nonEmpty(spec.objectTypes.group?.search) ? { groupSearch: spec.objectTypes.group!.search!.trim() } : {}),
    userExternalId: externalId,
  };
}

function nonEmpty(text: string | undefined): boolean {
  return typeof text === 'string' && text.trim() !== '';
}
