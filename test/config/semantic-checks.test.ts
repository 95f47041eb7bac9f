import { describe, expect, it } from 'vitest';
import { compileFromFiles } from '../../src/config/index.js';
import { APPS, APPS_PROJECTION, compileDocs, configDir, edit, HR, HR_FLOW, MESH, problemLines } from './helpers.js';

/** Problem messages without their position. */
function messages(...documents: string[]): string[] {
  return problemLines(compileDocs(...documents)).map((line) => line.replace(/^[^:]+:\d+:\d+: /, ''));
}

const doc = (kind: string, name: string, spec: string): string => `apiVersion: identitymesh.dev/v1alpha1\nkind: ${kind}\nmetadata: { name: ${name} }\nspec:\n${spec}\n`;
const VALID = [MESH, HR, APPS, HR_FLOW, APPS_PROJECTION];

describe('semantic checks', () => {
  it('accept the base config', () => {
    expect(messages(...VALID)).toEqual([]);
  });

  describe('connectors', () => {
    it('sql: exactly one of table and query; createTable only on embedded tables', () => {
      expect(messages(MESH, HR, edit(APPS, 'table: accounts,', 'table: accounts, query: "SELECT 1",'), HR_FLOW)).toEqual(['objectTypes.account has both table and query; give exactly one of table, query and importQuery']);
      expect(messages(MESH, HR, edit(APPS, 'table: accounts,', ''), HR_FLOW)).toEqual(['objectTypes.account needs a table, a query or an importQuery', 'objectTypes.account.createTable needs objectTypes.account.table']);
      const pg = edit(APPS, 'driver: embedded, path: .imesh/apps', 'driver: postgres, connectionString: "{{secret:apps-url}}"');
      expect(messages(MESH, HR, pg, HR_FLOW)).toEqual(['objectTypes.account.createTable works only with connection.driver "embedded" (this connector uses "postgres"); create the table yourself']);
    });

    it('sql: the driver and its connection settings agree', () => {
      expect(messages(MESH, HR, edit(APPS, 'driver: embedded, path: .imesh/apps', 'driver: embedded'), HR_FLOW)).toEqual(['connection.driver "embedded" needs connection.path (the PGlite data directory)']);
      const mixed = edit(edit(APPS, 'driver: embedded', 'driver: mssql, connectionString: "{{secret:db}}"'), 'createTable: true', 'createTable: false');
      expect(messages(MESH, HR, mixed, HR_FLOW)).toEqual(['connection.path is only for connection.driver "embedded", not "mssql"; use connection.connectionString']);
    });

    it('refuses passwords written into connection strings, without echoing them', () => {
      for (const connectionString of ['postgres://mesh:hunter22@db/hr', 'Server=db;User Id=mesh;Password=hunter22;']) {
        const apps = edit(edit(APPS, 'driver: embedded, path: .imesh/apps', `driver: postgres, connectionString: "${connectionString}"`), ', createTable: true', '');
        const found = messages(MESH, HR, apps, HR_FLOW);
        expect(found).toEqual(['connection.connectionString holds a password in clear text; put it in a secret reference, e.g. connectionString: "{{secret:hr-db-url}}"']);
        expect(found.join()).not.toContain('hunter22');
      }
    });

    it('accepts http:// only for loopback hosts', () => {
      const scim = (url: string): string => doc('Connector', 'wiki', `  type: scim\n  connection: { baseUrl: "${url}", bearerToken: "{{secret:t}}" }\n  objectTypes: { user: { resource: User } }`);
      expect(messages(...VALID, scim('http://127.0.0.1:8080/scim/v2'))).toEqual([]);
      expect(messages(...VALID, scim('http://localhost/scim'))).toEqual([]);
      expect(messages(...VALID, scim('http://[::1]:99/scim'))).toEqual([]);
      expect(messages(...VALID, scim('http://wiki.example.com/scim'))).toEqual(['connection.baseUrl uses http:// with host "wiki.example.com"; http:// is accepted only for loopback hosts (tests): use https://']);
    });

    it('names both settings when they contradict', () => {
      const ldap = doc('Connector', 'dir', '  type: ldap\n  connection: { url: "ldaps://dir.example.com", baseDn: "dc=example", tls: { startTls: true } }\n  objectTypes: { user: { searchBase: "ou=p,dc=example", filter: "(uid=*)" } }');
      expect(messages(...VALID, ldap)).toEqual(['connection.tls.startTls: true contradicts connection.url "ldaps://…" (already TLS); use ldap:// with startTls, or drop startTls']);
      const soft = edit(HR, 'externalIdColumn: employee_id }', 'externalIdColumn: employee_id, isActiveColumn: active, softDeleteColumn: status }');
      expect(messages(MESH, soft, APPS, HR_FLOW, APPS_PROJECTION)).toEqual([
        'objectTypes.user.softDeleteColumn needs objectTypes.user.softDeleteValue',
        'objectTypes.user.softDeleteColumn contradicts objectTypes.user.isActiveColumn: a source marks deletions one way; keep one',
      ]);
    });

    it('refuses schedule.manual together with an interval or a full cron (it runs only on request)', () => {
      const manual = (extra: string) => edit(HR, "spec:\n", `spec:\n  schedule: { manual: true${extra} }\n`);
      expect(messages(MESH, manual(', interval: 10m'), HR_FLOW)).toEqual(['schedule.manual runs the connector only on request: remove schedule.interval and schedule.full, or manual']);
      expect(messages(MESH, manual(''), HR_FLOW)).toEqual([]);
    });

    it('checks cron expressions', () => {
      expect(messages(MESH + '  schedule: { full: "61 2 * * 0" }\n', HR, HR_FLOW)).toEqual(['schedule.full is not a valid cron expression: Invalid value for minute: 61']);
    });
  });

  describe('the mesh', () => {
    it('reference attributes need existing types in "to", and only references take "to"', () => {
      expect(messages(edit(MESH, 'roles: { type: string, multiValued: true }', 'roles: { type: string, multiValued: true, to: [group] }'), HR, HR_FLOW)).toEqual([
        '"to" is only for reference attributes; person.roles is type string',
      ]);
      expect(messages(edit(MESH, 'to: [person, group], ', ''), HR, HR_FLOW)).toEqual(['missing key "to" in spec.objectTypes.group.attributes.members']);
    });

    it('exactly one Mesh, found across files', () => {
      const result = compileFromFiles(configDir, [
        { path: 'a/mesh.yaml', content: MESH },
        { path: 'b/mesh.yaml', content: edit(MESH, 'name: corp', 'name: corp2') },
        { path: 'rest.yaml', content: [HR, HR_FLOW].join('---\n') },
      ]);
      expect(problemLines(result)).toEqual(['b/mesh.yaml:2:7: a second Mesh ("corp2"); a config repository has exactly one, and "corp" is already defined at a/mesh.yaml:3:19']);
    });
  });

  describe('flow rules', () => {
    it('resolve every mesh attribute they name, with suggestions', () => {
      const flow = edit(edit(HR_FLOW, 'mesh: employeeId }', 'mesh: employeID }'), '{ mesh: email, source: email }', '{ mesh: mail, source: email }');
      expect(messages(MESH, HR, flow)).toEqual(['unknown attribute "employeID" of mesh type "person" (did you mean "employeeId"?)', 'unknown attribute "mail" of mesh type "person" (did you mean "email"?)']);
      expect(messages(MESH, HR, edit(HR_FLOW, 'meshType: person', 'meshType: persons'))).toEqual(['unknown mesh type "persons" (did you mean "person"?); known mesh types: "person", "group"']);
    });

    it('give each attribute flow exactly one of source and template, each mesh attribute once', () => {
      const flow = HR_FLOW + '    - { mesh: firstName }\n    - { mesh: email, template: "{{mail}}" }\n';
      expect(messages(MESH, HR, flow)).toEqual(['attributes[2] needs a source or a template', 'attributes[3] sets "email" again (attributes[1] already does); one rule contributes one value per attribute']);
    });

    it('membership and role mappings need the attribute shapes they fill', () => {
      const okta = doc('Connector', 'okta', '  type: okta\n  connection: { orgUrl: "https://o.okta.com", apiToken: "{{secret:t}}" }\n  objectTypes: { group: {}, membership: {} }');
      const membership = doc('FlowRule', 'members', '  source: { connector: okta, objectType: membership }\n  meshType: group\n  membership: { group: groupId, member: memberId, attribute: name }');
      const roles = doc('FlowRule', 'roles', '  source: { connector: okta, objectType: group }\n  meshType: person\n  roleMappings: [ { group: g, role: r } ]\n  attribute: department');
      expect(messages(MESH, HR, HR_FLOW, okta, membership, roles)).toEqual([
        'membership.attribute "name" must be a multi-valued reference attribute of mesh type "group" (it is a single-valued string)',
        'attribute "department" receives roles, so it must be a multi-valued string attribute of mesh type "person" (it is a single-valued string)',
      ]);
      expect(messages(MESH, HR, HR_FLOW + '  attribute: roles\n')).toEqual(['attribute is only used with roleMappings']);
      expect(messages(MESH, HR, edit(HR_FLOW, 'provision: true', 'provision: true\n  roleMappings: [ { group: g, role: r } ]'))).toEqual(['missing key "attribute" in spec (required with "roleMappings")']);
    });

    it('read only columns a sql source loads', () => {
      const hr = doc('Connector', 'hr', '  type: sql\n  connection: { driver: embedded, path: .imesh/hr }\n  objectTypes:\n    user: { table: employees, externalIdColumn: employee_id, columnsToLoad: [employee_id, mail] }');
      expect(messages(MESH, hr, HR_FLOW)).toEqual(['column "email" is not loaded by hr/user (its columnsToLoad leave it out, config.yaml:28)']);
    });

    it('refuse secrets in flow templates', () => {
      expect(messages(MESH, HR, HR_FLOW + '    - { mesh: firstName, template: "{{secret:x}}" }\n')).toEqual([
        'attributes[2].template holds a secret reference; secrets belong only in connection settings and password.initial, never in values that are written or shown',
      ]);
    });
  });

  describe('projections', () => {
    it('templates may name only attributes of the mesh type, and {{item}} only with forEach', () => {
      expect(messages(MESH, HR, APPS, HR_FLOW, edit(APPS_PROJECTION, '"{{email}}"', '"{{item}}"'))).toEqual([
        'template "{{item}}" names unknown attribute "item" of mesh type "person"',
      ]);
      expect(messages(MESH, HR, APPS, HR_FLOW, edit(APPS_PROJECTION, 'attributes:', 'forEach: email\n  attributes:'))).toEqual(['forEach "email" must name a multi-valued attribute of mesh type "person"']);
    });

    it('must include the key column of a table or file target', () => {
      expect(messages(MESH, HR, APPS, HR_FLOW, edit(APPS_PROJECTION, '    account_id: "{{employeeId}}"\n', ''))).toEqual([
        'attributes must include "account_id", the externalIdColumn of apps/account (its template is the row\'s key, e.g. account_id: "{{employeeId}}")',
      ]);
    });

    it('write the enabled state through enabled and isActiveColumn only', () => {
      expect(messages(MESH, HR, APPS, HR_FLOW, edit(APPS_PROJECTION, 'email: "{{email}}"', 'is_active: "{{active}}"'))).toEqual([
        'attributes.is_active is the isActiveColumn of apps/account; write it through enabled instead',
      ]);
      const apps = edit(APPS, ', isActiveColumn: is_active', '');
      expect(messages(MESH, HR, apps, HR_FLOW, APPS_PROJECTION + '  onRemove: delete\n')).toEqual(['enabled needs objectTypes.account.isActiveColumn on connector "apps" (the column that holds the enabled state)']);
    });

    it('default onRemove to disable only where the target can disable', () => {
      const okta = doc('Connector', 'okta', '  type: okta\n  connection: { orgUrl: "https://o.okta.com", apiToken: "{{secret:t}}" }\n  objectTypes: { user: {}, group: {} }');
      const toGroups = doc('Projection', 'groups', '  meshType: group\n  target: { connector: okta, objectType: group }\n  attributes: { name: "{{name}}", members: "{{members}}" }');
      const toUsers = doc('Projection', 'users', '  meshType: person\n  target: { connector: okta, objectType: user }\n  attributes: { login: "{{email}}" }');
      expect(messages(MESH, HR, HR_FLOW, okta, toGroups, toUsers)).toEqual([
        'missing key "onRemove" in spec: target okta/group cannot disable objects, so say what happens when one leaves the scope (delete or keep)',
      ]);
      expect(messages(MESH, HR, HR_FLOW, okta, toGroups + '  onRemove: disable\n')).toEqual([
        'onRemove: disable is not possible for target okta/group: okta group objects cannot be disabled; add one, or choose onRemove: delete or keep',
      ]);
    });

    it('render a reference attribute only as a whole template', () => {
      const okta = doc('Connector', 'okta', '  type: okta\n  connection: { orgUrl: "https://o.okta.com", apiToken: "{{secret:t}}" }\n  objectTypes: { group: {} }');
      const toGroups = doc('Projection', 'groups', '  meshType: group\n  target: { connector: okta, objectType: group }\n  attributes: { members: "m: {{members}}" }\n  onRemove: delete');
      expect(messages(MESH, HR, HR_FLOW, okta, toGroups)).toEqual([
        'attributes.members: the reference attribute "members" must be the whole template, "{{members}}" (it renders the referenced objects as they are projected in this target)',
      ]);
    });

    it('directory settings only for directories, and directories need them', () => {
      const dir = doc('Connector', 'dir', '  type: ldap\n  connection: { url: "ldap://127.0.0.1:3389", baseDn: "dc=t" }\n  objectTypes: { user: { searchBase: "ou=p,dc=t", filter: "(uid=*)" } }');
      const toDir = doc('Projection', 'to-dir', '  meshType: person\n  target: { connector: dir, objectType: user }\n  container: "ou=p,dc=t"\n  attributes: { uid: "{{employeeId}}" }\n  password: { initial: "{{secret:pw}}", generate: true }');
      expect(messages(MESH, HR, HR_FLOW, dir, toDir)).toEqual([
        'missing key "rdn" in spec: target dir/user is a directory (ldap), so objects need a container and an rdn',
        'password is sent only over TLS, but connector "dir" uses ldap://127.0.0.1:3389 without connection.tls.startTls; use ldaps:// or set startTls: true',
        'password.generate: true contradicts password.initial; give one of them',
      ]);
      expect(messages(...VALID.slice(0, 4), edit(APPS_PROJECTION, 'attributes:', 'rdn: "CN={{employeeId}}"\n  password: { generate: true }\n  attributes:'))).toEqual([
        'rdn is only for directory targets (active-directory, ldap); apps/account is sql',
        'password is only for directory targets (active-directory, ldap); apps/account is sql',
      ]);
    });

    it('check scope conditions, nested, with their attribute and regular expression', () => {
      const scope = (text: string): string => edit(APPS_PROJECTION, 'attributes:', `scope: ${text}\n  attributes:`);
      expect(messages(...VALID.slice(0, 4), scope('{ any: [ { all: [ { attribute: department, equals: IT } ] }, { attribute: title, present: true } ] }'))).toEqual([
        'unknown attribute "title" of mesh type "person"',
      ]);
      expect(messages(...VALID.slice(0, 4), scope('{ attribute: department, equals: IT, in: [IT] }'))).toEqual(['a scope condition has one test; this one has equals and in']);
      expect(messages(...VALID.slice(0, 4), scope('{ all: [ { attribute: department } ], any: [ { present: true } ] }'))).toEqual(['a scope condition has one of all, any, attribute; this one has all and any']);
      expect(messages(...VALID.slice(0, 4), scope('{ attribute: department, matches: "[" }'))).toEqual(['matches is not a valid regular expression: /[/: Unterminated character class']);
    });

    it('refuse secrets in projected values', () => {
      expect(messages(...VALID.slice(0, 4), edit(APPS_PROJECTION, '"{{email}}"', '"{{secret:api-key}}"'))).toEqual([
        'attributes.email holds a secret reference; secrets belong only in connection settings and password.initial, never in values that are written or shown',
      ]);
    });

    it('a csv target outside the config path is fine (absolute or leaving it)', () => {
      const apps = doc('Connector', 'apps', '  type: csv\n  objectTypes:\n    account: { file: ../exports/accounts.csv, externalIdColumn: account_id, isActiveColumn: is_active }');
      expect(messages(MESH, HR, apps, HR_FLOW, APPS_PROJECTION)).toEqual([]);
      const inside = doc('Connector', 'apps', '  type: csv\n  objectTypes:\n    account: { file: ./out/../accounts.csv, externalIdColumn: account_id, isActiveColumn: is_active }');
      expect(messages(MESH, HR, inside, HR_FLOW, APPS_PROJECTION)[0]).toMatch(/^objectTypes\.account\.file "\.\/out\/\.\.\/accounts\.csv" is inside the config repository/);
    });
  });

  describe('names', () => {
    it('are unique per kind, and the same name in two kinds is fine', () => {
      const flow = edit(HR_FLOW, 'name: hr-to-person', 'name: apps');
      expect(messages(MESH, HR, APPS, flow, APPS_PROJECTION)).toEqual([]);
      expect(problemLines(compileDocs(MESH, HR, APPS, edit(APPS, 'createTable: true', 'createTable: false'), HR_FLOW))).toEqual([
        'config.yaml:42:19: duplicate Connector name "apps" (also defined at config.yaml:32:19); names are unique per kind',
      ]);
    });
  });
});
