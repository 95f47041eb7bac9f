/**
 * The YAML shape of structured roles (issue 13): `role: { type, teamId, teamMemberRole }` in roleMappings,
 * `{{item.FIELD}}` only where there is an item, and `{ forEach, fields }` target attributes.
 */
import { describe, expect, it } from 'vitest';
import { decodeStructured, encodeStructured, structuredField } from '../../src/config/structured-value.js';
import { APPS, compileDocs, edit, HR, HR_FLOW, MESH, problemLines } from './helpers.js';

const ROLES = `apiVersion: identitymesh.dev/v1alpha1
kind: FlowRule
metadata: { name: roles }
spec:
  source: { connector: hr, objectType: user }
  meshType: person
  roleMappings:
    - { group: dmm_owners, role: { type: organizationOwner } }
    - { group: dmm_marketing_owners, role: { type: teamMemberRole, teamId: marketing, teamMemberRole: Owner } }
    - { group: auditors, role: auditor }
  attribute: roles
`;

const TEAM_ROWS = `apiVersion: identitymesh.dev/v1alpha1
kind: Projection
metadata: { name: team-rows }
spec:
  meshType: person
  target: { connector: apps, objectType: account }
  forEach: roles
  attributes:
    account_id: "{{employeeId}}:{{item}}"
    team_id: "{{item.teamId | default:\\"\\"}}"
  onRemove: delete
`;

describe('structured roles in the config', () => {
  it('compile to canonical values beside string roles', () => {
    const result = compileDocs(MESH, HR, APPS, HR_FLOW, ROLES, TEAM_ROWS);
    expect(problemLines(result)).toEqual([]);
    const rule = result.config!.flowRules.find((r) => r.name === 'roles')!;
    expect(rule.roleMappings!.mappings.map((m) => m.role)).toEqual([
      '{"type":"organizationOwner"}',
      '{"teamId":"marketing","teamMemberRole":"Owner","type":"teamMemberRole"}',
      'auditor',
    ]);
    expect(decodeStructured(rule.roleMappings!.mappings[1]!.role)).toEqual({ type: 'teamMemberRole', teamId: 'marketing', teamMemberRole: 'Owner' });
    expect(decodeStructured('auditor')).toBeUndefined();
    expect(decodeStructured('{"b":"1","a":"2"}')).toBeUndefined(); // not canonical: plain text that looks like JSON
    expect(structuredField(encodeStructured({ teamId: 'sales', type: 't', empty: '' }), 'teamId')).toBe('sales');
    expect(encodeStructured({ z: 'x', a: '', m: 1 })).toBe('{"m":"1","z":"x"}');
  });

  it("accept seed 003's scimGroupMappings entries as the document writes them, the same as { group, role }", () => {
    const seedForm = edit(
      ROLES,
      `    - { group: dmm_owners, role: { type: organizationOwner } }
    - { group: dmm_marketing_owners, role: { type: teamMemberRole, teamId: marketing, teamMemberRole: Owner } }`,
      `    - scimGroup: dmm_owners
      type: organizationOwner
    - scimGroup: dmm_marketing_owners
      type: teamMemberRole
      teamId: marketing
      teamMemberRole: Owner`,
    );
    const seed = compileDocs(MESH, HR, APPS, HR_FLOW, seedForm);
    expect(problemLines(seed)).toEqual([]);
    const ours = compileDocs(MESH, HR, APPS, HR_FLOW, ROLES);
    expect(seed.config!.flowRules.find((r) => r.name === 'roles')!.roleMappings).toEqual(ours.config!.flowRules.find((r) => r.name === 'roles')!.roleMappings);

    const mixed = (from: string, to: string): string => problemLines(compileDocs(MESH, HR, APPS, HR_FLOW, edit(seedForm, from, to))).join('\n');
    expect(mixed('    - scimGroup: dmm_owners\n      type: organizationOwner', '    - scimGroup: dmm_owners\n      group: dmm_owners\n      type: organizationOwner')).toContain('roleMappings[0] has both group and scimGroup; give one of them');
    expect(mixed('      type: organizationOwner', '      type: organizationOwner\n      role: owner')).toContain('roleMappings[0] has both role and type');
    expect(mixed('      teamMemberRole: Owner', '      teamMemberRoles: Owner')).toMatch(/unknown key "teamMemberRoles"[^\n]*did you mean "teamMemberRole"/);
    expect(mixed('      teamId: marketing\n', '')).toContain('roleMappings[1] is a teamMemberRole mapping, so it needs teamId');
    expect(mixed('    - scimGroup: dmm_owners\n      type: organizationOwner', '    - scimGroup: dmm_owners')).toContain('roleMappings[0] needs role (a string or { type, teamId, teamMemberRole }) or the SCIM guide\'s type');
    expect(mixed('    - scimGroup: dmm_owners\n', '    - teamId: x\n')).toContain('roleMappings[0] needs group (or scimGroup, as the SCIM guide writes it)');
  });

  it('refuse an empty role, a non-string field, and {{item.FIELD}} where there is no item', () => {
    const empty = compileDocs(MESH, HR, APPS, HR_FLOW, edit(ROLES, 'role: { type: organizationOwner }', 'role: {}'));
    expect(problemLines(empty).join('\n')).toMatch(/config\.yaml:\d+:\d+: .*roleMappings\[0\]\.role/);
    const nested = compileDocs(MESH, HR, APPS, HR_FLOW, edit(ROLES, 'role: { type: organizationOwner }', 'role: { type: { a: b } }'));
    expect(nested.problems.length).toBeGreaterThan(0);
    const noItem = compileDocs(MESH, HR, APPS, HR_FLOW, ROLES, edit(edit(TEAM_ROWS, '  forEach: roles\n', ''), '{{employeeId}}:{{item}}', '{{employeeId}}'));
    expect(problemLines(noItem).join('\n')).toContain('names unknown attribute "item.teamId" of mesh type "person"');
  });

  it('check { forEach, fields } attributes: a multi-valued attribute, known names, not inside spec.forEach', () => {
    const scim = `apiVersion: identitymesh.dev/v1alpha1
kind: Connector
metadata: { name: app }
spec:
  type: scim
  connection: { baseUrl: "https://app.example.com/scim/v2", bearerToken: "{{secret:app-token}}" }
  objectTypes: { user: { resource: User } }
---
apiVersion: identitymesh.dev/v1alpha1
kind: Projection
metadata: { name: to-app }
spec:
  meshType: person
  target: { connector: app, objectType: user }
  attributes:
    userName: "{{email}}"
    roles:
      forEach: roles
      fields: { value: "{{item.teamId}}", type: "{{item.type}}", display: "{{department}}" }
`;
    expect(problemLines(compileDocs(MESH, HR, HR_FLOW, ROLES, scim))).toEqual([]);
    const config = compileDocs(MESH, HR, HR_FLOW, ROLES, scim).config!;
    expect(config.projections[0]!.attributes.find((a) => a.name === 'roles')!.structured!.fields.map((f) => f.name)).toEqual(['value', 'type', 'display']);
    const single = problemLines(compileDocs(MESH, HR, HR_FLOW, ROLES, edit(scim, 'forEach: roles', 'forEach: email')));
    expect(single.join('\n')).toContain('attributes.roles.forEach "email" must name a multi-valued attribute of mesh type "person" that is not a reference');
    const unknown = problemLines(compileDocs(MESH, HR, HR_FLOW, ROLES, edit(scim, '{{department}}', '{{departmnet}}')));
    expect(unknown.join('\n')).toContain('names unknown attribute "departmnet"');
    const inside = problemLines(compileDocs(MESH, HR, HR_FLOW, ROLES, edit(scim, '  attributes:\n    userName', '  forEach: roles\n  attributes:\n    userName')));
    expect(inside.join('\n')).toContain('attributes.roles has its own forEach; it cannot be used in a projection with spec.forEach');
  });
});
