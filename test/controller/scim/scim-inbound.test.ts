/**
 * The scim-inbound endpoint, driven by the request sequence Microsoft Entra ID's provisioning service
 * sends (its SCIM guide's examples: create user, PATCH attributes, PATCH active "False", create group,
 * add/remove members with value arrays, the membership check filter, delete user), mounted on the
 * controller's node:http server; pushed objects then flow through a real cycle (join, confidence,
 * roleMappings, forEach projection to a csv `team_members` target) with the store-backed inbox.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorOpener } from '../../../src/cli/runtime.js';
import { envSecretResolver } from '../../../src/config/secrets.js';
import type { CompiledConfig } from '../../../src/config/model.js';
import { createHttpServer, type ControllerHttpServer } from '../../../src/controller/http-server.js';
import { ScimInbox } from '../../../src/controller/scim/inbox.js';
import { mountScimEndpoints, type ScimEndpoint } from '../../../src/controller/scim/scim-endpoint.js';
import { runCycle, type CycleResult } from '../../../src/engine/cycle.js';
import { explain } from '../../../src/engine/explain.js';
import { logger } from '../../../src/shared/logger.js';
import type { Db } from '../../../src/store/db.js';
import { openTestStore } from '../../engine/test-store.js';
import { compile } from '../../engine/harness.js';
import { configText, csvConnector, HR_PERSON, mesh, pick, projection, pushedUsers, roleMappings, scimInboundConnector, teamMembers } from '../../fixtures/config-yaml.js';

const TOKEN = 'entra-secret-token-0123456789';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

function yaml(out: string): string {
  return configText(
    mesh(
      { person: { ...pick(HR_PERSON, 'employeeId', 'email', 'displayName', 'lastName', 'department', 'active'), roles: 'string[]' } },
      { safety: { maxDeletes: 10, maxDeletePercent: 100 } },
    ),
    scimInboundConnector(),
    csvConnector('people', { account: { file: join(out, 'people.csv'), externalIdColumn: 'employee_id', isActiveColumn: 'is_active' } }),
    csvConnector('teams', { member: { file: join(out, 'team_members.csv'), externalIdColumn: 'member_id' } }),
    pushedUsers('entra-users', {
      employeeId: ['externalId', 100],
      email: ['emails[type eq "work"].value', 70],
      displayName: ['displayName', 70],
      lastName: ['name.familyName', 70],
      department: [`${ENTERPRISE}:department`, 70],
      active: ['active', 100],
    }),
    roleMappings(
      'entra-group-roles',
      'entra-push/group',
      [
        { group: 'dmm_owners', role: 'organizationOwner' },
        { group: 'dmm_marketing_owners', role: 'team:marketing:Owner' },
      ],
      { confidence: 80 },
    ),
    projection('person-to-people', {
      target: 'people/account',
      attributes: { employee_id: '{{employeeId}}', email: '{{email}}' },
      after: { enabled: '{{active}}', onRemove: 'disable' },
    }),
    teamMembers(),
  );
}

let dir: string;
let db: Db;
let config: CompiledConfig;
let inbox: ScimInbox;
let http: ControllerHttpServer;
let endpoint: ScimEndpoint;
let base: string;
const cycleRequests: string[] = [];

beforeAll(async () => {
  process.env.IMESH_SECRET_ENTRA_PUSH_TOKEN = TOKEN;
  dir = mkdtempSync(join(tmpdir(), 'imesh-scim-inbound-'));
  db = await openTestStore(dir);
  config = await compile(yaml(dir));
  inbox = await ScimInbox.open(db);
  const log = logger();
  http = createHttpServer({ port: 0, host: '127.0.0.1', log });
  endpoint = mountScimEndpoints(http, { inbox, config: () => config, secrets: envSecretResolver(), log, requestCycle: (reason) => cycleRequests.push(reason), debounceMs: 5_000, maxBodyBytes: 64 * 1024 });
  await http.listen();
  base = `http://127.0.0.1:${http.port()}/scim/entra-push/v2`;
});

afterAll(async () => {
  endpoint?.close();
  await http?.close();
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function scim(method: string, path: string, body?: unknown, token = TOKEN): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}) },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}

function cycle(kind: 'delta' | 'full' = 'delta'): Promise<CycleResult> {
  return runCycle(db, config, { kind, mode: 'reconcile', revision: 'test', log: logger(), openConnector: connectorOpener(config, logger(), inbox, [dir]) });
}

function csv(name: string): string[] {
  try {
    return readFileSync(join(dir, name), 'utf8').trim().split('\n').slice(1).sort();
  } catch {
    return [];
  }
}

describe('the scim-inbound endpoint', () => {
  it('refuses requests without the bearer token, with SCIM error bodies', async () => {
    const none = await scim('GET', '/Users', undefined, '');
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '401', detail: 'a valid bearer token is required' });
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await scim('GET', '/Users', undefined, `${TOKEN}x`)).status).toBe(401);
    const other = await fetch(`http://127.0.0.1:${http.port()}/scim/nope/v2/Users`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(other.status).toBe(404);
  });

  it('answers unknown paths and methods only to the connector, with SCIM errors and Allow from the router', async () => {
    // Without the token, an unknown resource or method says nothing more than 401.
    expect((await scim('GET', '/Users/x/extra', undefined, '')).status).toBe(401);
    expect((await scim('POST', '/ServiceProviderConfig', undefined, '')).status).toBe(401);
    const wrongMethod = await scim('POST', '/ServiceProviderConfig');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET, HEAD');
    expect(wrongMethod.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '405' });
    expect((await scim('PATCH', '/Users')).headers.get('allow')).toBe('GET, HEAD, POST');
    expect((await scim('POST', '/Users/abc')).headers.get('allow')).toBe('GET, HEAD, PUT, PATCH, DELETE');
    const missing = await scim('GET', '/Users/x/extra');
    expect([missing.status, missing.body.status]).toEqual([404, '404']);
    // Collections as Entra writes them and as some clients do.
    expect((await scim('GET', '/users')).status).toBe(200);
    expect((await scim('GET', '/Users/')).status).toBe(200);
  });

  it('serves the discovery documents', async () => {
    const config = await scim('GET', '/ServiceProviderConfig');
    expect(config.status).toBe(200);
    expect(config.headers.get('content-type')).toMatch(/application\/scim\+json/);
    expect(config.body).toMatchObject({ patch: { supported: true }, filter: { supported: true }, bulk: { supported: false } });
    const types = await scim('GET', '/ResourceTypes');
    expect(types.body.Resources.map((r: { name: string }) => r.name)).toEqual(['User', 'Group']);
    expect(types.body.Resources[0].schemaExtensions).toEqual([{ schema: ENTERPRISE, required: false }]);
    const schemas = await scim('GET', '/Schemas');
    expect(schemas.body.Resources.map((r: { id: string }) => r.id)).toEqual([USER, ENTERPRISE, GROUP]);
    expect((await scim('GET', `/Schemas/${ENTERPRISE}`)).body.name).toBe('EnterpriseUser');
  });

  it("replays Entra ID's provisioning sequence, and the pushed objects flow to targets", async () => {
    // "Test connection": a filter on a userName that does not exist answers an empty list.
    const probe = await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "ffd30a1b-0b3c-4a36-9f35-51cd83c3b8d4"')}`);
    expect(probe.status).toBe(200);
    expect(probe.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 0, Resources: [] });

    // Create User (Entra's example body shape, with the enterprise extension and a string boolean).
    const created = await scim('POST', '/Users', {
      schemas: [USER, ENTERPRISE],
      externalId: 'E1001',
      userName: 'Ada.Lovelace@contoso.com',
      active: 'True',
      displayName: 'Ada Lovelace',
      emails: [{ primary: true, type: 'work', value: 'ada.lovelace@contoso.com' }],
      meta: { resourceType: 'User' },
      name: { familyName: 'Lovelace', givenName: 'Ada' },
      [ENTERPRISE]: { department: 'Research' },
      roles: [],
    });
    expect(created.status).toBe(201);
    const userId = created.body.id as string;
    expect(created.headers.get('location')).toBe(`${base}/Users/${userId}`);
    expect(created.body).toMatchObject({ active: true, userName: 'Ada.Lovelace@contoso.com', meta: { resourceType: 'User', version: 'W/"1"' } });

    // userName is unique case-insensitively.
    const duplicate = await scim('POST', '/Users', { schemas: [USER], userName: 'ada.lovelace@CONTOSO.com', active: true });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body).toMatchObject({ status: '409', scimType: 'uniqueness' });

    // Entra looks the user up by userName and by the work email path.
    const byName = await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "ada.lovelace@contoso.com"')}`);
    expect(byName.body.totalResults).toBe(1);
    const byEmail = await scim('GET', `/Users?filter=${encodeURIComponent('emails[type eq "work"].value eq "ada.lovelace@contoso.com"')}&attributes=userName`);
    expect(byEmail.body.Resources).toEqual([{ schemas: [USER, ENTERPRISE], id: userId, userName: 'Ada.Lovelace@contoso.com', meta: expect.any(Object) }]);

    // Update User: capitalised ops, the emails[type eq "work"].value path, and a path-less Replace.
    const patched = await scim('PATCH', `/Users/${userId}`, {
      schemas: [PATCH],
      Operations: [
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'ada@contoso.com' },
        { op: 'Replace', path: 'name.familyName', value: 'King' },
        { op: 'Add', value: { displayName: 'Ada King', [`${ENTERPRISE}:department`]: 'Marketing' } },
      ],
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ displayName: 'Ada King', name: { familyName: 'King' }, emails: [{ type: 'work', value: 'ada@contoso.com' }], [ENTERPRISE]: { department: 'Marketing' } });

    // Create Group, then add the member with a value array (Entra sends members by PATCH).
    const group = await scim('POST', '/Groups', { schemas: [GROUP], externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159', displayName: 'dmm_owners', meta: { resourceType: 'Group' } });
    expect(group.status).toBe(201);
    const groupId = group.body.id as string;
    const added = await scim('PATCH', `/Groups/${groupId}`, { schemas: [PATCH], Operations: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: userId }] }] });
    expect(added.status).toBe(200);

    // The membership check Entra makes, and a group read without members.
    const check = await scim('GET', `/Groups?filter=${encodeURIComponent(`id eq "${groupId}" and members eq "${userId}"`)}&excludedAttributes=members`);
    expect(check.body.totalResults).toBe(1);
    expect(check.body.Resources[0].members).toBeUndefined();
    const notMember = await scim('GET', `/Groups?filter=${encodeURIComponent(`id eq "${groupId}" and members eq "someone-else"`)}`);
    expect(notMember.body.totalResults).toBe(0);
    const read = await scim('GET', `/Groups/${groupId}?excludedAttributes=members`);
    expect(read.body).toMatchObject({ id: groupId, displayName: 'dmm_owners' });
    expect(read.body.members).toBeUndefined();
    expect((await scim('GET', `/Groups/${groupId}`)).body.members).toEqual([{ $ref: null, value: userId }]);

    // The writes asked for one debounced delta cycle (a burst of pushes makes one request).
    endpoint.flush();
    expect(cycleRequests).toEqual(['SCIM push to entra-push']);

    // The cycle: the pushed user joins/provisions a person, the group gives the role, both project.
    const first = await cycle();
    expect(first.failures).toEqual([]);
    expect(first.result).toBe('succeeded');
    const person = await explain(db, config, 'person', 'E1001');
    const attrs = Object.fromEntries(person.attributes.map((a) => [a.name, a.value]));
    expect(attrs).toEqual({ employeeId: 'E1001', email: 'ada@contoso.com', displayName: 'Ada King', lastName: 'King', department: 'Marketing', active: true, roles: ['organizationOwner'] });
    const roles = person.attributes.find((a) => a.name === 'roles')!;
    expect(roles.winner).toMatchObject({ rule: 'entra-group-roles', connector: 'entra-push', externalId: groupId, confidence: 80 });
    expect(roles.winner.via).toEqual([`entra-push/group/${groupId} "dmm_owners" → organizationOwner`]);
    expect(csv('people.csv')).toEqual(['E1001,ada@contoso.com,true']);
    expect(csv('team_members.csv')).toEqual(['E1001:organizationOwner,ada@contoso.com,organizationOwner']);

    // Disable User: Entra's PATCH with the string boolean "False".
    const disabled = await scim('PATCH', `/Users/${userId}`, { schemas: [PATCH], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    expect(disabled.status).toBe(200);
    expect(disabled.body.active).toBe(false);
    await cycle();
    expect((await explain(db, config, 'person', 'E1001', 'active')).attributes[0]?.value).toBe(false);
    expect(csv('people.csv')).toEqual(['E1001,ada@contoso.com,false']);

    // Remove the member (value array): the role is revoked and the team_members row goes.
    const removed = await scim('PATCH', `/Groups/${groupId}`, { schemas: [PATCH], Operations: [{ op: 'Remove', path: 'members', value: [{ value: userId }] }] });
    expect(removed.status).toBe(200);
    expect(removed.body.members).toBeUndefined();
    await cycle();
    await expect(explain(db, config, 'person', 'E1001', 'roles')).rejects.toThrow(/no value for "roles"/);
    expect(csv('team_members.csv')).toEqual([]);

    // Delete User: 204, then 404; the person goes and its account is disabled (onRemove: disable).
    expect((await scim('DELETE', `/Users/${userId}`)).status).toBe(204);
    expect((await scim('GET', `/Users/${userId}`)).status).toBe(404);
    expect((await scim('DELETE', `/Users/${userId}`)).status).toBe(404);
    const last = await cycle();
    expect(last.result).toBe('succeeded');
    expect((await explain(db, config, 'person', 'E1001').catch(() => undefined))?.deleted ?? true).toBe(true);
    expect(csv('people.csv')).toEqual(['E1001,ada@contoso.com,false']);

    // A full cycle agrees (the inbox's full read sweeps nothing more), and the userName is free again.
    const full = await cycle('full');
    expect(full.result).toBe('succeeded');
    expect((await scim('POST', '/Users', { schemas: [USER], userName: 'ada.lovelace@contoso.com' })).status).toBe(201);
  });

  it('keeps pushed resources in the store: a restarted process sees them, deltas see tombstones', async () => {
    const reopened = await ScimInbox.open(db);
    const connector = await connectorOpener(config, logger(), reopened, [dir])(config.connectors.get('entra-push')!);
    const full: { externalId: string; deleted?: boolean; enabled?: boolean }[] = [];
    let watermark = '';
    for await (const batch of connector.fullImport('user')) {
      full.push(...batch.objects);
      if (batch.watermark) watermark = batch.watermark;
      if (batch.watermark) expect(batch.complete).toBe(true);
    }
    expect(full.map((o) => o.deleted ?? false)).toEqual([false]);
    const created = await scim('POST', '/Users', { schemas: [USER], userName: 'grace@contoso.com', active: 'False' });
    await scim('DELETE', `/Users/${created.body.id}`);
    // The endpoint wrote through the first inbox; a fresh one reads the same store.
    const later = await ScimInbox.open(db);
    const delta = await connectorOpener(config, logger(), later, [dir])(config.connectors.get('entra-push')!);
    const seen: { externalId: string; deleted?: boolean }[] = [];
    for await (const batch of delta.deltaImport('user', String(Number(watermark) + 1))) seen.push(...batch.objects);
    expect(seen).toEqual([{ externalId: created.body.id, attributes: {}, deleted: true }]);
    await expect(delta.export('user', [])).rejects.toThrow(/not supported/);
  });

  it('answers bad requests with SCIM errors, never a stack trace', async () => {
    const syntax = await scim('POST', '/Users', '{"userName": ');
    expect(syntax.status).toBe(400);
    expect(syntax.body).toEqual({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '400', scimType: 'invalidSyntax', detail: 'the request body is not valid JSON' });
    expect((await scim('POST', '/Users', { schemas: [USER], displayName: 'no user name' })).body).toMatchObject({ status: '400', scimType: 'invalidValue' });
    expect((await scim('GET', `/Users?filter=${encodeURIComponent('userName eq')}`)).body).toMatchObject({ status: '400', scimType: 'invalidFilter' });
    const patch = await scim('PATCH', '/Users/does-not-exist', { schemas: [PATCH], Operations: [{ op: 'Replace', path: 'active', value: false }] });
    expect(patch.body).toMatchObject({ status: '404' });
    expect((await scim('PATCH', '/Users/x', { Operations: [] })).body).toMatchObject({ status: '400', scimType: 'invalidSyntax' });
    const big = await scim('POST', '/Users', { schemas: [USER], userName: 'big@contoso.com', displayName: 'x'.repeat(70 * 1024) });
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '413' });
    for (const response of [syntax, patch, big]) expect(JSON.stringify(response.body)).not.toMatch(/\bat .*\.(ts|js):\d+/);
  });
});

