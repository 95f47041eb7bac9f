/**
 * The `active-directory` and `ldap` connector specs, compiled once per config revision into immutable
 * options: defaults applied, contradictions rejected with a message naming both settings.
 */
import { isAbsolute, resolve } from 'node:path';
import type { ActiveDirectoryObjectType, LdapObjectType } from '../../config/generated/connector.js';
import type { ConnectorModel } from '../../config/model.js';
import { parseDuration } from '../../config/duration.js';
import { withDefaultScheme } from '../../shared/default-scheme.js';
import { ConfigError } from '../../shared/errors.js';
import { parseDn } from '../../config/dn.js';

export interface LdapTypeOptions {
  readonly name: string;
  readonly searchBase: string;
  /** Always parenthesized. */
  readonly filter: string;
  readonly scope: 'sub' | 'one';
  /** The attributes to return; empty means all user attributes. */
  readonly attributes: readonly string[];
  /** Configured object classes for creates; empty means the vendor default. */
  readonly objectClasses: readonly string[];
  readonly createContainers: boolean;
  readonly disabled?: { readonly attribute: string; readonly value: string };
  /** Generic LDAP: the anchor attribute (`externalIdAttribute`, default entryUUID). */
  readonly anchorAttribute?: string;
}

export interface LdapOptions {
  readonly connector: string;
  readonly kind: 'active-directory' | 'ldap';
  readonly url: string;
  readonly secure: boolean;
  readonly host: string;
  readonly port: number;
  readonly bindDn?: string;
  /** Still a `{{secret:…}}` reference; resolved at connect time. */
  readonly bindPassword?: string;
  readonly baseDn: string;
  readonly pageSize: number;
  readonly timeoutMs: number;
  readonly tls: {
    readonly caFile?: string;
    readonly servername?: string;
    readonly rejectUnauthorized: boolean;
    readonly startTls: boolean;
  };
  /** Generic LDAP delta: seconds subtracted from the signpost for clock skew and same-second writes. */
  readonly deltaOverlapSeconds: number;
  readonly types: ReadonlyMap<string, LdapTypeOptions>;
}

/** Generic LDAP delta overlap; not configurable (yet): replays are harmless, missed changes are not. */
const DELTA_OVERLAP_SECONDS = 60;

function fail(model: ConnectorModel, message: string): never {
  throw new ConfigError('ConfigInvalid', `${model.location.file}:${model.location.line}:${model.location.column}: connector ${model.name}: ${message}`);
}

function checkDn(model: ConnectorModel, key: string, dn: string): void {
  try {
    parseDn(dn);
  } catch {
    fail(model, `${key} is not a valid DN: ${dn}`);
  }
}

export function compileLdapOptions(model: ConnectorModel<'active-directory' | 'ldap'>, configPath: string): LdapOptions {
  const spec = model.spec;
  const connection = spec.connection;
  if (!connection || typeof connection.url !== 'string') fail(model, 'spec.connection.url is required');
  const tls = connection.tls ?? {};
  // A bare host (the product documents' `host: dc01.company.com`) means TLS: ldaps://, or ldap:// with StartTLS.
  const written = withDefaultScheme(connection.url, tls.startTls ? 'ldap' : 'ldaps');
  let url: URL;
  try {
    url = new URL(written);
  } catch {
    fail(model, `spec.connection.url is not a URL: ${connection.url}`);
  }
  const scheme = url.protocol.replace(/:$/, '').toLowerCase();
  if (scheme !== 'ldap' && scheme !== 'ldaps') fail(model, `spec.connection.url must start with ldap:// or ldaps:// (got ${scheme}://)`);
  const secure = scheme === 'ldaps';
  if (secure && tls.startTls) fail(model, 'spec.connection.tls.startTls cannot be combined with an ldaps:// spec.connection.url (ldaps is TLS from the start); use one or the other');
  if (!secure && !tls.startTls && (tls.caFile || tls.servername)) {
    fail(model, 'spec.connection.tls.caFile/servername have no effect on a plain ldap:// spec.connection.url; use ldaps:// or set spec.connection.tls.startTls: true');
  }
  if (!connection.baseDn) fail(model, 'spec.connection.baseDn is required');
  checkDn(model, 'spec.connection.baseDn', connection.baseDn);
  if (connection.bindPassword !== undefined && !connection.bindDn) fail(model, 'spec.connection.bindPassword is set but spec.connection.bindDn is not');
  const pageSize = connection.pageSize ?? 500;
  if (!Number.isInteger(pageSize) || pageSize < 1) fail(model, `spec.connection.pageSize must be a positive integer (got ${String(connection.pageSize)})`);
  const kind = spec.type === 'active-directory' ? 'active-directory' : 'ldap';
  const timeoutMs = connection.timeout === undefined ? 60_000 : parseDuration(connection.timeout);
  if (timeoutMs === undefined || timeoutMs <= 0) fail(model, `spec.connection.timeout is not a duration such as "30s": ${String(connection.timeout)}`);
  const types = new Map<string, LdapTypeOptions>();
  for (const [name, declared] of Object.entries(spec.objectTypes ?? {})) {
    if (!declared) continue;
    // An active-directory type has no `disabled` or `externalIdAttribute` (refused below when given).
    const t: ActiveDirectoryObjectType & Partial<Pick<LdapObjectType, 'disabled' | 'externalIdAttribute'>> = declared;
    const key = `spec.objectTypes.${name}`;
    const searchBase = t.searchBase ?? connection.baseDn;
    checkDn(model, `${key}.searchBase`, searchBase);
    if (kind === 'active-directory' && (t.disabled || t.externalIdAttribute)) {
      fail(model, `${key}.${t.disabled ? 'disabled' : 'externalIdAttribute'} is for type ldap; active-directory anchors on objectGUID and disables through userAccountControl`);
    }
    if (t.disabled && (!t.disabled.attribute || t.disabled.value === undefined)) fail(model, `${key}.disabled needs both attribute and value`);
    const filter = (t.filter ?? '(objectClass=*)').trim();
    types.set(name, {
      name,
      searchBase,
      filter: filter.startsWith('(') ? filter : `(${filter})`,
      scope: t.searchScope ?? 'sub',
      attributes: [...(t.attributes ?? [])],
      objectClasses: [...(t.objectClasses ?? [])],
      createContainers: t.createContainers ?? false,
      ...(t.disabled ? { disabled: { attribute: t.disabled.attribute, value: String(t.disabled.value) } } : {}),
      ...(t.externalIdAttribute ? { anchorAttribute: t.externalIdAttribute } : {}),
    });
  }
  const caFile = tls.caFile === undefined ? undefined : isAbsolute(tls.caFile) ? tls.caFile : resolve(configPath, tls.caFile);
  return Object.freeze({
    connector: model.name,
    kind,
    url: written,
    secure,
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : secure ? 636 : 389,
    ...(connection.bindDn ? { bindDn: connection.bindDn } : {}),
    ...(connection.bindPassword !== undefined ? { bindPassword: connection.bindPassword } : {}),
    baseDn: connection.baseDn,
    pageSize,
    timeoutMs,
    tls: Object.freeze({
      ...(caFile ? { caFile } : {}),
      ...(tls.servername ? { servername: tls.servername } : {}),
      rejectUnauthorized: tls.rejectUnauthorized !== false,
      startTls: tls.startTls === true,
    }),
    deltaOverlapSeconds: DELTA_OVERLAP_SECONDS,
    types,
  });
}
