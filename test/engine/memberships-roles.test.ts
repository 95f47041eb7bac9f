import { afterEach, describe, expect, it } from 'vitest';
import { explain } from '../../src/engine/explain.js';
import { memoryConnector, MemorySystem } from '../fixtures/memory-connector.js';
import { configText, mesh, oktaConnector, oktaFlowRules, pushedUsers, references, roleMappings, scimInboundConnector, teamMembers } from '../fixtures/config-yaml.js';
import { csvConnector, harness, type Harness } from './harness.js';

const MESH = mesh(
  {
    person: { employeeId: 'string', email: 'string', roles: 'string[]' },
    group: { oktaGroupId: 'string', name: 'string', members: references('person', 'group') },
  },
  { safety: { maxDeletes: 50, maxDeletePercent: 100 } },
);

const OKTA = [oktaConnector('okta', 'https://contoso.okta.com'), ...oktaFlowRules({ confidence: 60 })];

const PUSH = [
  scimInboundConnector(),
  pushedUsers('push-users', { employeeId: ['externalId', 100], email: ['userName', 70] }),
  roleMappings(
    'push-roles',
    'entra-push/group',
    [
      { group: 'dmm_owners', role: 'organizationOwner' },
      { group: 'dmm_marketing_owners', role: 'team:marketing:Owner' },
      { group: 'dmm_data_stewards', role: 'team:marketing:Steward' },
      { group: 'dmm_data_stewards', role: 'team:sales:Steward' },
    ],
    { confidence: 70 },
  ),
  teamMembers(),
];

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function meshId(type: string, key: string): Promise<string> {
  return (await explain(h!.db, h!.config, type, key)).id;
}

describe('membership flow rules', () => {
  it('add and remove group members from membership objects, with provenance, on delta and full cycles', async () => {
    const okta = new MemorySystem('key', 'id');
    okta.put('user', 'u1', { employeeNumber: 'E1', email: 'ada@example.com' });
    okta.put('user', 'u2', { employeeNumber: 'E2', email: 'bob@example.com' });
    okta.put('group', 'g1', { id: 'g1', name: 'Engineering' });
    okta.put('membership', 'g1:u1', { groupId: 'g1', memberId: 'u1', memberType: 'User' });
    okta.put('membership', 'g1:u2', { groupId: 'g1', memberId: 'u2', memberType: 'User' });
    okta.put('group', 'g2', { id: 'g2', name: 'Nested' });
    okta.put('membership', 'g2:g1', { groupId: 'g2', memberId: 'g1', memberType: 'Group' });
    h = await harness(configText(MESH, ...OKTA), { okta: memoryConnector(okta) });

    expect((await h.cycle()).result).toBe('succeeded');
    const [ada, bob] = [await meshId('person', 'E1'), await meshId('person', 'E2')];
    let group = await explain(h.db, h.config, 'group', 'g1', 'members');
    expect(group.attributes[0]?.value).toEqual([ada, bob].sort());
    expect(group.attributes[0]?.winner).toMatchObject({ rule: 'okta-memberships', connector: 'okta', externalId: 'g1', confidence: 60 });

    okta.remove('membership', 'g1:u2');
    const delta = await h.cycle();
    expect(delta.syncs.find((s) => s.rule === 'okta-memberships')).toMatchObject({ processed: 0, recomputed: 0 });
    // The in-memory delta does not report removals; a full cycle sweeps the membership object.
    await h.cycle({ full: true });
    group = await explain(h.db, h.config, 'group', 'g1', 'members');
    expect(group.attributes[0]?.value).toEqual([ada]);

    // A membership that arrives by delta is added without a full cycle.
    okta.put('membership', 'g1:u2', { groupId: 'g1', memberId: 'u2', memberType: 'User' });
    const added = await h.cycle();
    expect(added.syncs.find((s) => s.rule === 'okta-memberships')).toMatchObject({ processed: 1, recomputed: 1 });
    group = await explain(h.db, h.config, 'group', 'g1', 'members');
    expect(group.attributes[0]?.value).toEqual([ada, bob].sort());

    // A deleted membership object (tombstone, as a delta import reports it) removes the member.
    okta.put('membership', 'g1:u1', { groupId: 'g1', memberId: 'u1', memberType: 'User' });
    okta.table('membership').get('g1:u1')!.object = { externalId: 'g1:u1', attributes: { groupId: 'g1', memberId: 'u1' }, deleted: true };
    await h.cycle();
    group = await explain(h.db, h.config, 'group', 'g1', 'members');
    expect(group.attributes[0]?.value).toEqual([bob]);

    okta.remove('membership', 'g1:u1');
    okta.remove('membership', 'g1:u2');
    await h.cycle({ full: true });
    await expect(explain(h.db, h.config, 'group', 'g1', 'members')).rejects.toThrow(/no value for "members"/);
    // A group can be a member (nested groups resolve through the group's own link).
    expect((await explain(h.db, h.config, 'group', 'g2', 'members')).attributes[0]?.value).toEqual([await meshId('group', 'g1')]);
  });
});

describe('role mapping flow rules', () => {
  it('give group members the mapped roles, project one team_members row per role, and revoke on removal', async () => {
    const push = new MemorySystem('key', 'id');
    const teams = new MemorySystem('key', 'member_id');
    push.put('user', 'id-1', { userName: 'ada@contoso.com', externalId: 'E1' });
    push.put('user', 'id-2', { userName: 'bob@contoso.com', externalId: 'E2' });
    push.put('group', 'grp-1', { displayName: 'dmm_owners', members: ['id-1'] });
    push.put('group', 'grp-2', { displayName: 'dmm_data_stewards', members: ['id-1', 'id-2'] });
    push.put('group', 'grp-3', { displayName: 'unmapped', members: ['id-2'] });
    const yaml = configText(MESH, ...PUSH) + csvConnector('teams', 'member', 'member_id');
    h = await harness(yaml, { 'entra-push': memoryConnector(push), teams: memoryConnector(teams, { canDisable: false }) });

    expect((await h.cycle()).result).toBe('succeeded');
    const ada = await explain(h.db, h.config, 'person', 'E1', 'roles');
    expect(ada.attributes[0]?.value).toEqual(['organizationOwner', 'team:marketing:Steward', 'team:sales:Steward']);
    expect(ada.attributes[0]?.winner).toMatchObject({ rule: 'push-roles', connector: 'entra-push', confidence: 70 });
    expect(ada.attributes[0]?.winner.via).toEqual([
      'entra-push/group/grp-1 "dmm_owners" → organizationOwner',
      'entra-push/group/grp-2 "dmm_data_stewards" → team:marketing:Steward',
      'entra-push/group/grp-2 "dmm_data_stewards" → team:sales:Steward',
    ]);
    expect(teams.rows('member').map((r) => r.externalId).sort()).toEqual([
      'E1:organizationOwner',
      'E1:team:marketing:Steward',
      'E1:team:sales:Steward',
      'E2:team:marketing:Steward',
      'E2:team:sales:Steward',
    ]);
    expect(teams.get('member', 'E2:team:sales:Steward')?.attributes).toMatchObject({ email: 'bob@contoso.com', role: 'team:sales:Steward' });

    // Removing a member from a group revokes the role (delta cycle), and its team row goes.
    push.put('group', 'grp-2', { displayName: 'dmm_data_stewards', members: ['id-1'] });
    await h.cycle();
    await expect(explain(h.db, h.config, 'person', 'E2', 'roles')).rejects.toThrow(/no value for "roles"/);
    expect(teams.rows('member').map((r) => r.externalId).sort()).toEqual(['E1:organizationOwner', 'E1:team:marketing:Steward', 'E1:team:sales:Steward']);

    // A new member by delta gets the role; a renamed (unmapped) group revokes its roles.
    push.put('group', 'grp-1', { displayName: 'dmm_owners', members: ['id-1', 'id-2'] });
    push.put('group', 'grp-2', { displayName: 'former_stewards', members: ['id-1'] });
    await h.cycle();
    expect((await explain(h.db, h.config, 'person', 'E1', 'roles')).attributes[0]?.value).toEqual(['organizationOwner']);
    expect((await explain(h.db, h.config, 'person', 'E2', 'roles')).attributes[0]?.value).toEqual(['organizationOwner']);

    // Deleting the group revokes its roles; a full cycle changes nothing more.
    push.remove('group', 'grp-1');
    await h.cycle({ full: true });
    await expect(explain(h.db, h.config, 'person', 'E1', 'roles')).rejects.toThrow(/no value for "roles"/);
    expect(teams.rows('member')).toEqual([]);
    const again = await h.cycle({ full: true, plan: true });
    expect(again.plans.reduce((n, p) => n + p.changes.size, 0)).toBe(0);
  });
});

