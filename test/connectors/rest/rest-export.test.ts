import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRestConnector } from '../../../src/connectors/rest/rest-connector.js';
import type { ExportChange, ExportResult, IdentityConnector } from '../../../src/connectors/sdk.js';
import { RestEmulator } from '../../emulators/rest-emulator.js';
import { captureLogs, connectorContext, rejectionOf } from '../../emulators/test-support.js';

const logs = captureLogs();
let e: RestEmulator;
const open: IdentityConnector[] = [];

const USER = {
  list: { path: '/cursor/users', items: '/data', pagination: { style: 'cursor', limitParam: 'limit', cursor: '/meta/next_cursor', param: 'cursor' } },
  externalId: '/id',
  attributes: { userName: '/userName', email: '/email', givenName: '/name/given', familyName: '/name/family' },
  enabled: { pointer: '/active' },
  deleted: { pointer: '/status', value: 'deleted' },
};
const EXPORT = {
  create: { method: 'POST', path: '/users' },
  update: { method: 'PATCH', path: '/users/{{externalId}}' },
  delete: { method: 'DELETE', path: '/users/{{externalId}}' },
};

function connector(exportSpec: Record<string, unknown> = EXPORT, extra: Record<string, unknown> = {}): IdentityConnector {
  const c = createRestConnector(
    connectorContext('api', 'rest', { connection: { baseUrl: `${e.url}/api`, auth: { type: 'bearer', token: '{{secret:api-token}}' } }, objectTypes: { user: { ...USER, ...extra, export: exportSpec } } }, { 'api-token': e.bearer }),
    { sleep: async () => undefined },
  );
  open.push(c);
  return c;
}

const create = (id: string, attributes: Record<string, string>, enabled?: boolean): ExportChange => ({ id, op: 'create', attributes, ...(enabled !== undefined ? { enabled } : {}) });
const ok = (results: ExportResult[]) => results.map((r) => (r.ok ? 'ok' : `${r.error.code}`));

beforeEach(async () => {
  e = await new RestEmulator({ auth: 'bearer' }).start();
});
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
  await e.close();
});
afterAll(() => {
  expect(logs.text()).not.toContain('rest-bearer-7f3a9c1d');
});

describe('rest export', () => {
  it('creates, updates nested values, disables through the enabled pointer, enables, deletes, and a repeated delete succeeds', async () => {
    const c = connector();
    const [created] = await c.export('user', [create('c1', { userName: 'ada', email: 'ada@example.test', givenName: 'Ada', familyName: 'L' }, true)]);
    expect(created).toMatchObject({ ok: true, externalId: expect.stringMatching(/^u\d+$/) });
    const id = (created as { externalId: string }).externalId;
    expect(e.find(id)).toMatchObject({ userName: 'ada', email: 'ada@example.test', name: { given: 'Ada', family: 'L' }, active: true });

    const results = await c.export('user', [
      { id: 'u1', op: 'update', externalId: id, attributes: { givenName: { from: 'Ada', to: 'Augusta' }, email: { from: 'ada@example.test' } } },
      { id: 'd1', op: 'disable', externalId: id },
    ]);
    expect(ok(results)).toEqual(['ok', 'ok']);
    // PATCH merges: the family name stays, the cleared email is written as null.
    expect(e.find(id)).toMatchObject({ name: { given: 'Augusta', family: 'L' }, email: null, active: false });
    expect(ok(await c.export('user', [{ id: 'e1', op: 'enable', externalId: id }]))).toEqual(['ok']);
    expect(e.find(id)!.active).toBe(true);

    expect(ok(await c.export('user', [{ id: 'x1', op: 'delete', externalId: id }]))).toEqual(['ok']);
    expect(e.find(id)!.status).toBe('deleted');
    expect(ok(await c.export('user', [{ id: 'x2', op: 'delete', externalId: id }]))).toEqual(['ok']);
  });

  it('look-up before create: a replayed create adopts the object it made; several matches are refused', async () => {
    const withLookup = { ...EXPORT, lookup: { path: '/users?userName={{userName}}', items: '/data' } };
    const first = await connector(withLookup).export('user', [create('c1', { userName: 'bob', email: 'bob@example.test' })]);
    const replay = await connector(withLookup).export('user', [create('c1', { userName: 'bob', email: 'bob@example.test' })]);
    expect(replay[0]).toEqual(first[0]);
    expect(e.users.filter((u) => u.userName === 'bob')).toHaveLength(1);
    expect(e.log.filter((r) => r.method === 'POST' && r.path === '/api/users')).toHaveLength(1);

    // Without the look-up the replay is refused by the API (409), not silently duplicated.
    const conflict = await connector().export('user', [create('c2', { userName: 'bob' })]);
    expect(conflict[0]).toMatchObject({ ok: false, error: { code: 'Conflict', retryable: false } });

    e.addUser({ userName: 'twin' });
    e.addUser({ userName: 'twin' });
    const twins = await connector(withLookup).export('user', [create('c3', { userName: 'twin' })]);
    expect(twins[0]).toMatchObject({ ok: false, error: { code: 'KeyNotUnique' } });
  });

  it('create by PUT to the object’s own path is idempotent', async () => {
    const put = { create: { method: 'PUT', path: '/users/by-name/{{userName}}', id: '/id' } };
    const first = await connector(put).export('user', [create('c1', { userName: 'cy', email: 'cy@example.test' })]);
    const second = await connector(put).export('user', [create('c1', { userName: 'cy', email: 'cy@example.test' })]);
    expect(first[0]).toMatchObject({ ok: true });
    expect(second[0]).toEqual(first[0]);
    expect(e.users.filter((u) => u.userName === 'cy')).toHaveLength(1);
  });

  it('renders a JSON body template: filters apply, a leaf whose attribute is absent is left out, one expression keeps its type', async () => {
    const templated = { ...EXPORT, create: { method: 'POST', path: '/users', body: { userName: '{{userName}}', email: '{{email | lower}}', department: '{{department}}', active: '{{enabled}}', name: { given: 'Mx {{givenName}}' } } } };
    const [result] = await connector(templated).export('user', [create('c1', { userName: 'dee', email: 'DEE@Example.TEST', givenName: 'Dee' }, false)]);
    const user = e.find((result as { externalId: string }).externalId)!;
    expect(user).toMatchObject({ userName: 'dee', email: 'dee@example.test', active: false, name: { given: 'Mx Dee' } });
    expect(Object.hasOwn(user, 'department')).toBe(false);
  });

  it('values fill the path only: an id that tries to leave the path is encoded or refused, never sent elsewhere', async () => {
    const c = connector();
    const results = await c.export('user', [
      { id: 'a', op: 'update', externalId: '//evil.example:8443/steal', attributes: { email: { to: 'x' } } },
      { id: 'b', op: 'delete', externalId: '../../oauth/token' },
      { id: 'c', op: 'delete', externalId: '..' },
    ]);
    expect(results[0]).toMatchObject({ ok: false, error: { code: 'NotFound' } });
    expect(results[1]).toMatchObject({ ok: true }); // a 404 on delete: nothing by that id, nothing to delete
    expect(results[2]).toMatchObject({ ok: false, error: { code: 'InvalidValue' } });
    const paths = e.log.map((r) => r.path);
    expect(paths).toContain('/api/users/%2F%2Fevil.example%3A8443%2Fsteal');
    expect(paths).toContain('/api/users/..%2F..%2Foauth%2Ftoken');
    expect(paths.every((p) => p.startsWith('/api/users/'))).toBe(true);
    expect(e.log.every((r) => r.authorization === `Bearer ${e.bearer}`)).toBe(true);
  });

  it('a failed POST is not retried (a create is never sent twice); the error is retryable for the next cycle', async () => {
    e.inject({ method: 'POST', path: /^\/api\/users$/, status: 500, body: { error: { code: 'boom', message: 'internal' } } });
    const [result] = await connector().export('user', [create('c1', { userName: 'eve' })]);
    expect(result).toMatchObject({ ok: false, error: { code: 'ServerError', retryable: true } });
    expect(e.log.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('reads back by id where get is configured: existing objects only, one GET each', async () => {
    const a = e.addUser({ userName: 'a', email: 'a@example.test' });
    const b = e.addUser({ userName: 'b' });
    expect(connector().readObjects).toBeUndefined();
    const c = connector(EXPORT, { get: { path: '/users/{{externalId}}' } });
    const before = e.requests;
    const objects = [];
    for await (const batch of c.readObjects!('user', [a.id, 'u-missing', b.id, '..'])) {
      expect(batch.complete).toBeUndefined();
      objects.push(...batch.objects);
    }
    expect(objects.map((o) => o.externalId).sort()).toEqual([a.id, b.id].sort());
    expect(objects.find((o) => o.externalId === a.id)!.attributes).toMatchObject({ userName: 'a', email: 'a@example.test', accountEnabled: true });
    expect(e.requests - before).toBe(3);
  });

  it('an operation left out is NotSupported; a type with no operations refuses export', async () => {
    const createOnly = connector({ create: { method: 'POST', path: '/users' } });
    expect(createOnly.capabilities('user')).toMatchObject({ export: true, canDisable: false, delta: false, addressing: 'server-assigned' });
    const results = await createOnly.export('user', [{ id: 'x', op: 'delete', externalId: 'u1' }, { id: 'y', op: 'disable', externalId: 'u1' }]);
    expect(ok(results)).toEqual(['NotSupported', 'NotSupported']);
    const readOnly = connector({});
    expect(readOnly.capabilities('user').export).toBe(false);
    const error = await rejectionOf(readOnly.export('user', [create('c', { userName: 'z' })]));
    expect(error.code).toBe('NotSupported');
  });
});
