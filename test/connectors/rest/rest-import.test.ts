import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRestConnector } from '../../../src/connectors/rest/rest-connector.js';
import type { IdentityConnector, ImportBatch, StagedObject } from '../../../src/connectors/sdk.js';
import { RestEmulator, type RestAuthStyle } from '../../emulators/rest-emulator.js';
import { captureLogs, connectorContext, rejectionOf } from '../../emulators/test-support.js';

const logs = captureLogs();
const emulators: RestEmulator[] = [];
const open: IdentityConnector[] = [];
const sleeps: number[] = [];

async function emulator(auth: RestAuthStyle = 'none', options: Record<string, unknown> = {}): Promise<RestEmulator> {
  const e = await new RestEmulator({ auth, ...options }).start();
  emulators.push(e);
  return e;
}

const AUTH: Record<RestAuthStyle, (e: RestEmulator) => Record<string, unknown> | undefined> = {
  none: () => undefined,
  bearer: () => ({ type: 'bearer', token: '{{secret:api-token}}' }),
  basic: (e) => ({ type: 'basic', username: e.basicUser, password: '{{secret:api-password}}' }),
  apiKeyHeader: (e) => ({ type: 'apiKey', in: 'header', name: e.apiKeyName, value: '{{secret:api-key}}' }),
  apiKeyQuery: () => ({ type: 'apiKey', in: 'query', name: 'api_key', value: '{{secret:api-key}}' }),
  oauth2: (e) => ({ type: 'oauth2', tokenUrl: `${e.url}/oauth/token`, clientId: e.clientId, clientSecret: '{{secret:client-secret}}', scope: 'users.read' }),
};

function secretsOf(e: RestEmulator): Record<string, string> {
  return { 'api-token': e.bearer, 'api-password': e.basicPassword, 'api-key': e.apiKey, 'client-secret': e.clientSecret };
}

const STYLES: Record<string, { list: Record<string, unknown> }> = {
  link: { list: { path: '/link/users', pagination: { style: 'link', limitParam: 'limit' } } },
  cursor: { list: { path: '/cursor/users', items: '/data', pagination: { style: 'cursor', limitParam: 'limit', cursor: '/meta/next_cursor', param: 'cursor' } } },
  offset: { list: { path: '/offset/users', items: '/items', pagination: { style: 'offset', total: '/total' } } },
  page: { list: { path: '/page/users', items: '/results', pagination: { style: 'page', limitParam: 'per_page' } } },
  page0: { list: { path: '/page0/users', items: '/results', pagination: { style: 'page', limitParam: 'per_page', firstPage: 0 } } },
};

function userType(style: keyof typeof STYLES, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...STYLES[style],
    externalId: '/id',
    attributes: { userName: '/userName', email: '/email', givenName: '/name/given', familyName: '/name/family', groups: '/groups/*/name', updatedAt: '/updatedAt' },
    enabled: { pointer: '/active' },
    deleted: { pointer: '/status', value: 'deleted' },
    ...extra,
  };
}

function connector(e: RestEmulator, user: Record<string, unknown>, connection: Record<string, unknown> = {}, auth: RestAuthStyle = e.restOptions.auth ?? 'none'): IdentityConnector {
  const authSpec = AUTH[auth](e);
  const c = createRestConnector(
    connectorContext('api', 'rest', { connection: { baseUrl: `${e.url}/api`, pageSize: 2, ...(authSpec ? { auth: authSpec } : {}), ...connection }, objectTypes: { user } }, secretsOf(e)),
    { sleep: async (ms) => void sleeps.push(ms) },
  );
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

function seed(e: RestEmulator, n: number): void {
  for (let i = 1; i <= n; i++) {
    e.addUser({ userName: `user${i}`, email: `user${i}@example.test`, name: { given: `Given${i}`, family: `Family${i}` }, groups: [{ id: 'g1', name: 'staff' }, ...(i % 2 ? [{ id: 'g2', name: 'odd' }] : [])] });
  }
}

afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
  sleeps.length = 0;
});
afterAll(async () => {
  for (const e of emulators) await e.close();
  const text = logs.text();
  expect(logs.lines.length).toBeGreaterThan(0);
  for (const e of emulators) for (const secret of [e.bearer, e.basicPassword, e.apiKey, e.clientSecret]) expect(text).not.toContain(secret);
  expect(text).not.toMatch(/at-\d+-[a-z0-9]+/);
});

describe('pagination styles', () => {
  let e: RestEmulator;
  beforeAll(async () => {
    e = await emulator();
    seed(e, 5);
  });

  it.each([
    ['link', 3],
    ['cursor', 3],
    ['offset', 3],
    ['page', 3],
    ['page0', 3],
  ] as const)('%s: reads every item, stops by its rule, marks the read complete', async (style, requests) => {
    const before = e.requests;
    const { objects, last } = await collect(connector(e, userType(style)).fullImport('user'));
    expect(objects.map((o) => o.attributes.userName)).toEqual(['user1', 'user2', 'user3', 'user4', 'user5']);
    expect(last.complete).toBe(true);
    // Pages of 2: link and cursor end without a next, offset at the total, page on the short third page.
    expect(e.requests - before).toBe(requests);
  });

  it('offset without a total stops on a short page; page without a limit stops on an empty page', async () => {
    let before = e.requests;
    await collect(connector(e, userType('offset', { list: { path: '/offset/users', items: '/items', pagination: { style: 'offset' } } })).fullImport('user'));
    expect(e.requests - before).toBe(3);
    before = e.requests;
    const { objects } = await collect(connector(e, userType('page', { list: { path: '/page/users', items: '/results', pagination: { style: 'page' } } })).fullImport('user'));
    // No per_page sent: the emulator's default page (50) holds everything; the second, empty page ends the walk.
    expect(objects).toHaveLength(5);
    expect(e.requests - before).toBe(2);
  });

  it('maps nested values, arrays of objects to multi-valued attributes, the enabled state and the deleted flag', async () => {
    const x = await emulator();
    const ada = x.addUser({ userName: 'ada', email: 'ada@example.test', name: { given: 'Ada', family: 'Lovelace' }, groups: [{ id: 'g1', name: 'staff' }, { id: 'g2', name: 'eng' }] });
    const off = x.addUser({ userName: 'off', active: false });
    const gone = x.addUser({ userName: 'gone' });
    x.update(gone.id, (u) => (u.status = 'deleted'));
    const { objects } = await collect(connector(x, userType('cursor')).fullImport('user'));
    const byId = new Map(objects.map((o) => [o.externalId, o]));
    expect(byId.get(ada.id)).toEqual({
      externalId: ada.id,
      enabled: true,
      attributes: { userName: 'ada', email: 'ada@example.test', givenName: 'Ada', familyName: 'Lovelace', groups: ['staff', 'eng'], updatedAt: ada.updatedAt, accountEnabled: true },
    });
    expect(byId.get(off.id)!.attributes.accountEnabled).toBe(false);
    expect(byId.get(off.id)!.enabled).toBe(false);
    expect(byId.get(gone.id)!.deleted).toBe(true);
    expect(byId.get(ada.id)!.deleted).toBeUndefined();
  });

  it('without attributes, stages every top-level value of the item', async () => {
    const { objects } = await collect(connector(e, { ...STYLES.link, externalId: '/id' }).fullImport('user'));
    expect(objects[0]!.attributes).toEqual({ id: objects[0]!.externalId, userName: 'user1', email: 'user1@example.test', active: true, status: 'active', updatedAt: expect.any(String) });
  });

  it('refuses a page without an array where list.items points, and a next link to another origin', async () => {
    const error = await rejectionOf(collect(connector(e, userType('cursor', { list: { path: '/cursor/users', items: '/nope', pagination: { style: 'none' } } })).fullImport('user')));
    expect(error.code).toBe('MalformedResponse');
    expect(error.message).toContain('"/nope"');
    e.inject({ path: /^\/api\/link\/users/, status: 200, headers: { Link: '<https://evil.example/steal>; rel="next"' }, body: [{ id: 'x1' }] });
    const foreign = await rejectionOf(collect(connector(e, userType('link')).fullImport('user')));
    expect(foreign.code).toBe('ForeignUrl');
  });
});

describe('delta', () => {
  it('feeds the newest watermark value less the overlap to the delta parameter and reads only changes', async () => {
    const e = await emulator();
    seed(e, 4);
    const type = userType('cursor', { delta: { param: 'updated_since', watermark: '/updatedAt', overlap: '2s' } });
    const full = await collect(connector(e, type).fullImport('user'));
    const newest = e.users.map((u) => u.updatedAt).sort().at(-1)!;
    expect(JSON.parse(full.last.watermark!)).toEqual({ newest });
    expect(full.last.complete).toBe(true);

    e.update(e.users[1]!.id, (u) => (u.email = 'changed@example.test'));
    const delta = await collect(connector(e, type).deltaImport('user', full.last.watermark!));
    const sent = e.log.at(-1)!.path;
    expect(new URL(sent, e.url).searchParams.get('updated_since')).toBe(new Date(Date.parse(newest) - 2000).toISOString());
    // user2 changed; the overlap re-reads users changed within 2 s before the watermark (harmless: the anchor).
    expect(delta.objects.map((o) => o.attributes.userName).sort()).toEqual(['user2', 'user3', 'user4']);
    expect(delta.last.complete).toBeUndefined();
    expect(JSON.parse(delta.last.watermark!)).toEqual({ newest: e.users[1]!.updatedAt });

    // Nothing changed: the watermark stays.
    const quiet = await collect(connector(e, type).deltaImport('user', delta.last.watermark!));
    expect(JSON.parse(quiet.last.watermark!)).toEqual({ newest: e.users[1]!.updatedAt });
    // An unreadable watermark falls back to a complete read.
    const fallback = await collect(connector(e, type).deltaImport('user', 'garbage'));
    expect(fallback.last.complete).toBe(true);
    expect(fallback.objects).toHaveLength(4);
  });
});

describe('authentication', () => {
  it.each(['bearer', 'basic', 'apiKeyHeader', 'apiKeyQuery', 'oauth2'] as const)('%s: authenticates every page; wrong credentials are a typed 401', async (auth) => {
    const e = await emulator(auth);
    seed(e, 3);
    const { objects } = await collect(connector(e, userType('link')).fullImport('user'));
    expect(objects).toHaveLength(3);
    expect(e.log.filter((r) => r.path.startsWith('/api/')).every((r) => r.status === 200)).toBe(true);

    const wrong = createRestConnector(
      connectorContext('api', 'rest', { connection: { baseUrl: `${e.url}/api`, auth: AUTH[auth](e) }, objectTypes: { user: userType('link') } }, { 'api-token': 'wrong-token-1', 'api-password': 'wrong-password-1', 'api-key': 'wrong-key-1', 'client-secret': 'wrong-secret-1' }),
    );
    open.push(wrong);
    const error = await rejectionOf(collect(wrong.fullImport('user')));
    expect(error.code).toBe('Unauthorized');
    expect(error.retryable).toBe(false);
    expect(error.message).not.toContain('wrong-');
  });

  it('apiKey in the query: the key never shows in an error message', async () => {
    const e = await emulator('apiKeyQuery');
    e.inject({ path: /^\/api\/link\/users/, status: 400, body: { message: 'bad filter' } });
    const error = await rejectionOf(collect(connector(e, userType('link')).fullImport('user')));
    expect(error.code).toBe('BadRequest');
    expect(error.message).not.toContain(e.apiKey);
  });

  it('oauth2: one token for many requests, client_secret_post or basic, a fresh token once after a 401', async () => {
    const e = await emulator('oauth2');
    seed(e, 5);
    const c = connector(e, userType('link'));
    await collect(c.fullImport('user'));
    expect(e.tokensIssued).toBe(1);
    expect(e.lastTokenRequest!.form).toEqual({ grant_type: 'client_credentials', scope: 'users.read', client_id: e.clientId, client_secret: e.clientSecret });
    await collect(c.fullImport('user'));
    expect(e.tokensIssued).toBe(1);
    e.revokeTokens();
    const again = await collect(c.fullImport('user'));
    expect(again.objects).toHaveLength(5);
    expect(e.tokensIssued).toBe(2);

    const basic = connector(e, userType('link'), { auth: { ...AUTH.oauth2(e), clientAuth: 'basic' } });
    await collect(basic.fullImport('user'));
    expect(e.lastTokenRequest!.form).toEqual({ grant_type: 'client_credentials', scope: 'users.read' });
    expect(e.lastTokenRequest!.authorization).toMatch(/^Basic /);
  });
});

describe('throttling and errors', () => {
  it('waits for Retry-After on a 429, backs off on a 5xx, and gives up on a 4xx without retrying', async () => {
    const e = await emulator('bearer');
    seed(e, 3);
    e.inject({ path: /^\/api\/cursor\/users/, status: 429, headers: { 'Retry-After': '2' }, body: { error: { code: 'rate_limited', message: 'slow down' } } });
    e.inject({ path: /cursor=/, status: 503, times: 2 });
    const { objects } = await collect(connector(e, userType('cursor')).fullImport('user'));
    expect(objects).toHaveLength(3);
    expect(sleeps[0]).toBe(2000);
    const statuses = e.log.filter((r) => r.path.startsWith('/api/cursor/users')).map((r) => r.status);
    expect(statuses).toEqual([429, 200, 503, 503, 200]);
    expect(sleeps.filter((ms) => ms < 2000).length).toBeGreaterThanOrEqual(2);

    e.inject({ path: /^\/api\/cursor\/users/, status: 403, body: { error: { code: 'forbidden', message: 'scope users.read missing' } } });
    const before = e.requests;
    const error = await rejectionOf(collect(connector(e, userType('cursor')).fullImport('user')));
    expect(error.code).toBe('Forbidden');
    expect(error.message).toContain('scope users.read missing');
    expect(e.requests - before).toBe(1);
  });

  it('a Retry-After beyond the wait limit is a retryable RateLimited error for the next cycle', async () => {
    const e = await emulator();
    e.inject({ path: /^\/api\/cursor\/users/, status: 429, headers: { 'Retry-After': '3600' } });
    const error = await rejectionOf(collect(connector(e, userType('cursor')).fullImport('user')));
    expect(error.code).toBe('RateLimited');
    expect(error.retryable).toBe(true);
  });
});

describe('check', () => {
  it('counts by the count endpoint, by the list total, or by the first page with a warning; reports a refusal', async () => {
    const e = await emulator('bearer');
    seed(e, 5);
    const counted = await connector(e, userType('cursor', { count: { path: '/users/count', pointer: '/total' } })).check();
    expect(counted).toMatchObject({ ok: true, objectTypes: { user: { count: 5 } } });
    expect(counted.latencyMs).toBeGreaterThanOrEqual(0);
    expect(counted.warnings).toBeUndefined();
    expect((await connector(e, userType('offset')).check()).objectTypes.user!.count).toBe(5);
    const firstPage = await connector(e, userType('link')).check();
    expect(firstPage.objectTypes.user!.count).toBe(2);
    expect(firstPage.warnings![0]).toContain('first page');
    const refused = await createRestConnector(
      connectorContext('api', 'rest', { connection: { baseUrl: `${e.url}/api`, auth: AUTH.bearer(e) }, objectTypes: { user: userType('link') } }, { 'api-token': 'not-the-token' }),
    ).check();
    expect(refused.ok).toBe(false);
    expect(refused.error!.code).toBe('Unauthorized');
  });
});
