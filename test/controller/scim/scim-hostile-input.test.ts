/**
 * Hostile requests against the scim-inbound endpoint, with the connector's own bearer token: prototype
 * pollution through PATCH paths, path-less PATCH keys, body keys and filters (scim-patch 0.8.3 advisories
 * GHSA-9m6g-wc8r-q59c, GHSA-2mhw-wcx5-v3xj), a 50,000-deep body, NUL and lone surrogates. Each is a 400
 * with a SCIM error, Object.prototype stays clean, and the endpoint keeps serving.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envSecretResolver } from '../../../src/config/secrets.js';
import { createHttpServer, type ControllerHttpServer } from '../../../src/controller/http-server.js';
import { ScimInbox } from '../../../src/controller/scim/inbox.js';
import { mountScimEndpoints, type ScimEndpoint } from '../../../src/controller/scim/scim-endpoint.js';
import { logger } from '../../../src/shared/logger.js';
import type { Db } from '../../../src/store/db.js';
import { openTestStore } from '../../engine/test-store.js';
import { compile } from '../../engine/harness.js';
import { configText, mesh, pushedUsers, scimInboundConnector } from '../../fixtures/config-yaml.js';

const TOKEN = 'hostile-test-token-0123456789';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

const YAML = configText(
  mesh({ person: { employeeId: 'string', displayName: 'string' } }),
  scimInboundConnector('entra-push', { secret: 'hostile-push-token' }),
  pushedUsers('entra-users', { employeeId: 'externalId', displayName: 'displayName' }),
);

let dir: string;
let db: Db;
let http: ControllerHttpServer;
let endpoint: ScimEndpoint;
let base: string;
let userId: string;

beforeAll(async () => {
  process.env.IMESH_SECRET_HOSTILE_PUSH_TOKEN = TOKEN;
  dir = mkdtempSync(join(tmpdir(), 'imesh-scim-hostile-'));
  db = await openTestStore(dir);
  const config = await compile(YAML);
  const inbox = await ScimInbox.open(db);
  const log = logger();
  http = createHttpServer({ port: 0, host: '127.0.0.1', log });
  endpoint = mountScimEndpoints(http, { inbox, config: () => config, secrets: envSecretResolver(), log, requestCycle: () => undefined, debounceMs: 60_000 });
  await http.listen();
  base = `http://127.0.0.1:${http.port()}/scim/entra-push/v2`;
  const created = await scim('POST', '/Users', { schemas: [USER], userName: 'ada@contoso.com', externalId: 'E1', displayName: 'Ada' });
  expect(created.status).toBe(201);
  userId = created.body.id;
});

afterAll(async () => {
  endpoint?.close();
  await http?.close();
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `body` as a string is sent as written (JSON.stringify would drop a literal `__proto__` key). */
async function scim(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}) },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

const patch = (operations: string): string => `{"schemas":["${PATCH}"],"Operations":[${operations}]}`;

function expectCleanPrototype(): void {
  expect(Object.getOwnPropertyNames(Object.prototype).filter((n) => ['polluted', 'x', 'isAdmin', 'name'].includes(n))).toEqual([]);
  const probe: Record<string, unknown> = {};
  expect([probe.polluted, probe.x, probe.isAdmin]).toEqual([undefined, undefined, undefined]);
}

describe('hostile SCIM requests', () => {
  it.each([
    ['a PATCH path through __proto__', patch('{"op":"add","path":"__proto__.polluted","value":"yes"}'), 'invalidPath'],
    ['a PATCH path through constructor.prototype', patch('{"op":"replace","path":"constructor.prototype.x","value":"y"}'), 'invalidPath'],
    ['a path inside a filter', patch('{"op":"add","path":"emails[type eq \\"work\\"].__proto__","value":"y"}'), 'invalidPath'],
    ['a path-less value whose key is a path', patch('{"op":"add","value":{"constructor.prototype.x":"y"}}'), 'invalidValue'],
    ['a path-less value with a __proto__ key', patch('{"op":"Replace","value":{"__proto__":{"isAdmin":true}}}'), 'invalidValue'],
    ['a value nested under __proto__', patch('{"op":"add","path":"name","value":{"__proto__":{"polluted":"yes"}}}'), 'invalidValue'],
  ])('%s is a 400 with scimType and pollutes nothing', async (_label, body, scimType) => {
    const response = await scim('PATCH', `/Users/${userId}`, body);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ schemas: [ERROR], status: '400', scimType });
    expectCleanPrototype();
  });

  it('POST and PUT bodies with reserved keys are refused', async () => {
    const post = await scim('POST', '/Users', `{"schemas":["${USER}"],"userName":"eve@contoso.com","__proto__":{"polluted":"yes"}}`);
    expect(post.body).toMatchObject({ status: '400', scimType: 'invalidValue' });
    const put = await scim('PUT', `/Users/${userId}`, `{"schemas":["${USER}"],"userName":"ada@contoso.com","name":{"constructor":{"prototype":{"x":"y"}}}}`);
    expect(put.body).toMatchObject({ status: '400', scimType: 'invalidValue' });
    expectCleanPrototype();
  });

  it('filters naming reserved attributes are refused instead of matching every user', async () => {
    for (const filter of ['__proto__ pr', 'constructor pr', 'userName pr or __proto__ pr', 'constructor.name eq "Object"', 'emails[__proto__ pr]']) {
      const response = await scim('GET', `/Users?filter=${encodeURIComponent(filter)}`);
      expect(response.body, filter).toMatchObject({ schemas: [ERROR], status: '400', scimType: 'invalidFilter' });
    }
    // An unknown (but harmless) attribute matches nothing.
    expect((await scim('GET', `/Users?filter=${encodeURIComponent('toString pr')}`)).body.totalResults).toBe(0);
  });

  it('a 50,000-deep body is a 400, not an internal error', async () => {
    const deep = `{"schemas":["${USER}"],"userName":"deep@contoso.com","x":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}`;
    const post = await scim('POST', '/Users', deep);
    expect(post.body).toMatchObject({ schemas: [ERROR], status: '400', scimType: 'invalidSyntax' });
    const arrays = await scim('PATCH', `/Users/${userId}`, patch(`{"op":"add","path":"title","value":${'['.repeat(50_000)}${']'.repeat(50_000)}}`));
    expect(arrays.body).toMatchObject({ status: '400', scimType: 'invalidSyntax' });
  });

  it('NUL and lone surrogates are 400s naming the attribute, in bodies, ids and filters', async () => {
    const nul = await scim('POST', '/Users', { schemas: [USER], userName: 'nul\u0000@contoso.com' });
    expect(nul.body).toMatchObject({ status: '400', scimType: 'invalidValue', detail: 'userName contains a NUL character (U+0000)' });
    const surrogate = await scim('POST', '/Users', `{"schemas":["${USER}"],"userName":"s@contoso.com","name":{"givenName":"\\ud800"}}`);
    expect(surrogate.body).toMatchObject({ status: '400', scimType: 'invalidValue', detail: 'name.givenName contains a lone UTF-16 surrogate (not valid Unicode)' });
    const patched = await scim('PATCH', `/Users/${userId}`, patch('{"op":"replace","path":"displayName","value":"A\\u0000da"}'));
    expect(patched.body).toMatchObject({ status: '400', scimType: 'invalidValue' });
    expect((await scim('GET', '/Users/abc%00def')).body).toMatchObject({ status: '400', scimType: 'invalidValue' });
    expect((await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "a\u0000b"')}`)).body).toMatchObject({ status: '400', scimType: 'invalidFilter' });
  });

  it('after every attack the user is unchanged and ordinary requests still work', async () => {
    const user = await scim('GET', `/Users/${userId}`);
    expect(user.status).toBe(200);
    expect(user.body).toMatchObject({ userName: 'ada@contoso.com', displayName: 'Ada' });
    expect(Object.keys(user.body).sort()).toEqual(['displayName', 'externalId', 'id', 'meta', 'schemas', 'userName']);
    const renamed = await scim('PATCH', `/Users/${userId}`, patch('{"op":"Replace","value":{"displayName":"Ada L.","name.givenName":"Ada"}}'));
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ displayName: 'Ada L.', name: { givenName: 'Ada' } });
    expect((await scim('GET', `/Users?filter=${encodeURIComponent('userName pr')}`)).body.totalResults).toBe(1);
    expectCleanPrototype();
  });
});

