import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import SCIMMY from 'scimmy';
import { createScimConnector, ScimConnector } from '../../../src/connectors/scim/scim-connector.js';
import type { ImportBatch, StagedObject } from '../../../src/connectors/sdk.js';
import { captureLogs, connectorContext, rejectionOf, ScriptedServer } from '../../emulators/test-support.js';
import { ScimmyServer } from './scimmy-server.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const logs = captureLogs();
let scim: ScimmyServer;
const open: ScimConnector[] = [];
const scripted: ScriptedServer[] = [];

function connector(baseUrl = scim.url, token = scim.token, connection: Record<string, unknown> = {}): ScimConnector {
  const c = createScimConnector(
    connectorContext('wiki', 'scim', { connection: { baseUrl, bearerToken: '{{secret:wiki-token}}', pageSize: 3, ...connection }, objectTypes: { user: { resource: 'User' }, group: { resource: 'Group' } } }, { 'wiki-token': token }),
  ) as ScimConnector;
  open.push(c);
  return c;
}

async function collect(batches: AsyncIterable<ImportBatch>): Promise<{ objects: StagedObject[]; last: ImportBatch }> {
  const objects: StagedObject[] = [];
  let last: ImportBatch | undefined;
  for await (const batch of batches) {
    objects.push(...batch.objects);
    last = batch;
  }
  return { objects, last: last! };
}

async function seedUser(userName: string, extra: Record<string, unknown> = {}): Promise<string> {
  const created = (await new SCIMMY.Resources.User().write({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, active: true, ...extra })) as { id: string };
  return created.id;
}

const since = (from: number) => scim.requests.slice(from);

beforeAll(async () => {
  scim = await new ScimmyServer().start();
});
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
  for (const s of scripted.splice(0)) await s.close();
  scim.configure({ patch: true, etag: true });
});
afterAll(async () => {
  await scim.close();
  for (const line of logs.lines) expect(line).not.toContain(scim.token);
});

describe('import', () => {
  it('pages through /Users by startIndex and flattens resources to SCIM paths', async () => {
    const ada = await seedUser('ada@contoso.test', {
      externalId: 'E1815',
      name: { givenName: 'Ada', familyName: 'Lovelace' },
      emails: [{ type: 'work', value: 'ada@contoso.test', primary: true }],
      title: 'Analyst',
      [ENTERPRISE]: { employeeNumber: '1815', department: 'Engines' },
    });
    for (let i = 0; i < 6; i++) await seedUser(`bulk${i}@contoso.test`);
    const before = scim.requests.length;
    const result = await collect(connector().fullImport('user'));
    const user = result.objects.find((o) => o.externalId === ada)!;
    expect(user.attributes).toEqual({
      userName: 'ada@contoso.test',
      externalId: 'E1815',
      'name.givenName': 'Ada',
      'name.familyName': 'Lovelace',
      'emails[type eq "work"].value': 'ada@contoso.test',
      title: 'Analyst',
      active: true,
      accountEnabled: true, // from active, under the name every connector uses
      [`${ENTERPRISE}:employeeNumber`]: '1815',
      [`${ENTERPRISE}:department`]: 'Engines',
    });
    expect(user.enabled).toBe(true);
    expect(result.objects).toHaveLength(7);
    expect(result.last.complete).toBe(true);
    const pages = since(before).filter((r) => r.path.startsWith('/scim/v2/Users?'));
    expect(pages.map((r) => new URL(r.path, 'http://x').searchParams.get('startIndex'))).toEqual(['1', '4', '7']);
  });
});

describe('export', () => {
  it('creates a user, then PATCHes only what differs, with If-Match', async () => {
    const c = connector();
    const [created] = await c.export('user', [
      { id: 'c1', op: 'create', attributes: { userName: 'grace@contoso.test', externalId: 'E1906', 'name.givenName': 'Grace', 'name.familyName': 'Hopper', 'emails[type eq "work"].value': 'grace@contoso.test', title: 'Rear Admiral' }, enabled: true },
    ]);
    expect(created).toMatchObject({ ok: true });
    const id = (created as { externalId: string }).externalId;
    expect(scim.users.get(id)).toMatchObject({ userName: 'grace@contoso.test', active: true, name: { givenName: 'Grace' } });

    const before = scim.requests.length;
    const [updated] = await c.export('user', [
      {
        id: 'c2',
        op: 'update',
        externalId: id,
        attributes: {
          'name.givenName': { from: 'Grace', to: 'Grace' }, // already so: not sent
          'emails[type eq "work"].value': { to: 'g.hopper@contoso.test' },
          'phoneNumbers[type eq "mobile"].value': { to: '+1 555 0100' },
          title: { from: 'Rear Admiral', to: undefined },
          [`${ENTERPRISE}:employeeNumber`]: { to: '1906' },
        },
      },
    ]);
    expect(updated, JSON.stringify(updated)).toMatchObject({ ok: true });
    const patch = since(before).find((r) => r.method === 'PATCH')!;
    expect(patch.ifMatch).toMatch(/^W\/"/);
    expect((patch.body as { Operations: unknown[] }).Operations).toEqual([
      { op: 'replace', path: 'emails[type eq "work"].value', value: 'g.hopper@contoso.test' },
      { op: 'add', path: 'phoneNumbers', value: [{ type: 'mobile', value: '+1 555 0100' }] },
      { op: 'remove', path: 'title' },
      { op: 'replace', path: `${ENTERPRISE}:employeeNumber`, value: '1906' },
    ]);
    const stored = scim.users.get(id)!;
    expect(stored).toMatchObject({ emails: [{ type: 'work', value: 'g.hopper@contoso.test' }], phoneNumbers: [{ type: 'mobile', value: '+1 555 0100' }], [ENTERPRISE]: { employeeNumber: '1906' } });
    expect(stored.title).toBeUndefined();

    const quiet = scim.requests.length;
    await c.export('user', [{ id: 'c3', op: 'update', externalId: id, attributes: { title: { to: undefined } } }]);
    expect(since(quiet).some((r) => r.method === 'PATCH')).toBe(false);
  });

  it('disables (active false), enables and deletes; a second delete succeeds', async () => {
    const id = await seedUser('lin@contoso.test');
    const c = connector();
    expect((await c.export('user', [{ id: 'd1', op: 'disable', externalId: id }]))[0]).toMatchObject({ ok: true });
    expect(scim.users.get(id)!.active).toBe(false);
    const imported = (await collect(c.fullImport('user'))).objects.find((o) => o.externalId === id)!;
    expect(imported.enabled).toBe(false);
    expect(imported.attributes.accountEnabled).toBe(false);
    expect((await c.export('user', [{ id: 'd2', op: 'enable', externalId: id }]))[0]).toMatchObject({ ok: true });
    expect(scim.users.get(id)!.active).toBe(true);
    const deleted = await c.export('user', [
      { id: 'd3', op: 'delete', externalId: id },
      { id: 'd4', op: 'delete', externalId: 'user-does-not-exist' },
    ]);
    expect(deleted.every((r) => r.ok)).toBe(true);
    expect(scim.users.has(id)).toBe(false);
  });

  it('changes group members by PATCH add/remove only, so members we do not manage survive', async () => {
    const [u1, u2, outsider] = [await seedUser('m1@contoso.test'), await seedUser('m2@contoso.test'), await seedUser('outsider@contoso.test')];
    const c = connector();
    const [group] = await c.export('group', [{ id: 'g1', op: 'create', attributes: { displayName: 'Wiki Editors', members: [u1] } }]);
    const gid = (group as { externalId: string }).externalId;
    // Someone adds a member in the app itself.
    await new SCIMMY.Resources.Group(gid).patch({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'add', path: 'members', value: [{ value: outsider }] }] });
    const before = scim.requests.length;
    const [result] = await c.export('group', [{ id: 'g2', op: 'update', externalId: gid, attributes: { members: { from: [u1], to: [u2], add: [u2], remove: [u1] } } }]);
    expect(result, JSON.stringify(result)).toMatchObject({ ok: true });
    const ops = (since(before).find((r) => r.method === 'PATCH')!.body as { Operations: Array<{ op: string; path: string }> }).Operations;
    expect(ops).toEqual([
      { op: 'add', path: 'members', value: [{ value: u2 }] },
      { op: 'remove', path: `members[value eq "${u1}"]` },
    ]);
    expect(ops.some((o) => o.op === 'replace')).toBe(false);
    const members = (scim.groups.get(gid)!.members as Array<{ value: string }>).map((m) => m.value).sort();
    expect(members).toEqual([outsider, u2].sort());
    const imported = (await collect(c.fullImport('group'))).objects.find((o) => o.externalId === gid)!;
    expect(imported.attributes.members).toEqual(expect.arrayContaining([u2, outsider]));
  });

  it('re-reads and retries once when the ETag no longer matches (412)', async () => {
    const id = await seedUser('race@contoso.test', { title: 'Before' });
    scim.changeAfterRead.add(id);
    const before = scim.requests.length;
    const [result] = await connector().export('user', [{ id: 'e1', op: 'update', externalId: id, attributes: { title: { to: 'After' } } }]);
    expect(result, JSON.stringify(result)).toMatchObject({ ok: true });
    expect(since(before).filter((r) => r.method === 'PATCH')).toHaveLength(2);
    expect(scim.users.get(id)!.title).toBe('After');
  });

  it('adopts its own earlier create after a 409 on the same externalId; a foreign userName is a Conflict', async () => {
    const existing = await seedUser('dup@contoso.test', { externalId: 'E-42' });
    const c = connector();
    const [again, foreign] = await c.export('user', [
      { id: 'x1', op: 'create', attributes: { userName: 'dup@contoso.test', externalId: 'E-42' } },
      { id: 'x2', op: 'create', attributes: { userName: 'DUP@contoso.test', externalId: 'E-43' } },
    ]);
    expect(again).toMatchObject({ ok: true, externalId: existing });
    expect(foreign).toMatchObject({ ok: false, error: { code: 'Conflict', retryable: false } });
    expect((foreign as { error: { message: string } }).error.message).toMatch(/join on userName/);
  });

  it('finds target objects by externalId or userName (filter eq)', async () => {
    const id = await seedUser('find.me@contoso.test', { externalId: 'F-1' });
    const c = connector();
    expect((await c.findBy('user', 'externalId', 'F-1')).map((o) => o.externalId)).toEqual([id]);
    expect((await c.findBy('user', 'userName', 'find.me@contoso.test')).map((o) => o.externalId)).toEqual([id]);
    expect(await c.findBy('user', 'userName', 'nobody here+1@contoso.test')).toEqual([]);
  });

  it('falls back to PUT of the live resource when the service provider lacks PATCH', async () => {
    scim.configure({ patch: false });
    const [u1, u2, outsider] = [await seedUser('p1@contoso.test'), await seedUser('p2@contoso.test'), await seedUser('p3@contoso.test')];
    const gid = ((await new SCIMMY.Resources.Group().write({ displayName: 'PUT group', members: [{ value: u1 }, { value: outsider }] })) as { id: string }).id;
    const c = connector();
    expect((await c.serviceProvider()).patch).toBe(false);
    const before = scim.requests.length;
    const results = await c.export('group', [{ id: 'p1', op: 'update', externalId: gid, attributes: { members: { add: [u2], remove: [u1] }, displayName: { to: 'PUT group renamed' } } }]);
    expect(results[0], JSON.stringify(results[0])).toMatchObject({ ok: true });
    const put = since(before).find((r) => r.method === 'PUT')!;
    expect(put.ifMatch).toBeDefined();
    expect(since(before).some((r) => r.method === 'PATCH')).toBe(false);
    expect((scim.groups.get(gid)!.members as Array<{ value: string }>).map((m) => m.value).sort()).toEqual([outsider, u2].sort());
    expect(scim.groups.get(gid)!.displayName).toBe('PUT group renamed');
    const check = await c.check();
    expect(check.ok).toBe(true);
    expect(check.warnings?.[0]).toMatch(/PATCH/);
  });

  it('check() counts resources per object type', async () => {
    const result = await connector().check();
    expect(result.ok).toBe(true);
    expect(result.objectTypes.user!.count).toBe(scim.users.size);
    expect(result.objectTypes.group!.count).toBe(scim.groups.size);
  });
});

describe('errors (a local server, for the cases a real peer does not produce on demand)', () => {
  async function peer(handler: ConstructorParameters<typeof ScriptedServer>[0]): Promise<ScriptedServer> {
    const server = await new ScriptedServer(handler).start();
    scripted.push(server);
    return server;
  }
  const spc = { status: 200, body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'], patch: { supported: true }, filter: { supported: true, maxResults: 100 }, etag: { supported: false } } };

  it('waits out a 429 with Retry-After: 1, and retries a GET after a 500', async () => {
    let listCalls = 0;
    const server = await peer((r) => {
      if (r.url.pathname.endsWith('/ServiceProviderConfig')) return spc;
      if (r.url.pathname.endsWith('/ResourceTypes')) return { status: 404 };
      listCalls++;
      if (listCalls === 1) return { status: 429, headers: { 'Retry-After': '1' }, body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '429', detail: 'Too many requests' } };
      if (listCalls === 2) return { status: 500, body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '500', detail: 'database hiccup' } };
      return { status: 200, body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 1, startIndex: 1, itemsPerPage: 1, Resources: [{ id: 'u1', userName: 'x' }] } };
    });
    const started = Date.now();
    const result = await collect(connector(`${server.url}/scim/v2`, 'scripted-token-1').fullImport('user'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(result.objects.map((o) => o.externalId)).toEqual(['u1']);
  });

  it('reports a malformed ListResponse and a 500 on create as typed errors', async () => {
    const server = await peer((r) => {
      if (r.url.pathname.endsWith('/ServiceProviderConfig')) return spc;
      if (r.url.pathname.endsWith('/ResourceTypes')) return { status: 404 };
      if (r.method === 'POST') return { status: 500, body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '500', detail: 'cannot create' } };
      return { status: 200, body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], Resources: [{ id: 'u1' }] }, contentType: 'application/scim+json' };
    });
    const c = connector(`${server.url}/scim/v2`, 'scripted-token-2');
    const error = await rejectionOf(collect(c.fullImport('user')));
    expect(error.code).toBe('MalformedResponse');
    expect(error.message).toMatch(/totalResults/);
    const [create] = await c.export('user', [{ id: 'c1', op: 'create', attributes: { userName: 'x' } }]);
    expect(create).toMatchObject({ ok: false, error: { code: 'ServerError', retryable: true } });
    expect(server.log.filter((r) => r.method === 'POST')).toHaveLength(1); // a create is never sent twice
  });

  it('a refused bearer token is Unauthorized with advice, and the token is never shown', async () => {
    const result = await connector(scim.url, 'wrong-scim-token-xyz').check();
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe('Unauthorized');
    expect(result.error?.message).toMatch(/bearerToken/);
    expect(result.error?.message).not.toContain('wrong-scim-token-xyz');
  });
});
