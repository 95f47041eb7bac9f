/**
 * Structured role mappings (seed 003's `scimGroupMappings`): a group's members get roles with named
 * fields (`type`, `teamId`, `teamMemberRole`), rendered by real targets — a PostgreSQL role table through
 * `forEach` with one column per field, and SCIM `roles` entries (`value`/`type`/`display`) on SCIMMY —
 * revoked when the member leaves the group, and explained with their provenance. (The string form of a
 * role is memberships-roles.test.ts.)
 */
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectorFactory } from '../../src/connectors/registry.js';
import type { IdentityConnector } from '../../src/connectors/sdk.js';
import { decodeStructured, encodeStructured } from '../../src/config/structured-value.js';
import { explain } from '../../src/engine/explain.js';
import { logger } from '../../src/shared/logger.js';
import { ScimmyServer } from '../connectors/scim/scimmy-server.js';
import { testSecrets } from '../emulators/test-support.js';
import { memoryConnector, MemorySystem } from '../fixtures/memory-connector.js';
import { dropSchemas, uniqueSchema, withClient } from '../integration/e2e-support.js';
import { configText, mesh, projection, pushedUsers, roleMappings, scimConnector, scimInboundConnector, sqlConnector } from '../fixtures/config-yaml.js';
import { compile, harness, type Harness } from './harness.js';

const pgUrl = inject('pgUrl');
const schema = uniqueSchema('structured_roles');
let scim: ScimmyServer;
let h: Harness | undefined;
const open: IdentityConnector[] = [];

const yaml = (scimUrl: string): string =>
  configText(
    mesh({ person: { employeeId: 'string', email: 'string', roles: 'string[]' } }, { safety: { maxDeletes: 50, maxDeletePercent: 100, maxClearPercent: 100 } }),
    scimInboundConnector(),
    sqlConnector('dmm-db', 'postgres', 'dmm-db-url', { teamRole: { table: `${schema}.team_roles`, externalIdColumn: 'role_key' } }),
    scimConnector('dmm', scimUrl, 'dmm-scim-token', { user: { resource: 'User' } }),
    pushedUsers('push-users', { employeeId: ['externalId', 100], email: ['userName', 70] }),
    roleMappings(
      'push-roles',
      'entra-push/group',
      [
        { group: 'dmm_owners', role: { type: 'organizationOwner' } },
        { group: 'dmm_marketing_owners', role: { type: 'teamMemberRole', teamId: 'marketing', teamMemberRole: 'Owner' } },
        { group: 'dmm_data_stewards', role: { type: 'teamMemberRole', teamId: 'marketing', teamMemberRole: 'Steward' } },
        { group: 'dmm_data_stewards', role: { type: 'teamMemberRole', teamId: 'sales', teamMemberRole: 'Steward' } },
      ],
      { confidence: 70 },
    ),
    projection('team-roles', {
      target: 'dmm-db/teamRole',
      before: { forEach: 'roles' },
      attributes: {
        role_key: '{{employeeId}}:{{item.type}}:{{item.teamId | default:"-"}}:{{item.teamMemberRole | default:"-"}}',
        email: '{{email}}',
        role_type: '{{item.type}}',
        team_id: '{{item.teamId | default:""}}',
        team_member_role: '{{item.teamMemberRole | default:""}}',
      },
      after: { onRemove: 'delete' },
    }),
    projection('dmm-users', {
      target: 'dmm/user',
      before: { join: [{ target: 'userName', mesh: 'email' }] },
      attributes: {
        userName: '{{email}}',
        externalId: '{{employeeId}}',
        roles: {
          forEach: 'roles',
          fields: {
            value: '{{item.teamId | default:"organization"}}:{{item.teamMemberRole | default:"Owner"}}',
            type: '{{item.type}}',
            display: '{{item.teamMemberRole}} of {{item.teamId}}',
          },
        },
      },
      after: { onRemove: 'keep' },
    }),
  );

beforeAll(async () => {
  scim = await new ScimmyServer().start();
  await withClient(pgUrl, async (client) => {
    await client.query(`CREATE SCHEMA "${schema}"`);
    await client.query(`CREATE TABLE "${schema}".team_roles (role_key text PRIMARY KEY, email text, role_type text, team_id text, team_member_role text)`);
  });
});
afterEach(async () => {
  for (const c of open.splice(0)) await c.close?.();
  await h?.close();
  h = undefined;
});
afterAll(async () => {
  await scim.close();
  await dropSchemas(pgUrl, [schema]);
});

async function tableRows(): Promise<Record<string, string>[]> {
  return withClient(pgUrl, async (client) => (await client.query<Record<string, string>>(`SELECT * FROM "${schema}".team_roles ORDER BY role_key`)).rows);
}

function scimRoles(userName: string): unknown[] {
  const user = [...scim.users.values()].find((u) => u.userName === userName);
  return ((user?.roles as Record<string, unknown>[] | undefined) ?? []).map((r) => ({ value: r.value, type: r.type, display: r.display })).sort((a, b) => String(a.value).localeCompare(String(b.value)));
}

/** The harness spreads connectors into a plain object: give it the class's methods as own, bound properties. */
function ownMethods(connector: IdentityConnector): IdentityConnector {
  const out: Record<string, unknown> = { ...connector };
  for (let proto = Object.getPrototypeOf(connector) as object | null; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const value = (connector as unknown as Record<string, unknown>)[name];
      if (name !== 'constructor' && typeof value === 'function' && !(name in out)) out[name] = value.bind(connector);
    }
  }
  return out as unknown as IdentityConnector;
}

const TEAM = (teamId: string, teamMemberRole: string): string => encodeStructured({ type: 'teamMemberRole', teamId, teamMemberRole });
const OWNER = encodeStructured({ type: 'organizationOwner' });

describe('structured role mappings', () => {
  it('give group members roles with named fields, written to a SQL role table and SCIM roles, revoked on removal, explained', async () => {
    const text = yaml(scim.url);
    const config = await compile(text);
    const secrets = testSecrets({ 'dmm-db-url': pgUrl, 'dmm-scim-token': scim.token, 'entra-push-token': 'unused' });
    const real = async (name: string): Promise<IdentityConnector> => {
      const model = config.connectors.get(name)!;
      const connector = await connectorFactory(model.type)({ model, configPath: '/tmp', workDir: '/tmp', secrets, log: logger().child({ connector: name }) });
      open.push(connector);
      return ownMethods(connector);
    };
    const push = new MemorySystem('key', 'id');
    push.put('user', 'id-1', { userName: 'ada@contoso.com', externalId: 'E1' });
    push.put('user', 'id-2', { userName: 'bob@contoso.com', externalId: 'E2' });
    push.put('group', 'grp-1', { displayName: 'dmm_owners', members: ['id-1'] });
    push.put('group', 'grp-2', { displayName: 'dmm_data_stewards', members: ['id-1', 'id-2'] });
    push.put('group', 'grp-3', { displayName: 'dmm_marketing_owners', members: ['id-2'] });
    h = await harness(text, { 'entra-push': memoryConnector(push), 'dmm-db': await real('dmm-db'), dmm: await real('dmm') });

    expect((await h.cycle()).result).toBe('succeeded');

    // The mesh holds one structured value per role, beside the string form; explain shows where each came from.
    const ada = await explain(h.db, h.config, 'person', 'E1', 'roles');
    expect(ada.attributes[0]?.value).toEqual([OWNER, TEAM('marketing', 'Steward'), TEAM('sales', 'Steward')].sort());
    expect(decodeStructured(TEAM('sales', 'Steward'))).toEqual({ type: 'teamMemberRole', teamId: 'sales', teamMemberRole: 'Steward' });
    expect(ada.attributes[0]?.winner).toMatchObject({ rule: 'push-roles', connector: 'entra-push', confidence: 70 });
    expect(ada.attributes[0]?.winner.via).toEqual([
      `entra-push/group/grp-1 "dmm_owners" → ${OWNER}`,
      `entra-push/group/grp-2 "dmm_data_stewards" → ${TEAM('marketing', 'Steward')}`,
      `entra-push/group/grp-2 "dmm_data_stewards" → ${TEAM('sales', 'Steward')}`,
    ]);
    expect((await explain(h.db, h.config, 'person', 'E2', 'roles')).attributes[0]?.value).toEqual([TEAM('marketing', 'Owner'), TEAM('marketing', 'Steward'), TEAM('sales', 'Steward')].sort());

    // PostgreSQL: one row per role, one column per field.
    expect(await tableRows()).toEqual([
      { role_key: 'E1:organizationOwner:-:-', email: 'ada@contoso.com', role_type: 'organizationOwner', team_id: '', team_member_role: '' },
      { role_key: 'E1:teamMemberRole:marketing:Steward', email: 'ada@contoso.com', role_type: 'teamMemberRole', team_id: 'marketing', team_member_role: 'Steward' },
      { role_key: 'E1:teamMemberRole:sales:Steward', email: 'ada@contoso.com', role_type: 'teamMemberRole', team_id: 'sales', team_member_role: 'Steward' },
      { role_key: 'E2:teamMemberRole:marketing:Owner', email: 'bob@contoso.com', role_type: 'teamMemberRole', team_id: 'marketing', team_member_role: 'Owner' },
      { role_key: 'E2:teamMemberRole:marketing:Steward', email: 'bob@contoso.com', role_type: 'teamMemberRole', team_id: 'marketing', team_member_role: 'Steward' },
      { role_key: 'E2:teamMemberRole:sales:Steward', email: 'bob@contoso.com', role_type: 'teamMemberRole', team_id: 'sales', team_member_role: 'Steward' },
    ]);
    // SCIM: roles entries with value, type and display (a field reading a missing role field is left out).
    expect(scimRoles('ada@contoso.com')).toEqual([
      { value: 'marketing:Steward', type: 'teamMemberRole', display: 'Steward of marketing' },
      { value: 'organization:Owner', type: 'organizationOwner', display: undefined },
      { value: 'sales:Steward', type: 'teamMemberRole', display: 'Steward of sales' },
    ]);
    expect(scimRoles('bob@contoso.com')).toEqual([
      { value: 'marketing:Owner', type: 'teamMemberRole', display: 'Owner of marketing' },
      { value: 'marketing:Steward', type: 'teamMemberRole', display: 'Steward of marketing' },
      { value: 'sales:Steward', type: 'teamMemberRole', display: 'Steward of sales' },
    ]);

    // Converged: reading the targets back proposes nothing.
    const again = await h.cycle({ full: true, plan: true });
    expect(again.plans.reduce((n, p) => n + p.changes.size, 0)).toBe(0);

    // Removing Bob from the stewards revokes both team roles: the rows go, the SCIM entries go.
    push.put('group', 'grp-2', { displayName: 'dmm_data_stewards', members: ['id-1'] });
    expect((await h.cycle()).result).toBe('succeeded');
    expect((await explain(h.db, h.config, 'person', 'E2', 'roles')).attributes[0]?.value).toEqual([TEAM('marketing', 'Owner')]);
    expect((await tableRows()).map((r) => r.role_key)).toEqual([
      'E1:organizationOwner:-:-',
      'E1:teamMemberRole:marketing:Steward',
      'E1:teamMemberRole:sales:Steward',
      'E2:teamMemberRole:marketing:Owner',
    ]);
    expect(scimRoles('bob@contoso.com')).toEqual([{ value: 'marketing:Owner', type: 'teamMemberRole', display: 'Owner of marketing' }]);
    expect(scimRoles('ada@contoso.com')).toHaveLength(3);

    // A new member by delta gets the structured role; deleting a group revokes it everywhere.
    push.put('group', 'grp-1', { displayName: 'dmm_owners', members: ['id-1', 'id-2'] });
    await h.cycle();
    expect(scimRoles('bob@contoso.com')).toContainEqual({ value: 'organization:Owner', type: 'organizationOwner', display: undefined });
    push.remove('group', 'grp-1');
    push.remove('group', 'grp-3');
    await h.cycle({ full: true });
    await expect(explain(h.db, h.config, 'person', 'E2', 'roles')).rejects.toThrow(/no value for "roles"/);
    expect((await tableRows()).filter((r) => String(r.role_key).startsWith('E2:'))).toEqual([]);
    expect(scimRoles('bob@contoso.com')).toEqual([]);
    const settled = await h.cycle({ full: true, plan: true });
    expect(settled.plans.reduce((n, p) => n + p.changes.size, 0)).toBe(0);
  }, 600_000);
});

