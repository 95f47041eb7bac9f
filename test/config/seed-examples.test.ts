/**
 * The configuration examples of the product documents (seed 000 "Connector Configuration", seed 002
 * Okta runbook), transcribed into the YAML contract field by field: each validates as written, or
 * fails with a message that says exactly what to change.
 */
import { describe, expect, it } from 'vitest';
import { compileDocs, edit, MESH, problemLines } from './helpers.js';

function messages(...documents: string[]): string[] {
  return problemLines(compileDocs(...documents)).map((line) => line.replace(/^[^:]+:\d+:\d+: /, ''));
}

const connector = (name: string, spec: string): string => `apiVersion: identitymesh.dev/v1alpha1\nkind: Connector\nmetadata: { name: ${name} }\nspec:\n${spec}\n`;

/** Seed 000, "SQL Database Configuration", its `config` object as written. */
const HR_DATABASE = connector(
  'hr-database',
  `  type: sql
  connection:
    driver: mssql
    connectionString: "Server=hrdb.company.com;Database=HRSystem;"
  objectTypes:
    user:
      importQuery: dbo.Employees
      externalIdColumn: EmployeeId
      watermarkColumn: ModifiedDateUtc
      deltaColumnType: datetime
      isActiveColumn: IsActive
      columnsToLoad: ["EmployeeId", "Email", "DisplayName", "Department", "Title", "ManagerEmail"]`,
);

const HR_FLOW = `apiVersion: identitymesh.dev/v1alpha1
kind: FlowRule
metadata: { name: hr-users }
spec:
  source: { connector: hr-database, objectType: user }
  meshType: person
  join: [ { source: EmployeeId, mesh: employeeId } ]
  provision: true
  attributes:
    - { mesh: employeeId, source: EmployeeId }
    - { mesh: email, source: Email }
    - { mesh: department, source: Department }
    - { mesh: active, source: IsActive }
`;

describe('the product documents’ configuration examples', () => {
  it('seed 000 SQL: importQuery, a columnsToLoad without the watermark and active columns, as written', () => {
    expect(messages(MESH, HR_DATABASE, HR_FLOW)).toEqual([]);
  });

  it('seed 000 SQL: the documented field variants (deltaColumn, long/bigint/rowversion/binary, [] = every column, softDeleteValue default)', () => {
    const variants = [
      ['watermarkColumn: ModifiedDateUtc', 'deltaColumn: ModifiedDateUtc'],
      ['deltaColumnType: datetime', 'deltaColumnType: long'],
      ['deltaColumnType: datetime', 'deltaColumnType: bigint'],
      ['deltaColumnType: datetime', 'deltaColumnType: rowversion'],
      ['deltaColumnType: datetime', 'deltaColumnType: binary'],
      ['columnsToLoad: ["EmployeeId", "Email", "DisplayName", "Department", "Title", "ManagerEmail"]', 'columnsToLoad: []'],
      ['isActiveColumn: IsActive', 'softDeleteColumn: IsDeleted'],
      ['importQuery: dbo.Employees', 'importQuery: "SELECT * FROM dbo.Employees WHERE IsContractor = 0"'],
    ] as const;
    for (const [from, to] of variants) {
      const flow = to.startsWith('softDeleteColumn') ? edit(HR_FLOW, '    - { mesh: active, source: IsActive }\n', '') : HR_FLOW;
      expect(messages(MESH, edit(HR_DATABASE, from, to), flow), to).toEqual([]);
    }
  });

  it('seed 000 SQL: what the documents leave open is refused with what to change', () => {
    expect(messages(MESH, edit(HR_DATABASE, 'importQuery: dbo.Employees', 'importQuery: dbo.Employees\n      table: dbo.Employees'), HR_FLOW)).toEqual([
      'objectTypes.user has both table and importQuery; give exactly one of table, query and importQuery',
    ]);
    expect(messages(MESH, edit(HR_DATABASE, 'watermarkColumn: ModifiedDateUtc', 'watermarkColumn: ModifiedDateUtc\n      deltaColumn: Modified'), HR_FLOW)).toEqual([
      'objectTypes.user.deltaColumn "Modified" and objectTypes.user.watermarkColumn "ModifiedDateUtc" name the same setting; keep one',
    ]);
    expect(messages(MESH, edit(HR_DATABASE, 'deltaColumnType: datetime', 'deltaColumnType: date'), HR_FLOW)[0]).toMatch(/date.*no time part/);
    // A column the flow rule reads must be loaded: the listed ones plus the automatic ones.
    expect(messages(MESH, HR_DATABASE, HR_FLOW + '    - { mesh: firstName, source: GivenName }\n')).toEqual([
      'column "GivenName" is not loaded by hr-database/user (its columnsToLoad leave it out, config.yaml:36)',
    ]);
  });

  it('seed 000 SQL on PostgreSQL: rowversion names the alternatives', () => {
    const pg = edit(edit(HR_DATABASE, 'driver: mssql', 'driver: postgres'), 'deltaColumnType: datetime', 'deltaColumnType: rowversion');
    expect(messages(MESH, pg, HR_FLOW)).toEqual([
      'objectTypes.user.deltaColumnType rowversion is a SQL Server type (this connector uses "postgres"); use binary for an 8-byte counter in a bytea column, or bigint',
    ]);
  });

  it('seed 000/002 Okta: the org domain without a scheme, as the runbook writes OrgDomain', () => {
    const okta = connector('okta-production', '  type: okta\n  connection:\n    orgUrl: company.okta.com\n    apiToken: "{{secret:okta-api-token}}"\n  objectTypes: { user: {} }');
    expect(messages(MESH, okta)).toEqual([]);
    expect(messages(MESH, edit(okta, 'orgUrl: company.okta.com', 'orgUrl: http://company.okta.com'))).toEqual([
      'connection.orgUrl uses http:// with host "company.okta.com"; http:// is accepted only for loopback hosts (tests): use https://',
    ]);
  });

  it('seed 000/004 Active Directory and LDAP: host as a bare name (TLS implied)', () => {
    const ad = connector('corporate-ad', '  type: active-directory\n  connection:\n    url: dc01.company.com\n    baseDn: "DC=company,DC=com"\n    bindDn: "CN=svc-identitymesh,OU=Service Accounts,DC=company,DC=com"\n    bindPassword: "{{secret:ad-password}}"\n  objectTypes:\n    user: { searchBase: "OU=Users,DC=company,DC=com", filter: "(&(objectClass=user)(objectCategory=person))" }\n    group: { searchBase: "OU=Groups,DC=company,DC=com", filter: "(objectClass=group)" }');
    expect(messages(MESH, ad)).toEqual([]);
    expect(messages(MESH, edit(ad, 'url: dc01.company.com', 'url: "dc01.company.com:636"'))).toEqual([]);
  });

  it('seed 000/004 directory fields written as the documents do say what to write instead', () => {
    const ad = connector('corporate-ad', '  type: active-directory\n  connection:\n    host: dc01.company.com\n    port: 636\n    useSsl: true\n    url: dc01.company.com\n    baseDn: "DC=company,DC=com"\n  objectTypes:\n    user: { searchBase: "OU=Users,DC=company,DC=com", filter: "(objectClass=user)" }');
    expect(messages(MESH, ad)).toEqual([
      'unknown key "host" in spec.connection: write url: the host alone (dc01.company.com means ldaps://dc01.company.com), or a URL such as ldaps://dc01.company.com:636',
      'unknown key "port" in spec.connection: put the port in url, e.g. url: "dc01.company.com:636" or ldaps://dc01.company.com:636',
      'unknown key "useSsl" in spec.connection: the scheme of url says it: ldaps:// (or a bare host) is TLS; ldap:// with tls.startTls: true upgrades',
    ]);
  });

  it('seed 000 Okta fields written as the document does say what to write instead', () => {
    const okta = connector('okta-production', '  type: okta\n  connection:\n    domain: company.okta.com\n    orgUrl: company.okta.com\n    apiToken: "{{secret:okta-api-token}}"\n    scimEndpoint: "https://company.okta.com/api/v1/scim/v2"\n  objectTypes: { user: {} }');
    expect(messages(MESH, okta)).toEqual([
      'unknown key "domain" in spec.connection: write orgUrl: the org domain as it is (company.okta.com means https://company.okta.com)',
      "unknown key \"scimEndpoint\" in spec.connection: leave it out: the connector reads Okta's management API at orgUrl (/api/v1), not its SCIM endpoint",
    ]);
  });

  it('seed 000 Entra ID: tenantId, clientId and a secret reference, as written', () => {
    const entra = connector('azure-ad', '  type: entra-id\n  connection:\n    tenantId: "12345678-1234-1234-1234-123456789abc"\n    clientId: "87654321-4321-4321-4321-cba987654321"\n    clientSecret: "{{secret:azure-client-secret}}"\n  objectTypes: { user: {}, group: {} }');
    expect(messages(MESH, entra)).toEqual([]);
  });
});
