/**
 * Seed 003's SCIM group mapping YAML (`scimGroupMappings: [{ scimGroup, type, teamId?, teamMemberRole? }]`):
 * Entra ID provisions users and groups into a `scim-inbound` connector, a FlowRule maps each group to its
 * structured role (`roleMappings` with `role: { type, teamId, teamMemberRole }`), and a Projection
 * provisions the users with those roles (SCIM `roles` entries) to the Data Mesh Manager SCIM endpoint
 * the document names.
 */
import { userFlowRule } from './flow-rules.js';
import { ConvertError } from './input.js';
import type { ConvertedRepository } from './repository.js';
import { secretField } from './secret-fields.js';
import { entry, list, map, note, type YamlEntry, type YamlMap } from './yaml-writer.js';

const MAPPING_KEYS = new Set(['scimGroup', 'type', 'teamId', 'teamMemberRole']);
const TYPES = new Set(['organizationOwner', 'teamMemberRole']);

export function convertScimGroupMappings(repo: ConvertedRepository, input: string, document: Readonly<Record<string, unknown>>): void {
  const mappings = document.scimGroupMappings;
  if (!Array.isArray(mappings) || mappings.length === 0) throw new ConvertError(input, 'InputShape', 'scimGroupMappings must be a non-empty list of { scimGroup, type, teamId?, teamMemberRole? }');
  const roles: YamlMap[] = [];
  const notes: YamlEntry[] = [];
  mappings.forEach((m: unknown, i) => {
    const at = `scimGroupMappings[${i}]`;
    if (!m || typeof m !== 'object' || Array.isArray(m)) throw new ConvertError(input, 'InputShape', `${at} is not a mapping of scimGroup, type, teamId, teamMemberRole`);
    const r = m as Record<string, unknown>;
    const scimGroup = typeof r.scimGroup === 'string' ? r.scimGroup.trim() : '';
    const type = typeof r.type === 'string' ? r.type.trim() : '';
    if (scimGroup === '') throw new ConvertError(input, 'InputShape', `${at} has no scimGroup (the SCIM group's name)`);
    if (!TYPES.has(type)) throw new ConvertError(input, 'InputShape', `${at}.type is ${type === '' ? 'missing' : `"${type}"`}; the document's types are organizationOwner and teamMemberRole`);
    const fields: YamlEntry[] = [entry('type', type)!];
    if (type === 'teamMemberRole') {
      for (const key of ['teamId', 'teamMemberRole'] as const) {
        const value = typeof r[key] === 'string' || typeof r[key] === 'number' ? String(r[key]).trim() : '';
        if (value === '') throw new ConvertError(input, 'InputShape', `${at} (teamMemberRole) has no ${key}`);
        fields.push(entry(key, value)!);
      }
    }
    for (const key of Object.keys(r)) {
      if (!MAPPING_KEYS.has(key)) notes.push(note(`${at}.${key}: not a field of the document's mappings; left out.`));
    }
    roles.push(map([entry('group', scimGroup), entry('role', map(fields, true))], true));
  });
  for (const key of Object.keys(document)) {
    if (key !== 'scimGroupMappings') notes.push(note(`${key}: not part of the document's SCIM mapping configuration; left out.`));
  }

  const inbound = repo.uniqueName('entra-push');
  const token = secretField(repo, undefined, `${inbound}-token`, 'the "Secret Token" you enter in the Entra ID enterprise application');
  repo.add(inbound, input, {
    kind: 'Connector',
    name: inbound,
    comment: [
      'Entra ID provisions users and groups here over SCIM 2.0 (the document\'s Steps 2–7). Served by `imesh run` at',
      `https://<your imesh host>/scim/${inbound}/v2/ — the "Tenant URL" in Entra's provisioning settings.`,
    ],
    spec: map([
      entry('type', 'scim-inbound'),
      entry('connection', map([entry('bearerToken', `{{secret:${inbound}-token}}`, ...token.comment.length > 0 ? ['The "Secret Token" in Entra\'s provisioning settings: generate one and store it as this secret.'] : [])])),
      entry('objectTypes', map([entry('user', map([]))!, entry('group', map([]))!])),
    ]),
  });
  const target = { repo, file: inbound, input, connector: inbound };
  // The document's Step 5 attribute mapping, as Entra sends it.
  userFlowRule(target, 'user', [
    { mesh: 'externalId', source: 'externalId', comment: ['Entra\'s objectId (the oid claim SSO identifies users by).'] },
    { mesh: 'userName', source: 'userName' },
    { mesh: 'email', source: 'emails[type eq "work"].value' },
    { mesh: 'displayName', source: 'displayName' },
    { mesh: 'active', source: 'active', type: 'boolean' },
  ]);
  repo.addAttribute('person', 'roles', { type: 'string', multiValued: true });
  repo.add(inbound, input, {
    kind: 'FlowRule',
    name: repo.uniqueName(`${inbound}-roles`),
    comment: ['scimGroupMappings: members of each group get its role; removing a member from the group revokes it.'],
    spec: map([
      entry('source', map([entry('connector', inbound), entry('objectType', 'group')], true)),
      entry('meshType', 'person'),
      entry('roleMappings', list(roles), 'scimGroup → group (matched by its displayName); type, teamId and teamMemberRole are the role\'s fields.'),
      entry('attribute', 'roles'),
      ...notes,
    ]),
  });

  const app = repo.uniqueName('datamesh-manager');
  const appToken = secretField(repo, undefined, `${app}-api-key`, 'the Data Mesh Manager API key (Step 1)');
  repo.add(app, input, {
    kind: 'Connector',
    name: app,
    comment: ['The application the document provisions: Data Mesh Manager\'s SCIM endpoint (self-hosted: your instance\'s URL).'],
    spec: map([
      entry('type', 'scim'),
      entry('connection', map([entry('baseUrl', 'https://api.datamesh-manager.com/api/scim/v2'), entry('bearerToken', appToken.value, 'The API key of the document\'s Step 1.')])),
      entry('objectTypes', map([entry('user', map([entry('resource', 'User')], true))!])),
    ]),
  });
  repo.add(app, input, {
    kind: 'Projection',
    name: repo.uniqueName(`person-to-${app}`),
    spec: map([
      entry('meshType', 'person'),
      entry('target', map([entry('connector', app), entry('objectType', 'user')], true)),
      entry('join', list([map([entry('target', 'userName'), entry('mesh', 'userName')], true)]), 'Adopt users the application already has.'),
      entry(
        'attributes',
        map([
          entry('userName', '{{userName}}', 'userName cannot be changed in the application once created (the document).'),
          entry('externalId', '{{externalId}}'),
          entry('displayName', '{{displayName}}'),
          entry('emails[type eq "work"].value', '{{email}}', 'The application treats the email as verified when it equals userName.'),
          entry(
            'roles',
            map([
              entry('forEach', 'roles'),
              entry(
                'fields',
                map([
                  entry('type', '{{item.type}}'),
                  entry('value', '{{item.teamId | default:"organization"}}:{{item.teamMemberRole | default:"Owner"}}'),
                  entry('display', '{{item.teamMemberRole}} in {{item.teamId}}', 'Left out for organizationOwner (it has no team).'),
                ]),
              ),
            ]),
            'One SCIM roles entry per structured role. The document\'s application applies scimGroupMappings itself',
            'when it receives groups; here the mesh computes the roles, so every target sees the same ones.',
          ),
        ]),
      ),
      entry('enabled', '{{active}}', 'Entra sends active: false for a soft-deleted user.'),
      entry('onRemove', 'disable'),
    ]),
  });
}
