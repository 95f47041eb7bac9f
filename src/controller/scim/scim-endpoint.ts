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
 * resource shapes, discovery documents and the error body — lives in src/scim/; this file declares the
 * routes on the router's /scim/ surface, authenticates, keeps the inbox and debounces cycles. Wrong
 * methods get the router's 405 with `Allow`; refusals are HttpProblems (ScimError is one), written as
 * SCIM errors.
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
import { scimErrorBody, ScimError } from '../../scim/scim-error.js';
import { errorMessage } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { HttpProblem } from '../../shared/http-problem.js';
import { SCIM_PREFIX } from '../endpoints.js';
import { readBody, type ControllerHttpServer } from '../http-server.js';
import type { HttpMethod, RouteCall } from '../http-router.js';
import { InboxUniquenessError, type InboxRow, type ScimInbox } from './inbox.js';

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

/** Who a request under /scim/ comes from (once authenticated), and the connector's base URL. */
interface ScimCaller {
  readonly model: ConnectorModel;
  readonly base: string;
}
type ScimCall = RouteCall<ScimCaller>;

export interface ScimEndpoint {
  /** Puts the endpoint's routes on the controller's router, on a surface of their own. */
  mount(http: Pick<ControllerHttpServer, 'surface'>): void;
  /** Requests the pending debounced cycle now (tests, shutdown). */
  flush(): void;
  /** Whether writes wait for their debounced cycle request (this replica will ask for their run itself). */
  pending(): boolean;
  /** Drops the pending debounce timer. */
  close(): void;
}

function sendScim(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  if (status === 204) {
    res.writeHead(204, { 'cache-control': 'no-store', ...headers });
    res.end();
    return;
  }
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'content-type': 'application/scim+json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
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

  /**
   * Runs before the router answers anything under /scim/ (a route, a 404 or a 405): the path names a
   * served connector and v2, no segment holds text the store cannot take, and the bearer token is the
   * connector's.
   */
  const authenticateRequest = (req: IncomingMessage, url: URL): ScimCaller => {
    let parts: string[];
    try {
      parts = url.pathname.slice(SCIM_PREFIX.length).split('/').map((p) => decodeURIComponent(p));
    } catch {
      throw new ScimError(404, 'no SCIM endpoint here');
    }
    for (const part of parts) checkSegment(part);
    const [name = '', version] = parts;
    const model = connectorFor(name);
    if (!model || version !== 'v2') throw new ScimError(404, 'no SCIM endpoint here');
    if (!authenticate(req, model)) throw new HttpProblem(401, 'Unauthenticated', 'a valid bearer token is required', { 'www-authenticate': 'Bearer realm="identity-mesh"' });
    const host = req.headers.host ?? 'localhost';
    const base = `${(req.headers['x-forwarded-proto'] as string | undefined) ?? 'http'}://${host}${SCIM_PREFIX}${encodeURIComponent(name)}/v2`;
    return { model, base };
  };

  const discovery = (list: (caller: ScimCaller) => readonly Record<string, unknown>[], what: string) => ({
    all: ({ res, auth }: ScimCall) => {
      const all = list(auth);
      sendScim(res, 200, listResponse(all, all.length, 1));
    },
    one: ({ res, auth, params }: ScimCall) => {
      const one = list(auth).find((d) => d.id === params.id);
      if (!one) throw new ScimError(404, `no ${what} "${params.id}"`);
      sendScim(res, 200, one);
    },
  });
  const resourceTypeDocuments = discovery(({ base, model }) => resourceTypes(base, model.objectTypes), 'resource type');
  const schemaDocuments = discovery(({ base, model }) => schemas(base, model.objectTypes), 'schema');

  /** The resource kind a route serves, when the connector declares it. */
  const accepted = (kind: ResourceKind, { model }: ScimCaller): string => {
    if (!model.objectTypes.includes(kind)) throw new ScimError(404, `this endpoint does not accept ${COLLECTION[kind]} (declare it under the connector's spec.objectTypes)`);
    return model.name;
  };

  const resourceRoutes = (kind: ResourceKind): Array<[HttpMethod, string, (call: ScimCall) => Promise<void>]> => [
    ['GET', '', ({ res, url, auth }) => list(res, url, accepted(kind, auth), kind, auth.base)],
    [
      'POST',
      '',
      async ({ req, res, auth }) => {
        const connector = accepted(kind, auth);
        const body = await readJson(req);
        const newId = randomUUID();
        const row = await store(connector, kind, newId, cleanResource(kind, body, newId), false);
        written(connector);
        log.info({ event: 'scim-write', connector, op: 'create', resourceType: kind, id: newId }, `SCIM create ${RESOURCE_NAME[kind]} ${newId}`);
        sendScim(res, 201, present(row, auth.base), { location: `${auth.base}/${COLLECTION[kind]}/${newId}` });
      },
    ],
    [
      'GET',
      '/:id',
      async ({ res, url, auth, params }) => {
        const row = await inbox.get(accepted(kind, auth), kind, params.id!);
        if (!row) throw new ScimError(404, `${RESOURCE_NAME[kind]} ${params.id} not found`);
        sendScim(res, 200, present(row, auth.base, url));
      },
    ],
    [
      'PUT',
      '/:id',
      async ({ req, res, auth, params }) => {
        const connector = accepted(kind, auth);
        const id = params.id!;
        const body = await readJson(req);
        const row = await store(connector, kind, id, cleanResource(kind, body, id), true);
        written(connector);
        log.info({ event: 'scim-write', connector, op: 'replace', resourceType: kind, id }, `SCIM replace ${RESOURCE_NAME[kind]} ${id}`);
        sendScim(res, 200, present(row, auth.base));
      },
    ],
    [
      'PATCH',
      '/:id',
      async ({ req, res, url, auth, params }) => {
        const connector = accepted(kind, auth);
        const id = params.id!;
        const body = await readJson(req);
        const operations = readPatchRequest(body);
        const current = await inbox.get(connector, kind, id);
        if (!current) throw new ScimError(404, `${RESOURCE_NAME[kind]} ${id} not found`);
        const patched = applyPatch(current.resource, RESOURCE_NAME[kind], operations);
        if (patched.id !== id) throw new ScimError(400, 'id cannot be changed', 'mutability');
        const row = await store(connector, kind, id, cleanResource(kind, patched, id), true);
        written(connector);
        log.info({ event: 'scim-write', connector, op: 'patch', resourceType: kind, id, operations: operations.length }, `SCIM patch ${RESOURCE_NAME[kind]} ${id}`);
        sendScim(res, 200, present(row, auth.base, url));
      },
    ],
    [
      'DELETE',
      '/:id',
      async ({ res, auth, params }) => {
        const connector = accepted(kind, auth);
        const id = params.id!;
        if (!(await inbox.remove(connector, kind, id))) throw new ScimError(404, `${RESOURCE_NAME[kind]} ${id} not found`);
        written(connector);
        log.info({ event: 'scim-write', connector, op: 'delete', resourceType: kind, id }, `SCIM delete ${RESOURCE_NAME[kind]} ${id}`);
        sendScim(res, 204, undefined);
      },
    ],
  ];

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

  const mount = (http: Pick<ControllerHttpServer, 'surface'>): void => {
    const surface = http.surface<ScimCaller, undefined>({
      name: 'scim',
      prefix: SCIM_PREFIX,
      writeProblem: (res, problem) => sendScim(res, problem.status, scimErrorBody(problem), problem.headers),
      authenticate: (req, url) => authenticateRequest(req, url),
      badPath: () => new ScimError(404, 'no SCIM endpoint here'),
      notFound: () => new ScimError(404, 'no such resource'),
      // Entra and others write /Users; /users and /Users/ are the same collection.
      caseInsensitive: true,
      ignoreTrailingSlash: true,
    });
    const base = `${SCIM_PREFIX}:connector/v2`;
    const route = (method: HttpMethod, path: string, handle: (call: ScimCall) => unknown) => surface.route({ method, path: `${base}${path}`, data: undefined, handle });
    route('GET', '/ServiceProviderConfig', ({ res, auth }) => sendScim(res, 200, serviceProviderConfig(auth.base)));
    route('GET', '/ResourceTypes', resourceTypeDocuments.all);
    route('GET', '/ResourceTypes/:id', resourceTypeDocuments.one);
    route('GET', '/Schemas', schemaDocuments.all);
    route('GET', '/Schemas/:id', schemaDocuments.one);
    for (const kind of ['user', 'group'] as const) {
      for (const [method, path, handle] of resourceRoutes(kind)) route(method, `/${COLLECTION[kind]}${path}`, handle);
    }
  };

  return {
    mount,
    flush: fire,
    pending: () => pushedTo.size > 0,
    close() {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}

/** Mounts the SCIM endpoints of every scim-inbound connector on their surface, /scim/. */
export function mountScimEndpoints(http: Pick<ControllerHttpServer, 'surface'>, options: ScimEndpointOptions): ScimEndpoint {
  const endpoint = createScimEndpoint(options);
  endpoint.mount(http);
  return endpoint;
}
