/**
 * The `entra-id` connector: users and groups from Microsoft Entra ID through Microsoft Graph v1.0, and
 * writes back to them. See README.md in this folder for options, the watermark and deletion detection.
 *
 * Reading uses delta queries (learn.microsoft.com/graph/delta-query-overview, /graph/api/user-delta,
 * /graph/api/group-delta): a full import walks `/users/delta?$select=…` through every
 * `@odata.nextLink` to the `@odata.deltaLink`, which is the watermark; a delta import follows that link.
 * `@removed` marks a deleted object. An expired or invalid delta token (410 Gone, or 400
 * `syncStateNotFound` for identity resources, whose delta links live 7 days) starts a full resync, which
 * is complete, so the engine sweeps what it no longer sees. A type with a `$filter` cannot use delta
 * queries (they do not take one) and is read in full every time.
 *
 * Group members come from `members@delta` (selected with `members`) on a full round; on a delta round a
 * changed group's full member list is read again (`/groups/{id}/members`), because the engine needs the
 * whole list, not the change.
 */
import type { Logger } from '../../shared/logger.js';
import { ConnectorError, errorCode, errorMessage } from '../../shared/errors.js';
import { BatchBuffer } from '../http/batching.js';
import { HttpClient, HttpError, mapConcurrent, odataPages, type HttpRequest } from '../http/index.js';
import type { CheckResult, ConnectorContext, ExportChange, ExportResult, IdentityConnector, ImportBatch, ObjectTypeCapabilities, StagedObject } from '../sdk.js';
import { exportChanges } from './entra-export.js';
import { groupObject, isRemoved, userObject, type GraphItem } from './entra-mapping.js';
import { compileEntraSpec, type EntraObjectType, type EntraOptions } from './entra-spec.js';
import { ClientCredentialsToken } from './entra-token.js';

export const ENTRA_CONCURRENCY = 4;

/** Graph error codes that mean "this delta token can no longer be answered: start over". */
const RESYNC_CODES = /^(syncStateNotFound|syncStateInvalid|resyncRequired|fullSyncRequired|InvalidDeltaToken|badRequestDeltaTokenExpired)$/i;

const ADVICE_403 =
  'The app registration lacks an application permission: reading needs User.Read.All and Group.Read.All (or Directory.Read.All), writing needs User.ReadWrite.All and GroupMember.ReadWrite.All, each granted admin consent';

export interface EntraOverrides {
  readonly concurrency?: number;
}

export class EntraConnector implements IdentityConnector {
  private readonly options: EntraOptions;
  private readonly graph: HttpClient;
  private readonly token: ClientCredentialsToken;
  private readonly log: Logger;
  private readonly concurrency: number;

  constructor(context: ConnectorContext<'entra-id'>, overrides: EntraOverrides = {}) {
    this.options = compileEntraSpec(context.model);
    this.log = context.log;
    this.concurrency = overrides.concurrency ?? ENTRA_CONCURRENCY;
    this.token = new ClientCredentialsToken(this.options, context.log, () => context.secrets.resolve(this.options.clientSecretRef), this.options.timeoutMs);
    this.graph = new HttpClient({
      connector: this.options.connector,
      baseUrl: `${this.options.graphUrl}/v1.0/`,
      baseUrlSetting: 'spec.connection.graphUrl',
      log: context.log,
      authorization: async () => `Bearer ${await this.token.get()}`,
      onUnauthorized: () => this.token.invalidate(),
      concurrency: this.concurrency,
      timeoutMs: this.options.timeoutMs,
      advice: (status) => (status === 403 ? ADVICE_403 : status === 401 ? 'Graph refused the access token even after a new one was fetched; check that the app registration is enabled in this tenant' : undefined),
      userAgent: 'identity-mesh entra-id-connector',
    });
  }

  /** Access tokens fetched so far (one per lifetime). */
  get tokensFetched(): number {
    return this.token.fetched;
  }

  capabilities(type: string): ObjectTypeCapabilities {
    const t = this.declared(type);
    const filtered = this.options.types.get(t)!.filter !== undefined;
    return { delta: !filtered, export: true, addressing: 'server-assigned', canDisable: t === 'user', inactiveMeansDeleted: false, ...(t === 'user' ? { enabledAttribute: 'accountEnabled' } : {}) };
  }

  async check(): Promise<CheckResult> {
    const started = Date.now();
    let latencyMs = 0;
    try {
      await this.token.get();
      const objectTypes: Record<string, { count: number }> = {};
      for (const [type] of this.options.types) {
        const collection = type === 'user' ? 'users' : 'groups';
        const probe = Date.now();
        const response = await this.graph.request<unknown>({ url: `${collection}/$count`, headers: { ConsistencyLevel: 'eventual' } });
        latencyMs = Math.max(latencyMs, Date.now() - probe);
        objectTypes[type] = { count: Number(typeof response.body === 'string' ? response.body.trim() : response.body) };
      }
      return { ok: true, latencyMs, server: `Microsoft Graph ${this.graph.baseUrl.host}`, objectTypes };
    } catch (error) {
      return { ok: false, latencyMs: latencyMs || Date.now() - started, objectTypes: {}, error: { code: errorCode(error, 'CheckFailed'), message: errorMessage(error) } };
    }
  }

  fullImport(type: string): AsyncIterable<ImportBatch> {
    const t = this.declared(type);
    return this.read(t, undefined);
  }

  deltaImport(type: string, watermark: string): AsyncIterable<ImportBatch> {
    const t = this.declared(type);
    if (this.options.types.get(t)!.filter !== undefined) return this.read(t, undefined);
    const link = this.deltaLinkFrom(t, watermark);
    return this.read(t, link);
  }

  async export(type: string, changes: readonly ExportChange[]): Promise<ExportResult[]> {
    const t = this.declared(type);
    if (changes.length === 0) return [];
    return exportChanges(this.graph, this.options, t, changes, this.concurrency);
  }

  async close(): Promise<void> {
    await this.graph.close();
    await this.token.close();
  }

  // ---- reading -------------------------------------------------------------------------------------

  private declared(type: string): EntraObjectType {
    if ((type === 'user' || type === 'group') && this.options.types.has(type)) return type;
    throw new ConnectorError(this.options.connector, 'UnknownObjectType', `object type "${type}" is not declared under spec.objectTypes (declared: ${[...this.options.types.keys()].join(', ')})`);
  }

  /** The stored delta link, if it is one this connector can follow (same Graph host, right collection). */
  private deltaLinkFrom(type: EntraObjectType, watermark: string): string | undefined {
    const collection = type === 'user' ? 'users' : 'groups';
    try {
      const url = new URL(watermark);
      if (url.origin === this.graph.baseUrl.origin && url.pathname.endsWith(`/${collection}/delta`)) return url.href;
    } catch {
      // fall through
    }
    this.log.warn({ event: 'entra-delta-resync', objectType: type, reason: 'watermark is not a delta link of this Graph endpoint' }, `the ${type} watermark is not an @odata.deltaLink of ${this.graph.baseUrl.origin}/…/${collection}/delta; reading every ${type} (full resync)`);
    return undefined;
  }

  private firstRequest(type: EntraObjectType): HttpRequest {
    const options = this.options.types.get(type)!;
    const collection = type === 'user' ? 'users' : 'groups';
    const select = type === 'group' ? [...options.select, 'members'] : options.select;
    if (options.filter !== undefined) {
      // A filtered list (delta queries take no $filter); advanced filters need ConsistencyLevel: eventual.
      return { url: collection, query: { $select: options.select.join(','), $filter: options.filter, $top: this.options.pageSize, $count: 'true' }, headers: { ConsistencyLevel: 'eventual' } };
    }
    return { url: `${collection}/delta`, query: { $select: select.join(',') }, headers: { Prefer: `odata.maxpagesize=${this.options.pageSize}` } };
  }

  private async *read(type: EntraObjectType, deltaLink: string | undefined): AsyncGenerator<ImportBatch> {
    const started = Date.now();
    const full = deltaLink === undefined;
    const request: HttpRequest = full ? this.firstRequest(type) : { url: deltaLink, headers: { Prefer: `odata.maxpagesize=${this.options.pageSize}` } };
    const buffer = new BatchBuffer();
    let next: string | undefined;
    let read = 0;
    let removed = 0;
    let pages = 0;
    // Groups: attributes and members gathered over the round (a group may appear on several pages).
    const groups = new Map<string, { item: GraphItem; members: Set<string> }>();
    const gone: string[] = [];
    try {
      for await (const page of odataPages<GraphItem>(this.graph, request)) {
        pages++;
        if (page.deltaLink !== undefined) next = page.deltaLink;
        if (type === 'user') {
          const objects: StagedObject[] = page.items.map((item) => (isRemoved(item) ? tombstone(item.id) : userObject(item)));
          removed += objects.filter((o) => o.deleted).length;
          read += objects.length;
          yield* buffer.add(objects);
        } else {
          for (const item of page.items) collectGroup(groups, gone, item);
        }
      }
    } catch (error) {
      if (!full && needsResync(error)) {
        this.log.warn({ event: 'entra-delta-resync', objectType: type, status: (error as HttpError).status, code: (error as HttpError).apiCode }, `the ${type} delta token was refused (${(error as HttpError).status} ${(error as HttpError).apiCode ?? ''}); starting a full resync`);
        yield* this.read(type, undefined);
        return;
      }
      throw error;
    }
    if (type === 'group') {
      for (const id of gone) yield* buffer.add([tombstone(id)]);
      removed += gone.length;
      // On a delta round members@delta holds only the changes: read each changed group's whole list.
      const changed = [...groups.values()];
      const complete = full
        ? changed.map((g) => groupObject(g.item, g.members))
        : [];
      if (!full) {
        for await (const object of mapConcurrent(changed, this.concurrency, async (g) => groupObject(await this.groupDetails(g.item), await this.memberIds(g.item.id)))) complete.push(object);
      }
      read += complete.length + gone.length;
      yield* buffer.add(complete);
    }
    const filtered = this.options.types.get(type)!.filter !== undefined;
    this.log.info({ event: 'entra-import', objectType: type, mode: full ? 'full' : 'delta', pages, read, deleted: removed, ms: Date.now() - started }, `read ${read} ${type}s in ${pages} pages`);
    if (!filtered && next === undefined) {
      throw new ConnectorError(this.options.connector, 'MalformedResponse', `the ${type} delta round ended without an @odata.deltaLink; nothing was committed, the next cycle retries`, { retryable: true });
    }
    yield buffer.finish({ ...(next !== undefined ? { watermark: next } : {}), complete: full });
  }

  /** A changed group's selected properties, when the delta item carried only its members. */
  private async groupDetails(item: GraphItem): Promise<GraphItem> {
    const select = this.options.types.get('group')!.select;
    const carried = select.some((property) => property !== 'id' && property in item);
    if (carried) return item;
    return this.graph.json<GraphItem>({ url: `groups/${encodeURIComponent(item.id)}`, query: { $select: select.join(',') } });
  }

  private async memberIds(groupId: string): Promise<string[]> {
    const ids: string[] = [];
    try {
      for await (const page of odataPages<{ id: string }>(this.graph, { url: `groups/${encodeURIComponent(groupId)}/members`, query: { $select: 'id', $top: this.options.pageSize } })) {
        for (const member of page.items) ids.push(member.id);
      }
    } catch (error) {
      if (error instanceof HttpError && error.status === 404) return [];
      throw error;
    }
    return ids;
  }
}

function collectGroup(groups: Map<string, { item: GraphItem; members: Set<string> }>, gone: string[], item: GraphItem): void {
  if (isRemoved(item)) {
    groups.delete(item.id);
    gone.push(item.id);
    return;
  }
  const entry = groups.get(item.id) ?? { item, members: new Set<string>() };
  const { 'members@delta': delta, ...properties } = item;
  entry.item = { ...entry.item, ...properties } as GraphItem;
  for (const member of delta ?? []) {
    if (member['@removed'] !== undefined) entry.members.delete(member.id);
    else entry.members.add(member.id);
  }
  groups.set(item.id, entry);
}

function needsResync(error: unknown): boolean {
  if (!(error instanceof HttpError)) return false;
  if (error.status === 410) return true;
  return error.status === 400 && error.apiCode !== undefined && RESYNC_CODES.test(error.apiCode);
}

function tombstone(externalId: string): StagedObject {
  return { externalId, attributes: {}, deleted: true };
}

export function createEntraConnector(context: ConnectorContext<'entra-id'>, overrides: EntraOverrides = {}): IdentityConnector {
  return new EntraConnector(context, overrides);
}
