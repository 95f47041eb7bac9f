import { afterEach, describe, expect, it } from 'vitest';
import { HttpClient, HttpError, linkPages, odataPages, scimPages } from '../../../src/connectors/http/index.js';
import { logger, registerSecret } from '../../../src/shared/logger.js';
import { captureLogs, ScriptedServer, rejectionOf } from '../../emulators/test-support.js';
import type { EmulatorRequest, EmulatorResponse } from '../../emulators/http-emulator.js';

const TOKEN = 'tok-9f8e7d6c5b4a3210-secret';
registerSecret(TOKEN);

const servers: ScriptedServer[] = [];
const clients: HttpClient[] = [];

async function serve(handler: (request: EmulatorRequest, count: number) => EmulatorResponse | Promise<EmulatorResponse>, rateHeaders = false, options = {}): Promise<ScriptedServer> {
  const server = await new ScriptedServer(handler, options, rateHeaders).start();
  servers.push(server);
  return server;
}

function client(server: ScriptedServer, options: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}): HttpClient {
  const c = new HttpClient({ connector: 'peer', baseUrl: server.url, log: logger().child({ connector: 'peer' }), authorization: () => `Bearer ${TOKEN}`, backoffBaseMs: 10, ...options });
  clients.push(c);
  return c;
}

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  for (const s of servers.splice(0)) await s.close();
});

describe('retries', () => {
  it('waits for Retry-After: 1 on a 429 and then succeeds', async () => {
    const server = await serve((_r, n) => (n === 1 ? { status: 429, headers: { 'Retry-After': '1' }, body: { error: { code: 'TooManyRequests', message: 'slow down' } } } : { status: 200, body: { ok: true } }));
    const started = Date.now();
    const body = await client(server).json<{ ok: boolean }>({ url: 'things' });
    expect(body.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(server.requests).toBe(2);
  });

  it('surfaces Retry-After: 120 as a retryable RateLimited error without sleeping', async () => {
    const server = await serve(() => ({ status: 429, headers: { 'Retry-After': '120' }, body: { error: { code: 'TooManyRequests', message: 'Too many requests' } } }));
    const started = Date.now();
    const error = await rejectionOf(client(server)
      .request({ url: 'things' }));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).code).toBe('RateLimited');
    expect((error as HttpError).retryable).toBe(true);
    expect((error as HttpError).retryAfterMs).toBe(120_000);
    expect((error as HttpError).message).toMatch(/120 s/);
    expect(server.requests).toBe(1);
  });

  it('reads Retry-After as an HTTP date on a 503', async () => {
    const server = await serve((_r, n) => (n === 1 ? { status: 503, headers: { 'Retry-After': new Date(Date.now() + 1500).toUTCString() } } : { status: 200, body: [] }));
    const started = Date.now();
    await client(server).request({ url: 'things' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(server.requests).toBe(2);
  });

  it('retries a GET at most 3 times on 5xx, then fails retryable; never retries a POST on 500', async () => {
    const server = await serve(() => ({ status: 500, body: { error: { code: 'InternalError', message: 'boom' } } }));
    const c = client(server);
    const get = await rejectionOf(c.request({ url: 'things' }));
    expect(get.code).toBe('ServerError');
    expect(get.retryable).toBe(true);
    expect(server.requests).toBe(4);
    const post = await rejectionOf(c.request({ method: 'POST', url: 'things', json: { a: 1 } }));
    expect(post.code).toBe('ServerError');
    expect(server.requests).toBe(5);
  });

  it('backs off exponentially with jitter when a 503 has no Retry-After', async () => {
    const waits: number[] = [];
    const server = await serve((_r, n) => (n <= 2 ? { status: 503, body: { errorSummary: 'maintenance' } } : { status: 200, body: {} }));
    await client(server, { sleep: async (ms) => void waits.push(ms), backoffBaseMs: 1000, backoffCapMs: 8000, random: () => 0.5 }).request({ url: 'x' });
    expect(waits).toEqual([500, 1000]);
  });

  it('times out a request that never answers, as a retryable Timeout after its retries', async () => {
    const server = await serve(() => new Promise<EmulatorResponse>(() => undefined));
    const error = await rejectionOf(client(server, { timeoutMs: 150, maxRetries: 1 })
      .request({ url: 'slow' }));
    expect(error.code).toBe('Timeout');
    expect(error.retryable).toBe(true);
    expect(server.requests).toBe(0); // the server never answered either attempt
  });
});

describe('errors and secrets', () => {
  it('maps 401 and 403 to typed, non-retryable errors carrying the API summary and the advice, never the token', async () => {
    const logs = captureLogs();
    const server = await serve((r) =>
      r.url.pathname === '/a'
        ? { status: 401, body: { errorCode: 'E0000011', errorSummary: 'Invalid token provided', errorCauses: [] } }
        : { status: 403, body: { error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' } } },
    );
    const c = client(server, { advice: (status) => (status === 401 ? 'rotate the token' : 'grant read access') });
    const e401 = await rejectionOf(c.request({ url: 'a', query: { access_token: TOKEN, limit: 2 } }));
    expect(e401.code).toBe('Unauthorized');
    expect(e401.retryable).toBe(false);
    expect(e401.message).toContain('Invalid token provided (E0000011)');
    expect(e401.message).toContain('rotate the token');
    expect(e401.message).toContain('limit=2');
    expect(e401.message).not.toContain(TOKEN);
    const e403 = await rejectionOf(c.request({ url: 'b' }));
    expect(e403.code).toBe('Forbidden');
    expect(e403.message).toContain('Insufficient privileges');
    expect(e403.message).toContain('grant read access');
    expect(JSON.stringify(e403)).not.toContain(TOKEN);
    expect(server.log.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(logs.text()).not.toContain(TOKEN);
  });

  it('refuses to follow a link to another origin with credentials', async () => {
    const server = await serve(() => ({ status: 200, headers: { Link: '<https://evil.example.com/steal?after=1>; rel="next"' }, body: [{ id: 1 }] }));
    const pages = linkPages(client(server), { url: 'list' });
    await pages.next();
    await expect(pages.next()).rejects.toMatchObject({ code: 'ForeignUrl' });
  });

  it('reports a 200 with a body that is not JSON as MalformedResponse', async () => {
    const server = await serve(() => ({ status: 200, body: '{"value": [', contentType: 'application/json' }));
    await expect(client(server).request({ url: 'x' })).rejects.toMatchObject({ code: 'MalformedResponse' });
  });

  it('refuses plain http to a non-loopback host', () => {
    expect(() => new HttpClient({ connector: 'peer', baseUrl: 'http://okta.example.com', log: logger() })).toThrow(/only https/);
  });
});

describe('budget and pacing', () => {
  it('keeps at most `concurrency` requests in flight', async () => {
    const server = await serve(async () => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      return { status: 200, body: {} };
    });
    const c = client(server, { concurrency: 3 });
    await Promise.all(Array.from({ length: 20 }, () => c.request({ url: 'x' })));
    expect(server.maxInFlight).toBeLessThanOrEqual(3);
    expect(server.requests).toBe(20);
  });

  it('waits for the rate-limit window to reset instead of running into 429s, and logs the headers', async () => {
    const logs = captureLogs();
    const server = await serve(() => ({ status: 200, body: {} }), true, { rateLimit: { limit: 5, windowMs: 1000 } });
    const c = client(server, { concurrency: 2, rateLimitBucket: () => 'all' });
    for (let i = 0; i < 12; i++) await c.request({ url: 'x' });
    expect(server.throttled).toBe(0);
    expect(c.stats().pacedWaits).toBeGreaterThan(0);
    expect(logs.text()).toMatch(/x-rate-limit-remaining/);
  });
});

describe('pagination', () => {
  it('follows Link rel="next" across separate Link headers and stops at an empty page when asked', async () => {
    const server = await serve((r) => {
      const after = Number(r.url.searchParams.get('after') ?? 0);
      const items = after >= 4 ? [] : [{ id: after + 1 }, { id: after + 2 }];
      return { status: 200, headers: { Link: [`<${r.url.href}>; rel="self"`, `<${server.url}/list?after=${after + 2}>; rel="next"`] }, body: items };
    });
    const ids: number[] = [];
    for await (const page of linkPages<{ id: number }>(client(server), { url: 'list' }, { stopWhenEmpty: true })) ids.push(...page.items.map((i) => i.id));
    expect(ids).toEqual([1, 2, 3, 4]);
  });

  it('walks @odata.nextLink to the @odata.deltaLink', async () => {
    const server = await serve((r) => {
      const page = Number(r.url.searchParams.get('$skiptoken') ?? 0);
      if (page < 2) return { status: 200, body: { value: page === 1 ? [] : [{ id: 'a' }], '@odata.nextLink': `${server.url}/users/delta?$skiptoken=${page + 1}` } };
      return { status: 200, body: { value: [{ id: 'b' }], '@odata.deltaLink': `${server.url}/users/delta?$deltatoken=xyz` } };
    });
    const seen: string[] = [];
    let delta: string | undefined;
    for await (const page of odataPages<{ id: string }>(client(server), { url: 'users/delta' })) {
      seen.push(...page.items.map((i) => i.id));
      delta = page.deltaLink ?? delta;
    }
    expect(seen).toEqual(['a', 'b']);
    expect(delta).toMatch(/\$deltatoken=xyz$/);
  });

  it('walks a SCIM ListResponse by startIndex even when the server returns fewer than count', async () => {
    const all = Array.from({ length: 7 }, (_, i) => ({ id: `u${i + 1}` }));
    const server = await serve((r) => {
      const start = Number(r.url.searchParams.get('startIndex'));
      const items = all.slice(start - 1, start - 1 + 2); // the server caps pages at 2
      return { status: 200, body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: all.length, itemsPerPage: items.length, startIndex: start, Resources: items } };
    });
    const ids: string[] = [];
    for await (const page of scimPages<{ id: string }>(client(server), 'Users', { count: 5 })) ids.push(...page.items.map((i) => i.id));
    expect(ids).toEqual(all.map((u) => u.id));
  });
});
