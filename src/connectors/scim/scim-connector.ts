/**
 * The `scim` connector: provisions an application over SCIM 2.0 (RFC 7643 schema, RFC 7644 protocol).
 * See README.md in this folder for options, attribute names and behaviour.
 *
 * - Discovery: `/ServiceProviderConfig` says whether PATCH, ETags and filtering are supported
 *   (RFC 7643 §5); `/ResourceTypes` gives each resource type's endpoint and schemas (§6).
 * - Import: `GET /<endpoint>?startIndex=…&count=…[&filter=…]`, walking the ListResponse by startIndex
 *   (RFC 7644 §3.4.2.4). SCIM has no change feed, so every read is full and complete: deletions are found
 *   by the sweep.
 * - Create: `POST`; a 409 (uniqueness, §3.3) for a resource whose externalId is already there is the
 *   same object created by an earlier attempt whose answer was lost, and is adopted.
 * - Update: the live resource is read first and only what differs is sent, as a PATCH (§3.5.2) — or, when
 *   the service provider does not support PATCH, as a PUT (§3.5.1) of the live resource with the changes
 *   applied. Group membership is always changed by PATCH `add`/`remove` of `members` values, never by
 *   replacing the list, so members we do not manage survive (with PUT-only servers the PUT carries the
 *   live member list plus and minus our changes).
 * - ETags (§3.14): where the service provider offers them, writes carry `If-Match` with the version just
 *   read; a 412 re-reads and tries once more.
 * - Disable: `active: false`; delete: `DELETE` (a 404 means already gone).
 */
import type { Value } from '../../config/model.js';
import { ConnectorError, errorCode, errorMessage, errorRetryable, type ConnectorErrorCode } from '../../shared/errors.js';
import { registerSecret, type Logger } from '../../shared/logger.js';
import { BatchBuffer } from '../http/batching.js';
import { exportPerObject, HttpClient, HttpError, scimPages } from '../http/index.js';
import { ENABLED_ATTRIBUTE } from '../sdk.js';
import type { AttributeChange, CheckResult, ConnectorContext, ExportChange, ExportResult, IdentityConnector, ImportBatch, ObjectTypeCapabilities, StagedObject } from '../sdk.js';
import { entryByValuePath, formatPath, getAttribute, parsePath, type ScimPath } from '../../scim/attribute-paths.js';
import { flattenResource, hasTypedEntry, setPath, toJson } from '../../scim/attributes.js';
import { equalsFilter } from '../../scim/filter.js';
import { readResourceTypes, readServiceProviderConfig, type ServiceProvider, type ScimResourceInfo } from '../../scim/discovery.js';
import { patchRequest, type PatchOperation } from '../../scim/patch.js';
import { coreSchemaOf, SCHEMA } from '../../scim/urns.js';
import { compileScimSpec, type ScimOptions, type ScimTypeOptions } from './scim-spec.js';

export const SCIM_CONCURRENCY = 4;
const SCIM_JSON = 'application/scim+json';
const ACCEPT = { accept: 'application/scim+json, application/json' };

type Resource = Record<string, unknown> & { id?: string; meta?: { version?: string } };

export class ScimConnector implements IdentityConnector {
  private readonly options: ScimOptions;
  private readonly client: HttpClient;
  private readonly log: Logger;
  private discovery: Promise<ServiceProvider> | undefined;

  constructor(context: ConnectorContext<'scim'>, overrides: { concurrency?: number } = {}) {
    this.options = compileScimSpec(context.model);
    this.log = context.log;
    let header: string | undefined;
    this.client = new HttpClient({
      connector: this.options.connector,
      baseUrl: this.options.baseUrl,
      baseUrlSetting: 'spec.connection.baseUrl',
      log: context.log,
      authorization: () => {
        if (header === undefined) {
          const token = context.secrets.resolve(this.options.bearerTokenRef);
          registerSecret(token);
          header = `Bearer ${token}`;
        }
        return header;
      },
      concurrency: overrides.concurrency ?? SCIM_CONCURRENCY,
      timeoutMs: this.options.timeoutMs,
      advice: (status, _url, method) =>
        status === 401
          ? "The service provider refused the bearer token: the app's SCIM token may have been regenerated or revoked; store the current one in the secret named in spec.connection.bearerToken"
          : status === 403
            ? `The token may not ${method === 'GET' ? 'read' : 'change'} this resource; give the app's provisioning account ${method === 'GET' ? 'read' : 'provisioning (write)'} rights`
            : undefined,
      userAgent: 'identity-mesh scim-connector',
    });
  }

  capabilities(type: string): ObjectTypeCapabilities {
    const options = this.declared(type);
    const user = options.resource === 'User';
    return { delta: false, export: true, addressing: 'server-assigned', canDisable: user, inactiveMeansDeleted: false, ...(user ? { enabledAttribute: 'active' } : {}) };
  }

  /** What the service provider supports, read once per connector instance. */
  serviceProvider(): Promise<ServiceProvider> {
    this.discovery ??= this.discover().catch((error: unknown) => {
      this.discovery = undefined;
      throw error;
    });
    return this.discovery;
  }

  async check(): Promise<CheckResult> {
    const started = Date.now();
    try {
      const provider = await this.serviceProvider();
      const latencyMs = Date.now() - started;
      const objectTypes: Record<string, { count: number }> = {};
      for (const [name, options] of this.options.types) {
        const info = this.resourceInfo(provider, name);
        const body = await this.client.json<{ totalResults?: number }>({ url: info.endpoint, query: { startIndex: 1, count: 1, ...(options.filter ? { filter: options.filter } : {}) }, headers: ACCEPT });
        objectTypes[name] = { count: Number(body?.totalResults ?? 0) };
      }
      const warnings = provider.patch ? [] : ['the service provider does not support PATCH: updates are sent as PUT of the whole resource'];
      return { ok: true, latencyMs, server: `SCIM ${this.client.baseUrl.host}`, objectTypes, ...(warnings.length > 0 ? { warnings } : {}) };
    } catch (error) {
      return { ok: false, latencyMs: Date.now() - started, objectTypes: {}, error: { code: errorCode(error, 'CheckFailed'), message: errorMessage(error) } };
    }
  }

  fullImport(type: string): AsyncIterable<ImportBatch> {
    return this.read(type);
  }

  /** SCIM has no change feed: a "delta" is a complete read. */
  deltaImport(type: string, _watermark: string): AsyncIterable<ImportBatch> {
    return this.read(type);
  }

  /**
   * Target join support: the resources whose `attribute` equals `value` (`filter=externalId eq "…"`,
   * `userName eq "…"`, RFC 7644 §3.4.2.2). The engine adopts existing target objects from the imported
   * connector space through a projection's `join`; this finds them live, and create uses it to recognise
   * its own earlier attempt after a 409.
   */
  async findBy(type: string, attribute: string, value: string): Promise<StagedObject[]> {
    const provider = await this.serviceProvider();
    if (!provider.filter) throw new ConnectorError(this.options.connector, 'NotSupported', `the service provider does not support filtering (ServiceProviderConfig filter.supported is false); cannot look up ${attribute} = "${value}"`);
    if (!parsePath(attribute)) throw new ConnectorError(this.options.connector, 'InvalidAttribute', `"${attribute}" is not a SCIM attribute path`);
    const info = this.resourceInfo(provider, type);
    const body = await this.client.json<{ Resources?: Resource[] }>({ url: info.endpoint, query: { filter: equalsFilter(attribute, value), startIndex: 1, count: 10 }, headers: ACCEPT });
    return (body?.Resources ?? []).map(stage);
  }

  async export(type: string, changes: readonly ExportChange[]): Promise<ExportResult[]> {
    this.declared(type);
    if (changes.length === 0) return [];
    const provider = await this.serviceProvider();
    const info = this.resourceInfo(provider, type);
    return exportPerObject(changes, SCIM_CONCURRENCY, (change) => this.one(type, provider, info, change));
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  // ---- internals -----------------------------------------------------------------------------------

  private declared(type: string): ScimTypeOptions {
    const options = this.options.types.get(type);
    if (!options) throw new ConnectorError(this.options.connector, 'UnknownObjectType', `object type "${type}" is not declared under spec.objectTypes (declared: ${[...this.options.types.keys()].join(', ')})`);
    return options;
  }

  private resourceInfo(provider: ServiceProvider, type: string): ScimResourceInfo {
    const resource = this.declared(type).resource;
    const info = provider.resources.get(resource.toLowerCase());
    if (info) return info;
    throw new ConnectorError(this.options.connector, 'UnknownResourceType', `the service provider has no resource type "${resource}" (its /ResourceTypes lists ${[...provider.resources.keys()].join(', ') || 'none'}); check spec.objectTypes.${type}.resource`);
  }

  private async discover(): Promise<ServiceProvider> {
    const spc = await this.client.request<Record<string, unknown>>({ url: 'ServiceProviderConfig', headers: ACCEPT, accept: [404] });
    const config = spc.status === 404 ? undefined : (spc.body ?? {});
    if (!config) this.log.warn({ event: 'scim-no-service-provider-config' }, 'the service provider has no /ServiceProviderConfig (RFC 7643 §5 requires one); assuming PATCH and filtering, no ETags');
    const rt = await this.client.request<unknown>({ url: 'ResourceTypes', headers: ACCEPT, accept: [404, 501] });
    const resources = new Map(readResourceTypes(rt.status === 200 ? rt.body : undefined));
    // Without /ResourceTypes, fall back to the RFC 7644 §3.2 endpoints of the declared resources.
    for (const { resource } of this.options.types.values()) {
      if (!resources.has(resource.toLowerCase())) resources.set(resource.toLowerCase(), { endpoint: `${resource}s`, schema: coreSchemaOf(resource) ?? `urn:ietf:params:scim:schemas:core:2.0:${resource}` });
    }
    return { ...readServiceProviderConfig(config), resources };
  }

  private async *read(type: string): AsyncGenerator<ImportBatch> {
    const options = this.declared(type);
    const started = Date.now();
    const provider = await this.serviceProvider();
    const info = this.resourceInfo(provider, type);
    const count = Math.min(this.options.pageSize, provider.maxResults ?? Number.POSITIVE_INFINITY);
    const buffer = new BatchBuffer();
    let read = 0;
    let pages = 0;
    for await (const page of scimPages<Resource>(this.client, info.endpoint, { count, query: options.filter ? { filter: options.filter } : {} })) {
      pages++;
      const objects = page.items.filter((r) => typeof r.id === 'string').map(stage);
      read += objects.length;
      yield* buffer.add(objects);
    }
    this.log.info({ event: 'scim-import', objectType: type, resource: options.resource, pages, read, ms: Date.now() - started }, `read ${read} ${options.resource} resources in ${pages} pages`);
    yield buffer.finish({ complete: true });
  }

  private async one(type: string, provider: ServiceProvider, info: ScimResourceInfo, change: ExportChange): Promise<ExportResult> {
    try {
      switch (change.op) {
        case 'create':
          return { id: change.id, ok: true, externalId: await this.create(type, provider, info, change) };
        case 'update':
          await this.modify(provider, info, change.externalId, change.attributes);
          return { id: change.id, ok: true };
        case 'enable':
        case 'disable':
          if (!this.capabilities(type).canDisable) this.refuse('NotSupported', `${info.endpoint} resources cannot be disabled`);
          await this.modify(provider, info, change.externalId, { active: { to: change.op === 'enable' } });
          return { id: change.id, ok: true };
        case 'delete':
          await this.client.request({ method: 'DELETE', url: resourcePath(info, change.externalId), headers: ACCEPT, accept: [404] });
          return { id: change.id, ok: true };
        case 'move':
          return this.refuse('NotSupported', 'SCIM resources have no container to move between');
      }
    } catch (error) {
      return { id: change.id, ok: false, error: { code: errorCode(error, 'ExportFailed'), message: errorMessage(error), retryable: errorRetryable(error, true) } };
    }
  }

  private refuse(code: ConnectorErrorCode, message: string): never {
    throw new ConnectorError(this.options.connector, code, message);
  }

  private path(name: string): ScimPath {
    const path = parsePath(name);
    if (!path) this.refuse('InvalidAttribute', `"${name}" is not a SCIM attribute path (examples: userName, name.givenName, emails[type eq "work"].value)`);
    return path;
  }

  private async create(type: string, provider: ServiceProvider, info: ScimResourceInfo, change: Extract<ExportChange, { op: 'create' }>): Promise<string> {
    const body: Record<string, unknown> = { schemas: [info.schema] };
    for (const [name, value] of Object.entries(change.attributes)) {
      if (!setPath(body, this.path(name), value)) this.refuse('ReadOnlyAttribute', `"${name}" cannot be written (read-only or ambiguous); project a typed path such as emails[type eq "work"].value`);
    }
    if (change.enabled !== undefined && this.capabilities(type).canDisable) body.active = change.enabled;
    if (change.password !== undefined) body.password = change.password;
    try {
      const created = await this.client.json<Resource>({ method: 'POST', url: info.endpoint, json: body, contentType: SCIM_JSON, headers: ACCEPT });
      if (typeof created?.id !== 'string') this.refuse('MalformedResponse', `the service provider created the ${info.endpoint} resource but answered without its id`);
      return created.id;
    } catch (error) {
      if (!(error instanceof HttpError) || error.status !== 409) throw error;
      const externalId = change.attributes.externalId;
      if (typeof externalId === 'string' && provider.filter) {
        const found = await this.findBy(type, 'externalId', externalId);
        if (found.length === 1) {
          this.log.info({ event: 'scim-create-adopted', externalId }, `${info.endpoint}: a resource with externalId "${externalId}" already exists (an earlier attempt); using it`);
          return found[0]!.externalId;
        }
      }
      const key = info.schema === SCHEMA.group ? 'displayName' : 'userName';
      throw new ConnectorError(
        this.options.connector,
        'Conflict',
        `${info.endpoint}: the service provider already holds a resource with this ${key}${error.summary ? ` (${error.summary})` : ''}; add a projection join on ${key} (or externalId) to adopt it instead of creating it`,
        { cause: error },
      );
    }
  }

  /** Reads the live resource, then sends only what differs (PATCH, or PUT without PATCH support). */
  private async modify(provider: ServiceProvider, info: ScimResourceInfo, id: string, attributes: Readonly<Record<string, AttributeChange>>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const response = await this.client.request<Resource>({ url: resourcePath(info, id), headers: ACCEPT });
      const resource = response.body ?? {};
      const version = response.header('etag') ?? resource.meta?.version;
      const ifMatch: Record<string, string> = provider.etag && version ? { 'if-match': version } : {};
      try {
        if (provider.patch) {
          const operations = this.operations(resource, attributes);
          if (operations.length === 0) return;
          await this.client.request({ method: 'PATCH', url: resourcePath(info, id), json: patchRequest(operations), contentType: SCIM_JSON, headers: { ...ACCEPT, ...ifMatch } });
        } else {
          const replaced = this.replaced(resource, attributes);
          if (replaced === undefined) return;
          await this.client.request({ method: 'PUT', url: resourcePath(info, id), json: replaced, contentType: SCIM_JSON, headers: { ...ACCEPT, ...ifMatch } });
        }
        return;
      } catch (error) {
        // The resource changed between our read and our write: read it again, once.
        if (error instanceof HttpError && error.status === 412 && attempt === 0) continue;
        throw error;
      }
    }
  }

  /** PATCH operations for the attributes whose live value differs from the wanted one. */
  private operations(resource: Resource, attributes: Readonly<Record<string, AttributeChange>>): PatchOperation[] {
    const current = flattenResource(resource);
    const operations: PatchOperation[] = [];
    for (const [name, change] of Object.entries(attributes)) {
      const path = this.path(name);
      if (isMembers(path)) {
        const have = new Set(list(lookup(current, 'members')).map(String));
        const add = (change.add ?? list(change.to).filter((v) => !have.has(String(v)))).map(String).filter((v) => !have.has(v));
        const remove = (change.remove ?? []).map(String).filter((v) => have.has(v));
        if (add.length > 0) operations.push({ op: 'add', path: 'members', value: add.map((value) => ({ value })) });
        for (const value of remove) operations.push({ op: 'remove', path: entryByValuePath('members', value) });
        continue;
      }
      if (path.attribute.toLowerCase() === 'groups' && !path.urn) this.refuse('ReadOnlyAttribute', 'a user\'s "groups" is read-only in SCIM; change the group\'s members instead');
      if (same(lookup(current, name), change.to)) continue;
      if (change.to === undefined) {
        operations.push({ op: 'remove', path: path.type !== undefined && (path.sub ?? 'value') === 'value' ? formatPath({ ...path, sub: undefined }) : name });
      } else if (path.type !== undefined && !hasTypedEntry(resource, path)) {
        // RFC 7644 §3.5.2.3: replace with a value filter that matches nothing fails (noTarget); add the entry.
        operations.push({ op: 'add', path: formatPath({ ...(path.urn ? { urn: path.urn } : {}), attribute: path.attribute }), value: [{ type: path.type, [path.sub ?? 'value']: json(change.to) }] });
      } else {
        operations.push({ op: 'replace', path: name, value: json(change.to) });
      }
    }
    return operations;
  }

  /** The live resource with the changes applied, for PUT; undefined when nothing differs. */
  private replaced(resource: Resource, attributes: Readonly<Record<string, AttributeChange>>): Resource | undefined {
    const current = flattenResource(resource);
    const next: Resource = JSON.parse(JSON.stringify(resource)) as Resource;
    delete next.meta;
    let changed = false;
    for (const [name, change] of Object.entries(attributes)) {
      const path = this.path(name);
      if (isMembers(path)) {
        const have = list(lookup(current, 'members')).map(String);
        const remove = new Set((change.remove ?? []).map(String));
        const add = (change.add ?? list(change.to)).map(String);
        const wanted = [...new Set([...have.filter((v) => !remove.has(v)), ...add])];
        if (wanted.length !== have.length || wanted.some((v) => !have.includes(v))) {
          const entries = Array.isArray(resource.members) ? (resource.members as Record<string, unknown>[]) : [];
          next.members = wanted.map((value) => entries.find((e) => String(e.value) === value) ?? { value });
          changed = true;
        }
        continue;
      }
      if (same(lookup(current, name), change.to)) continue;
      if (!setPath(next, path, change.to)) this.refuse('ReadOnlyAttribute', `"${name}" cannot be written`);
      changed = true;
    }
    return changed ? next : undefined;
  }
}

function stage(resource: Resource): StagedObject {
  const attributes = flattenResource(resource);
  const active = resource.active;
  if (typeof active !== 'boolean') return { externalId: String(resource.id), attributes };
  if (!Object.hasOwn(attributes, ENABLED_ATTRIBUTE)) attributes[ENABLED_ATTRIBUTE] = active;
  return { externalId: String(resource.id), attributes, enabled: active };
}

function resourcePath(info: ScimResourceInfo, id: string): string {
  return `${info.endpoint}/${encodeURIComponent(id)}`;
}

function isMembers(path: ScimPath): boolean {
  return !path.urn && path.attribute.toLowerCase() === 'members' && path.type === undefined && path.sub === undefined;
}

/** A staged attribute by its SCIM path, matched case-insensitively. */
function lookup(attributes: Readonly<Record<string, Value>>, name: string): Value | undefined {
  return getAttribute(attributes, name) as Value | undefined;
}

function list(value: Value | undefined): readonly (string | number | boolean)[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value as string | number | boolean];
}

function same(have: Value | undefined, want: Value | undefined): boolean {
  if (have === undefined || want === undefined) return have === want;
  const a = list(have).map(String).sort();
  const b = list(want).map(String).sort();
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function json(value: Value | undefined): unknown {
  return value === undefined ? undefined : toJson(value);
}

export function createScimConnector(context: ConnectorContext<'scim'>, overrides: { concurrency?: number } = {}): IdentityConnector {
  return new ScimConnector(context, overrides);
}
