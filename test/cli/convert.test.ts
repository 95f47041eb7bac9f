/**
 * `imesh convert` (issue 13): every configuration example of the product documents (transcribed in
 * test/fixtures/seeds/) converts into a repository that `imesh validate` accepts; several inputs make one
 * repository with one Mesh; fields without an equivalent are commented; a literal password never reaches
 * any output file, stdout or stderr; unreadable inputs exit 1 naming the file and the reason.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

const BIN = resolve('bin/imesh.js');
const SEEDS = resolve('test/fixtures/seeds');
const work = mkdtempSync(join(tmpdir(), 'imesh-convert-'));
let counter = 0;

function imesh(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function seed(...names: string[]): string[] {
  return names.map((n) => join(SEEDS, n));
}

/** Converts into a fresh folder and returns it with the run's output. */
function convert(inputs: string[]): { out: string; status: number | null; stdout: string; stderr: string } {
  const out = join(work, `out-${++counter}`);
  return { out, ...imesh(['convert', ...inputs, '--out', out]) };
}

function files(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

interface Doc {
  kind: string;
  metadata: { name: string };
  spec: Record<string, unknown>;
}

function documents(dir: string): Doc[] {
  return Object.values(files(dir)).flatMap((text) => parseAllDocuments(text).map((d) => d.toJS() as Doc));
}

function expectValid(dir: string): void {
  const result = imesh(['validate', '--config', dir]);
  expect(result.stdout).toBe('');
  expect(result.stderr).toBe(`${dir}: valid\n`);
  expect(result.status).toBe(0);
}

beforeAll(() => {
  if (!existsSync('dist/cli/convert.js')) throw new Error('dist/ is missing: run npm run build (npm test does it first)');
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('imesh convert: each example of the product documents converts and validates', () => {
  it.each([
    ['seed 000, Active Directory', ['000-active-directory.json']],
    ['seed 000, Microsoft Entra ID', ['000-entra-id.json']],
    ['seed 000, Okta', ['000-okta.json']],
    ['seed 000, SQL Database', ['000-sql.json']],
    ['seed 002, Okta ConfigJson', ['002-okta-config.json']],
    ['seed 002, Okta ConfigJson + AuthJson', ['002-okta-config.json', '002-okta-auth.json']],
    ['seed 002, ConfigJson + "only active users"', ['002-okta-config.json', '002-okta-filter-active.json']],
    ['seed 002, ConfigJson + "only employees"', ['002-okta-config.json', '002-okta-filter-employee.json']],
    ['seed 002, ConfigJson + "one department"', ['002-okta-config.json', '002-okta-filter-department.json']],
    ['seed 003, scimGroupMappings', ['003-scim-group-mappings.yaml']],
    ['seed 004, directory connection', ['004-directory.json']],
    ['seed 004, directory connection + both update bodies', ['004-directory.json', '004-directory-attribute-mapping.json', '004-directory-update.json']],
  ])('%s', (_label, inputs) => {
    const result = convert(seed(...inputs));
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`next: imesh validate --config ${result.out}`);
    expectValid(result.out);
    const docs = documents(result.out);
    expect(docs.filter((d) => d.kind === 'Mesh')).toHaveLength(1);
    expect(docs.filter((d) => d.kind === 'Connector').length).toBeGreaterThan(0);
    expect(docs.filter((d) => d.kind === 'FlowRule').length).toBeGreaterThan(0);
  });

  it('converts every example at once into one repository with one Mesh', () => {
    const inputs = readdirSync(SEEDS).filter((f) => /\.(json|ya?ml)$/.test(f)).sort();
    const result = convert(inputs.map((f) => join(SEEDS, f)));
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expectValid(result.out);
    const docs = documents(result.out);
    const mesh = docs.filter((d) => d.kind === 'Mesh');
    expect(mesh).toHaveLength(1);
    const person = (mesh[0]!.spec.objectTypes as Record<string, { attributes: Record<string, { type: string; multiValued?: boolean }> }>).person!.attributes;
    // The attributes the inputs map, under the documents' own names, in one mesh type.
    for (const name of ['username', 'email', 'firstName', 'lastName', 'displayName', 'employeeId', 'phone', 'externalId', 'department', 'title', 'managerEmail', 'active']) {
      expect(person[name], name).toBeDefined();
    }
    expect(person.roles).toEqual({ type: 'string', multiValued: true });
    expect(docs.filter((d) => d.kind === 'Connector').map((d) => [d.metadata.name, d.spec.type])).toEqual(
      expect.arrayContaining([
        ['corporate-ad', 'active-directory'],
        ['azure-ad', 'entra-id'],
        ['okta-production', 'okta'],
        ['hr-database', 'sql'],
        ['okta-contoso', 'okta'],
        ['entra-push', 'scim-inbound'],
        ['datamesh-manager', 'scim'],
        ['ithbat', 'scim'],
      ]),
    );
    expect(docs.filter((d) => d.kind === 'Projection').map((d) => d.metadata.name).sort()).toEqual(['group-to-ithbat', 'person-to-datamesh-manager', 'person-to-ithbat']);
  });
});

describe('imesh convert: what each document says, in the repository', () => {
  it('seed 003: scimGroupMappings become structured roleMappings, and SCIM roles entries in the projection', () => {
    const result = convert(seed('003-scim-group-mappings.yaml'));
    expect(result.status).toBe(0);
    const docs = documents(result.out);
    const roles = docs.find((d) => d.kind === 'FlowRule' && d.spec.roleMappings)!;
    expect(roles.spec).toMatchObject({ source: { connector: 'entra-push', objectType: 'group' }, meshType: 'person', attribute: 'roles' });
    expect(roles.spec.roleMappings).toEqual([
      { group: 'dmm_owners', role: { type: 'organizationOwner' } },
      { group: 'dmm_marketing_owners', role: { type: 'teamMemberRole', teamId: 'marketing', teamMemberRole: 'Owner' } },
      { group: 'dmm_marketing_members', role: { type: 'teamMemberRole', teamId: 'marketing', teamMemberRole: 'Member' } },
      { group: 'dmm_data_stewards', role: { type: 'teamMemberRole', teamId: 'marketing', teamMemberRole: 'Steward' } },
      { group: 'dmm_data_stewards', role: { type: 'teamMemberRole', teamId: 'sales', teamMemberRole: 'Steward' } },
    ]);
    const projection = docs.find((d) => d.kind === 'Projection')!;
    expect((projection.spec.attributes as Record<string, unknown>).roles).toMatchObject({ forEach: 'roles', fields: { type: '{{item.type}}' } });
    expect(docs.find((d) => d.kind === 'Connector' && d.metadata.name === 'datamesh-manager')!.spec.connection).toMatchObject({ baseUrl: 'https://api.datamesh-manager.com/api/scim/v2' });
  });

  it('seed 004: syncSchedule is the connector schedule, updates apply, and the product is a target that suspends', () => {
    const result = convert(seed('004-directory.json', '004-directory-attribute-mapping.json', '004-directory-update.json'));
    expect(result.status).toBe(0);
    const docs = documents(result.out);
    const connector = docs.find((d) => d.kind === 'Connector' && d.spec.type === 'active-directory')!;
    expect(connector.spec.schedule).toEqual({ full: '0 1 * * *' });
    expect(connector.spec.connection).toMatchObject({ url: 'ldaps://ldap.acme.com:636', bindDn: 'CN=ithbat-sync,OU=ServiceAccounts,DC=acme,DC=com', bindPassword: '{{secret:corporate-ad-bind-password}}' });
    const users = docs.find((d) => d.kind === 'FlowRule' && d.metadata.name === 'corporate-ad-users')!;
    expect(users.spec.attributes).toContainEqual({ mesh: 'phone', source: 'mobile' });
    expect(users.spec.attributes).toContainEqual({ mesh: 'externalId', source: 'entryUUID' });
    expect(docs.find((d) => d.metadata.name === 'person-to-ithbat')!.spec).toMatchObject({ onRemove: 'disable' });
    const text = Object.values(files(result.out)).join('\n');
    expect(text).toContain('The admin console and the');
    expect(text).toContain('this file in Git is the connection');
    expect(result.stdout).toContain('corporate-ad-bind-password: the bind password of CN=ithbat-sync');
  });

  it('an empty syncSchedule (manual sync only) becomes schedule: { manual: true }, a connector that runs only when asked for', () => {
    const body = JSON.parse(readFileSync(join(SEEDS, '004-directory.json'), 'utf8')) as Record<string, unknown>;
    const input = join(work, 'directory-manual.json');
    writeFileSync(input, JSON.stringify({ ...body, syncSchedule: '' }));
    const result = convert([input]);
    expect(result.status, result.stderr).toBe(0);
    const connector = documents(result.out).find((d) => d.kind === 'Connector' && d.spec.type === 'active-directory')!;
    expect(connector.spec.schedule).toEqual({ manual: true });
    expect(Object.values(files(result.out)).join('\n')).toContain('imesh reconcile --connector NAME');
    expect(imesh(['validate', '--config', result.out]).status).toBe(0);
  });

  it('seed 002: the runbook\'s UserSearchFilter becomes the user type\'s Okta search, the org domain stays bare', () => {
    const result = convert(seed('002-okta-config.json', '002-okta-auth.json', '002-okta-filter-employee.json'));
    expect(result.status).toBe(0);
    const connector = documents(result.out).find((d) => d.kind === 'Connector')!;
    expect(connector.spec).toMatchObject({
      type: 'okta',
      connection: { orgUrl: 'contoso.okta.com', apiToken: '{{secret:okta-contoso-apitoken}}', pageSize: 200 },
      objectTypes: { user: { search: 'profile.userType eq "Employee"', externalIdAttribute: 'id' }, group: {}, membership: {} },
    });
    const alone = convert(seed('002-okta-filter-active.json'));
    expect(alone.status).toBe(1);
    expect(alone.stderr).toContain('applies to an Okta ConfigJson (with OrgDomain) converted with it, and there is none');
  });

  it('seed 000: SQL and AD under the documents\' names; AD\'s enabled state flows into active', () => {
    const result = convert(seed('000-sql.json', '000-active-directory.json'));
    expect(result.status).toBe(0);
    const docs = documents(result.out);
    expect(docs.find((d) => d.kind === 'Connector' && d.spec.type === 'sql')!.spec.objectTypes).toEqual({
      user: {
        importQuery: 'dbo.Employees',
        externalIdColumn: 'EmployeeId',
        watermarkColumn: 'ModifiedDateUtc',
        deltaColumnType: 'datetime',
        isActiveColumn: 'IsActive',
        columnsToLoad: ['EmployeeId', 'Email', 'DisplayName', 'Department', 'Title', 'ManagerEmail'],
      },
    });
    expect(docs.find((d) => d.metadata.name === 'corporate-ad-users')!.spec.attributes).toContainEqual({ mesh: 'active', source: 'accountEnabled' });
    expect(docs.find((d) => d.metadata.name === 'hr-database-users')!.spec.join).toEqual([
      { source: 'EmployeeId', mesh: 'employeeId' },
      { source: 'Email', mesh: 'email' },
    ]);
  });

  it('comments every field without an equivalent, and why', () => {
    const entra = convert(seed('000-entra-id.json'));
    expect(Object.values(files(entra.out)).join('\n')).toMatch(/# scopes \(User\.Read\.All, Group\.Read\.All, Directory\.Read\.All\): no equivalent\. These are application permissions/);
    const okta = convert(seed('000-okta.json'));
    const oktaText = Object.values(files(okta.out)).join('\n');
    expect(oktaText).toMatch(/# scimEndpoint \(https:\/\/company\.okta\.com\/api\/v1\/scim\/v2\): no equivalent/);
    expect(oktaText).toContain('# email: the input\'s "emails[0].value" is "email" in the okta connector');
    const runbook = convert(seed('002-okta-config.json', '002-okta-auth.json'));
    const runbookText = Object.values(files(runbook.out)).join('\n');
    expect(runbookText).toMatch(/secret-store reference secret:\/\/okta\/contoso\/apitoken \(DPAPI/);
    expect(runbookText).toContain('apiToken: "{{secret:okta-contoso-apitoken}}"');
    expect(runbookText).toContain('Admin UI and POST /api/connectors have no equivalent');
    const sql = convert(seed('000-sql.json'));
    const sqlText = Object.values(files(sql.out)).join('\n');
    expect(sqlText).toContain('kept with DPAPI');
    expect(sqlText).toContain('connectionString: "{{secret:hr-database-connection-string}}"');
  });
});

describe('imesh convert: secrets', () => {
  it('never writes a literal password: not in any file, not on stdout or stderr, not even in an error', () => {
    const result = convert(seed('004-directory.json', '004-directory-update.json'));
    expect(result.status).toBe(0);
    const everything = [result.stdout, result.stderr, ...Object.values(files(result.out))].join('\n');
    expect(everything).toContain('{{secret:corporate-ad-bind-password}}');
    for (const literal of ['s3cr3t!', 'new-password']) expect(everything).not.toContain(literal);

    // A connection string with a password is a secret, and is not shown in its comment either.
    const dir = join(work, 'inputs');
    mkdirSync(dir, { recursive: true });
    const sql = join(dir, 'sql-with-password.json');
    writeFileSync(sql, JSON.stringify({ type: 'sql', name: 'HR', config: { connectionString: 'Server=db;Database=HR;User Id=svc;Password=Pa55word-in-clear;', importQuery: 'dbo.Employees', externalIdColumn: 'EmployeeId' } }));
    const withPassword = convert([sql]);
    expect(withPassword.status).toBe(0);
    expect([withPassword.stdout, withPassword.stderr, ...Object.values(files(withPassword.out))].join('\n')).not.toContain('Pa55word-in-clear');
    expectValid(withPassword.out);

    // A file that does not parse: the error names the position, never the text around it.
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{\n  "type": "active_directory",\n  "host": "ldap.acme.com",\n  "bindPassword": "s3cr3t!" "oops"\n}\n');
    const failed = convert([broken]);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain(`${broken}: line 4`);
    expect(failed.stderr).not.toContain('s3cr3t!');
    expect(failed.stdout).toBe('');
  });
});

describe('imesh convert: errors', () => {
  it('exits 1 naming the file and the reason for an unreadable input, and writes nothing', () => {
    const missing = join(work, 'no-such-file.json');
    const result = convert([missing, ...seed('000-sql.json')]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`imesh convert: ${missing}: no such file [InputUnreadable]\n`);
    expect(existsSync(result.out)).toBe(false);

    const dir = join(work, 'shapes');
    mkdirSync(dir, { recursive: true });
    const unknown = join(dir, 'unknown.json');
    writeFileSync(unknown, JSON.stringify({ type: 'workday', name: 'HR', config: {} }));
    const shape = convert([unknown]);
    expect(shape.status).toBe(1);
    expect(shape.stderr).toContain(`${unknown}: connector type "workday" cannot be converted`);

    const neither = join(dir, 'neither.yaml');
    writeFileSync(neither, 'hello: world\n');
    expect(convert([neither]).stderr).toContain(`${neither}: not a configuration shape imesh convert knows`);

    const badMapping = join(dir, 'bad-mapping.yaml');
    writeFileSync(badMapping, 'scimGroupMappings:\n  - scimGroup: g\n    type: teamMemberRole\n    teamId: marketing\n');
    expect(convert([badMapping]).stderr).toContain(`${badMapping}: scimGroupMappings[0] (teamMemberRole) has no teamMemberRole`);

    const update = convert(seed('004-directory-update.json'));
    expect(update.status).toBe(1);
    expect(update.stderr).toContain('this update body applies to a directory connection (POST /api/v1/directories body) converted with it, and there is none');
    expect(update.stderr).not.toContain('new-password');
  });

  it('does not overwrite an existing file with other content; the same conversion again is a no-op', () => {
    const first = convert(seed('000-active-directory.json'));
    expect(first.status).toBe(0);
    expect(imesh(['convert', ...seed('000-active-directory.json'), '--out', first.out]).status).toBe(0);
    writeFileSync(join(first.out, 'mesh.yaml'), '# mine\n');
    const again = imesh(['convert', ...seed('000-active-directory.json'), '--out', first.out]);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain(`${join(first.out, 'mesh.yaml')} already exists with other content; not overwritten`);
    expect(readFileSync(join(first.out, 'mesh.yaml'), 'utf8')).toBe('# mine\n');
  });

  it('documents itself in --help and in the verb list', () => {
    const help = imesh(['convert', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: imesh convert FILE… [--out DIR]');
    expect(help.stdout).toContain('scimGroupMappings');
    expect(imesh(['--help']).stdout).toMatch(/\n {2}convert +Convert the product documents' configurations/);
    const none = imesh(['convert']);
    expect(none.status).toBe(1);
    expect(none.stderr).toContain('give at least one input FILE');
  });
});
