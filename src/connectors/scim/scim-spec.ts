/**
 * The scim connector's options, compiled once from the validated spec (schemas/connector.schema.json,
 * ScimConnectorSpec): defaults applied, contradictions refused naming the key.
 */
import type { ConnectorModel } from '../../config/model.js';
import { parseDuration } from '../../config/duration.js';
import { ConfigError } from '../../shared/errors.js';
import { secureBaseUrl } from '../http/index.js';

export interface ScimTypeOptions {
  /** The resource type's name at the service provider (`User`, `Group`, …). */
  readonly resource: string;
  /** A SCIM filter limiting the resources imported. */
  readonly filter?: string;
}

export interface ScimOptions {
  readonly connector: string;
  readonly baseUrl: string;
  readonly bearerTokenRef: string;
  readonly pageSize: number;
  readonly timeoutMs: number;
  readonly types: ReadonlyMap<string, ScimTypeOptions>;
}

export function compileScimSpec(model: ConnectorModel<'scim'>): ScimOptions {
  const spec = model.spec;
  const where = (key: string) => `${model.name}: spec.${key}`;
  const c = spec.connection;
  if (!c || typeof c.baseUrl !== 'string') throw new ConfigError('ConfigInvalid', `${where('connection.baseUrl')} is required (for example https://wiki.example.com/scim/v2)`);
  if (typeof c.bearerToken !== 'string' || c.bearerToken === '') throw new ConfigError('ConfigInvalid', `${where('connection.bearerToken')} is required`);
  const base = secureBaseUrl(model.name, c.baseUrl, 'spec.connection.baseUrl');
  const pageSize = c.pageSize ?? 100;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) throw new ConfigError('ConfigInvalid', `${where('connection.pageSize')} is ${pageSize}; use 1 to 1000`);
  const timeoutMs = c.timeout === undefined ? 30_000 : parseDuration(c.timeout);
  if (timeoutMs === undefined || timeoutMs <= 0) throw new ConfigError('ConfigInvalid', `${where('connection.timeout')} "${c.timeout}" is not a duration such as 30s`);
  const types = new Map<string, ScimTypeOptions>();
  for (const [name, options] of Object.entries(spec.objectTypes ?? {})) {
    if (!options || typeof options.resource !== 'string' || !/^[A-Za-z][A-Za-z0-9_-]*$/.test(options.resource)) {
      throw new ConfigError('ConfigInvalid', `${where(`objectTypes.${name}.resource`)} must name a SCIM resource type (User, Group, …)`);
    }
    types.set(name, { resource: options.resource, ...(options.filter && options.filter.trim() !== '' ? { filter: options.filter.trim() } : {}) });
  }
  if (types.size === 0) throw new ConfigError('ConfigInvalid', `${where('objectTypes')} declares no object type`);
  return { connector: model.name, baseUrl: base.href, bearerTokenRef: c.bearerToken, pageSize, timeoutMs, types };
}
