import { describe, expect, it } from 'vitest';
import { compileFromFiles, loadConfig } from '../../src/config/index.js';
import type { CompiledConfig } from '../../src/config/model.js';
import { APPS, APPS_PROJECTION, compileDocs, configDir, HR, HR_FLOW, MESH, problemLines } from './helpers.js';

function compiled(...documents: string[]): CompiledConfig {
  const result = compileDocs(...documents);
  expect(problemLines(result)).toEqual([]);
  if (!result.config) throw new Error('no config');
  return result.config;
}

describe('the compiled model', () => {
  it('applies the documented defaults when keys are left out', () => {
    const config = compiled(MESH, HR, APPS, HR_FLOW, APPS_PROJECTION);
    expect(config.mesh.safety).toEqual({ maxDeletes: 500, maxDeletePercent: 20, maxClears: 500, maxClearPercent: 20 });
    expect(config.mesh.reports).toEqual({ branch: 'identity-mesh/status', path: 'reports' });
    expect(config.mesh.schedule).toEqual({ intervalMs: 5 * 60_000, full: '0 2 * * 0' });
    expect(config.mesh.suspend).toBe(false);
    const rule = config.flowRules[0];
    expect(rule?.provision).toBe(true);
    expect(rule?.attributes.map((a) => a.confidence)).toEqual([100, 50]);
    const projection = config.projections[0];
    expect(projection?.onRemove).toBe('disable');
    expect(projection?.drift).toBe('enforce');
    expect(projection?.join).toEqual([]);
    const apps = config.connectors.get('apps');
    expect(apps?.spec).toMatchObject({ objectTypes: { account: { deltaColumnType: 'datetime', overlapSeconds: 5, multiValueSeparator: ';', pageSize: 1000 } } });
    expect(config.connectors.get('hr')?.spec).toMatchObject({ objectTypes: { user: { delimiter: ',', encoding: 'utf-8' } } });
  });

  it('is immutable, uses Maps, and keeps attribute order as written', () => {
    const projection = APPS_PROJECTION.replace('    email: "{{email}}"', '    "2": "{{email}}"\n    zeta: "{{firstName}}"\n    alpha: "{{lastName}}"');
    const config = compiled(MESH, HR, APPS, HR_FLOW, projection);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.projections[0])).toBe(true);
    expect(config.mesh.objectTypes).toBeInstanceOf(Map);
    expect(config.mesh.objectTypes.get('group')?.attributes.get('members')).toEqual({ name: 'members', type: 'reference', multiValued: true, to: ['person', 'group'] });
    expect(config.projections[0]?.attributes.map((a) => a.name)).toEqual(['account_id', '2', 'zeta', 'alpha']);
    expect(() => {
      (config.mesh as { name: string }).name = 'x';
    }).toThrow();
  });

  it('compiles templates, scopes with RegExp, durations, secrets and password policies', () => {
    const mesh = MESH + `  schedule: { interval: 1h30m }
  api:
    tokens: [ { name: sre, role: operator, token: "{{secret:api-sre}}" } ]
`;
    const ad = `apiVersion: identitymesh.dev/v1alpha1
kind: Connector
metadata: { name: ad }
spec:
  type: active-directory
  schedule: { interval: 30s }
  suspend: true
  connection: { url: "ldaps://dc01.example.com", bindDn: "CN=svc", bindPassword: "{{secret:ad-password}}", baseDn: "DC=example,DC=com" }
  objectTypes:
    user: { searchBase: "OU=Users,DC=example,DC=com", filter: "(objectClass=user)" }
`;
    const projection = `apiVersion: identitymesh.dev/v1alpha1
kind: Projection
metadata: { name: person-to-ad }
spec:
  meshType: person
  target: { connector: ad, objectType: user }
  scope:
    all:
      - { attribute: employeeId, present: true }
      - any: [ { attribute: department, matches: "^(IT|R&D)$" }, { attribute: department, in: [Sales] }, { attribute: active, equals: true } ]
  container: "OU={{department}},DC=example,DC=com"
  rdn: "CN={{firstName}} {{lastName}}"
  attributes: { sAMAccountName: "{{employeeId | lower}}" }
  password: { initial: "{{secret:initial-pw}}" }
  drift: report
`;
    const config = compiled(mesh, HR, HR_FLOW, ad, projection);
    expect(config.mesh.schedule.intervalMs).toBe(90 * 60_000);
    expect(config.mesh.api?.tokens).toEqual([{ name: 'sre', role: 'operator', token: { secret: 'api-sre' } }]);
    expect(config.connectors.get('ad')).toMatchObject({ type: 'active-directory', schedule: { intervalMs: 30_000 }, suspend: true, objectTypes: ['user'] });
    expect(config.connectors.get('ad')?.spec).toMatchObject({ connection: { bindPassword: '{{secret:ad-password}}', pageSize: 500, timeout: '30s' } });
    const p = config.projections[0];
    expect(p?.onRemove).toBe('disable');
    expect(p?.drift).toBe('report');
    expect(p?.password).toEqual({ initial: { secret: 'initial-pw' }, generate: false, length: 20 });
    expect(p?.rdn?.render((n) => ({ firstName: 'Ada', lastName: 'L' })[n])).toEqual({ ok: true, value: 'CN=Ada L' });
    const scope = p?.scope;
    expect(scope && 'all' in scope && scope.all[1] && 'any' in scope.all[1] && scope.all[1].any[0]).toMatchObject({ attribute: 'department' });
    const matches = scope && 'all' in scope && scope.all[1] && 'any' in scope.all[1] ? scope.all[1].any[0] : undefined;
    expect(matches && 'matches' in matches && matches.matches.test('R&D')).toBe(true);
  });

  it('compiles memberships, role mappings and forEach', () => {
    const okta = `apiVersion: identitymesh.dev/v1alpha1
kind: Connector
metadata: { name: okta }
spec:
  type: okta
  connection: { orgUrl: "https://contoso.okta.com", apiToken: "{{secret:okta-token}}" }
  objectTypes: { user: {}, group: {}, membership: {} }
`;
    const membership = `apiVersion: identitymesh.dev/v1alpha1
kind: FlowRule
metadata: { name: okta-memberships }
spec:
  source: { connector: okta, objectType: membership }
  meshType: group
  membership: { group: groupId, member: memberId, attribute: members, confidence: 60 }
`;
    const roles = `apiVersion: identitymesh.dev/v1alpha1
kind: FlowRule
metadata: { name: okta-roles }
spec:
  source: { connector: okta, objectType: group }
  meshType: person
  roleMappings:
    - { group: dmm_owners, role: organizationOwner }
    - { group: dmm_marketing_owners, role: "team:marketing:Owner" }
  attribute: roles
  confidence: 70
`;
    const forEach = `apiVersion: identitymesh.dev/v1alpha1
kind: Projection
metadata: { name: roles-to-apps }
spec:
  meshType: person
  target: { connector: apps, objectType: account }
  forEach: roles
  attributes: { account_id: "{{employeeId}}:{{item}}" }
  onRemove: delete
`;
    const config = compiled(MESH, HR, APPS, okta, HR_FLOW, membership, roles, forEach);
    expect(config.flowRules.find((r) => r.name === 'okta-memberships')?.membership).toEqual({ group: 'groupId', member: 'memberId', attribute: 'members', confidence: 60 });
    expect(config.flowRules.find((r) => r.name === 'okta-roles')?.roleMappings).toEqual({
      mappings: [
        { group: 'dmm_owners', role: 'organizationOwner' },
        { group: 'dmm_marketing_owners', role: 'team:marketing:Owner' },
      ],
      attribute: 'roles',
      confidence: 70,
    });
    const projection = config.projections[0];
    expect(projection?.forEach).toBe('roles');
    expect(projection?.attributes[0]?.template.attributes).toEqual(['employeeId', 'item']);
  });

  it('gives the same content hash for the same files, whatever their order, and a new one for any edit', () => {
    const a = { path: 'a.yaml', content: MESH };
    const b = { path: 'b.yaml', content: [HR, APPS, HR_FLOW, APPS_PROJECTION].join('\n---\n') };
    const one = compileFromFiles(configDir, [a, b]).config?.contentHash;
    const two = compileFromFiles(configDir, [b, a]).config?.contentHash;
    const three = compileFromFiles(configDir, [a, { ...b, content: b.content + '\n# edited\n' }]).config?.contentHash;
    expect(one).toMatch(/^[0-9a-f]{64}$/);
    expect(two).toBe(one);
    expect(three).not.toBe(one);
  });

  it('compiles the store copy of a revision exactly as the files on disk', async () => {
    const fromDisk = await loadConfig('samples/ad-hr-sql');
    expect(fromDisk.problems).toEqual([]);
    expect(fromDisk.files.map((f) => f.path)).toEqual(['connectors.yaml', 'flows.yaml', 'mesh.yaml', 'projections.yaml']);
    const fromStore = compileFromFiles(fromDisk.config?.configPath ?? '', fromDisk.files);
    expect(fromStore.config?.contentHash).toBe(fromDisk.config?.contentHash);
    expect(fromStore.config?.projections.map((p) => p.name)).toEqual(['person-to-ad']);
  });
});

describe('connector models', () => {
  it('carry the spec as written, typed by their connector type', () => {
    const config = compileDocs(MESH, HR, APPS, HR_FLOW, APPS_PROJECTION).config;
    const apps = config?.connectors.get('apps');
    expect(apps?.type).toBe('sql');
    expect(apps?.spec.type).toBe('sql');
    // `type` narrows `spec` to the sql schema's type (a compile-time property; the values are the YAML's).
    if (apps?.type !== 'sql') throw new Error('apps is not a sql connector');
    expect(apps.spec.connection.driver).toBe('embedded');
    expect(apps.spec.objectTypes.account?.externalIdColumn).toBe('account_id');
  });
});
