/**
 * Seed 002's Okta runbook: the connector is "two JSON documents", `ConfigJson` (`OrgDomain`,
 * `UserSearchFilter`, `PageSize`, `ImportUsers`, `ImportGroups`, `ImportMemberships`, `ExternalIdAttribute`)
 * and `AuthJson` (`Mode`, `ApiKey`). Either file may come alone, or both in one object
 * `{ "ConfigJson": …, "AuthJson": … }`; an AuthJson applies to the ConfigJson converted with it.
 */
import { ConvertError, isObject } from './input.js';
import type { OktaInput } from './okta.js';
import { unknownFields } from './product-connector.js';
import { note } from './yaml-writer.js';

const CONFIG_FIELDS = new Set(['OrgDomain', 'UserSearchFilter', 'PageSize', 'ImportUsers', 'ImportGroups', 'ImportMemberships', 'ExternalIdAttribute']);

export function isOktaConfigJson(body: Readonly<Record<string, unknown>>): boolean {
  return 'OrgDomain' in body;
}

/** A ConfigJson fragment such as the runbook's `{ "UserSearchFilter": "status eq \"ACTIVE\"" }`. */
export function isOktaConfigFragment(body: Readonly<Record<string, unknown>>): boolean {
  const keys = Object.keys(body);
  return keys.length > 0 && !('OrgDomain' in body) && keys.every((k) => CONFIG_FIELDS.has(k));
}

/** Applies a ConfigJson fragment to the ConfigJson converted with it. */
export function applyOktaConfigFragment(target: OktaInput, input: string, body: Readonly<Record<string, unknown>>): OktaInput {
  return {
    ...target,
    ...('UserSearchFilter' in body ? { search: typeof body.UserSearchFilter === 'string' ? body.UserSearchFilter : null } : {}),
    ...(typeof body.PageSize === 'number' ? { pageSize: body.PageSize } : {}),
    ...('ImportUsers' in body ? { importUsers: flag(input, body, 'ImportUsers') } : {}),
    ...('ImportGroups' in body ? { importGroups: flag(input, body, 'ImportGroups') } : {}),
    ...('ImportMemberships' in body ? { importMemberships: flag(input, body, 'ImportMemberships') } : {}),
    ...(typeof body.ExternalIdAttribute === 'string' ? { externalIdAttribute: body.ExternalIdAttribute } : {}),
    input: `${target.input}, ${input}`,
  };
}

export function isOktaAuthJson(body: Readonly<Record<string, unknown>>): boolean {
  return 'ApiKey' in body && ('Mode' in body || Object.keys(body).length === 1);
}

function flag(input: string, body: Readonly<Record<string, unknown>>, key: string): boolean {
  const value = body[key];
  if (value === undefined || value === null) return true;
  if (typeof value !== 'boolean') throw new ConvertError(input, 'InputShape', `${key} must be true or false`);
  return value;
}

export function readOktaConfigJson(input: string, body: Readonly<Record<string, unknown>>): OktaInput {
  const domain = typeof body.OrgDomain === 'string' && body.OrgDomain.trim() !== '' ? body.OrgDomain.trim() : undefined;
  if (!domain) throw new ConvertError(input, 'InputShape', 'OrgDomain is required (the Okta org domain, e.g. contoso.okta.com)');
  const externalId = typeof body.ExternalIdAttribute === 'string' ? body.ExternalIdAttribute : undefined;
  return {
    input,
    origin: 'runbook',
    name: `okta-${domain.split('.')[0] ?? 'org'}`,
    domain,
    search: typeof body.UserSearchFilter === 'string' ? body.UserSearchFilter : null,
    ...(typeof body.PageSize === 'number' ? { pageSize: body.PageSize } : {}),
    importUsers: flag(input, body, 'ImportUsers'),
    importGroups: flag(input, body, 'ImportGroups'),
    importMemberships: flag(input, body, 'ImportMemberships'),
    ...(externalId ? { externalIdAttribute: externalId } : {}),
    notes: [
      ...unknownFields(body, CONFIG_FIELDS, ''),
      note(
        'The runbook\'s plug-in DLL, Admin UI and POST /api/connectors have no equivalent: the okta connector is built in,',
        'and this file in Git is its configuration. A weekly full sync (the runbook\'s advice) is the Mesh\'s schedule.full.',
      ),
    ],
  };
}

/** Merges an AuthJson into the Okta connection it authenticates. */
export function applyOktaAuthJson(target: OktaInput, input: string, body: Readonly<Record<string, unknown>>): OktaInput {
  const mode = body.Mode;
  if (mode !== undefined && mode !== 'ApiKey') throw new ConvertError(input, 'InputShape', `AuthJson Mode "${String(mode)}" cannot be converted: the okta connector authenticates with an API token (Mode "ApiKey")`);
  return { ...target, apiToken: body.ApiKey, input: `${target.input}, ${input}`, notes: [...target.notes, ...unknownFields(body, new Set(['Mode', 'ApiKey']), 'AuthJson.')] };
}

/** `{ "ConfigJson": {…}, "AuthJson": {…} }` in one file. */
export function readOktaPair(input: string, body: Readonly<Record<string, unknown>>): OktaInput {
  if (!isObject(body.ConfigJson)) throw new ConvertError(input, 'InputShape', 'ConfigJson must be an object');
  const config = readOktaConfigJson(input, body.ConfigJson);
  if (body.AuthJson === undefined) return config;
  if (!isObject(body.AuthJson)) throw new ConvertError(input, 'InputShape', 'AuthJson must be an object');
  return { ...applyOktaAuthJson(config, input, body.AuthJson), input };
}
