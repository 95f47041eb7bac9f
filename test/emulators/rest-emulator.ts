/**
 * A generic REST/JSON API for the rest connector's tests and benchmark: users under `/api`, listed in
 * each pagination style the connector supports, behind one of its auth styles, with a token endpoint
 * for the OAuth2 client-credentials grant. Faults (429 with Retry-After, 5xx, 4xx) are injected
 * through HttpEmulator.inject. Test-only: never imported by src/.
 *
 * Lists (each takes `updated_since`, inclusive, as an ISO timestamp):
 * - `GET /api/link/users?limit=N[&after=ID]`  → JSON array, `Link: <absolute>; rel="next"`
 * - `GET /api/cursor/users?limit=N[&cursor=C]` → `{ data: [...], meta: { next_cursor } }` (null at the end)
 * - `GET /api/offset/users?offset=O&limit=N`   → `{ items: [...], total }`
 * - `GET /api/page/users?page=P&per_page=N`     → `{ results: [...] }`, pages from 1 (`/api/page0/users`: from 0)
 * Other: `GET /api/users/count` → `{ total }`; `GET /api/users?userName=` → `{ data: [...] }`;
 * `POST /api/users` (409 on a taken userName); `PUT /api/users/by-name/{userName}` (upsert);
 * `PATCH /api/users/{id}` (merge); `DELETE /api/users/{id}` (soft: `status: "deleted"` unless `hardDelete`).
 */
import { HttpEmulator, pageAfter, type EmulatorOptions, type EmulatorRequest, type EmulatorResponse } from './http-emulator.js';

export type RestAuthStyle = 'none' | 'bearer' | 'basic' | 'apiKeyHeader' | 'apiKeyQuery' | 'oauth2';

export interface RestUser {
  id: string;
  userName: string;
  email?: string;
  name: { given?: string; family?: string };
  department?: string;
  groups: { id: string; name: string }[];
  active: boolean;
  status: 'active' | 'deleted';
  updatedAt: string;
}

export interface RestEmulatorOptions extends EmulatorOptions {
  readonly auth?: RestAuthStyle;
  /** OAuth2 access token lifetime in seconds. */
  readonly tokenLifetime?: number;
  /** DELETE removes the user instead of flagging it deleted. */
  readonly hardDelete?: boolean;
}

const API_KEY_NAME = 'X-Api-Key';

export class RestEmulator extends HttpEmulator {
  readonly bearer = 'rest-bearer-7f3a9c1d';
  readonly basicUser = 'svc-mesh';
  readonly basicPassword = 'rest-pass-c0ffee42';
  readonly apiKey = 'rest-apikey-5b8e2d71';
  readonly clientId = 'mesh-client';
  readonly clientSecret = 'rest-client-secret-9a4e';
  readonly apiKeyName = API_KEY_NAME;
  readonly users: RestUser[] = [];
  /** Access tokens issued and still valid. */
  private readonly tokens = new Set<string>();
  tokensIssued = 0;
  /** The last token request's form and Authorization header, for assertions. */
  lastTokenRequest: { form: Record<string, string>; authorization?: string } | undefined;
  private nextId = 1;
  private clock = Date.parse('2026-01-01T00:00:00.000Z');
  readonly restOptions: RestEmulatorOptions;

  constructor(options: RestEmulatorOptions = {}) {
    super(options);
    this.restOptions = options;
  }

  /** Adds a user; each change advances the emulator's clock by a second (distinct updatedAt values). */
  addUser(fields: Partial<Omit<RestUser, 'id' | 'updatedAt'>> & { userName: string }): RestUser {
    const user: RestUser = { id: `u${String(this.nextId++).padStart(6, '0')}`, name: {}, groups: [], active: true, status: 'active', ...fields, updatedAt: this.tick() };
    this.users.push(user);
    return user;
  }

  update(id: string, change: (user: RestUser) => void): void {
    const user = this.find(id);
    if (!user) throw new Error(`no user ${id}`);
    change(user);
    user.updatedAt = this.tick();
  }

  find(id: string): RestUser | undefined {
    return this.users.find((u) => u.id === id);
  }

  /** Every issued token stops working (a revoked credential): the next API call answers 401. */
  revokeTokens(): void {
    this.tokens.clear();
  }

  private tick(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString();
  }

  protected bucket(): string {
    return 'all';
  }

  protected throttleBody(): unknown {
    return { error: { code: 'rate_limited', message: 'Too many requests' } };
  }

  protected handle(request: EmulatorRequest): EmulatorResponse {
    const path = request.url.pathname;
    if (path === '/oauth/token' && request.method === 'POST') return this.token(request);
    if (!path.startsWith('/api/')) return { status: 404, body: { error: { code: 'not_found', message: `no route ${path}` } } };
    if (!this.authorized(request)) return { status: 401, headers: { 'WWW-Authenticate': 'Bearer' }, body: { error: { code: 'unauthorized', message: 'Authentication required' } } };
    const q = request.url.searchParams;
    const since = q.get('updated_since');
    // Users are kept in id order (ids grow as they are added), as pageAfter needs.
    const listed = () => (since === null ? this.users : this.users.filter((u) => Date.parse(u.updatedAt) >= Date.parse(since)));
    const limit = Number(q.get('limit') ?? q.get('per_page') ?? 50);
    const route = `${request.method} ${path}`;

    if (route === 'GET /api/link/users') {
      const { page, next } = pageAfter(listed(), q.get('after'), limit);
      const headers: Record<string, string> = {};
      if (next) {
        const url = new URL(request.url.href);
        url.host = request.headers.host ?? url.host;
        url.searchParams.set('after', next);
        url.searchParams.delete('api_key');
        headers.Link = `<${url.href}>; rel="next"`;
      }
      return { status: 200, headers, body: page };
    }
    if (route === 'GET /api/cursor/users') {
      const { page, next } = pageAfter(listed(), q.get('cursor') ? Buffer.from(q.get('cursor')!, 'base64url').toString() : null, limit);
      return { status: 200, body: { data: page, meta: { next_cursor: next ? Buffer.from(next).toString('base64url') : null } } };
    }
    if (route === 'GET /api/offset/users') {
      const all = listed();
      const offset = Number(q.get('offset') ?? 0);
      return { status: 200, body: { items: all.slice(offset, offset + limit), total: all.length } };
    }
    if (route === 'GET /api/page/users' || route === 'GET /api/page0/users') {
      const first = path.startsWith('/api/page0') ? 0 : 1;
      const page = Number(q.get('page') ?? first) - first;
      const all = listed();
      return { status: 200, body: { results: all.slice(page * limit, page * limit + limit) } };
    }
    if (route === 'GET /api/users/count') return { status: 200, body: { total: this.users.filter((u) => u.status === 'active').length } };
    if (route === 'GET /api/users') {
      const userName = q.get('userName');
      return { status: 200, body: { data: this.users.filter((u) => u.status === 'active' && (userName === null || u.userName === userName)) } };
    }
    if (route === 'POST /api/users') {
      const body = request.body as Partial<RestUser> | undefined;
      if (!body || typeof body.userName !== 'string') return { status: 400, body: { error: { code: 'invalid', message: 'userName is required' } } };
      if (this.users.some((u) => u.status === 'active' && u.userName === body.userName)) return { status: 409, body: { error: { code: 'conflict', message: `userName ${body.userName} is taken` } } };
      const user = this.addUser({ ...sanitize(body), userName: body.userName });
      return { status: 201, body: user };
    }
    const byName = /^\/api\/users\/by-name\/([^/]+)$/.exec(path);
    if (byName && request.method === 'PUT') {
      const userName = decodeURIComponent(byName[1]!);
      const body = (request.body ?? {}) as Partial<RestUser>;
      const found = this.users.find((u) => u.userName === userName && u.status === 'active');
      if (found) {
        this.update(found.id, (u) => Object.assign(u, sanitize(body)));
        return { status: 200, body: found };
      }
      return { status: 201, body: this.addUser({ ...sanitize(body), userName }) };
    }
    const one = /^\/api\/users\/([^/]+)$/.exec(path);
    if (one) {
      const user = this.find(decodeURIComponent(one[1]!));
      if (!user || user.status === 'deleted') return { status: 404, body: { error: { code: 'not_found', message: 'no such user' } } };
      if (request.method === 'GET') return { status: 200, body: user };
      if (request.method === 'PATCH') {
        const body = (request.body ?? {}) as Partial<RestUser>;
        this.update(user.id, (u) => {
          const { name, ...rest } = sanitize(body);
          Object.assign(u, rest);
          if (name) u.name = { ...u.name, ...name };
        });
        return { status: 200, body: user };
      }
      if (request.method === 'DELETE') {
        if (this.restOptions.hardDelete) this.users.splice(this.users.indexOf(user), 1);
        else this.update(user.id, (u) => (u.status = 'deleted'));
        return { status: 204 };
      }
    }
    return { status: 405, body: { error: { code: 'method_not_allowed', message: route } } };
  }

  private authorized(request: EmulatorRequest): boolean {
    const header = request.headers.authorization;
    switch (this.restOptions.auth ?? 'none') {
      case 'none':
        return true;
      case 'bearer':
        return header === `Bearer ${this.bearer}`;
      case 'basic':
        return header === `Basic ${Buffer.from(`${this.basicUser}:${this.basicPassword}`).toString('base64')}`;
      case 'apiKeyHeader':
        return request.headers[API_KEY_NAME.toLowerCase()] === this.apiKey;
      case 'apiKeyQuery':
        return request.url.searchParams.get('api_key') === this.apiKey;
      case 'oauth2':
        return header !== undefined && header.startsWith('Bearer ') && this.tokens.has(header.slice(7));
    }
  }

  private token(request: EmulatorRequest): EmulatorResponse {
    const form = (request.body ?? {}) as Record<string, string>;
    this.lastTokenRequest = { form, ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}) };
    let id = form.client_id;
    let secret = form.client_secret;
    const header = request.headers.authorization;
    if (header?.startsWith('Basic ')) {
      const [user, pass] = Buffer.from(header.slice(6), 'base64').toString().split(':');
      id = decodeURIComponent(user ?? '');
      secret = decodeURIComponent(pass ?? '');
    }
    if (form.grant_type !== 'client_credentials') return { status: 400, body: { error: 'unsupported_grant_type' } };
    if (id !== this.clientId || secret !== this.clientSecret) return { status: 401, body: { error: 'invalid_client', error_description: 'Client authentication failed' } };
    const token = `at-${++this.tokensIssued}-${Math.random().toString(36).slice(2)}`;
    this.tokens.add(token);
    return { status: 200, body: { access_token: token, token_type: 'Bearer', expires_in: this.restOptions.tokenLifetime ?? 3600, scope: form.scope } };
  }
}

/** What a client may set: never id, status or updatedAt. */
function sanitize(body: Partial<RestUser>): Partial<RestUser> {
  const { id: _id, status: _status, updatedAt: _updated, ...rest } = body;
  return rest;
}
