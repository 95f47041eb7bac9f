/**
 * Seed 000's connector bodies: `{ "type": "active-directory" | "entra-id" | "okta" | "sql", "name": …,
 * "config": { … } }` (the admin UI / `POST /api/v1/connectors` shape). Each field is carried over, or
 * commented with why it has no equivalent.
 */
import { AD_DEFAULT_MAPPING, type DirectoryInput } from './directory.js';
import type { EntraInput } from './entra-id.js';
import { ConvertError, isObject } from './input.js';
import type { OktaInput } from './okta.js';
import type { SqlInput } from './sql.js';
import { note, type YamlEntry } from './yaml-writer.js';

export type ProductConnector =
  | { readonly kind: 'directory'; readonly value: DirectoryInput }
  | { readonly kind: 'entra'; readonly value: EntraInput }
  | { readonly kind: 'okta'; readonly value: OktaInput }
  | { readonly kind: 'sql'; readonly value: SqlInput };

export const PRODUCT_TYPES = ['active-directory', 'entra-id', 'okta', 'sql', 'ldap'] as const;

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

export function stringMap(input: string, at: string, value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw new ConvertError(input, 'InputShape', `${at} must be an object of "mesh attribute": "source attribute"`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string' || v.trim() === '') throw new ConvertError(input, 'InputShape', `${at}.${k} must be a source attribute name`);
    out[k] = v.trim();
  }
  return out;
}

/** Comments for fields a converter does not read. Only names are written: a value could be a secret. */
export function unknownFields(config: Readonly<Record<string, unknown>>, known: ReadonlySet<string>, where: string): YamlEntry[] {
  return Object.keys(config)
    .filter((key) => !known.has(key))
    .map((key) => note(`${where}${key}: not a field of the document's configuration and no equivalent here; left out (its value is not copied).`));
}

const NAME_NOTE = (name: string): YamlEntry => note(`name "${name}": the display name; the connector's name is metadata.name.`);

export function readProductConnector(input: string, body: Readonly<Record<string, unknown>>): ProductConnector {
  const type = str(body.type);
  const name = str(body.name) ?? type ?? 'connector';
  if (!isObject(body.config)) throw new ConvertError(input, 'InputShape', `the ${type} connector has no "config" object`);
  const config = body.config;
  const top = unknownFields(body, new Set(['type', 'name', 'config', 'id']), '');
  const mapping = stringMap(input, 'config.attributeMapping', config.attributeMapping);
  switch (type) {
    case 'active-directory':
    case 'ldap': {
      const known = new Set(['host', 'port', 'useSsl', 'baseDn', 'bindDn', 'bindPassword', 'userSearchBase', 'userSearchFilter', 'groupSearchBase', 'groupSearchFilter', 'attributeMapping']);
      return {
        kind: 'directory',
        value: {
          input,
          origin: 'connector',
          name,
          type,
          host: str(config.host),
          port: typeof config.port === 'number' ? config.port : undefined,
          tls: typeof config.useSsl === 'boolean' ? config.useSsl : undefined,
          baseDn: str(config.baseDn),
          bindDn: str(config.bindDn),
          bindPassword: config.bindPassword,
          userSearchBase: str(config.userSearchBase),
          userSearchFilter: str(config.userSearchFilter),
          groupSearchBase: str(config.groupSearchBase),
          groupSearchFilter: str(config.groupSearchFilter),
          attributeMapping: mapping ?? AD_DEFAULT_MAPPING,
          notes: [NAME_NOTE(name), ...top, ...unknownFields(config, known, 'config.')],
        },
      };
    }
    case 'entra-id': {
      const known = new Set(['tenantId', 'clientId', 'clientSecret', 'scopes', 'attributeMapping']);
      return { kind: 'entra', value: { input, name, config, mapping: mapping ?? { username: 'userPrincipalName', email: 'mail', displayName: 'displayName' }, notes: [NAME_NOTE(name), ...top, ...unknownFields(config, known, 'config.')] } };
    }
    case 'okta': {
      const known = new Set(['domain', 'apiToken', 'scimEndpoint', 'attributeMapping']);
      const notes = [NAME_NOTE(name), ...top, ...unknownFields(config, known, 'config.')];
      if (str(config.scimEndpoint)) {
        notes.push(note(`scimEndpoint (${String(config.scimEndpoint)}): no equivalent. The okta connector reads Okta's management API (/api/v1/users, /groups) at orgUrl, with the API token.`));
      }
      return { kind: 'okta', value: { input, origin: 'connector', name, domain: str(config.domain), apiToken: config.apiToken, importUsers: true, importGroups: true, importMemberships: true, ...(mapping ? { mapping } : {}), notes } };
    }
    case 'sql': {
      const known = new Set(['connectionString', 'importQuery', 'externalIdColumn', 'objectType', 'watermarkColumn', 'deltaColumn', 'deltaColumnType', 'isActiveColumn', 'softDeleteColumn', 'softDeleteValue', 'columnsToLoad', 'attributeMapping']);
      return { kind: 'sql', value: { input, name, config, ...(mapping ? { mapping } : {}), notes: [NAME_NOTE(name), ...top, ...unknownFields(config, known, 'config.')] } };
    }
    default:
      throw new ConvertError(input, 'InputShape', `connector type "${type}" cannot be converted; the document's types that can are ${PRODUCT_TYPES.join(', ')}`);
  }
}
