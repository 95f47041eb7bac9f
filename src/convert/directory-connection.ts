/**
 * Seed 004's directory connections: `POST /api/v1/directories` bodies (`name`, `type: active_directory |
 * ldap`, `host`, `port`, `useTLS`, `bindDN`, `bindPassword`, `baseDN`, `userSearchFilter`,
 * `groupSearchFilter`, `syncSchedule`) and `PUT /api/v1/directories/{id}` update bodies (`attributeMapping`,
 * `syncSchedule`, `bindPassword`), which apply to the one connection converted with them.
 */
import { AD_DEFAULT_MAPPING, type DirectoryInput } from './directory.js';
import { ConvertError } from './input.js';
import { stringMap, unknownFields } from './product-connector.js';

const CREATE_FIELDS = new Set(['name', 'type', 'host', 'port', 'useTLS', 'bindDN', 'bindPassword', 'baseDN', 'userSearchFilter', 'groupSearchFilter', 'syncSchedule', 'attributeMapping']);
const UPDATE_FIELDS = new Set(['name', 'host', 'port', 'useTLS', 'bindDN', 'bindPassword', 'baseDN', 'userSearchFilter', 'groupSearchFilter', 'syncSchedule', 'attributeMapping']);

export function isDirectoryConnection(body: Readonly<Record<string, unknown>>): boolean {
  return (body.type === 'active_directory' || body.type === 'ldap') && 'host' in body;
}

export function isDirectoryUpdate(body: Readonly<Record<string, unknown>>): boolean {
  const keys = Object.keys(body);
  return keys.length > 0 && !('type' in body) && keys.every((k) => UPDATE_FIELDS.has(k));
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function schedule(input: string, value: unknown): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === null || value === '') return null;
  if (typeof value !== 'string' || value.trim().split(/\s+/).length !== 5) throw new ConvertError(input, 'InputShape', 'syncSchedule must be a 5-field cron expression (UTC), or empty for manual sync only');
  return value.trim();
}

export function readDirectoryConnection(input: string, body: Readonly<Record<string, unknown>>): DirectoryInput {
  const type = body.type === 'ldap' ? 'ldap' : 'active-directory';
  const mapping = stringMap(input, 'attributeMapping', body.attributeMapping);
  const name = str(body.name) ?? (type === 'ldap' ? 'directory' : 'active-directory');
  return {
    input,
    origin: 'directory-sync',
    name,
    type,
    host: str(body.host),
    port: typeof body.port === 'number' ? body.port : undefined,
    tls: typeof body.useTLS === 'boolean' ? body.useTLS : undefined,
    baseDn: str(body.baseDN),
    bindDn: str(body.bindDN),
    bindPassword: body.bindPassword,
    userSearchFilter: str(body.userSearchFilter) ?? '(objectClass=person)',
    groupSearchFilter: str(body.groupSearchFilter) ?? '(objectClass=group)',
    attributeMapping: mapping ?? (type === 'ldap' ? { ...AD_DEFAULT_MAPPING, externalId: 'entryUUID' } : AD_DEFAULT_MAPPING),
    syncSchedule: schedule(input, body.syncSchedule),
    notes: unknownFields(body, CREATE_FIELDS, ''),
    comment: [
      `The directory connection "${name}" (the directory-sync API's POST /api/v1/directories body). The admin console and the`,
      'directory API have no equivalent: this file in Git is the connection; `imesh check` tests it (bind, counts),',
      '`imesh reconcile` (or the controller on its schedule) syncs it, and the reports branch holds the job results.',
    ],
  };
}

/** Applies a `PUT /api/v1/directories/{id}` body to the connection it updates. */
export function applyDirectoryUpdate(target: DirectoryInput, input: string, body: Readonly<Record<string, unknown>>): DirectoryInput {
  const mapping = stringMap(input, 'attributeMapping', body.attributeMapping);
  return {
    ...target,
    ...(str(body.host) ? { host: str(body.host) } : {}),
    ...(typeof body.port === 'number' ? { port: body.port } : {}),
    ...(typeof body.useTLS === 'boolean' ? { tls: body.useTLS } : {}),
    ...(str(body.baseDN) ? { baseDn: str(body.baseDN) } : {}),
    ...(str(body.bindDN) ? { bindDn: str(body.bindDN) } : {}),
    ...('bindPassword' in body ? { bindPassword: body.bindPassword } : {}),
    ...(str(body.userSearchFilter) ? { userSearchFilter: str(body.userSearchFilter) } : {}),
    ...(str(body.groupSearchFilter) ? { groupSearchFilter: str(body.groupSearchFilter) } : {}),
    ...(mapping ? { attributeMapping: mapping } : {}),
    ...('syncSchedule' in body ? { syncSchedule: schedule(input, body.syncSchedule) } : {}),
    input: `${target.input}, ${input}`,
  };
}
