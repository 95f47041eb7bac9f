/**
 * Where each connector type sends its secrets (each type's descriptor, `secretDestinations`), worked out from the spec
 * as written: references are never resolved, and the driver's own parser reads connection strings.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { destinationGuard, guardedOpener } from '../../src/cli/destination-guard.js';
import { secretUses } from '../../src/connectors/secret-destinations.js';
import { compile } from '../engine/harness.js';

const MESH = `apiVersion: identitymesh.dev/v1alpha1
kind: Mesh
metadata: { name: m }
spec:
  objectTypes:
    person:
      attributes:
        employeeId: { type: string }
`;

function sqlConnector(name: string, driver: string, connectionString: string): string {
  return `---
apiVersion: identitymesh.dev/v1alpha1
kind: Connector
metadata: { name: ${name} }
spec:
  type: sql
  connection: { driver: ${driver}, connectionString: ${JSON.stringify(connectionString)} }
  objectTypes:
    user: { table: hr.employees, externalIdColumn: employee_id }
`;
}

async function usesOf(yaml: string) {
  return secretUses(await compile(MESH + yaml));
}

describe('secret destinations per connector type', () => {
  it('okta, entra-id and scim: URL origins (entra: the token endpoint and Graph)', async () => {
    const { config } = await loadConfig(resolve('samples/cloud'));
    const { uses, unknown } = await secretUses(config!);
    expect(unknown.size).toBe(0);
    expect(uses).toEqual(
      expect.arrayContaining([
        { connector: expect.any(String), secret: 'okta-token', destination: 'https://contoso.okta.com' },
        { connector: expect.any(String), secret: 'entra-secret', destination: 'https://login.microsoftonline.com' },
        { connector: expect.any(String), secret: 'entra-secret', destination: 'https://graph.microsoft.com' },
        { connector: expect.any(String), secret: 'wiki-scim-token', destination: 'https://wiki.example.com' },
      ]),
    );
  });

  it('workday: the customreport2 origin, and with oauth2 the token URL origin for the client secret and refresh token', async () => {
    const { uses } = await usesOf(`---
apiVersion: identitymesh.dev/v1alpha1
kind: Connector
metadata: { name: wd-basic }
spec:
  type: workday
  connection:
    baseUrl: https://wd2-impl-services1.workday.com/ccx/service/customreport2/acme
    auth: { type: basic, username: ISU_IdentityMesh, password: "{{secret:wd-isu}}" }
  objectTypes:
    worker: { report: ISU_IdentityMesh/Identity_Mesh_Workers }
---
apiVersion: identitymesh.dev/v1alpha1
kind: Connector
metadata: { name: wd-oauth }
spec:
  type: workday
  connection:
    baseUrl: https://wd5-services1.myworkday.com/ccx/service/customreport2/acme
    auth: { type: oauth2, tokenUrl: "https://wd5-auth.myworkday.com/ccx/oauth2/acme/token", clientId: abc, clientSecret: "{{secret:wd-client}}", refreshToken: "{{secret:wd-refresh}}" }
  objectTypes:
    worker: { report: ISU_IdentityMesh/Identity_Mesh_Workers }
`);
    expect(uses.map((u) => `${u.connector} ${u.secret} ${u.destination}`).sort()).toEqual([
      'wd-basic wd-isu https://wd2-impl-services1.workday.com',
      'wd-oauth wd-client https://wd5-auth.myworkday.com',
      'wd-oauth wd-client https://wd5-services1.myworkday.com',
      'wd-oauth wd-refresh https://wd5-auth.myworkday.com',
      'wd-oauth wd-refresh https://wd5-services1.myworkday.com',
    ]);
  });

  it('active-directory: ldaps://host:port; a connection string that is one secret is named by it', async () => {
    const { config } = await loadConfig(resolve('samples/ad-hr-sql'));
    const { uses } = await secretUses(config!);
    expect(uses.map(({ secret, destination }) => ({ secret, destination }))).toEqual(
      expect.arrayContaining([
        { secret: 'ad-password', destination: 'ldaps://dc01.corp.example.com:636' },
        { secret: 'hr-db-url', destination: 'postgres:{{secret:hr-db-url}}' },
      ]),
    );
  });

  it('postgres: host, port and database as pg reads them, a ?host= override included', async () => {
    const { uses } = await usesOf(
      sqlConnector('a', 'postgres', 'postgres://svc:{{secret:pw}}@DB1.example.com/hr') +
        sqlConnector('b', 'postgres', 'postgres://svc:{{secret:pw}}@db1.example.com:5433/hr?host=evil.example.net') +
        sqlConnector('c', 'postgres', 'postgres://svc:{{secret:pw}}@{{secret:host}}.example.net/hr'),
    );
    expect(uses.map((u) => `${u.connector} ${u.secret} ${u.destination}`)).toEqual([
      'a pw postgres://db1.example.com:5432/hr',
      'b pw postgres://evil.example.net:5433/hr',
      // A reference in the host stays a reference: the destination depends on it, and no value is read.
      'c pw postgres://{{secret:host}}.example.net:5432/hr',
      'c host postgres://{{secret:host}}.example.net:5432/hr',
    ]);
  });

  it('mssql: ADO and URL forms, with the instance name', async () => {
    const { uses } = await usesOf(
      sqlConnector('a', 'mssql', 'Server=tcp:SQL1,1444;Database=hr;User Id=svc;Password={{secret:pw}}') +
        sqlConnector('b', 'mssql', 'Server=sql2\\HR;Database=hr;User Id=svc;Password={{secret:pw}}') +
        sqlConnector('c', 'mssql', 'mssql://svc:{{secret:pw}}@sql3.example.com:1433/hr'),
    );
    expect(uses.map((u) => `${u.connector} ${u.destination}`)).toEqual(['a mssql://sql1:1444/hr', 'b mssql://sql2\\HR:1433/hr', 'c mssql://sql3.example.com:1433/hr']);
  });

  it('a connector whose destination cannot be worked out is never opened, and fails rather than being skipped', async () => {
    const config = await compile(MESH + sqlConnector('odd', 'postgres', 'mysql://svc:{{secret:pw}}@db1.example.com/hr'));
    const guard = await destinationGuard(undefined, config, { trust: false, revision: null });
    expect([...guard.skipped.keys()]).toEqual([]);
    expect(guard.refused.get('odd')).toMatch(/^where it would send its secrets cannot be worked out: odd: connection.connectionString is not a PostgreSQL URL/);
    let opened = false;
    const open = guardedOpener(async () => ((opened = true), {} as never), guard);
    await expect(open(config.connectors.get('odd')!)).rejects.toMatchObject({ code: 'DestinationUnknown' });
    expect(opened).toBe(false);
  });

  it('a connector without secret references, or that sends nothing anywhere, has no uses', async () => {
    const { uses, unknown } = await usesOf(
      sqlConnector('plain', 'postgres', 'postgres://svc@db1.example.com/hr') +
        `---
apiVersion: identitymesh.dev/v1alpha1
kind: Connector
metadata: { name: idp }
spec:
  type: scim-inbound
  connection: { bearerToken: "{{secret:idp-token}}" }
  objectTypes: { user: {} }
`,
    );
    expect(uses).toEqual([]);
    expect(unknown.size).toBe(0);
  });
});
