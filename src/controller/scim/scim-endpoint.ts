/**
 * The SCIM 2.0 service provider that `imesh run` serves for every `scim-inbound` connector, at
 * `/scim/<connector-name>/v2/`: an identity provider provisions us.
 *
 *   GET    /Users, /Groups          filter (eq, and, or, not, co, sw, ew, pr …), startIndex, count,
 *                                   attributes / excludedAttributes
 *   GET    /Users/{id}, /Groups/{id}
 *   POST   /Users, /Groups          201 + Location; userName unique case-insensitively (409 uniqueness)
 *   PUT    /Users/{id}, /Groups/{id}
 *   PATCH  /Users/{id}, /Groups/{id}  RFC 7644 §3.5.2 PatchOp, applied with `scim-patch`
 *   DELETE /Users/{id}, /Groups/{id}  204
 *   GET    /ServiceProviderConfig, /ResourceTypes, /Schemas
 *
 * Authentication: `Authorization: Bearer <token>`, compared in constant time with the connector's own
 * `connection.bearerToken` secret. Errors are SCIM error bodies (`schemas`, `status`, `scimType`,
 * `detail`), never a stack trace; bodies over the limit get 413.
 *
 * The protocol — paths, filters, PATCH (with the request shapes Microsoft Entra ID really sends),
 * resource shapes and discovery documents — lives in src/scim/; this file routes, authenticates, keeps
 * the inbox and debounces cycles.
 *
 * Every accepted write is stored in the connector's inbox (store table scim_inbox) before the response,
 * then a delta cycle is requested, debounced, so a burst of pushes makes one cycle within seconds.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CompiledConfig, ConnectorModel } from '../../config/model.js';
import { descriptorOf } from '../../connectors/registry.js';
import type { SecretResolver } from '../../connectors/sdk.js';
import { attributeList, selectAttributes } from '../../scim/attributes.js';
import { MAX_RESULTS, resourceTypes, schemas, serviceProviderConfig } from '../../scim/discovery.js';
import { indexedTerm, matchesFilter, parseScimFilter, type ScimFilter } from '../../scim/filter.js';
import { checkScimBody, checkSegment } from '../../scim/input-guard.js';
import { applyPatch, readPatchRequest } from '../../scim/patch.js';
import { asObject, cleanResource, COLLECTION, kindOfCollection, listResponse, presentResource, RESOURCE_NAME, type ResourceKind } from '../../scim/resources.js';
import { ScimError } from '../../scim/scim-error.js';
import { SCHEMA } from '../../scim/urns.js';
import { errorMessage } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { HttpProblem } from '../../shared/http-problem.js';
import { readBody, type ControllerHttpServer, type RouteHandler } from '../http-server.js';
import { InboxUniquenessError, type InboxRow, type ScimInbox } from './inbox.js';

export const SCIM_PREFIX = '/scim/';
export const DEFAULT_SCIM_BODY_LIMIT = 1024 * 1024;
export const DEFAULT_SCIM_DEBOUNCE_MS = 2_000;
/** A steady stream of pushes still gets a cycle at least this often. */
export const SCIM_MAX_DEBOUNCE_MS = 10_000;

export interface ScimEndpointOptions {
  readonly inbox: ScimInbox;
  /** The running config (its scim-inbound connectors are served); undefined before any valid revision. */
  readonly config: () => CompiledConfig | undefined;
  readonly secrets: SecretResolver;
  readonly log: Logger;
  /** Asks for a delta cycle (the controller's `requestCycle`); called debounced after writes. */
  readonly requestCycle: (reason: string) => void;
  readonly debounceMs?: number;
  readonly maxBodyBytes?: number;
}

export interface ScimEndpoint {
  readonly handler: RouteHandler;
  /** Requests the pending debounced cycle now (tests, shutdown). */
  flush(): void;
  /** Drops the pending debounce timer. */
  close(): void;
}

function sendScim(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (status === 204) {
    res.writeHead(204, { 'cache-control': 'no-store', ...headers });
    res.end();
    return;
  }
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'content-type': 'application/scim+json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, detail: string, scimType?: string, headers: Record<string, string> = {}): void {
  sendScim(res, status, { schemas: [SCHEMA.error], status: String(status), ...(scimType ? { scimType } : {}), detail }, headers);
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Constant-time comparison (equal-length digests, so the length does not leak either). */
export function tokenMatches(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected)) && expected.length > 0;
}

// ── the handler ───────────────────────────────────────────────────────────────────────────────────

export function createScimEndpoint(options: ScimEndpointOptions): ScimEndpoint {
  const { inbox, log } = options;
  const limit = options.maxBodyBytes ?? DEFAULT_SCIM_BODY_LIMIT;
  const debounceMs = options.debounceMs ?? DEFAULT_SCIM_DEBOUNCE_MS;
  let timer: NodeJS.Timeout | undefined;
  let firstWriteAt: number | undefined;
  const pushedTo = new Set<string>();

  const fire = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    firstWriteAt = undefined;
    if (pushedTo.size === 0) return;
    const names = [...pushedTo].sort().join(', ');
    pushedTo.clear();
    options.requestCycle(`SCIM push to ${names}`);
  };
  const written = (connector: string) => {
    pushedTo.add(connector);
    const now = Date.now();
    firstWriteAt ??= now;
    if (timer) clearTimeout(timer);
    timer = setTimeout(fire, Math.max(0, Math.min(debounceMs, firstWriteAt + SCIM_MAX_DEBOUNCE_MS - now)));
    timer.unref();
  };

  const connectorFor = (name: string): ConnectorModel | undefined => {
    const model = options.config()?.connectors.get(name);
    return model && descriptorOf(model.type).inbox ? model : undefined;
  };

  const authenticate = (req: IncomingMessage, model: ConnectorModel): boolean => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (!match) return false;
    const reference = descriptorOf(model.type).inbox?.bearerToken(model.spec);
    if (reference === undefined) return false;
    let expected: string;
    try {
      expected = options.secrets.resolve(reference);
    } catch (error) {
      log.error({ event: 'scim-token-unavailable', connector: model.name, error: errorMessage(error) }, 'the SCIM endpoint cannot resolve its bearer token');
      return false;
    }
    return tokenMatches(match[1]!.trim(), expected);
  };

  const readJson = async (req: IncomingMessage): Promise<Record<string, unknown>> => {
    const body = await readBody(req, limit);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new ScimError(400, 'the request body is not valid JSON', 'invalidSyntax');
    }
    checkScimBody(parsed);
    return asObject(parsed, 'the request body');
  };

  const present = (row: InboxRow, base: string, url?: URL): Record<string, unknown> => {
    const resource = presentResource({ ...row, kind: row.type as ResourceKind }, base);
    if (!url) return resource;
    return selectAttributes(resource, attributeList(url.searchParams.get('attributes')), attributeList(url.searchParams.get('excludedAttributes')));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    let parts: string[];
    try {
      parts = url.pathname.slice(SCIM_PREFIX.length).split('/').map((p) => decodeURIComponent(p));
    } catch {
      throw new ScimError(404, 'no SCIM endpoint here');
    }
    for (const part of parts) checkSegment(part);
    const [name = '', version, collection = '', id, ...extra] = parts;
    const model = connectorFor(name);
    if (!model || version !== 'v2') throw new ScimError(404, 'no SCIM endpoint here');
    if (!authenticate(req, model)) {
      sendError(res, 401, 'a valid bearer token is required', undefined, { 'www-authenticate': 'Bearer realm="identity-mesh"' });
      return;
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const host = req.headers.host ?? 'localhost';
    const base = `${(req.headers['x-forwarded-proto'] as string | undefined) ?? 'http'}://${host}${SCIM_PREFIX}${encodeURIComponent(name)}/v2`;
    const types = model.objectTypes;
    if (extra.length > 0) throw new ScimError(404, 'no such resource');

    switch (collection) {
      case 'ServiceProviderConfig':
        if (method !== 'GET' && method !== 'HEAD') throw new ScimError(405, 'discovery documents are read-only');
        return sendScim(res, 200, serviceProviderConfig(base));
      case 'ResourceTypes':
      case 'Schemas': {
        if (method !== 'GET' && method !== 'HEAD') throw new ScimError(405, 'discovery documents are read-only');
        const all = collection === 'ResourceTypes' ? resourceTypes(base, types) : schemas(base, types);
        if (id !== undefined && id !== '') {
          const one = all.find((d) => d.id === id);
          if (!one) throw new ScimError(404, `no ${collection === 'ResourceTypes' ? 'resource type' : 'schema'} "${id}"`);
          return sendScim(res, 200, one);
        }
        return sendScim(res, 200, listResponse(all, all.length, 1));
      }
    }

    const kind = kindOfCollection(collection);
    if (!kind || !types.includes(kind)) throw new ScimError(404, `this endpoint does not accept ${collection || 'that'} (declare it under the connector's spec.objectTypes)`);
    const connector = model.name;

    if (id === undefined || id === '') {
      if (method === 'GET' || method === 'HEAD') return list(res, url, connector, kind, base);
      if (method !== 'POST') throw new ScimError(405, `${method} is not allowed on /${COLLECTION[kind]}`);
      const body = await readJson(req);
      const newId = randomUUID();
      const row = await store(connector, kind, newId, cleanResource(kind, body, newId), false);
      written(connector);
      log.info({ event: 'scim-write', connector, op: 'create', resourceType: kind, id: newId }, `SCIM create ${RESOURCE_NAME[kind]} ${newId}`);
      return sendScim(res, 201, present(row, base), { location: `${base}/${COLLECTION[kind]}/${newId}` });
    }

    switch (method) {
      case 'GET':
      case 'HEAD': {
        const row = await inbox.get(connector, kind, id);
        if (!row) throw new ScimError(404, `${RESOURCE_NAME[kind]} ${id} not found`);
        return sendScim(res, 200, present(row, base, url));
      }
      case 'PUT': {
        const body = await readJson(req);
        const row = await store(connector, kind, id, cleanResource(kind, body, id), true);
        written(connector);
        log.info({ event: 'scim-write', connector, op: 'replace', resourceType: kind, id }, `SCIM replace ${RESOURCE_NAME[kind]} ${id}`);
        return sendScim(res, 200, present(row, base));
      }
      case 'PATCH': {
        const body = await readJson(req);
        const operations = readPatchRequest(body);
        const current = await inbox.get(connector, kind, id);
        if (!current) throw new ScimError(404, `${RESOURCE_NAME[kind]} ${id} not found`);
        const patched = applyPatch(current.resource, RESOURCE_NAME[kind], operations);
        if (patched.id !== id) throw new ScimError(400, 'id cannot be changed', 'mutability');
        const row = await store(connector, kind, id, cleanResource(kind, patched, id), true);
        written(connector);
        log.info({ event: 'scim-write', connector, op: 'patch', resourceType: kind, id, operations: operations.length }, `SCIM patch ${RESOURCE_NAME[kind]} ${id}`);
        return sendScim(res, 200, present(row, base, url));
      }
      case 'DELETE': {
        if (!(await inbox.remove(connector, kind, id))) throw new ScimError(404, `${RESOURCE_NAME[kind]} ${id} not found`);
        written(connector);
        log.info({ event: 'scim-write', connector, op: 'delete', resourceType: kind, id }, `SCIM delete ${RESOURCE_NAME[kind]} ${id}`);
        return sendScim(res, 204, undefined);
      }
      default:
        throw new ScimError(405, `${method} is not allowed on /${COLLECTION[kind]}/{id}`);
    }
  };

  const store = async (connector: string, kind: ResourceKind, id: string, resource: Record<string, unknown>, existing: boolean): Promise<InboxRow> => {
    try {
      const row = await inbox.put(connector, kind, id, resource, existing);
      if (!row) throw new ScimError(404, `${RESOURCE_NAME[kind]} ${id} not found`);
      return row;
    } catch (error) {
      if (error instanceof InboxUniquenessError) throw new ScimError(409, error.message, 'uniqueness');
      throw error;
    }
  };

  const list = async (res: ServerResponse, url: URL, connector: string, kind: ResourceKind, base: string): Promise<void> => {
    const text = url.searchParams.get('filter');
    const filter: ScimFilter | undefined = text !== null && text.trim() !== '' ? parseScimFilter(text) : undefined;
    const startIndex = Math.max(1, Number.parseInt(url.searchParams.get('startIndex') ?? '1', 10) || 1);
    const countParam = url.searchParams.get('count');
    const count = Math.min(MAX_RESULTS, Math.max(0, countParam === null ? 100 : Number.parseInt(countParam, 10) || 0));
    const narrow = filter && indexedTerm(filter);
    const rows = narrow ? await inbox.findBy(connector, kind, narrow.attribute, narrow.value) : (await inbox.rows(connector, kind)).rows;
    const sorted = [...rows].sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const matched = filter ? sorted.filter((row) => matchesFilter(filter, { ...row.resource, id: row.id })) : sorted;
    const page = matched.slice(startIndex - 1, startIndex - 1 + count);
    sendScim(res, 200, listResponse(page.map((row) => present(row, base, url)), matched.length, startIndex));
  };

  const handler: RouteHandler = async (req, res, url) => {
    try {
      await handle(req, res, url);
    } catch (error) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof ScimError) return sendError(res, error.status, error.message, error.scimType);
      if (error instanceof HttpProblem) return sendError(res, error.status, error.message, undefined, error.headers);
      log.error({ event: 'scim-failed', method: req.method, path: url.pathname, error: errorMessage(error) }, 'SCIM request failed');
      sendError(res, 500, 'internal error; the request was not applied');
    }
  };

  return {
    handler,
    flush: fire,
    close() {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}

/** Mounts the SCIM endpoints of every scim-inbound connector under /scim/ (any method). */
export function mountScimEndpoints(http: Pick<ControllerHttpServer, 'surface'>, options: ScimEndpointOptions): ScimEndpoint {
  const endpoint = createScimEndpoint(options);
  const surface = http.surface<undefined, undefined>({
    name: 'scim',
    prefix: SCIM_PREFIX,
    writeProblem: (res, problem) => sendError(res, problem.status, problem.message, undefined, problem.headers),
  });
  for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const) {
    surface.route({ method, path: `${SCIM_PREFIX}*`, data: undefined, handle: ({ req, res, url, params }) => endpoint.handler(req, res, url, params) });
  }
  return endpoint;
}
