/**
 * A Microsoft identity platform + Microsoft Graph (v1.0) emulator for tests, following Microsoft's
 * public documentation:
 *
 * - Token endpoint `POST /{tenant}/oauth2/v2.0/token` (client-credentials grant: client_id,
 *   client_secret, scope `<graph>/.default`), answering `{ token_type, expires_in, access_token }` or
 *   an OAuth error `{ error, error_description: "AADSTS…" }` (learn.microsoft.com/entra/identity-platform/
 *   v2-oauth2-client-creds-grant-flow).
 * - `/v1.0/users/delta` and `/v1.0/groups/delta` (learn.microsoft.com/graph/delta-query-overview):
 *   `$select` honoured and carried in the links, pages linked by `@odata.nextLink`, a round ending with
 *   `@odata.deltaLink`; removed objects as `{ id, "@removed": { reason: "changed" | "deleted" } }`; groups
 *   with `members@delta` (every member on the first round, added and removed ones afterwards). Expired
 *   delta tokens answer 410 Gone (or 400 syncStateNotFound, as identity resources do).
 * - `/v1.0/users`, `/v1.0/groups` (`$filter` subset, `$top`, `$select`), `/$count` (needs
 *   `ConsistencyLevel: eventual`), `/groups/{id}/members`, `members/$ref` add and remove, `$batch`
 *   (at most 20 requests), POST/PATCH/DELETE of users and groups.
 * - 401 `InvalidAuthenticationToken`, 403 `Authorization_RequestDenied`, 429 `TooManyRequests` with
 *   `Retry-After`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { parseFilter, pathLookup } from './odata-filter.js';
import { HttpEmulator, type EmulatorOptions, type EmulatorRequest, type EmulatorResponse } from './http-emulator.js';

export interface GraphObject {
  id: string;
  [property: string]: unknown;
}

interface Entry {
  object: GraphObject;
  seq: number;
  removed?: 'changed' | 'deleted';
}

interface GroupEntry extends Entry {
  members: Set<string>;
  memberLog: Array<{ seq: number; id: string; removed: boolean }>;
}

interface DeltaState {
  kind: 'users' | 'groups';
  /** Changes after this sequence number; -1 for the first round. */
  since: number;
  /** The round covers changes up to this sequence number. */
  upTo: number;
  offset: number;
  select: string[] | null;
}

const DEFAULT_USER_SELECT = ['businessPhones', 'displayName', 'givenName', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation', 'preferredLanguage', 'surname', 'userPrincipalName', 'id'];
const DEFAULT_GROUP_SELECT = ['id', 'displayName', 'description', 'groupTypes', 'mail', 'mailEnabled', 'mailNickname', 'securityEnabled'];

function graphError(status: number, code: string, message: string, headers: Record<string, string> = {}): EmulatorResponse {
  return { status, headers, body: { error: { code, message, innerError: { date: new Date().toISOString(), 'request-id': randomUUID(), 'client-request-id': randomUUID() } } } };
}

function encode(state: DeltaState): string {
  return Buffer.from(JSON.stringify(state)).toString('base64url');
}

function decode(token: string): DeltaState | undefined {
  try {
    const state = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as DeltaState;
    return typeof state.upTo === 'number' ? state : undefined;
  } catch {
    return undefined;
  }
}

export class GraphEmulator extends HttpEmulator {
  readonly tenantId = randomUUID();
  readonly clientId = randomUUID();
  readonly clientSecret = `sec~${randomBytes(18).toString('base64url')}`;
  /** A second app registration whose token may read but not write. */
  readonly readOnlyClientId = randomUUID();
  readonly readOnlyClientSecret = `sec~${randomBytes(18).toString('base64url')}`;
  /** Access token lifetime, seconds. */
  tokenLifetime = 3599;
  /** Objects per delta page unless the client asks for fewer (Prefer: odata.maxpagesize). */
  pageSize = 100;
  /** Delta tokens issued at or before this sequence number are expired. */
  expiredBefore = -1;
  expiryStyle: 'gone' | 'syncStateNotFound' = 'gone';
  tokensIssued = 0;

  private seq = 0;
  private readonly users = new Map<string, Entry>();
  private readonly groups = new Map<string, GroupEntry>();
  private readonly tokens = new Map<string, { expires: number; write: boolean }>();

  constructor(options: EmulatorOptions = {}) {
    super(options);
  }

  // ---- test set-up -------------------------------------------------------------------------------

  addUser(properties: Omit<GraphObject, 'id'> & { id?: string }): GraphObject {
    const object: GraphObject = { accountEnabled: true, ...properties, id: properties.id ?? randomUUID() };
    this.users.set(object.id, { object, seq: ++this.seq });
    return object;
  }

  updateUser(id: string, properties: Record<string, unknown>): void {
    const entry = this.users.get(id);
    if (!entry || entry.removed) throw new Error(`no user ${id}`);
    Object.assign(entry.object, properties);
    entry.seq = ++this.seq;
  }

  /** Soft delete (to the recycle bin: `reason: changed`) or permanent delete (`reason: deleted`). */
  removeUser(id: string, permanently = false): void {
    const entry = this.users.get(id);
    if (!entry) throw new Error(`no user ${id}`);
    entry.removed = permanently ? 'deleted' : 'changed';
    entry.seq = ++this.seq;
    for (const group of this.groups.values()) if (group.members.has(id)) this.changeMember(group, id, false);
  }

  addGroup(properties: Omit<GraphObject, 'id'> & { id?: string }): GraphObject {
    const object: GraphObject = { securityEnabled: true, mailEnabled: false, groupTypes: [], description: null, ...properties, id: properties.id ?? randomUUID() };
    this.groups.set(object.id, { object, seq: ++this.seq, members: new Set(), memberLog: [] });
    return object;
  }

  updateGroup(id: string, properties: Record<string, unknown>): void {
    const entry = this.mustGroup(id);
    Object.assign(entry.object, properties);
    entry.seq = ++this.seq;
  }

  removeGroup(id: string): void {
    const entry = this.mustGroup(id);
    entry.removed = 'changed';
    entry.seq = ++this.seq;
  }

  addMember(groupId: string, memberId: string): void {
    this.changeMember(this.mustGroup(groupId), memberId, true);
  }

  removeMember(groupId: string, memberId: string): void {
    this.changeMember(this.mustGroup(groupId), memberId, false);
  }

  user(id: string): GraphObject | undefined {
    const entry = this.users.get(id);
    return entry && !entry.removed ? entry.object : undefined;
  }

  group(id: string): GraphObject | undefined {
    const entry = this.groups.get(id);
    return entry && !entry.removed ? entry.object : undefined;
  }

  memberIds(groupId: string): string[] {
    return [...this.mustGroup(groupId).members];
  }

  /** Expires every delta token issued so far (as after the 7-day lifetime of identity delta tokens). */
  expireDeltaTokens(style: 'gone' | 'syncStateNotFound' = 'gone'): void {
    this.expiredBefore = this.seq;
    this.expiryStyle = style;
  }

  private changeMember(group: GroupEntry, memberId: string, add: boolean): void {
    if (add === group.members.has(memberId)) return;
    if (add) group.members.add(memberId);
    else group.members.delete(memberId);
    group.memberLog.push({ seq: ++this.seq, id: memberId, removed: !add });
  }

  private mustGroup(id: string): GroupEntry {
    const entry = this.groups.get(id);
    if (!entry) throw new Error(`no group ${id}`);
    return entry;
  }

  // ---- HTTP ----------------------------------------------------------------------------------------

  protected bucket(request: EmulatorRequest): string {
    return request.url.pathname.includes('/oauth2/') ? 'token' : 'graph';
  }

  protected throttleBody(): unknown {
    return { error: { code: 'TooManyRequests', message: 'Too many requests', innerError: { date: new Date().toISOString() } } };
  }

  protected override throttleHeaders(resetEpochSeconds: number): Record<string, string> {
    return { 'Retry-After': String(Math.max(1, resetEpochSeconds - Math.floor(Date.now() / 1000))) };
  }

  protected handle(request: EmulatorRequest): EmulatorResponse {
    const path = request.url.pathname;
    const token = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(path);
    if (token && request.method === 'POST') return this.issueToken(token[1]!, request);
    if (!path.startsWith('/v1.0/')) return graphError(404, 'Request_ResourceNotFound', `Resource not found for the segment '${path}'.`);
    const auth = request.headers.authorization;
    const bearer = typeof auth === 'string' && auth.startsWith('Bearer ') ? this.tokens.get(auth.slice(7)) : undefined;
    if (!bearer) return graphError(401, 'InvalidAuthenticationToken', 'Access token is empty or invalid.');
    if (bearer.expires < Date.now()) return graphError(401, 'InvalidAuthenticationToken', 'Lifetime validation failed, the token is expired.');
    return this.route(request.method, request.url, request.body, request.headers, bearer.write);
  }

  private issueToken(tenant: string, request: EmulatorRequest): EmulatorResponse {
    const form = (request.body ?? {}) as Record<string, string>;
    const oauth = (status: number, error: string, description: string): EmulatorResponse => ({
      status,
      body: { error, error_description: `${description}\r\nTrace ID: ${randomUUID()}\r\nCorrelation ID: ${randomUUID()}\r\nTimestamp: ${new Date().toISOString()}`, error_codes: [Number(/AADSTS(\d+)/.exec(description)?.[1] ?? 0)], timestamp: new Date().toISOString() },
    });
    if (tenant !== this.tenantId) return oauth(400, 'invalid_request', `AADSTS90002: Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
    if (form.grant_type !== 'client_credentials') return oauth(400, 'unsupported_grant_type', 'AADSTS70003: The app requested an unsupported grant type.');
    const write = form.client_id === this.clientId;
    const known = write || form.client_id === this.readOnlyClientId;
    if (!known) return oauth(400, 'unauthorized_client', `AADSTS700016: Application with identifier '${form.client_id}' was not found in the directory.`);
    const secret = write ? this.clientSecret : this.readOnlyClientSecret;
    if (form.client_secret !== secret) return oauth(401, 'invalid_client', `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${form.client_id}'.`);
    if (!/\/\.default$/.test(form.scope ?? '')) return oauth(400, 'invalid_scope', `AADSTS1002012: The provided value for scope ${form.scope ?? ''} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.`);
    const accessToken = `eyJ0eXAiOiJKV1Qi.${randomBytes(32).toString('base64url')}.sig`;
    this.tokens.set(accessToken, { expires: Date.now() + this.tokenLifetime * 1000, write });
    this.tokensIssued++;
    return { status: 200, body: { token_type: 'Bearer', expires_in: this.tokenLifetime, ext_expires_in: this.tokenLifetime, access_token: accessToken } };
  }

  /** Routes one Graph request (also used for each request inside a $batch). */
  private route(method: string, url: URL, body: unknown, headers: Record<string, string | string[] | undefined>, write: boolean): EmulatorResponse {
    const path = url.pathname.replace(/^\/v1\.0/, '');
    const q = url.searchParams;
    if (method !== 'GET' && !write) return graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
    let m: RegExpExecArray | null;
    if (path === '/$batch' && method === 'POST') return this.batch(url, body, headers, write);
    if ((path === '/users/delta' || path === '/groups/delta') && method === 'GET') return this.delta(path === '/users/delta' ? 'users' : 'groups', url, headers);
    if ((path === '/users/$count' || path === '/groups/$count') && method === 'GET') {
      if (headers.consistencylevel !== 'eventual') return graphError(400, 'Request_BadRequest', '$count is not currently supported.');
      const map = path.startsWith('/users') ? this.users : this.groups;
      return { status: 200, body: String([...map.values()].filter((e) => !e.removed).length), contentType: 'text/plain' };
    }
    if ((path === '/users' || path === '/groups') && method === 'GET') return this.list(path === '/users' ? 'users' : 'groups', url);
    if (path === '/users' && method === 'POST') return this.createUser(body);
    if (path === '/groups' && method === 'POST') return this.createGroup(body, url);
    if ((m = /^\/groups\/([^/]+)\/members\/\$ref$/.exec(path)) && method === 'POST') {
      const group = this.groups.get(m[1]!);
      if (!group || group.removed) return graphError(404, 'Request_ResourceNotFound', `Resource '${m[1]}' does not exist or one of its queried reference-property objects are not present.`);
      const ref = String((body as Record<string, unknown> | undefined)?.['@odata.id'] ?? '');
      const memberId = /directoryObjects\/([^/?]+)$/.exec(ref)?.[1];
      if (!memberId || (!this.user(memberId) && !this.group(memberId))) return graphError(404, 'Request_ResourceNotFound', `Resource '${memberId ?? ref}' does not exist or one of its queried reference-property objects are not present.`);
      if (group.members.has(memberId)) return graphError(400, 'Request_BadRequest', "One or more added object references already exist for the following modified properties: 'members'.");
      this.changeMember(group, memberId, true);
      return { status: 204 };
    }
    if ((m = /^\/groups\/([^/]+)\/members\/([^/]+)\/\$ref$/.exec(path)) && method === 'DELETE') {
      const group = this.groups.get(m[1]!);
      if (!group || group.removed || !group.members.has(m[2]!)) return graphError(404, 'Request_ResourceNotFound', `Resource '${m[2]}' does not exist or one of its queried reference-property objects are not present.`);
      this.changeMember(group, m[2]!, false);
      return { status: 204 };
    }
    if ((m = /^\/groups\/([^/]+)\/members$/.exec(path)) && method === 'GET') return this.members(m[1]!, url);
    if ((m = /^\/(users|groups)\/([^/]+)$/.exec(path))) {
      const map: Map<string, Entry> = m[1] === 'users' ? this.users : this.groups;
      const entry = map.get(m[2]!) ?? (m[1] === 'users' ? [...this.users.values()].find((e) => e.object.userPrincipalName === m![2]) : undefined);
      if (!entry || entry.removed) return graphError(404, 'Request_ResourceNotFound', `Resource '${m[2]}' does not exist or one of its queried reference-property objects are not present.`);
      if (method === 'GET') return { status: 200, body: this.project(entry.object, this.select(q), m[1] === 'users' ? DEFAULT_USER_SELECT : DEFAULT_GROUP_SELECT) };
      if (method === 'PATCH') {
        const patch = (body ?? {}) as Record<string, unknown>;
        if ('id' in patch) return graphError(400, 'Request_BadRequest', "Property 'id' is read-only and cannot be set.");
        if (m[1] === 'users' && typeof patch.userPrincipalName === 'string' && this.upnTaken(patch.userPrincipalName, entry.object.id)) {
          return graphError(400, 'Request_BadRequest', 'Another object with the same value for property userPrincipalName already exists.');
        }
        Object.assign(entry.object, patch);
        entry.seq = ++this.seq;
        return { status: 204 };
      }
      if (method === 'DELETE') {
        if (m[1] === 'users') this.removeUser(entry.object.id);
        else this.removeGroup(entry.object.id);
        return { status: 204 };
      }
    }
    return graphError(400, 'BadRequest', `Unsupported request: ${method} ${path}`);
  }

  private select(q: URLSearchParams): string[] | null {
    const value = q.get('$select');
    return value ? value.split(',').map((s) => s.trim()).filter(Boolean) : null;
  }

  private project(object: GraphObject, select: string[] | null, defaults: string[]): Record<string, unknown> {
    const fields = (select ?? defaults).filter((f) => f !== 'members');
    const out: Record<string, unknown> = { id: object.id };
    for (const field of fields) out[field] = object[field] ?? null;
    return out;
  }

  private upnTaken(upn: string, except?: string): boolean {
    return [...this.users.values()].some((e) => !e.removed && e.object.id !== except && String(e.object.userPrincipalName).toLowerCase() === upn.toLowerCase());
  }

  private pageLimit(headers: Record<string, string | string[] | undefined>, q: URLSearchParams): number {
    const prefer = /odata\.maxpagesize=(\d+)/.exec(String(headers.prefer ?? ''))?.[1];
    const top = q.get('$top');
    return Math.max(1, Math.min(this.pageSize, Number(prefer ?? top ?? this.pageSize)));
  }

  private delta(kind: 'users' | 'groups', url: URL, headers: Record<string, string | string[] | undefined>): EmulatorResponse {
    const q = url.searchParams;
    const base = `${this.url}/v1.0/${kind}/delta`;
    let state: DeltaState;
    const skip = q.get('$skiptoken');
    const delta = q.get('$deltatoken');
    if (skip || delta) {
      const decoded = decode(skip ?? delta!);
      if (!decoded || decoded.kind !== kind) return graphError(400, 'Request_BadRequest', 'Invalid delta token.');
      if (delta) {
        if (decoded.upTo <= this.expiredBefore) {
          return this.expiryStyle === 'gone'
            ? graphError(410, 'resyncRequired', 'Resync required. Replace any local items with the server\'s version (including deletes) if you\'re sure that the service was up to date with your local changes when you last sync\'d.')
            : graphError(400, 'syncStateNotFound', 'The sync state generation is not found. The delta token is expired and data must be synchronized again.');
        }
        state = { kind, since: decoded.upTo, upTo: this.seq, offset: 0, select: decoded.select };
      } else {
        state = decoded;
      }
    } else {
      state = { kind, since: -1, upTo: this.seq, offset: 0, select: this.select(q) };
    }
    const limit = this.pageLimit(headers, q);
    const items: Record<string, unknown>[] = [];
    if (kind === 'users') {
      for (const entry of [...this.users.values()].sort((a, b) => a.seq - b.seq || (a.object.id < b.object.id ? -1 : 1))) {
        if (entry.seq > state.upTo || entry.seq <= state.since) continue;
        if (entry.removed) {
          if (state.since >= 0) items.push({ id: entry.object.id, '@removed': { reason: entry.removed } });
          continue;
        }
        items.push(this.project(entry.object, state.select, DEFAULT_USER_SELECT));
      }
    } else {
      const withMembers = state.select?.includes('members') ?? false;
      for (const entry of [...this.groups.values()].sort((a, b) => a.seq - b.seq)) {
        const memberChanges = entry.memberLog.filter((c) => c.seq > state.since && c.seq <= state.upTo);
        const changed = entry.seq > state.since && entry.seq <= state.upTo;
        if (!changed && (!withMembers || memberChanges.length === 0)) continue;
        if (entry.removed) {
          if (state.since >= 0 && changed) items.push({ id: entry.object.id, '@removed': { reason: entry.removed } });
          continue;
        }
        const item = this.project(entry.object, state.select, DEFAULT_GROUP_SELECT);
        if (withMembers) {
          const type = (id: string) => (this.groups.has(id) ? '#microsoft.graph.group' : '#microsoft.graph.user');
          item['members@delta'] =
            state.since < 0
              ? [...entry.members].map((id) => ({ '@odata.type': type(id), id }))
              : latest(memberChanges).map((c) => ({ '@odata.type': type(c.id), id: c.id, ...(c.removed ? { '@removed': { reason: 'deleted' } } : {}) }));
        }
        items.push(item);
      }
    }
    const page = items.slice(state.offset, state.offset + limit);
    const body: Record<string, unknown> = { '@odata.context': `${this.url}/v1.0/$metadata#${kind}`, value: page };
    if (state.offset + limit < items.length) body['@odata.nextLink'] = `${base}?$skiptoken=${encode({ ...state, offset: state.offset + limit })}`;
    else body['@odata.deltaLink'] = `${base}?$deltatoken=${encode({ ...state, offset: 0 })}`;
    return { status: 200, body };
  }

  private list(kind: 'users' | 'groups', url: URL): EmulatorResponse {
    const q = url.searchParams;
    const map: Map<string, Entry> = kind === 'users' ? this.users : this.groups;
    let entries = [...map.values()].filter((e) => !e.removed);
    const filter = q.get('$filter');
    if (filter) {
      try {
        const predicate = parseFilter(filter);
        entries = entries.filter((e) => predicate(pathLookup(e.object)));
      } catch (error) {
        return graphError(400, 'Request_UnsupportedQuery', error instanceof Error ? error.message : String(error));
      }
    }
    const top = Math.min(999, Number(q.get('$top') ?? 100));
    const offset = Number(q.get('$skiptoken') ?? 0);
    const page = entries.slice(offset, offset + top).map((e) => this.project(e.object, this.select(q), kind === 'users' ? DEFAULT_USER_SELECT : DEFAULT_GROUP_SELECT));
    const next = new URL(url.href);
    next.searchParams.set('$skiptoken', String(offset + top));
    return { status: 200, body: { value: page, ...(offset + top < entries.length ? { '@odata.nextLink': next.href.replace(/^http:\/\/[^/]+/, this.url) } : {}) } };
  }

  private members(groupId: string, url: URL): EmulatorResponse {
    const group = this.groups.get(groupId);
    if (!group || group.removed) return graphError(404, 'Request_ResourceNotFound', `Resource '${groupId}' does not exist or one of its queried reference-property objects are not present.`);
    const q = url.searchParams;
    const top = Math.min(999, Number(q.get('$top') ?? 100));
    const offset = Number(q.get('$skiptoken') ?? 0);
    const ids = [...group.members];
    const value = ids.slice(offset, offset + top).map((id) => ({ '@odata.type': this.groups.has(id) ? '#microsoft.graph.group' : '#microsoft.graph.user', id }));
    const next = new URL(url.href);
    next.searchParams.set('$skiptoken', String(offset + top));
    return { status: 200, body: { value, ...(offset + top < ids.length ? { '@odata.nextLink': next.href.replace(/^http:\/\/[^/]+/, this.url) } : {}) } };
  }

  private createUser(body: unknown): EmulatorResponse {
    const b = (body ?? {}) as Record<string, unknown>;
    for (const required of ['accountEnabled', 'displayName', 'mailNickname', 'userPrincipalName', 'passwordProfile']) {
      if (b[required] === undefined || b[required] === null) return graphError(400, 'Request_BadRequest', `Invalid value specified for property '${required}' of resource 'User'.`);
    }
    const profile = b.passwordProfile as { password?: unknown };
    if (typeof profile.password !== 'string' || profile.password.length < 8) return graphError(400, 'Request_BadRequest', 'The specified password does not comply with password complexity requirements. Please provide a different password.');
    if (this.upnTaken(String(b.userPrincipalName))) return graphError(400, 'Request_BadRequest', 'Another object with the same value for property userPrincipalName already exists.');
    const { passwordProfile: _p, ...rest } = b;
    const user = this.addUser(rest as Omit<GraphObject, 'id'>);
    return { status: 201, body: user };
  }

  private createGroup(body: unknown, url: URL): EmulatorResponse {
    const b = { ...((body ?? {}) as Record<string, unknown>) };
    for (const required of ['displayName', 'mailEnabled', 'mailNickname', 'securityEnabled']) {
      if (b[required] === undefined) return graphError(400, 'Request_BadRequest', `Invalid value specified for property '${required}' of resource 'Group'.`);
    }
    const binds = Array.isArray(b['members@odata.bind']) ? (b['members@odata.bind'] as string[]) : [];
    delete b['members@odata.bind'];
    if (binds.length > 20) return graphError(400, 'Request_BadRequest', 'A maximum of 20 members can be added in one request.');
    const group = this.addGroup(b as Omit<GraphObject, 'id'>);
    for (const ref of binds) {
      const id = /directoryObjects\/([^/?]+)$/.exec(ref)?.[1];
      if (id) this.addMember(group.id, id);
    }
    void url;
    return { status: 201, body: group };
  }

  private batch(url: URL, body: unknown, headers: Record<string, string | string[] | undefined>, write: boolean): EmulatorResponse {
    const requests = (body as { requests?: Array<{ id: string; method: string; url: string; body?: unknown; headers?: Record<string, string> }> } | undefined)?.requests;
    if (!Array.isArray(requests)) return graphError(400, 'BadRequest', 'Invalid batch payload format.');
    if (requests.length > 20) return graphError(400, 'BadRequest', 'The number of batch requests exceeds the limit of 20.');
    const responses = requests.map((r) => {
      const inner = this.innerThrottle();
      if (inner) return { id: r.id, status: 429, headers: { 'Retry-After': '1' }, body: this.throttleBody() };
      const target = new URL(`${this.url}/v1.0${r.url.startsWith('/') ? r.url : `/${r.url}`}`);
      const result = this.route(r.method.toUpperCase(), target, r.body, headers, write);
      return { id: r.id, status: result.status, headers: result.headers ?? {}, ...(result.body !== undefined ? { body: result.body } : {}) };
    });
    void url;
    return { status: 200, body: { responses } };
  }

  /** Requests inside a $batch that the test marked to be throttled (see throttleBatchItems). */
  private batchThrottles = 0;
  throttleBatchItems(count: number): void {
    this.batchThrottles += count;
  }
  private innerThrottle(): boolean {
    if (this.batchThrottles <= 0) return false;
    this.batchThrottles--;
    this.throttled++;
    return true;
  }
}

/** The last change per member id within a round. */
function latest(changes: Array<{ seq: number; id: string; removed: boolean }>): Array<{ seq: number; id: string; removed: boolean }> {
  const byId = new Map<string, { seq: number; id: string; removed: boolean }>();
  for (const change of changes) byId.set(change.id, change);
  return [...byId.values()];
}
