/**
 * Okta: the connector guide's connector (`domain`, `apiToken`, `scimEndpoint`, `attributeMapping` in SCIM paths) and
 * the Okta runbook's documents (`ConfigJson`: `OrgDomain`, `UserSearchFilter`, `PageSize`, `Import*`,
 * `ExternalIdAttribute`; `AuthJson`: `Mode`, `ApiKey`).
 */
import { groupFlowRule, membershipFlowRule, userFlowRule, type AttributeMapping } from './flow-rules.js';
import { oktaOrgUrl } from './names.js';
import type { ConvertedRepository } from './repository.js';
import { secretField } from './secret-fields.js';
import { entry, map, note, type YamlEntry } from './yaml-writer.js';

export interface OktaInput {
  readonly input: string;
  /** `connector`: the connector guide's connector body; `runbook`: the Okta runbook's ConfigJson (which an AuthJson completes). */
  readonly origin: 'connector' | 'runbook';
  readonly name: string;
  readonly domain?: string;
  readonly apiToken?: unknown;
  readonly search?: string | null;
  readonly pageSize?: number;
  readonly importUsers: boolean;
  readonly importGroups: boolean;
  readonly importMemberships: boolean;
  readonly externalIdAttribute?: string;
  /** mesh attribute → the input's source name (a SCIM path in the connector guide) */
  readonly mapping?: Readonly<Record<string, string>>;
  readonly notes: readonly YamlEntry[];
}

/**
 * Seed 000 maps Okta in SCIM paths; the okta connector reads the management API and flattens
 * `profile` (the Okta runbook's attribute table): these are the same values under the connector's names.
 */
const SCIM_TO_OKTA: Readonly<Record<string, string>> = {
  userName: 'login',
  'emails[0].value': 'email',
  'emails[type eq "work"].value': 'email',
  'name.givenName': 'firstName',
  'name.familyName': 'lastName',
  displayName: 'displayName',
  active: 'accountEnabled',
  externalId: 'id',
  title: 'title',
  'phoneNumbers[0].value': 'mobilePhone',
};

/** Seed 002's attribute table, for inputs that map nothing. */
const RUNBOOK_MAPPING: Readonly<Record<string, string>> = {
  employeeId: 'employeeNumber',
  email: 'email',
  username: 'login',
  firstName: 'firstName',
  lastName: 'lastName',
  displayName: 'displayName',
  department: 'department',
  title: 'title',
  active: 'accountEnabled',
};

export function convertOkta(repo: ConvertedRepository, o: OktaInput): void {
  const name = repo.uniqueName(o.name);
  const token = secretField(repo, o.apiToken, `${name}-api-token`, 'the Okta API token (sent as "Authorization: SSWS …")');
  const domain = o.domain ?? 'contoso.okta.com';
  const orgUrl = oktaOrgUrl(domain);
  const user = map(
    [
      o.search ? entry('search', o.search, 'UserSearchFilter: an Okta search expression (ANDed with lastUpdated on delta runs).') : undefined,
      o.externalIdAttribute ? entry('externalIdAttribute', o.externalIdAttribute) : undefined,
    ].filter((x): x is YamlEntry => x !== undefined),
  );
  const types: YamlEntry[] = [];
  if (o.importUsers) types.push(entry('user', user)!);
  else types.push(note('ImportUsers: false — the user type is left out, so users are not imported.'));
  if (o.importGroups) types.push(entry('group', map([]))!);
  else types.push(note('ImportGroups: false — the group type is left out.'));
  if (o.importMemberships && o.importGroups) types.push(entry('membership', map([]), 'Group members, one object per "<groupId>:<userId>".')!);
  else if (!o.importMemberships) types.push(note('ImportMemberships: false — the membership type is left out.'));
  const spec = map([
    entry('type', 'okta'),
    entry(
      'connection',
      map([
        entry('orgUrl', orgUrl.value, ...orgUrl.comment, ...(o.domain ? [] : ['CHANGE: the input gave no org domain.'])),
        entry('apiToken', token.value, ...token.comment),
        o.pageSize !== undefined ? entry('pageSize', Math.min(200, Math.max(1, o.pageSize))) : undefined,
      ]),
    ),
    entry('objectTypes', map(types)),
    ...o.notes,
  ]);
  repo.add(name, o.input, { kind: 'Connector', name, spec });
  const target = { repo, file: name, input: o.input, connector: name };
  if (o.importUsers) {
    const flows: AttributeMapping[] = [];
    for (const [mesh, path] of Object.entries(o.mapping ?? RUNBOOK_MAPPING)) {
      const source = SCIM_TO_OKTA[path] ?? path;
      const translated = source !== path ? [`the input's "${path}" is "${source}" in the okta connector (its profile fields, flattened).`] : undefined;
      flows.push({ mesh, source, ...(translated && o.mapping ? { comment: translated } : {}), ...(source === 'accountEnabled' ? { type: 'boolean' as const } : {}) });
    }
    userFlowRule(target, 'user', flows);
  }
  if (o.importGroups) groupFlowRule(target, 'group', { name: 'name', description: 'description' });
  if (o.importGroups && o.importMemberships) membershipFlowRule(target, 'membership');
}
