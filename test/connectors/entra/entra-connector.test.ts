import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEntraConnector, EntraConnector } from '../../../src/connectors/entra/entra-connector.js';
import type { IdentityConnector, ImportBatch, StagedObject } from '../../../src/connectors/sdk.js';
import { GraphEmulator } from '../../emulators/graph-emulator.js';
import { captureLogs, connectorContext, rejectionOf } from '../../emulators/test-support.js';

const logs = captureLogs();
let graph: GraphEmulator;
const open: IdentityConnector[] = [];

function connector(objectTypes: Record<string, unknown> = { user: {}, group: {} }, connection: Record<string, unknown> = {}, secret?: string): EntraConnector {
  const c = createEntraConnector(
    connectorContext(
      'entra',
      'entra-id',
      { connection: { tenantId: graph.tenantId, clientId: graph.clientId, clientSecret: '{{secret:entra-secret}}', authorityUrl: graph.url, graphUrl: graph.url, ...connection }, objectTypes },
      { 'entra-secret': secret ?? graph.clientSecret },
    ),
  ) as EntraConnector;
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

const byId = (objects: StagedObject[]) => new Map(objects.map((o) => [o.externalId, o]));
const paths = (from: number) => graph.log.slice(from).map((r) => `${r.method} ${decodeURIComponent(r.path)}`);

beforeAll(async () => {
  graph = await new GraphEmulator().start();
});
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
});
afterAll(async () => {
  await graph.close();
  const tokens = new Set(graph.log.map((r) => r.authorization).filter((a): a is string => a !== undefined).map((a) => a.replace(/^Bearer /, '')));
  expect(tokens.size).toBeGreaterThan(0);
  for (const line of logs.lines) {
    expect(line).not.toContain(graph.clientSecret);
    for (const token of tokens) expect(line).not.toContain(token);
  }
});

describe('token', () => {
  it('gets one client-credentials token for many requests, with scope <graph>/.default', async () => {
    graph.addUser({ userPrincipalName: 'tok@contoso.test', displayName: 'Tok' });
    const before = graph.log.length;
    const issued = graph.tokensIssued;
    const c = connector();
    await collect(c.fullImport('user'));
    await collect(c.fullImport('group'));
    await c.check();
    expect(graph.tokensIssued - issued).toBe(1);
    expect(c.tokensFetched).toBe(1);
    const tokenCalls = paths(before).filter((p) => p.includes('/oauth2/'));
    expect(tokenCalls).toEqual([`POST /${graph.tenantId}/oauth2/v2.0/token`]);
  });

  it('fetches a new token shortly before the old one expires', async () => {
    graph.tokenLifetime = 1;
    try {
      const c = connector({ user: {} });
      await collect(c.fullImport('user'));
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await collect(c.fullImport('user'));
      expect(c.tokensFetched).toBe(2);
    } finally {
      graph.tokenLifetime = 3599;
    }
  });

  it('a refused client secret fails with the AADSTS summary and advice, never the secret', async () => {
    const error = await rejectionOf(collect(connector({ user: {} }, {}, 'wrong-secret-value-123').fullImport('user')));
    expect(error.code).toBe('Unauthorized');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('AADSTS7000215');
    expect(error.message).toContain('invalid_client');
    expect(error.message).toMatch(/Certificates & secrets/);
    expect(error.message).not.toContain('wrong-secret-value-123');
  });
});

describe('users', () => {
  it('reads users through /users/delta with $select; the deltaLink is the watermark', async () => {
    const ada = graph.addUser({ userPrincipalName: 'ada@contoso.test', displayName: 'Ada', givenName: 'Ada', surname: 'Lovelace', department: 'Engines', jobTitle: null, employeeId: 'E1', accountEnabled: false, officeLocation: 'not selected' });
    const before = graph.log.length;
    const result = await collect(connector({ user: { select: ['userPrincipalName', 'displayName', 'department', 'jobTitle', 'employeeId'] } }).fullImport('user'));
    const user = byId(result.objects).get(ada.id)!;
    expect(user.attributes).toEqual({ userPrincipalName: 'ada@contoso.test', displayName: 'Ada', department: 'Engines', employeeId: 'E1', accountEnabled: false });
    expect(user.enabled).toBe(false);
    expect(result.last.complete).toBe(true);
    expect(result.last.watermark).toMatch(/\/v1\.0\/users\/delta\?\$deltatoken=/);
    expect(paths(before).find((p) => p.includes('/users/delta'))).toContain('$select=id,accountEnabled,userPrincipalName,displayName,department,jobTitle,employeeId');
  });

  it('follows @odata.nextLink pages and round-trips the watermark: changes and @removed deletes', async () => {
    const keep = graph.addUser({ userPrincipalName: 'keep@contoso.test', displayName: 'Keep' });
    const change = graph.addUser({ userPrincipalName: 'change@contoso.test', displayName: 'Change' });
    const recycle = graph.addUser({ userPrincipalName: 'recycle@contoso.test', displayName: 'Recycle' });
    const purge = graph.addUser({ userPrincipalName: 'purge@contoso.test', displayName: 'Purge' });
    const before = graph.log.length;
    const c = connector({ user: {} }, { pageSize: 2 });
    const full = await collect(c.fullImport('user'));
    expect(paths(before).filter((p) => p.includes('/users/delta')).length).toBeGreaterThan(2);
    expect(byId(full.objects).has(keep.id)).toBe(true);

    graph.updateUser(change.id, { department: 'Finance' });
    graph.removeUser(recycle.id);
    graph.removeUser(purge.id, true);
    const added = graph.addUser({ userPrincipalName: 'new@contoso.test', displayName: 'New' });
    const delta = await collect(c.deltaImport('user', full.last.watermark!));
    const objects = byId(delta.objects);
    expect([...objects.keys()].sort()).toEqual([change.id, recycle.id, purge.id, added.id].sort());
    expect(objects.get(change.id)!.attributes.department).toBe('Finance');
    expect(objects.get(recycle.id)!.deleted).toBe(true);
    expect(objects.get(purge.id)!.deleted).toBe(true);
    expect(delta.last.complete).toBeFalsy();
    expect(delta.last.watermark).not.toBe(full.last.watermark);
    const quiet = await collect(c.deltaImport('user', delta.last.watermark!));
    expect(quiet.objects).toHaveLength(0);
  });

  it('resyncs in full, complete and logged, when the delta token is gone (410) or expired (syncStateNotFound)', async () => {
    const c = connector({ user: {} });
    const full = await collect(c.fullImport('user'));
    for (const style of ['gone', 'syncStateNotFound'] as const) {
      graph.expireDeltaTokens(style);
      const resync = await collect(c.deltaImport('user', full.last.watermark!));
      expect(resync.last.complete).toBe(true);
      expect(resync.objects.length).toBe(full.objects.length);
      expect(resync.last.watermark).toMatch(/\$deltatoken=/);
    }
    expect(logs.lines.filter((l) => l.includes('entra-delta-resync')).length).toBeGreaterThanOrEqual(2);
  });

  it('refuses to send the token to a watermark on another host and resyncs instead', async () => {
    const result = await collect(connector({ user: {} }).deltaImport('user', 'https://evil.example.com/v1.0/users/delta?$deltatoken=x'));
    expect(result.last.complete).toBe(true);
  });

  it('waits out a 429 with Retry-After: 1', async () => {
    graph.inject({ path: /^\/v1\.0\/users\/delta/, status: 429, headers: { 'Retry-After': '1' }, body: { error: { code: 'TooManyRequests', message: 'Too many requests' } } });
    const started = Date.now();
    const result = await collect(connector({ user: {} }).fullImport('user'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(result.last.complete).toBe(true);
  });

  it('reads a filtered type in full every time (delta queries take no $filter)', async () => {
    graph.addUser({ userPrincipalName: 'sales@contoso.test', displayName: 'Sales', department: 'Sales' });
    const c = connector({ user: { filter: "department eq 'Sales'" } });
    expect(c.capabilities('user').delta).toBe(false);
    const result = await collect(c.deltaImport('user', 'anything'));
    expect(result.objects.map((o) => o.attributes.department)).toEqual(['Sales']);
    expect(result.last.complete).toBe(true);
  });
});

describe('groups', () => {
  it('reads members, nested groups as references, and re-reads changed groups whole on delta', async () => {
    const u1 = graph.addUser({ userPrincipalName: 'g1@contoso.test', displayName: 'G1' });
    const u2 = graph.addUser({ userPrincipalName: 'g2@contoso.test', displayName: 'G2' });
    const inner = graph.addGroup({ displayName: 'Inner', mailNickname: 'inner' });
    const outer = graph.addGroup({ displayName: 'Outer', mailNickname: 'outer', description: 'outside' });
    const doomed = graph.addGroup({ displayName: 'Doomed', mailNickname: 'doomed' });
    graph.addMember(inner.id, u1.id);
    graph.addMember(outer.id, u2.id);
    graph.addMember(outer.id, inner.id);
    const c = connector({ group: {} }, { pageSize: 1 });
    const full = await collect(c.fullImport('group'));
    const groups = byId(full.objects);
    expect(groups.get(outer.id)!.attributes).toMatchObject({ displayName: 'Outer', description: 'outside', securityEnabled: true, mailEnabled: false, members: [inner.id, u2.id].sort() });
    expect(groups.get(inner.id)!.attributes.members).toEqual([u1.id]);
    expect(full.last.complete).toBe(true);

    graph.addMember(outer.id, u1.id);
    graph.removeGroup(doomed.id);
    const delta = byId((await collect(c.deltaImport('group', full.last.watermark!))).objects);
    expect(delta.get(outer.id)!.attributes.members).toEqual([inner.id, u1.id, u2.id].sort());
    expect(delta.get(outer.id)!.attributes.displayName).toBe('Outer');
    expect(delta.get(doomed.id)!.deleted).toBe(true);
    expect(delta.has(inner.id)).toBe(false);
  });
});

describe('export', () => {
  it('creates, updates, disables, enables and deletes users', async () => {
    const c = connector({ user: {} });
    const [created] = await c.export('user', [{ id: 'c1', op: 'create', attributes: { userPrincipalName: 'exp@contoso.test', displayName: 'Exp Ort', department: 'Ops' }, enabled: true }]);
    expect(created!.ok).toBe(true);
    const id = (created as { externalId: string }).externalId;
    expect(graph.user(id)).toMatchObject({ userPrincipalName: 'exp@contoso.test', mailNickname: 'exp', accountEnabled: true, department: 'Ops' });
    const before = graph.log.length;
    const results = await c.export('user', [
      { id: 'c2', op: 'update', externalId: id, attributes: { department: { from: 'Ops', to: 'Finance' }, jobTitle: { to: 'Clerk' } } },
      { id: 'c3', op: 'disable', externalId: id },
    ]);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(graph.user(id)).toMatchObject({ department: 'Finance', jobTitle: 'Clerk', accountEnabled: false });
    expect(paths(before).filter((p) => p.startsWith('PATCH'))).toHaveLength(2);
    expect((await c.export('user', [{ id: 'c4', op: 'enable', externalId: id }]))[0]!.ok).toBe(true);
    expect(graph.user(id)!.accountEnabled).toBe(true);
    const deleted = await c.export('user', [
      { id: 'c5', op: 'delete', externalId: id },
      { id: 'c6', op: 'delete', externalId: '00000000-0000-0000-0000-00000000dead' },
    ]);
    expect(deleted.every((r) => r.ok)).toBe(true);
    expect(graph.user(id)).toBeUndefined();
    const [dup] = await c.export('user', [{ id: 'c7', op: 'create', attributes: { userPrincipalName: 'keep@contoso.test', displayName: 'Again' } }]);
    expect(dup).toMatchObject({ ok: false, error: { code: 'Conflict', retryable: false } });
  });

  it('changes group membership by $ref in $batch requests, idempotently, retrying throttled batch items', async () => {
    const members = Array.from({ length: 25 }, (_, i) => graph.addUser({ userPrincipalName: `b${i}@contoso.test`, displayName: `B${i}` }));
    const c = connector({ group: {} });
    const [group] = await c.export('group', [{ id: 'g1', op: 'create', attributes: { displayName: 'Batch Team', members: members.slice(0, 22).map((m) => m.id) } }]);
    expect(group!.ok).toBe(true);
    const gid = (group as { externalId: string }).externalId;
    expect(graph.memberIds(gid)).toHaveLength(22);
    const before = graph.log.length;
    graph.throttleBatchItems(1);
    const [update] = await c.export('group', [
      { id: 'g2', op: 'update', externalId: gid, attributes: { members: { add: [members[22]!.id, members[23]!.id, members[0]!.id], remove: [members[1]!.id, members[24]!.id] }, description: { to: 'batched' } } },
    ]);
    expect(update, JSON.stringify(update)).toMatchObject({ ok: true });
    const ids = new Set(graph.memberIds(gid));
    expect(graph.throttled).toBeGreaterThan(0);
    expect(ids.has(members[22]!.id) && ids.has(members[23]!.id) && ids.has(members[0]!.id)).toBe(true);
    expect(ids.has(members[1]!.id)).toBe(false);
    expect(graph.group(gid)!.description).toBe('batched');
    expect(paths(before).some((p) => p === 'POST /v1.0/$batch')).toBe(true);
  });

  it('a read-only app gets 403 with the permission advice', async () => {
    const c = createEntraConnector(
      connectorContext('entra', 'entra-id', { connection: { tenantId: graph.tenantId, clientId: graph.readOnlyClientId, clientSecret: '{{secret:ro}}', authorityUrl: graph.url, graphUrl: graph.url }, objectTypes: { user: {} } }, { ro: graph.readOnlyClientSecret }),
    );
    open.push(c);
    const u = graph.addUser({ userPrincipalName: 'ro@contoso.test', displayName: 'RO' });
    const [result] = await c.export('user', [{ id: 'r1', op: 'disable', externalId: u.id }]);
    expect(result).toMatchObject({ ok: false, error: { code: 'Forbidden' } });
    expect(JSON.stringify(result)).toMatch(/User\.ReadWrite\.All/);
  });

  it('check() counts users and groups with $count', async () => {
    const result = await connector().check();
    expect(result.ok).toBe(true);
    expect(result.objectTypes.user!.count).toBeGreaterThan(5);
    expect(result.objectTypes.group!.count).toBeGreaterThan(0);
  });
});
