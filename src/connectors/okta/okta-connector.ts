/**
 * The `okta` connector: users, groups and group memberships from an Okta org (the Okta runbook), plus the
 * write-back the seed defers to phase 2. See README.md in this folder for options, the watermark,
 * deletion detection and throttling.
 *
 * Reading (developer.okta.com/docs/api/openapi/okta-management/management/tag/User#tag/User/operation/listUsers):
 * - users: `GET /api/v1/users?limit=…&search=…`. The configured scope goes to `search` (Okta's `filter`
 *   accepts only a few fields), ANDed with `lastUpdated gt "…"` on delta runs. A plain list omits
 *   DEPROVISIONED users (a full run sweeps them); a search returns them, and they import as deleted.
 * - groups: `GET /api/v1/groups`, memberships: `GET /api/v1/groups/{id}/users` for every group, the
 *   groups' member lists walked at once within the connector's budget.
 * - hard deletes: the System Log, `GET /api/v1/logs?since=<watermark>&filter=eventType eq
 *   "user.lifecycle.delete.initiated" or eventType eq "user.lifecycle.delete.completed"`
 *   (developer.okta.com/docs/reference/system-log-query). A polling request (no `until`) always answers
 *   `rel="next"`, so the walk stops at the first empty page.
 * Every list follows `Link: <…>; rel="next"` with pages of at most 200.
 */
import type { Logger } from '../../shared/logger.js';
import { ConnectorError, errorCode, errorMessage } from '../../shared/errors.js';
import { BatchBuffer } from '../http/batching.js';
import { HttpError, linkPages, mapConcurrent, type HttpClient, type HttpResponse } from '../http/index.js';
import type { CheckResult, ConnectorContext, ExportChange, ExportResult, IdentityConnector, ImportBatch, ObjectTypeCapabilities, StagedObject } from '../sdk.js';
import { oktaClient, OKTA_CONCURRENCY, type OktaClientOverrides } from './okta-api.js';
import { exportChanges } from './okta-export.js';
import { groupObject, membershipObject, userObject, type OktaGroupJson, type OktaUserJson } from './okta-mapping.js';
import { compileOktaSpec, type OktaObjectType, type OktaOptions } from './okta-spec.js';
import { formatWatermark, parseWatermark, signpost } from './okta-watermark.js';

/** The System Log event types of a user's hard delete (the Okta runbook's `user.lifecycle.delete` is their prefix). */
export const USER_DELETE_EVENTS = ['user.lifecycle.delete.initiated', 'user.lifecycle.delete.completed'] as const;
export const GROUP_DELETE_EVENTS = ['group.lifecycle.delete'] as const;
/** Okta keeps System Log events for 90 days; an older watermark cannot be answered from the log. */
const LOG_RETENTION_MS = 89 * 86_400_000;

interface LogTarget {
  readonly id?: string;
  readonly type?: string;
  readonly alternateId?: string;
}
interface LogEventJson {
  readonly eventType?: string;
  readonly target?: readonly LogTarget[] | null;
}

const CAPABILITIES: Readonly<Record<OktaObjectType, ObjectTypeCapabilities>> = {
  user: { delta: true, export: true, addressing: 'server-assigned', canDisable: true, inactiveMeansDeleted: false },
  group: { delta: true, export: true, addressing: 'server-assigned', canDisable: false, inactiveMeansDeleted: false },
  // Memberships have no cursor of their own: every read recomputes them from the current groups (the Okta runbook).
  membership: { delta: false, export: true, addressing: 'server-assigned', canDisable: false, inactiveMeansDeleted: false },
};

export class OktaConnector implements IdentityConnector {
  private readonly options: OktaOptions;
  private readonly client: HttpClient;
  private readonly log: Logger;
  private readonly concurrency: number;
  private systemLogReadable = true;

  constructor(context: ConnectorContext<'okta'>, overrides: OktaClientOverrides = {}) {
    this.options = compileOktaSpec(context.model);
    this.log = context.log;
    this.concurrency = overrides.concurrency ?? OKTA_CONCURRENCY;
    this.client = oktaClient(this.options, context.log, () => context.secrets.resolve(this.options.apiTokenRef), overrides);
  }

  /** Requests made, retries, 429s and pacing waits so far (for `imesh check` and benchmarks). */
  stats(): ReturnType<HttpClient['stats']> {
    return this.client.stats();
  }

  capabilities(type: string): ObjectTypeCapabilities {
    return CAPABILITIES[this.declared(type)];
  }

  async check(): Promise<CheckResult> {
    const started = Date.now();
    let latencyMs = 0;
    try {
      await this.client.request({ url: 'api/v1/users', query: { limit: 1 } });
      latencyMs = Date.now() - started;
      const objectTypes: Record<string, { count: number }> = {};
      const warnings: string[] = [];
      if (this.options.types.has('user')) {
        let count = 0;
        for await (const page of linkPages<OktaUserJson>(this.client, this.userRequest(undefined))) count += page.items.length;
        objectTypes.user = { count };
      }
      if (this.options.types.has('group') || this.options.types.has('membership')) {
        let groups = 0;
        let members = 0;
        const request = this.groupRequest(undefined);
        for await (const page of linkPages<OktaGroupJson>(this.client, { ...request, query: { ...request.query, expand: 'stats' } })) {
          groups += page.items.length;
          for (const group of page.items) members += group._embedded?.stats?.usersCount ?? 0;
        }
        if (this.options.types.has('group')) objectTypes.group = { count: groups };
        if (this.options.types.has('membership')) objectTypes.membership = { count: members };
      }
      if (this.options.types.has('user')) {
        const readable = await this.client.request({ url: 'api/v1/logs', query: { limit: 1 }, accept: [403] });
        if (readable.status === 403) warnings.push('the token cannot read the System Log: hard-deleted users are found only by full runs');
      }
      return { ok: true, latencyMs, server: `Okta ${this.client.baseUrl.host}`, objectTypes, ...(warnings.length > 0 ? { warnings } : {}) };
    } catch (error) {
      return { ok: false, latencyMs: latencyMs || Date.now() - started, objectTypes: {}, error: { code: errorCode(error, 'CheckFailed'), message: errorMessage(error) } };
    }
  }

  fullImport(type: string): AsyncIterable<ImportBatch> {
    const t = this.declared(type);
    if (t === 'user') return this.readUsers(undefined);
    if (t === 'group') return this.readGroups(undefined);
    return this.readMemberships();
  }

  deltaImport(type: string, watermark: string): AsyncIterable<ImportBatch> {
    const t = this.declared(type);
    if (t === 'membership') return this.readMemberships();
    const parsed = parseWatermark(watermark);
    const since = t === 'user' ? parsed?.u : parsed?.g;
    if (since === undefined) {
      this.log.warn({ event: 'watermark-unreadable', objectType: t, watermark }, `the ${t} watermark is not {"${t === 'user' ? 'u' : 'g'}":"<ISO timestamp>"}; reading every ${t} instead`);
      return t === 'user' ? this.readUsers(undefined) : this.readGroups(undefined);
    }
    if (Date.now() - Date.parse(since) > LOG_RETENTION_MS) {
      this.log.info({ event: 'watermark-too-old', objectType: t, since }, `the ${t} watermark (${since}) is older than the System Log keeps events; reading every ${t} instead`);
      return t === 'user' ? this.readUsers(undefined) : this.readGroups(undefined);
    }
    return t === 'user' ? this.readUsers(since) : this.readGroups(since);
  }

  async export(type: string, changes: readonly ExportChange[]): Promise<ExportResult[]> {
    const t = this.declared(type);
    if (changes.length === 0) return [];
    return exportChanges(this.client, this.options, t, changes, this.concurrency);
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  // ---- reading -------------------------------------------------------------------------------------

  private declared(type: string): OktaObjectType {
    if ((type === 'user' || type === 'group' || type === 'membership') && this.options.types.has(type)) return type;
    throw new ConnectorError(this.options.connector, 'UnknownObjectType', `object type "${type}" is not declared under spec.objectTypes (declared: ${[...this.options.types].join(', ')})`);
  }

  private userRequest(since: string | undefined): { url: string; query: Record<string, string | number> } {
    const search = combine(this.options.userSearch, since === undefined ? undefined : `lastUpdated gt "${since}"`);
    return { url: 'api/v1/users', query: { limit: this.options.pageSize, ...(search !== undefined ? { search } : {}) } };
  }

  private groupRequest(since: string | undefined): { url: string; query: Record<string, string | number> } {
    const search = combine(this.options.groupSearch, since === undefined ? undefined : `lastUpdated gt "${since}"`);
    return { url: 'api/v1/groups', query: { limit: this.options.pageSize, ...(search !== undefined ? { search } : {}) } };
  }

  private async *readUsers(since: string | undefined): AsyncGenerator<ImportBatch> {
    const started = Date.now();
    const buffer = new BatchBuffer();
    const mark = new Signpost();
    let pages = 0;
    let read = 0;
    let removed = 0;
    if (since !== undefined) {
      for await (const ids of this.deletedFromLog('user', since, mark)) {
        removed += ids.length;
        yield* buffer.add(ids.map(tombstone));
      }
    }
    for await (const page of linkPages<OktaUserJson>(this.client, this.userRequest(since))) {
      mark.observe(page.response);
      pages++;
      const objects: StagedObject[] = [];
      for (const user of page.items) {
        const object = userObject(user, this.options.userExternalId);
        if (!object) {
          this.log.warn({ event: 'okta-user-skipped', id: user.id }, `user ${user.id} has no profile.login to anchor it (externalIdAttribute: login); skipped`);
          continue;
        }
        if (object.deleted) removed++;
        objects.push(object);
      }
      read += objects.length;
      yield* buffer.add(objects);
    }
    const watermark = formatWatermark({ u: mark.value() });
    this.log.info({ event: 'okta-import', objectType: 'user', mode: since === undefined ? 'full' : 'delta', pages, read, deleted: removed, since, watermark, ms: Date.now() - started }, `read ${read} users in ${pages} pages`);
    yield buffer.finish({ watermark, complete: since === undefined });
  }

  private async *readGroups(since: string | undefined): AsyncGenerator<ImportBatch> {
    const started = Date.now();
    const buffer = new BatchBuffer();
    const mark = new Signpost();
    let pages = 0;
    let read = 0;
    if (since !== undefined) {
      for await (const ids of this.deletedFromLog('group', since, mark)) yield* buffer.add(ids.map(tombstone));
    }
    for await (const page of linkPages<OktaGroupJson>(this.client, this.groupRequest(since))) {
      mark.observe(page.response);
      pages++;
      read += page.items.length;
      yield* buffer.add(page.items.map(groupObject));
    }
    const watermark = formatWatermark({ g: mark.value() });
    this.log.info({ event: 'okta-import', objectType: 'group', mode: since === undefined ? 'full' : 'delta', pages, read, since, watermark, ms: Date.now() - started }, `read ${read} groups in ${pages} pages`);
    yield buffer.finish({ watermark, complete: since === undefined });
  }

  /** Every (group, member) edge of the current groups; always complete, so removed edges are swept. */
  private async *readMemberships(): AsyncGenerator<ImportBatch> {
    const started = Date.now();
    const buffer = new BatchBuffer();
    const mark = new Signpost();
    let groups = 0;
    let edges = 0;
    const client = this.client;
    const request = this.groupRequest(undefined);
    async function* allGroups(): AsyncGenerator<string> {
      for await (const page of linkPages<OktaGroupJson>(client, request)) {
        mark.observe(page.response);
        for (const group of page.items) yield group.id;
      }
    }
    // Each group's member list is its own cursor walk: keep several going so the budget stays busy.
    for await (const members of mapConcurrent(allGroups(), this.concurrency * 2, (groupId) => this.memberIds(groupId))) {
      groups++;
      edges += members.userIds.length;
      yield* buffer.add(members.userIds.map((userId) => membershipObject(members.groupId, userId)));
    }
    this.log.info({ event: 'okta-import', objectType: 'membership', mode: 'full', groups, read: edges, ms: Date.now() - started }, `read ${edges} memberships of ${groups} groups`);
    yield buffer.finish({ watermark: formatWatermark({ g: mark.value() }), complete: true });
  }

  private async memberIds(groupId: string): Promise<{ groupId: string; userIds: string[] }> {
    const userIds: string[] = [];
    try {
      for await (const page of linkPages<OktaUserJson>(this.client, { url: `api/v1/groups/${encodeURIComponent(groupId)}/users`, query: { limit: this.options.pageSize } })) {
        for (const user of page.items) userIds.push(user.id);
      }
    } catch (error) {
      // A group deleted while we read the list has no members left.
      if (error instanceof HttpError && error.status === 404) return { groupId, userIds: [] };
      throw error;
    }
    return { groupId, userIds };
  }

  /**
   * Ids of users (or groups) hard-deleted since `since`, from the System Log. Stops at the first empty
   * page: a polling request always carries rel="next". A token that may not read the log is warned
   * about once; full runs still sweep deletions.
   */
  private async *deletedFromLog(kind: 'user' | 'group', since: string, mark: Signpost): AsyncGenerator<string[]> {
    if (!this.systemLogReadable) return;
    const events = kind === 'user' ? USER_DELETE_EVENTS : GROUP_DELETE_EVENTS;
    const targetType = kind === 'user' ? 'User' : 'UserGroup';
    const filter = events.map((e) => `eventType eq "${e}"`).join(' or ');
    let seen = 0;
    try {
      for await (const page of linkPages<LogEventJson>(this.client, { url: 'api/v1/logs', query: { since, filter, limit: 1000, sortOrder: 'ASCENDING' } }, { stopWhenEmpty: true })) {
        mark.observe(page.response);
        const ids = new Set<string>();
        for (const event of page.items) {
          for (const target of event.target ?? []) {
            if (target.type !== targetType) continue;
            const id = kind === 'user' && this.options.userExternalId === 'login' ? target.alternateId : target.id;
            if (id) ids.add(id);
          }
        }
        seen += ids.size;
        if (ids.size > 0) yield [...ids];
      }
    } catch (error) {
      if (error instanceof HttpError && error.status === 403) {
        this.systemLogReadable = false;
        this.log.warn({ event: 'okta-system-log-forbidden' }, `the API token may not read the System Log (${error.message}); hard-deleted ${kind}s are found only by full runs`);
        return;
      }
      throw error;
    }
    if (seen > 0) this.log.info({ event: 'okta-hard-deletes', kind, count: seen, since }, `${seen} ${kind}s hard-deleted since ${since} (System Log)`);
  }
}

/** The server time of the first response of a read, less the overlap (see okta-watermark.ts). */
class Signpost {
  private date: string | undefined;
  private readonly localStart = Date.now();

  observe(response: HttpResponse<unknown>): void {
    this.date ??= response.header('date') ?? new Date(this.localStart).toUTCString();
  }

  value(): string {
    return signpost(this.date, this.localStart);
  }
}

function tombstone(externalId: string): StagedObject {
  return { externalId, attributes: {}, deleted: true };
}

function combine(scope: string | undefined, delta: string | undefined): string | undefined {
  if (scope === undefined) return delta;
  if (delta === undefined) return scope;
  return `(${scope}) and ${delta}`;
}

export function createOktaConnector(context: ConnectorContext<'okta'>, overrides: OktaClientOverrides = {}): IdentityConnector {
  return new OktaConnector(context, overrides);
}

