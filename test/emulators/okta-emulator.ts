/**
 * An Okta Management API emulator for tests and benchmarks, following Okta's public documentation:
 *
 * - SSWS token auth; 401 `E0000011 Invalid token provided`, 403 `E0000006 You do not have permission…`
 *   (a read-only token may read but not write), 404 `E0000007`, 400 `E0000001` with errorCauses.
 * - Users (`/api/v1/users`): `limit` ≤ 200, cursor `after`, `search` and `filter` (SCIM filter
 *   expressions, developer.okta.com/docs/api/#filter, evaluated by src/scim/filter.ts). A plain list leaves DEPROVISIONED users out; `search`/`filter` return every
 *   status that matches. Lifecycle: activate, deactivate, suspend, unsuspend, unlock; DELETE deactivates a
 *   user first and deletes a DEPROVISIONED one (writing user.lifecycle.delete.initiated/.completed).
 * - Groups (`/api/v1/groups`, `expand=stats`), members (`/api/v1/groups/{id}/users`, PUT/DELETE member).
 * - System Log (`/api/v1/logs`): `since`, `until`, `filter`, `limit`, `after`; a polling request (no
 *   `until`) always answers a `rel="next"` link, even on an empty page.
 * - Pagination by `Link: <…>; rel="self"` and `rel="next"` headers (one header per relation).
 * - `X-Rate-Limit-Limit/-Remaining/-Reset` on every response; 429 `E0000047` past the limit.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { matchesFilter, parseScimFilter, type ScimFilter } from '../../src/scim/filter.js';
import { HttpEmulator, pageAfter, type EmulatorOptions, type EmulatorRequest, type EmulatorResponse } from './http-emulator.js';

export type OktaStatus = 'ACTIVE' | 'STAGED' | 'PROVISIONED' | 'RECOVERY' | 'PASSWORD_EXPIRED' | 'LOCKED_OUT' | 'SUSPENDED' | 'DEPROVISIONED';

export interface OktaUser {
  id: string;
  status: OktaStatus;
  created: string;
  activated: string | null;
  statusChanged: string | null;
  lastLogin: string | null;
  lastUpdated: string;
  passwordChanged: string | null;
  type: { id: string };
  profile: Record<string, unknown>;
  credentials?: { password?: { value?: string } };
}

export interface OktaGroup {
  id: string;
  created: string;
  lastUpdated: string;
  lastMembershipUpdated: string;
  objectClass: string[];
  type: 'OKTA_GROUP' | 'APP_GROUP' | 'BUILT_IN';
  profile: { name: string; description?: string | null };
}

export interface LogEvent {
  uuid: string;
  published: string;
  eventType: string;
  version: '0';
  severity: 'INFO';
  displayMessage: string;
  actor: { id: string; type: 'User'; alternateId: string; displayName: string };
  outcome: { result: 'SUCCESS' };
  target: Array<{ id: string; type: string; alternateId: string; displayName: string }>;
  /** Emulator cursor (not part of Okta's object). */
  seq: number;
}

const USER_TYPE = 'oty1emulatordefault0';
const MAX_LIMIT = 200;

function oktaError(status: number, errorCode: string, errorSummary: string, causes: string[] = []): EmulatorResponse {
  return { status, body: { errorCode, errorSummary, errorLink: errorCode, errorId: `oae${randomBytes(8).toString('hex')}`, errorCauses: causes.map((c) => ({ errorSummary: c })) } };
}

export class OktaEmulator extends HttpEmulator {
  /** The admin API token (reads and writes). */
  readonly token = `00${randomBytes(20).toString('base64url')}`;
  /** A token whose admin holds only a read-only role. */
  readonly readOnlyToken = `00${randomBytes(20).toString('base64url')}`;
  /** Log retention: a System Log `since` older than this is refused. */
  retentionDays = 90;
  /** The emulator's clock; tests move it to make timestamps distinct. */
  now: () => Date = () => new Date();

  private readonly users = new Map<string, OktaUser>();
  private readonly groups = new Map<string, OktaGroup>();
  private readonly members = new Map<string, Set<string>>();
  private readonly events: LogEvent[] = [];
  private counter = 0;
  private sortedUsers: OktaUser[] | undefined;
  private sortedGroups: OktaGroup[] | undefined;

  constructor(options: EmulatorOptions = {}) {
    super(options);
    this.sendsRateHeaders = true;
  }

  // ---- test set-up -------------------------------------------------------------------------------

  private nextId(prefix: '00u' | '00g'): string {
    this.counter++;
    return `${prefix}${this.counter.toString(36).padStart(17, '0')}`;
  }

  private stamp(): string {
    return this.now().toISOString();
  }

  addUser(profile: Record<string, unknown>, options: { status?: OktaStatus; at?: string; lastLogin?: string | null } = {}): OktaUser {
    const at = options.at ?? this.stamp();
    const status = options.status ?? 'ACTIVE';
    const user: OktaUser = {
      id: this.nextId('00u'),
      status,
      created: at,
      activated: status === 'STAGED' ? null : at,
      statusChanged: at,
      lastLogin: options.lastLogin ?? null,
      lastUpdated: at,
      passwordChanged: null,
      type: { id: USER_TYPE },
      profile: { ...profile },
    };
    this.users.set(user.id, user);
    this.sortedUsers = undefined;
    return user;
  }

  updateUser(id: string, profile: Record<string, unknown>, at?: string): OktaUser {
    const user = this.mustUser(id);
    Object.assign(user.profile, profile);
    user.lastUpdated = at ?? this.stamp();
    return user;
  }

  setStatus(id: string, status: OktaStatus, at?: string): OktaUser {
    const user = this.mustUser(id);
    user.status = status;
    user.statusChanged = user.lastUpdated = at ?? this.stamp();
    return user;
  }

  /** Purges a user (as an admin deleting a deactivated user) and writes the System Log events. */
  hardDelete(id: string, at?: string): void {
    const user = this.mustUser(id);
    const published = at ?? this.stamp();
    this.users.delete(id);
    this.sortedUsers = undefined;
    for (const set of this.members.values()) set.delete(id);
    for (const eventType of ['user.lifecycle.delete.initiated', 'user.lifecycle.delete.completed']) {
      this.logEvent(eventType, { id, type: 'User', alternateId: String(user.profile.login ?? id), displayName: `${String(user.profile.firstName ?? '')} ${String(user.profile.lastName ?? '')}`.trim() }, published);
    }
  }

  addGroup(name: string, description?: string, at?: string): OktaGroup {
    const stamp = at ?? this.stamp();
    const group: OktaGroup = {
      id: this.nextId('00g'),
      created: stamp,
      lastUpdated: stamp,
      lastMembershipUpdated: stamp,
      objectClass: ['okta:user_group'],
      type: 'OKTA_GROUP',
      profile: { name, description: description ?? null },
    };
    this.groups.set(group.id, group);
    this.members.set(group.id, new Set());
    this.sortedGroups = undefined;
    return group;
  }

  addMember(groupId: string, userId: string, at?: string): void {
    const group = this.groups.get(groupId);
    if (!group) throw new Error(`no group ${groupId}`);
    this.members.get(groupId)!.add(userId);
    group.lastMembershipUpdated = at ?? this.stamp();
  }

  removeMember(groupId: string, userId: string, at?: string): void {
    const group = this.groups.get(groupId);
    if (!group) throw new Error(`no group ${groupId}`);
    this.members.get(groupId)!.delete(userId);
    group.lastMembershipUpdated = at ?? this.stamp();
  }

  user(id: string): OktaUser | undefined {
    return this.users.get(id) ?? [...this.users.values()].find((u) => u.profile.login === id);
  }

  group(id: string): OktaGroup | undefined {
    return this.groups.get(id);
  }

  memberIds(groupId: string): string[] {
    return [...(this.members.get(groupId) ?? [])];
  }

  get userCount(): number {
    return this.users.size;
  }

  logEvent(eventType: string, target: LogEvent['target'][number], published?: string): LogEvent {
    const event: LogEvent = {
      uuid: randomUUID(),
      published: published ?? this.stamp(),
      eventType,
      version: '0',
      severity: 'INFO',
      displayMessage: eventType,
      actor: { id: '00uadmin0000000000', type: 'User', alternateId: 'admin@example.test', displayName: 'Admin' },
      outcome: { result: 'SUCCESS' },
      target: [target],
      seq: this.events.length + 1,
    };
    this.events.push(event);
    return event;
  }

  private mustUser(id: string): OktaUser {
    const user = this.user(id);
    if (!user) throw new Error(`no user ${id}`);
    return user;
  }

  // ---- HTTP ----------------------------------------------------------------------------------------

  protected bucket(request: EmulatorRequest): string {
    const path = request.url.pathname;
    if (/^\/api\/v1\/groups\/[^/]+\/users/.test(path)) return 'group-users';
    if (/^\/api\/v1\/groups/.test(path)) return 'groups';
    if (/^\/api\/v1\/users/.test(path)) return 'users';
    if (/^\/api\/v1\/logs/.test(path)) return 'logs';
    return 'other';
  }

  protected throttleBody(): unknown {
    return { errorCode: 'E0000047', errorSummary: 'API call exceeded rate limit due to too many requests.', errorLink: 'E0000047', errorId: `oae${randomBytes(8).toString('hex')}`, errorCauses: [] };
  }

  protected handle(request: EmulatorRequest): EmulatorResponse {
    const auth = request.headers.authorization;
    const token = typeof auth === 'string' && auth.startsWith('SSWS ') ? auth.slice(5) : undefined;
    if (token !== this.token && token !== this.readOnlyToken) return oktaError(401, 'E0000011', 'Invalid token provided');
    const write = request.method !== 'GET';
    if (write && token === this.readOnlyToken) return oktaError(403, 'E0000006', 'You do not have permission to perform the requested action');

    const path = request.url.pathname;
    const q = request.url.searchParams;
    let m: RegExpExecArray | null;
    if (path === '/api/v1/users' && request.method === 'GET') return this.listUsers(request);
    if (path === '/api/v1/users' && request.method === 'POST') return this.createUser(request);
    if ((m = /^\/api\/v1\/users\/([^/]+)\/lifecycle\/([a-z_]+)$/.exec(path)) && request.method === 'POST') return this.lifecycle(decodeURIComponent(m[1]!), m[2]!, q);
    if ((m = /^\/api\/v1\/users\/([^/]+)$/.exec(path))) {
      const user = this.user(decodeURIComponent(m[1]!));
      if (!user) return oktaError(404, 'E0000007', `Not found: Resource not found: ${m[1]} (User)`);
      if (request.method === 'GET') return { status: 200, body: this.present(user) };
      if (request.method === 'POST' || request.method === 'PUT') return this.updateUserRequest(user, request);
      if (request.method === 'DELETE') return this.deleteUser(user);
    }
    if (path === '/api/v1/groups' && request.method === 'GET') return this.listGroups(request);
    if (path === '/api/v1/groups' && request.method === 'POST') return this.createGroup(request);
    if ((m = /^\/api\/v1\/groups\/([^/]+)\/users$/.exec(path)) && request.method === 'GET') return this.listMembers(request, m[1]!);
    if ((m = /^\/api\/v1\/groups\/([^/]+)\/users\/([^/]+)$/.exec(path))) {
      const group = this.groups.get(m[1]!);
      if (!group) return oktaError(404, 'E0000007', `Not found: Resource not found: ${m[1]} (UserGroup)`);
      const user = this.users.get(m[2]!);
      if (!user) return oktaError(404, 'E0000007', `Not found: Resource not found: ${m[2]} (User)`);
      if (request.method === 'PUT') {
        this.addMember(group.id, user.id);
        return { status: 204 };
      }
      if (request.method === 'DELETE') {
        this.removeMember(group.id, user.id);
        return { status: 204 };
      }
    }
    if ((m = /^\/api\/v1\/groups\/([^/]+)$/.exec(path))) {
      const group = this.groups.get(m[1]!);
      if (!group) return oktaError(404, 'E0000007', `Not found: Resource not found: ${m[1]} (UserGroup)`);
      if (request.method === 'GET') return { status: 200, body: this.presentGroup(group, q.get('expand') === 'stats') };
      if (request.method === 'PUT') {
        const profile = (request.body as { profile?: OktaGroup['profile'] } | undefined)?.profile;
        if (!profile?.name) return oktaError(400, 'E0000001', 'Api validation failed: name', ['name: The field cannot be left blank']);
        group.profile = { name: profile.name, description: profile.description ?? null };
        group.lastUpdated = this.stamp();
        return { status: 200, body: this.presentGroup(group, false) };
      }
      if (request.method === 'DELETE') {
        this.groups.delete(group.id);
        this.members.delete(group.id);
        this.sortedGroups = undefined;
        this.logEvent('group.lifecycle.delete', { id: group.id, type: 'UserGroup', alternateId: 'unknown', displayName: group.profile.name });
        return { status: 204 };
      }
    }
    if (path === '/api/v1/logs' && request.method === 'GET') return this.listLogs(request);
    return oktaError(404, 'E0000022', `The endpoint does not support the provided HTTP method`);
  }

  private links(request: EmulatorRequest, next: string | undefined): string[] {
    const self = new URL(request.url.href);
    const links = [`<${self.href}>; rel="self"`];
    if (next !== undefined) {
      const nextUrl = new URL(request.url.href);
      nextUrl.searchParams.set('after', next);
      links.push(`<${nextUrl.href}>; rel="next"`);
    }
    return links;
  }

  private pageLimit(q: URLSearchParams, max: number, fallback: number): number {
    const value = Number(q.get('limit') ?? fallback);
    return Math.max(1, Math.min(max, Number.isFinite(value) ? value : fallback));
  }

  private allUsers(): OktaUser[] {
    this.sortedUsers ??= [...this.users.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
    return this.sortedUsers;
  }

  private listUsers(request: EmulatorRequest): EmulatorResponse {
    const q = request.url.searchParams;
    const expression = q.get('search') ?? q.get('filter');
    let candidates = this.allUsers();
    if (expression) {
      let filter: ScimFilter;
      try {
        filter = parseScimFilter(expression);
      } catch (error) {
        return oktaError(400, 'E0000031', `Invalid search criteria.`, [error instanceof Error ? error.message : String(error)]);
      }
      candidates = candidates.filter((u) => matchesFilter(filter, u as unknown as Record<string, unknown>));
    } else if (q.get('q')) {
      const text = q.get('q')!.toLowerCase();
      candidates = candidates.filter((u) => u.status !== 'DEPROVISIONED' && ['firstName', 'lastName', 'email'].some((k) => String(u.profile[k] ?? '').toLowerCase().startsWith(text)));
    } else {
      // A plain list leaves DEPROVISIONED users out (Okta: "list all users" returns every status except DEPROVISIONED).
      candidates = candidates.filter((u) => u.status !== 'DEPROVISIONED');
    }
    const { page, next } = pageAfter(candidates, q.get('after'), this.pageLimit(q, MAX_LIMIT, MAX_LIMIT));
    return { status: 200, headers: { Link: this.links(request, next) }, body: page.map((u) => this.present(u)) };
  }

  private present(user: OktaUser): unknown {
    const { credentials: _credentials, ...rest } = user;
    return { ...rest, _links: { self: { href: `${this.url}/api/v1/users/${user.id}` } } };
  }

  private createUser(request: EmulatorRequest): EmulatorResponse {
    const body = request.body as { profile?: Record<string, unknown>; credentials?: { password?: { value?: string } } } | undefined;
    const profile = body?.profile ?? {};
    const missing = ['login', 'email', 'firstName', 'lastName'].filter((k) => typeof profile[k] !== 'string' || profile[k] === '');
    if (missing.length > 0) return oktaError(400, 'E0000001', `Api validation failed: ${missing.join(', ')}`, missing.map((k) => `${k}: The field cannot be left blank`));
    if ([...this.users.values()].some((u) => String(u.profile.login).toLowerCase() === String(profile.login).toLowerCase())) {
      return oktaError(400, 'E0000001', 'Api validation failed: login', ['login: An object with this field already exists in the current organization']);
    }
    const activate = request.url.searchParams.get('activate') !== 'false';
    const hasPassword = typeof body?.credentials?.password?.value === 'string';
    const user = this.addUser(profile, { status: activate ? (hasPassword ? 'ACTIVE' : 'PROVISIONED') : 'STAGED' });
    if (hasPassword) user.passwordChanged = user.created;
    return { status: 200, body: this.present(user) };
  }

  private updateUserRequest(user: OktaUser, request: EmulatorRequest): EmulatorResponse {
    const profile = (request.body as { profile?: Record<string, unknown> } | undefined)?.profile;
    if (!profile || typeof profile !== 'object') return oktaError(400, 'E0000001', 'Api validation failed: profile');
    if (request.method === 'PUT') user.profile = { ...profile };
    else for (const [k, v] of Object.entries(profile)) user.profile[k] = v;
    user.lastUpdated = this.stamp();
    return { status: 200, body: this.present(user) };
  }

  private lifecycle(id: string, operation: string, q: URLSearchParams): EmulatorResponse {
    const user = this.user(id);
    if (!user) return oktaError(404, 'E0000007', `Not found: Resource not found: ${id} (User)`);
    const refuse = (why: string) => oktaError(400, 'E0000001', `Api validation failed: ${why}`, [why]);
    switch (operation) {
      case 'activate':
        if (user.status !== 'STAGED' && user.status !== 'DEPROVISIONED') return oktaError(403, 'E0000016', 'Activation failed because the user is already active');
        this.setStatus(user.id, user.passwordChanged ? 'ACTIVE' : 'PROVISIONED');
        user.activated = user.lastUpdated;
        return { status: 200, body: q.get('sendEmail') === 'false' ? { activationUrl: `${this.url}/welcome/x`, activationToken: 'x' } : {} };
      case 'deactivate':
        if (user.status === 'DEPROVISIONED') return refuse('the user is already deactivated');
        this.setStatus(user.id, 'DEPROVISIONED');
        return { status: 200, body: {} };
      case 'suspend':
        if (user.status !== 'ACTIVE') return refuse(`Cannot suspend a user that is not active (status ${user.status})`);
        this.setStatus(user.id, 'SUSPENDED');
        return { status: 200, body: {} };
      case 'unsuspend':
        if (user.status !== 'SUSPENDED') return refuse(`Cannot unsuspend a user that is not suspended (status ${user.status})`);
        this.setStatus(user.id, 'ACTIVE');
        return { status: 200, body: {} };
      case 'unlock':
        if (user.status !== 'LOCKED_OUT') return refuse('the user is not locked out');
        this.setStatus(user.id, 'ACTIVE');
        return { status: 200, body: {} };
      default:
        return oktaError(404, 'E0000022', `Unsupported lifecycle operation ${operation}`);
    }
  }

  private deleteUser(user: OktaUser): EmulatorResponse {
    if (user.status !== 'DEPROVISIONED') {
      this.setStatus(user.id, 'DEPROVISIONED');
      return { status: 204 };
    }
    this.hardDelete(user.id);
    return { status: 204 };
  }

  private allGroups(): OktaGroup[] {
    this.sortedGroups ??= [...this.groups.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
    return this.sortedGroups;
  }

  private presentGroup(group: OktaGroup, stats: boolean): unknown {
    return { ...group, _links: { self: { href: `${this.url}/api/v1/groups/${group.id}` } }, ...(stats ? { _embedded: { stats: { usersCount: this.members.get(group.id)?.size ?? 0, appsCount: 0, groupPushMappingsCount: 0, hasAdminPrivilege: false } } } : {}) };
  }

  private listGroups(request: EmulatorRequest): EmulatorResponse {
    const q = request.url.searchParams;
    const expression = q.get('search') ?? q.get('filter');
    let candidates = this.allGroups();
    if (expression) {
      let filter: ScimFilter;
      try {
        filter = parseScimFilter(expression);
      } catch (error) {
        return oktaError(400, 'E0000031', 'Invalid search criteria.', [error instanceof Error ? error.message : String(error)]);
      }
      candidates = candidates.filter((g) => matchesFilter(filter, g as unknown as Record<string, unknown>));
    }
    const { page, next } = pageAfter(candidates, q.get('after'), this.pageLimit(q, MAX_LIMIT, MAX_LIMIT));
    return { status: 200, headers: { Link: this.links(request, next) }, body: page.map((g) => this.presentGroup(g, q.get('expand') === 'stats')) };
  }

  private createGroup(request: EmulatorRequest): EmulatorResponse {
    const profile = (request.body as { profile?: { name?: string; description?: string } } | undefined)?.profile;
    if (!profile?.name) return oktaError(400, 'E0000001', 'Api validation failed: name', ['name: The field cannot be left blank']);
    if ([...this.groups.values()].some((g) => g.profile.name.toLowerCase() === profile.name!.toLowerCase())) {
      return oktaError(400, 'E0000001', 'Api validation failed: name', ['name: An object with this field already exists in the current organization']);
    }
    return { status: 200, body: this.presentGroup(this.addGroup(profile.name, profile.description), false) };
  }

  private listMembers(request: EmulatorRequest, groupId: string): EmulatorResponse {
    const set = this.members.get(groupId);
    if (!set) return oktaError(404, 'E0000007', `Not found: Resource not found: ${groupId} (UserGroup)`);
    const q = request.url.searchParams;
    const members = [...set].map((id) => this.users.get(id)).filter((u): u is OktaUser => u !== undefined).sort((a, b) => (a.id < b.id ? -1 : 1));
    const { page, next } = pageAfter(members, q.get('after'), this.pageLimit(q, 1000, 1000));
    return { status: 200, headers: { Link: this.links(request, next) }, body: page.map((u) => this.present(u)) };
  }

  private listLogs(request: EmulatorRequest): EmulatorResponse {
    const q = request.url.searchParams;
    const now = this.now().getTime();
    const since = q.get('since') ? Date.parse(q.get('since')!) : now - 7 * 86_400_000;
    if (Number.isNaN(since)) return oktaError(400, 'E0000001', 'Api validation failed: since', ['since: Invalid date']);
    if (since < now - this.retentionDays * 86_400_000) return oktaError(400, 'E0000001', 'Api validation failed: since', [`since: The date must be within the last ${this.retentionDays} days`]);
    const until = q.get('until') ? Date.parse(q.get('until')!) : undefined;
    let predicate: ((e: LogEvent) => boolean) | undefined;
    if (q.get('filter')) {
      try {
        const parsed = parseScimFilter(q.get('filter')!);
        predicate = (e) => matchesFilter(parsed, e as unknown as Record<string, unknown>);
      } catch (error) {
        return oktaError(400, 'E0000001', 'Api validation failed: filter', [error instanceof Error ? error.message : String(error)]);
      }
    }
    const after = Number(q.get('after') ?? 0);
    const limit = this.pageLimit(q, 1000, 100);
    const matching = this.events.filter((e) => e.seq > after && Date.parse(e.published) >= since && (until === undefined || Date.parse(e.published) < until) && (!predicate || predicate(e)));
    const page = matching.slice(0, limit);
    // Polling (no `until`): rel="next" is always present, so a client polls again later from the cursor.
    const bounded = until !== undefined;
    const cursor = page.length > 0 ? String(page[page.length - 1]!.seq) : String(after);
    const next = bounded ? (matching.length > limit ? cursor : undefined) : cursor;
    return { status: 200, headers: { Link: this.links(request, next) }, body: page.map(({ seq: _seq, ...event }) => event) };
  }
}
