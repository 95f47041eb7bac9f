import { describe, expect, it } from 'vitest';
import { CONNECTOR_TYPES } from '../../src/connectors/registry.js';
import { APPS, APPS_PROJECTION, compileDocs, edit, HR, HR_FLOW, MESH, problemLines } from './helpers.js';

const AD = `apiVersion: identitymesh.dev/v1alpha1
kind: Connector
metadata: { name: ad }
spec:
  type: active-directory
  connection:
    url: ldaps://dc01.example.com:636
    bindDn: CN=svc,DC=example,DC=com
    bindPassword: "{{secret:ad-password}}"
    baseDn: DC=example,DC=com
  objectTypes:
    user:
      searchBase: OU=Users,DC=example,DC=com
      filter: "(objectClass=user)"
`;

describe('schema validation', () => {
  it('accepts every connector type of DESIGN §4', () => {
    const others = [
      ['okta', 'type: okta\n  connection: { orgUrl: "https://contoso.okta.com", apiToken: "{{secret:okta-token}}", pageSize: 200 }\n  objectTypes:\n    user: { search: \'profile.userType eq "Employee"\', externalIdAttribute: id }\n    group: {}\n    membership: {}'],
      ['entra', 'type: entra-id\n  connection: { tenantId: t, clientId: c, clientSecret: "{{secret:entra-secret}}", authorityUrl: "http://127.0.0.1:9999", graphUrl: "http://localhost:9998" }\n  objectTypes:\n    user: { select: [id, userPrincipalName] }\n    group: {}'],
      ['wiki', 'type: scim\n  connection: { baseUrl: "https://wiki.example.com/scim/v2", bearerToken: "{{secret:wiki-token}}" }\n  objectTypes:\n    user: { resource: User }\n    group: { resource: Group }'],
      ['push', 'type: scim-inbound\n  connection: { bearerToken: "{{secret:push-token}}" }\n  objectTypes: { user: {}, group: {} }'],
      ['dir', 'type: ldap\n  schedule: { interval: 1m, full: "0 3 * * *" }\n  connection: { url: "ldap://127.0.0.1:3389", baseDn: "dc=example,dc=test", pageSize: 100, tls: { caFile: ca.pem, servername: slapd.test, startTls: true, rejectUnauthorized: true } }\n  objectTypes:\n    user: { searchBase: "ou=people,dc=example,dc=test", filter: "(objectClass=inetOrgPerson)", disabled: { attribute: nsAccountLock, value: "TRUE" } }'],
      ['pg', 'type: sql\n  connection: { driver: mssql, connectionString: "Server=db;Database=hr;User Id=mesh;Password={{secret:hr-pw}};" }\n  objectTypes:\n    row: { query: "SELECT * FROM v", externalIdColumn: id, watermarkColumn: rv, deltaColumnType: rowversion, softDeleteColumn: status, softDeleteValue: deleted }'],
    ];
    const docs = others.map(([name, spec]) => `apiVersion: identitymesh.dev/v1alpha1\nkind: Connector\nmetadata: { name: ${name} }\nspec:\n  ${spec}\n`);
    const result = compileDocs(MESH, HR, APPS, AD, HR_FLOW, APPS_PROJECTION, ...docs);
    expect(problemLines(result)).toEqual([]);
  });

  it('reports an unknown key at the key, with the closest known key', () => {
    const result = compileDocs(MESH, HR, edit(AD, '      searchBase:', '      serchBase:'), HR_FLOW);
    const offset = (MESH + '\n---\n' + HR + '\n---\n').split('\n').length - 1;
    expect(problemLines(result)).toEqual([`config.yaml:${offset + 13}:7: unknown key "serchBase" in spec.objectTypes.user (did you mean "searchBase"?)`]);
    expect(result.problems[0]?.key).toBe('spec.objectTypes.user.serchBase');
  });

  it('judges a connector spec only by the branch its type selects', () => {
    const result = compileDocs(MESH, HR, edit(APPS, 'driver: embedded', 'driver: embedded, bindDn: x'), HR_FLOW);
    expect(problemLines(result).map((l) => l.replace(/^config\.yaml:\d+:\d+: /, ''))).toEqual(['unknown key "bindDn" in spec.connection']);
  });

  it('names the wrong type, enum values with a suggestion, and limits', () => {
    const flow = edit(edit(HR_FLOW, 'provision: true', 'provision: "yes"'), 'confidence: 100', 'confidence: 101');
    const projection = APPS_PROJECTION + '  drift: enforced\n  onRemove: disable\n';
    const messages = problemLines(compileDocs(MESH, HR, APPS, flow, projection)).map((l) => l.replace(/^config\.yaml:\d+:\d+: /, ''));
    expect(messages).toEqual([
      'spec.provision must be true or false, not a string',
      'spec.attributes[0].confidence must be at most 100, not 101',
      'spec.drift must be one of "enforce", "report", not "enforced" (did you mean "enforce"?)',
    ]);
  });

  it('reports missing required keys and bad names at their mapping', () => {
    const messages = problemLines(compileDocs(edit(MESH, 'metadata: { name: corp }', 'metadata: { name: Corp_1 }'), edit(HR, 'file: data/hr.csv, ', ''), HR_FLOW)).map((l) =>
      l.replace(/^config\.yaml:\d+:\d+: /, ''),
    );
    expect(messages).toContain('metadata.name must be lower-case letters, digits and "-", starting with a letter, at most 63 characters');
    expect(messages).toContain('missing key "file" in spec.objectTypes.user');
  });

  it('never echoes a value that failed a secret reference pattern', () => {
    const lines = problemLines(compileDocs(MESH, edit(AD, '"{{secret:ad-password}}"', 'Sup3rS3cret!'), HR, HR_FLOW));
    expect(lines.join('\n')).not.toContain('Sup3rS3cret!');
    expect(lines[0]).toMatch(/bindPassword must be a secret reference such as "\{\{secret:NAME\}\}"/);
  });

  it('reports every problem of every document, not just the first', () => {
    const result = compileDocs(MESH, edit(HR, 'type: csv', 'type: cvs'), edit(APPS, 'table: accounts', 'tabel: accounts'), edit(HR_FLOW, 'meshType: person', 'meshType: 7'));
    const messages = problemLines(result).map((l) => l.replace(/^config\.yaml:\d+:\d+: /, ''));
    expect(messages).toEqual([
      // The types listed are the registry's (test/connectors/registry.test.ts checks that list).
      `unknown connector type "cvs" (did you mean "csv"?); expected one of ${CONNECTOR_TYPES.join(', ')}`,
      'unknown key "tabel" in spec.objectTypes.account (did you mean "table"?)',
      'spec.meshType must be a string, not 7 (a number)',
    ]);
  });

  it('reports YAML problems with their position: syntax, duplicate keys, tags', () => {
    expect(problemLines(compileDocs('a: [1, 2'))[0]).toMatch(/^config\.yaml:1:\d+: YAML syntax error: /);
    expect(problemLines(compileDocs(MESH + '  safety: {}\n  safety: {}\n'))).toEqual(['config.yaml:20:3: duplicate key "safety": each key may appear once in a mapping']);
    expect(problemLines(compileDocs(MESH + '  suspend: !vault aGVsbG8=\n'))[0]).toMatch(/^config\.yaml:19:12: YAML tag not supported/);
    expect(problemLines(compileDocs('- just\n- a list\n'))).toEqual(['config.yaml:1:1: a document must be a mapping with apiVersion, kind, metadata and spec']);
  });
});
