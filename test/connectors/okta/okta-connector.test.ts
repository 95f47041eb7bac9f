import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOktaConnector } from '../../../src/connectors/okta/okta-connector.js';
import type { IdentityConnector, ImportBatch, StagedObject } from '../../../src/connectors/sdk.js';
import { OktaEmulator } from '../../emulators/okta-emulator.js';
import { captureLogs, connectorContext, rejectionOf } from '../../emulators/test-support.js';

const OLD = '2025-01-06T09:00:00.000Z';
const logs = captureLogs();
let okta: OktaEmulator;
const open: IdentityConnector[] = [];

function connector(objectTypes: Record<string, unknown> = { user: {}, group: {}, membership: {} }, token?: string, connection: Record<string, unknown> = {}): IdentityConnector {
  const c = createOktaConnector(
    connectorContext('okta', 'okta', { connection: { orgUrl: okta.url, apiToken: '{{secret:okta-token}}', pageSize: 200, ...connection }, objectTypes }, { 'okta-token': token ?? okta.token }),
  );
  open.push(c);
  return c;
}

async function collect(batches: AsyncIterable<ImportBatch>): Promise<{ objects: StagedObject[]; last: ImportBatch; count: number }> {
  const objects: StagedObject[] = [];
  let last: ImportBatch | undefined;
  let count = 0;
  for await (const batch of batches) {
    objects.push(...batch.objects);
    last = batch;
    count++;
  }
  return { objects, last: last!, count };
}

const byId = (objects: StagedObject[]) => new Map(objects.map((o) => [o.externalId, o]));

beforeAll(async () => {
  okta = await new OktaEmulator().start();
});
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
});
afterAll(async () => {
  await okta.close();
  // Nothing the connector logged, in any test of this file, carries a token.
  expect(logs.lines.length).toBeGreaterThan(0);
  for (const line of logs.lines) {
    expect(line).not.toContain(okta.token);
    expect(line).not.toContain(okta.readOnlyToken);
  }
});

describe('users', () => {
  it('flattens the seed attribute table exactly and derives accountEnabled from status', async () => {
    const full = okta.addUser(
      {
        firstName: 'Ada', lastName: 'Lovelace', displayName: 'Ada Lovelace', email: 'ada@contoso.test', secondEmail: 'ada@home.test', login: 'ada@contoso.test',
        mobilePhone: '+44 1', primaryPhone: '+44 2', streetAddress: '1 St', city: 'London', state: 'LDN', zipCode: 'N1', countryCode: 'GB', title: 'Analyst',
        department: 'Engines', manager: 'Charles Babbage', managerId: '00umanager', costCenter: 'CC1', division: 'R&D', employeeNumber: 'E1815', organization: 'Contoso',
        userType: 'Employee', preferredLanguage: 'en', locale: 'en_GB', timezone: 'Europe/London', favouriteEngine: 'analytical',
      },
      { at: OLD, lastLogin: null },
    );
    const suspended = okta.addUser({ firstName: 'Sus', lastName: 'Pended', email: 's@contoso.test', login: 's@contoso.test' }, { at: OLD, status: 'SUSPENDED' });
    const gone = okta.addUser({ firstName: 'De', lastName: 'Prov', email: 'd@contoso.test', login: 'd@contoso.test' }, { at: OLD, status: 'DEPROVISIONED' });
    const result = await collect(connector({ user: {} }).fullImport('user'));
    const users = byId(result.objects);
    const ada = users.get(full.id)!;
    expect(ada.attributes).toEqual({
      status: 'ACTIVE', accountEnabled: true, created: OLD, lastUpdated: OLD, statusChanged: OLD, activated: OLD, type: full.type.id,
      firstName: 'Ada', lastName: 'Lovelace', displayName: 'Ada Lovelace', email: 'ada@contoso.test', secondEmail: 'ada@home.test', login: 'ada@contoso.test',
      mobilePhone: '+44 1', primaryPhone: '+44 2', streetAddress: '1 St', city: 'London', state: 'LDN', zipCode: 'N1', countryCode: 'GB', title: 'Analyst',
      department: 'Engines', manager: 'Charles Babbage', managerId: '00umanager', costCenter: 'CC1', division: 'R&D', employeeNumber: 'E1815', organization: 'Contoso',
      userType: 'Employee', preferredLanguage: 'en', locale: 'en_GB', timezone: 'Europe/London',
    });
    expect(ada.enabled).toBe(true);
    expect(users.get(suspended.id)!.attributes.accountEnabled).toBe(false);
    expect(users.get(suspended.id)!.enabled).toBe(false);
    // A plain list leaves DEPROVISIONED users out; the full run is complete, so the engine sweeps them.
    expect(users.has(gone.id)).toBe(false);
    expect(result.last.complete).toBe(true);
    expect(JSON.parse(result.last.watermark!)).toEqual({ u: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
  });

  it('follows Link rel="next" with pages of at most 200', async () => {
    const before = okta.requests;
    const total = okta.userCount;
    for (let i = 0; i < 450; i++) okta.addUser({ firstName: `P${i}`, lastName: 'Age', email: `p${i}@contoso.test`, login: `p${i}@contoso.test` }, { at: OLD });
    const result = await collect(connector({ user: {} }, undefined, { pageSize: 150 }).fullImport('user'));
    const visible = total + 450 - 1; // one user of the previous test is DEPROVISIONED
    expect(result.objects).toHaveLength(visible);
    const pages = okta.log.slice(before).filter((r) => r.path.startsWith('/api/v1/users'));
    expect(pages).toHaveLength(Math.ceil(visible / 150));
    expect(pages.slice(1).every((r) => /after=/.test(r.path) && /limit=150/.test(r.path))).toBe(true);
  });

  it('rejects a page size over 200', () => {
    expect(() => connector({ user: {} }, undefined, { pageSize: 500 })).toThrow(/1 to 200/);
  });

  it('round-trips the watermark: a delta run reads changes, DEPROVISIONED and System Log deletes since it', async () => {
    const scoped = { user: { search: 'profile.userType eq "Employee"' } };
    const keep = okta.addUser({ firstName: 'Kee', lastName: 'P', email: 'k@contoso.test', login: 'k@contoso.test', userType: 'Employee' }, { at: OLD });
    const change = okta.addUser({ firstName: 'Cha', lastName: 'Nge', email: 'c@contoso.test', login: 'c@contoso.test', userType: 'Employee' }, { at: OLD });
    const deprovision = okta.addUser({ firstName: 'Dep', lastName: 'Rov', email: 'dp@contoso.test', login: 'dp@contoso.test', userType: 'Employee' }, { at: OLD });
    const purge = okta.addUser({ firstName: 'Pur', lastName: 'Ge', email: 'pg@contoso.test', login: 'pg@contoso.test', userType: 'Employee' }, { at: OLD });
    const contractor = okta.addUser({ firstName: 'Con', lastName: 'Tractor', email: 'ct@contoso.test', login: 'ct@contoso.test', userType: 'Contractor' }, { at: OLD });

    const full = await collect(connector(scoped).fullImport('user'));
    const fullIds = new Set(full.objects.map((o) => o.externalId));
    for (const user of [keep, change, deprovision, purge]) expect(fullIds.has(user.id)).toBe(true);
    expect(fullIds.has(contractor.id)).toBe(false);
    const watermark = full.last.watermark!;

    okta.updateUser(change.id, { title: 'Chief' });
    okta.setStatus(deprovision.id, 'DEPROVISIONED');
    okta.setStatus(purge.id, 'DEPROVISIONED');
    okta.hardDelete(purge.id);
    okta.updateUser(contractor.id, { title: 'Out of scope' });
    const added = okta.addUser({ firstName: 'New', lastName: 'Hire', email: 'nh@contoso.test', login: 'nh@contoso.test', userType: 'Employee' });

    const before = okta.requests;
    const delta = await collect(connector(scoped).deltaImport('user', watermark));
    const objects = byId(delta.objects);
    expect([...objects.keys()].sort()).toEqual([change.id, deprovision.id, purge.id, added.id].sort());
    expect(objects.get(change.id)!.attributes.title).toBe('Chief');
    expect(objects.get(deprovision.id)!.deleted).toBe(true);
    expect(objects.get(purge.id)!.deleted).toBe(true);
    expect(objects.get(added.id)!.deleted).toBeUndefined();
    expect(delta.last.complete).toBeUndefined();
    const next = JSON.parse(delta.last.watermark!) as { u: string };
    expect(Date.parse(next.u)).toBeGreaterThanOrEqual(Date.parse(JSON.parse(watermark).u));

    const requests = okta.log.slice(before);
    const since = JSON.parse(watermark).u as string;
    const search = requests.find((r) => r.path.startsWith('/api/v1/users'))!;
    expect(new URL(search.path, okta.url).searchParams.get('search')).toBe(`(profile.userType eq "Employee") and lastUpdated gt "${since}"`);
    // The System Log poll: one page with the two delete events, then an empty page despite rel="next".
    const polls = requests.filter((r) => r.path.startsWith('/api/v1/logs'));
    expect(polls).toHaveLength(2);
    const first = new URL(polls[0]!.path, okta.url).searchParams;
    expect(first.get('filter')).toBe('eventType eq "user.lifecycle.delete.initiated" or eventType eq "user.lifecycle.delete.completed"');
    expect(first.get('since')).toBe(since);
  });

  it('reads the user key of a combined {"u","g"} watermark and falls back to a full read on garbage', async () => {
    const combined = JSON.stringify({ u: new Date(Date.now() - 3_600_000).toISOString(), g: OLD });
    const delta = await collect(connector({ user: {} }).deltaImport('user', combined));
    expect(delta.last.complete).toBeUndefined();
    const garbage = await collect(connector({ user: {} }).deltaImport('user', 'not json'));
    expect(garbage.last.complete).toBe(true);
    expect(logs.text()).toMatch(/watermark-unreadable/);
  });
});

describe('groups and memberships', () => {
  it('imports groups with objectClass joined, and memberships as <groupId>:<userId> of memberType User', async () => {
    const u1 = okta.addUser({ firstName: 'M', lastName: 'One', email: 'm1@contoso.test', login: 'm1@contoso.test' }, { at: OLD });
    const u2 = okta.addUser({ firstName: 'M', lastName: 'Two', email: 'm2@contoso.test', login: 'm2@contoso.test' }, { at: OLD });
    const g = okta.addGroup('Engineering', 'Builds things', OLD);
    const multi = okta.group(g.id)!;
    multi.objectClass = ['okta:user_group', 'okta:windows_security_principal'];
    okta.addMember(g.id, u1.id, OLD);
    okta.addMember(g.id, u2.id, OLD);
    const c = connector();
    const groups = byId((await collect(c.fullImport('group'))).objects);
    expect(groups.get(g.id)!.attributes).toEqual({
      type: 'OKTA_GROUP', created: OLD, lastUpdated: OLD, lastMembershipUpdated: OLD, objectClass: 'okta:user_group,okta:windows_security_principal', name: 'Engineering', description: 'Builds things',
    });
    const memberships = await collect(c.fullImport('membership'));
    const edges = byId(memberships.objects);
    expect(edges.get(`${g.id}:${u1.id}`)!.attributes).toEqual({ groupId: g.id, memberId: u1.id, memberType: 'User' });
    expect(edges.has(`${g.id}:${u2.id}`)).toBe(true);
    expect(memberships.last.complete).toBe(true);
    expect(c.capabilities('membership').delta).toBe(false);
    // Memberships have no cursor: a "delta" recomputes them completely.
    okta.removeMember(g.id, u2.id);
    const again = await collect(c.deltaImport('membership', memberships.last.watermark!));
    expect(again.last.complete).toBe(true);
    expect(byId(again.objects).has(`${g.id}:${u2.id}`)).toBe(false);
  });

  it('reads changed groups on delta and hard-deleted groups from the System Log', async () => {
    const keep = okta.addGroup('Keep', undefined, OLD);
    const renamed = okta.addGroup('Old name', undefined, OLD);
    const doomed = okta.addGroup('Doomed', undefined, OLD);
    const c = connector({ group: {} });
    const full = await collect(c.fullImport('group'));
    expect(JSON.parse(full.last.watermark!)).toEqual({ g: expect.any(String) });
    okta.group(renamed.id)!.profile.name = 'New name';
    okta.group(renamed.id)!.lastUpdated = new Date().toISOString();
    const token = okta.token;
    const response = await fetch(`${okta.url}/api/v1/groups/${doomed.id}`, { method: 'DELETE', headers: { authorization: `SSWS ${token}` } });
    expect(response.status).toBe(204);
    const delta = byId((await collect(c.deltaImport('group', full.last.watermark!))).objects);
    expect(delta.get(renamed.id)!.attributes.name).toBe('New name');
    expect(delta.get(doomed.id)!.deleted).toBe(true);
    expect(delta.has(keep.id)).toBe(false);
  });
});

describe('errors and throttling', () => {
  it('a refused token fails with the runbook advice and never shows the token', async () => {
    const error = await rejectionOf(collect(connector({ user: {} }, 'not-the-token-0123456789').fullImport('user')));
    expect(error.code).toBe('Unauthorized');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('Invalid token provided (E0000011)');
    expect(error.message).toContain('Security → API → Tokens');
    expect(error.message).not.toContain('not-the-token-0123456789');
    const check = await connector({ user: {} }, 'not-the-token-0123456789').check();
    expect(check.ok).toBe(false);
    expect(check.error?.code).toBe('Unauthorized');
  });

  it('a read-only token exports nothing and says which role is needed', async () => {
    const u = okta.addUser({ firstName: 'R', lastName: 'O', email: 'ro@contoso.test', login: 'ro@contoso.test' }, { at: OLD });
    const [result] = await connector({ user: {} }, okta.readOnlyToken).export('user', [{ id: 'c1', op: 'update', externalId: u.id, attributes: { title: { to: 'X' } } }]);
    expect(result!.ok).toBe(false);
    if (!result!.ok) {
      expect(result!.error.code).toBe('Forbidden');
      expect(result!.error.message).toMatch(/E0000006/);
      expect(result!.error.message).toMatch(/manage users and groups/);
    }
  });

  it('waits out a 429 with Retry-After: 1 and surfaces one with Retry-After: 120', async () => {
    okta.inject({ path: /^\/api\/v1\/groups/, status: 429, headers: { 'Retry-After': '1', 'X-Rate-Limit-Remaining': '0' }, body: { errorCode: 'E0000047', errorSummary: 'API call exceeded rate limit due to too many requests.' } });
    const started = Date.now();
    const ok = await collect(connector({ group: {} }).fullImport('group'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(ok.last.complete).toBe(true);
    okta.inject({ path: /^\/api\/v1\/groups/, status: 429, headers: { 'Retry-After': '120' }, body: { errorCode: 'E0000047', errorSummary: 'API call exceeded rate limit due to too many requests.' } });
    const quick = Date.now();
    const error = await rejectionOf(collect(connector({ group: {} }).fullImport('group')));
    expect(Date.now() - quick).toBeLessThan(1000);
    expect(error.code).toBe('RateLimited');
    expect(error.retryable).toBe(true);
  });

  it('check() reports reach and counts per object type', async () => {
    const result = await connector().check();
    expect(result.ok).toBe(true);
    expect(result.objectTypes.user!.count).toBeGreaterThan(450);
    expect(result.objectTypes.group!.count).toBeGreaterThan(0);
    expect(result.objectTypes.membership!.count).toBeGreaterThan(0);
  });
});

describe('export', () => {
  it('creates, updates, suspends, re-enables and deactivates a user', async () => {
    const c = connector({ user: {} });
    const [created] = await c.export('user', [{ id: 'c1', op: 'create', attributes: { firstName: 'Ex', lastName: 'Port', email: 'ex@contoso.test', login: 'ex@contoso.test', department: 'Ops' }, enabled: true }]);
    expect(created!.ok).toBe(true);
    const id = (created as { externalId: string }).externalId;
    expect(okta.user(id)!.profile.department).toBe('Ops');
    expect(okta.user(id)!.status).toBe('PROVISIONED');
    okta.setStatus(id, 'ACTIVE');
    const results = await c.export('user', [
      { id: 'c2', op: 'update', externalId: id, attributes: { department: { from: 'Ops', to: 'Finance' }, title: { to: 'Clerk' }, city: { from: 'X', to: undefined } } },
      { id: 'c3', op: 'disable', externalId: id },
    ]);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(okta.user(id)!.profile).toMatchObject({ department: 'Finance', title: 'Clerk', city: null });
    expect(okta.user(id)!.status).toBe('SUSPENDED');
    const imported = byId((await collect(c.fullImport('user'))).objects).get(id)!;
    expect(imported.enabled).toBe(false);
    expect(imported.deleted).toBeUndefined();
    expect((await c.export('user', [{ id: 'c4', op: 'enable', externalId: id }]))[0]!.ok).toBe(true);
    expect(okta.user(id)!.status).toBe('ACTIVE');
    expect((await c.export('user', [{ id: 'c5', op: 'delete', externalId: id }]))[0]!.ok).toBe(true);
    expect(okta.user(id)!.status).toBe('DEPROVISIONED');
    // Idempotent: deleting again succeeds.
    expect((await c.export('user', [{ id: 'c6', op: 'delete', externalId: id }]))[0]!.ok).toBe(true);
  });

  it('reports a duplicate login as a Conflict and refuses read-only attributes', async () => {
    const c = connector({ user: {} });
    const [dup, readonly] = await c.export('user', [
      { id: 'd1', op: 'create', attributes: { firstName: 'Ada', lastName: 'L', email: 'ada@contoso.test', login: 'ada@contoso.test' } },
      { id: 'd2', op: 'create', attributes: { firstName: 'X', lastName: 'Y', email: 'xy@contoso.test', login: 'xy@contoso.test', status: 'ACTIVE' } },
    ]);
    expect(dup, JSON.stringify(dup)).toMatchObject({ ok: false, error: { code: 'Conflict', retryable: false } });
    expect(readonly).toMatchObject({ ok: false, error: { code: 'ReadOnlyAttribute' } });
  });

  it('adds and removes group members idempotently, by group update and by membership objects', async () => {
    const u1 = okta.addUser({ firstName: 'G', lastName: 'One', email: 'g1@contoso.test', login: 'g1@contoso.test' }, { at: OLD });
    const u2 = okta.addUser({ firstName: 'G', lastName: 'Two', email: 'g2@contoso.test', login: 'g2@contoso.test' }, { at: OLD });
    const c = connector();
    const [group] = await c.export('group', [{ id: 'g1', op: 'create', attributes: { name: 'Projected', description: 'from the mesh' } }]);
    const gid = (group as { externalId: string }).externalId;
    const updates = await c.export('group', [{ id: 'g2', op: 'update', externalId: gid, attributes: { members: { add: [u1.id, u2.id], remove: ['00unotamember'] }, description: { to: 'renamed' } } }]);
    expect(updates[0]!.ok).toBe(true);
    expect(okta.memberIds(gid).sort()).toEqual([u1.id, u2.id].sort());
    expect(okta.group(gid)!.profile).toEqual({ name: 'Projected', description: 'renamed' });
    const edges = await c.export('membership', [
      { id: 'm1', op: 'delete', externalId: `${gid}:${u2.id}` },
      { id: 'm2', op: 'delete', externalId: `${gid}:${u2.id}` },
    ]);
    expect(edges.every((r) => r.ok)).toBe(true);
    expect(okta.memberIds(gid)).toEqual([u1.id]);
    const [added] = await c.export('membership', [{ id: 'm3', op: 'create', attributes: { groupId: gid, memberId: u2.id } }]);
    expect(added).toMatchObject({ ok: true, externalId: `${gid}:${u2.id}` });
  });
});
