/**
 * Seed 004's directory sync writes into its own product (Ithbat IAM), which accepts SCIM 2.0: converted,
 * that product is a `scim` target with Projections for people and groups that keep the document's sync
 * behaviour — a user deleted from the directory is suspended, not deleted; group members follow.
 */
import type { ConvertedRepository } from './repository.js';
import { secretField } from './secret-fields.js';
import { entry, list, map } from './yaml-writer.js';

/** Ithbat profile field (the mesh attribute the directory-sync API maps) → SCIM path. */
const FIELDS: readonly (readonly [string, string])[] = [
  ['externalId', 'externalId'],
  ['firstName', 'name.givenName'],
  ['lastName', 'name.familyName'],
  ['displayName', 'displayName'],
  ['email', 'emails[type eq "work"].value'],
  ['phone', 'phoneNumbers[type eq "work"].value'],
];

export function addIthbatTarget(repo: ConvertedRepository, input: string, meshAttributes: ReadonlySet<string>): void {
  const name = repo.uniqueName('ithbat');
  const token = secretField(repo, undefined, `${name}-scim-token`, 'a bearer token for Ithbat\'s SCIM endpoint');
  repo.add(name, input, {
    kind: 'Connector',
    name,
    comment: [
      'The product the directory connections sync into. Ithbat IAM accepts SCIM 2.0 provisioning (its "SCIM 2.0" guide), so it is',
      'a scim target here; its own directory-sync feature, admin console and /api/v1/directories API have no equivalent.',
    ],
    spec: map([
      entry('type', 'scim'),
      entry(
        'connection',
        map([
          entry('baseUrl', 'https://ithbat.example.com/scim/v2', 'CHANGE: your Ithbat tenant\'s SCIM endpoint (the inputs do not name it).'),
          entry('bearerToken', token.value, ...token.comment),
        ]),
      ),
      entry('objectTypes', map([entry('user', map([entry('resource', 'User')], true))!, entry('group', map([entry('resource', 'Group')], true))!])),
    ]),
  });
  const optional = (attribute: string): string => `{{${attribute} | default:""}}`;
  const attributes = FIELDS.filter(([mesh]) => meshAttributes.has(mesh)).map(([mesh, path]) => entry(path, optional(mesh)));
  const key = meshAttributes.has('email') ? 'email' : meshAttributes.has('username') ? 'username' : 'externalId';
  repo.add(name, input, {
    kind: 'Projection',
    name: repo.uniqueName(`person-to-${name}`),
    comment: [
      'The document: a new directory user is created; attribute changes update the profile (the directory wins for mapped',
      'attributes; others are never written); a user deleted from the directory is suspended, not deleted (onRemove: disable).',
      'emailVerified: true on create has no SCIM equivalent; set it in Ithbat if it does not assume it for provisioned users.',
      ...(meshAttributes.has('active') ? ['A user disabled in AD is suspended in Ithbat: enabled follows the mesh attribute active (AD\'s accountEnabled).'] : []),
    ],
    spec: map([
      entry('meshType', 'person'),
      entry('target', map([entry('connector', name), entry('objectType', 'user')], true)),
      entry('scope', map([entry('all', list([map([entry('attribute', key), entry('present', true)], true)]))])),
      entry('join', list([map([entry('target', 'userName'), entry('mesh', key)], true)]), 'Adopt accounts Ithbat already has.'),
      entry('attributes', map([entry('userName', `{{${key}}}`), ...attributes]), 'default:"" keeps a user with an empty optional field from being held back.'),
      meshAttributes.has('active') ? entry('enabled', '{{active}}') : undefined,
      entry('onRemove', 'disable'),
    ]),
  });
  repo.add(name, input, {
    kind: 'Projection',
    name: repo.uniqueName(`group-to-${name}`),
    comment: ['Groups and their members (members we do not manage are never removed).'],
    spec: map([
      entry('meshType', 'group'),
      entry('target', map([entry('connector', name), entry('objectType', 'group')], true)),
      entry('join', list([map([entry('target', 'displayName'), entry('mesh', 'name')], true)])),
      entry('attributes', map([entry('displayName', '{{name}}'), entry('members', '{{members}}')])),
      entry('onRemove', 'keep', 'Deleting a directory group does not delete the Ithbat group (as deleting a connection deletes nothing).'),
    ]),
  });
}
