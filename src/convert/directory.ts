/**
 * Directory connections — the connector guide's Active Directory connector (`host`, `port`, `useSsl`, `baseDn`,
 * `userSearchBase`, …) and the directory-sync API's `POST /api/v1/directories` bodies (`host`, `port`, `useTLS`,
 * `bindDN`, `syncSchedule`, …) — become an `active-directory` or `ldap` Connector with `user` and `group`
 * object types, a users FlowRule and a groups FlowRule.
 */
import { userFlowRule, groupFlowRule, type AttributeMapping, type RuleTarget } from './flow-rules.js';
import type { ConvertedRepository } from './repository.js';
import { AD_ACCOUNT_ENABLED } from './names.js';
import { secretField } from './secret-fields.js';
import { entry, list, map, type YamlEntry } from './yaml-writer.js';

export interface DirectoryInput {
  readonly input: string;
  /** `connector`: the connector guide's connector body (a source); `directory-sync`: the directory-sync API, which syncs into its product. */
  readonly origin: 'connector' | 'directory-sync';
  readonly name: string;
  readonly type: 'active-directory' | 'ldap';
  readonly host?: string;
  readonly port?: number;
  readonly tls?: boolean;
  readonly baseDn?: string;
  readonly bindDn?: string;
  readonly bindPassword?: unknown;
  readonly userSearchBase?: string;
  readonly userSearchFilter?: string;
  readonly groupSearchBase?: string;
  readonly groupSearchFilter?: string;
  /** mesh attribute → directory attribute */
  readonly attributeMapping: Readonly<Record<string, string>>;
  /** undefined: not given; '' or null: manual only. */
  readonly syncSchedule?: string | null;
  /** Comments for the input's fields that have no equivalent. */
  readonly notes: readonly YamlEntry[];
  readonly comment?: readonly string[];
}

/** Seed 004's "Default mappings for Active Directory". */
export const AD_DEFAULT_MAPPING: Readonly<Record<string, string>> = {
  email: 'mail',
  firstName: 'givenName',
  lastName: 'sn',
  phone: 'telephoneNumber',
  displayName: 'displayName',
  externalId: 'objectGUID',
};

export function convertDirectory(repo: ConvertedRepository, d: DirectoryInput): string {
  const name = repo.uniqueName(d.name);
  const target: RuleTarget = { repo, file: name, input: d.input, connector: name };
  const tls = d.tls ?? d.port === 636;
  const port = d.port ?? (tls ? 636 : 389);
  const host = d.host ?? 'dc01.example.com';
  const url = `${tls ? 'ldaps' : 'ldap'}://${host}:${port}`;
  const password = secretField(repo, d.bindPassword, `${name}-bind-password`, `the bind password of ${d.bindDn ?? 'the service account'}`);
  const isAd = d.type === 'active-directory';
  const baseDn = d.baseDn ?? 'DC=example,DC=com';
  const mapping = Object.entries(d.attributeMapping);
  const userAttributes = [...new Set([...mapping.map(([, source]) => source), ...(isAd ? ['objectGUID'] : [])])];
  const connection = map([
    entry('url', url, ...(d.host ? [] : ['CHANGE: the input gave no host.']), ...(tls ? [] : ['Plain LDAP: the bind password crosses the network in clear (a warning is logged unless the host is loopback); prefer ldaps:// or tls.startTls: true.'])),
    d.bindDn !== undefined ? entry('bindDn', d.bindDn) : undefined,
    d.bindDn !== undefined || d.bindPassword !== undefined ? entry('bindPassword', password.value, ...password.comment) : undefined,
    entry('baseDn', baseDn, ...(d.baseDn ? [] : ['CHANGE: the input gave no base DN.'])),
  ]);
  const schedule = scheduleEntry(d.syncSchedule);
  const spec = map([
    entry('type', d.type),
    entry('connection', connection),
    entry(
      'objectTypes',
      map([
        entry('user', map([entry('searchBase', d.userSearchBase ?? baseDn), entry('filter', d.userSearchFilter ?? (isAd ? '(&(objectClass=user)(objectCategory=person))' : '(objectClass=person)')), entry('attributes', list(userAttributes, true))])),
        entry('group', map([entry('searchBase', d.groupSearchBase ?? baseDn), entry('filter', d.groupSearchFilter ?? '(objectClass=group)'), entry('attributes', list(['cn', 'description', 'member'], true))])),
      ]),
    ),
    ...schedule,
    ...d.notes,
  ]);
  repo.add(name, d.input, { kind: 'Connector', name, spec, ...(d.comment ? { comment: d.comment } : {}) });
  const flows: AttributeMapping[] = mapping.map(([mesh, source]) => ({ mesh, source }));
  if (isAd && !flows.some((f) => f.mesh === 'active')) {
    flows.push({ mesh: 'active', source: AD_ACCOUNT_ENABLED, type: 'boolean', comment: ['accountEnabled is true while userAccountControl has no ACCOUNTDISABLE bit: a user disabled in AD is a disabled person.'] });
  }
  userFlowRule(target, 'user', flows);
  groupFlowRule(target, 'group', { name: 'cn', description: 'description', members: 'member' });
  return name;
}

/** The documents' `syncSchedule` (5-field cron, UTC) is when a full sync runs. */
function scheduleEntry(cron: string | null | undefined): YamlEntry[] {
  if (cron === undefined) return [];
  if (cron === null || cron.trim() === '') {
    const manual = entry(
      'schedule',
      map([entry('manual', true)], true),
      'syncSchedule was empty (manual sync only): this connector runs only when asked for by name —',
      '`imesh reconcile --connector NAME` or POST /api/v1/connectors/NAME/sync ("Sync Now").',
    );
    return manual ? [manual] : [];
  }
  const value = entry(
    'schedule',
    map([entry('full', cron.trim())], true),
    'syncSchedule: a full sync (every user and group, deletions found) on this cron (UTC). Between them, delta cycles on the',
    "Mesh's interval read only what changed (uSNChanged for AD), which the document's product does not do.",
  );
  return value ? [value] : [];
}
