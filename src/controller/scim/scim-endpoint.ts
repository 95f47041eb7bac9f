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
 * Request shapes Microsoft Entra ID's provisioning service really sends, all accepted here:
 * - capitalised PATCH ops `"Replace"`, `"Add"`, `"Remove"` and string booleans (`"active": "False"`);
 *   Microsoft documents both as SCIM compliance differences of its provisioning service
 *   (https://learn.microsoft.com/en-us/entra/identity/app-provisioning/application-provisioning-config-problem-scim-compatibility)
 *   and shows them in its SCIM guide's request examples
 *   (https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups,
 *   "Update User [Multi-valued properties]", "Disable User", "Update Group [Add/Remove Members]").
 * - `path`-less PATCH operations whose `value` is an object (`{"op":"Replace","value":{"active":false}}`),
 *   including keys that are themselves paths (`"name.givenName"`, `emails[type eq "work"].value`).
 * - `members` PATCH with `value` arrays (`{"op":"Add","path":"members","value":[{"value":"<id>"}]}`, and
 *   the same with `Remove`).
 * - the `emails[type eq "work"].value` attribute path (Entra's default mapping for a user's email),
 *   in PATCH paths and in filters.
 * - `GET /Groups/{id}?excludedAttributes=members`, and the membership check
 *   `GET /Groups?filter=id eq "<group>" and members eq "<user>"&excludedAttributes=members`
 *   (the Entra endpoint list at https://docs.delinea.com/online-help/delinea-platform/identity-providers/entra-id/entra-id-scim-provisioning-scim-endpoints.htm
 *   and Microsoft's guide above: Entra uses only `eq` and `and` in filters).
 * - `GET /Users?filter=userName eq "<random>"` as its "Test connection": 200 with an empty list.
 *
 * Every accepted write is stored in the connector's inbox (store table scim_inbox) before the response,
 * then a delta cycle is requested, debounced, so a burst of pushes makes one cycle within seconds.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseFilter, type Filter } from 'scim2-parse-filter';
import { scimPatch, type ScimPatchOperation, type ScimResource } from 'scim-patch';
import type { CompiledConfig, ConnectorModel } from '../../config/model.js';
import type { SecretResolver } from '../../connectors/sdk.js';
import { errorMessage } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { RequestError, readBody, type ControllerHttpServer, type RouteHandler } from '../http-server.js';
import { InboxUniquenessError, type InboxRow, type ScimInbox } from './inbox.js';
import { ScimError } from './scim-error.js';
import { checkFilter, checkFilterText, checkScimBody, checkScimPath, checkSegment } from './scim-input-guard.js';
import { MAX_RESULTS, resourceTypes, SCHEMA, schemas, serviceProviderConfig } from './scim-discovery.js';

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

type Kind = 'user' | 'group';
const KINDS: Record<string, Kind> = { users: 'user', groups: 'group' };
const RESOURCE_NAME: Record<Kind, string> = { user: 'User', group: 'Group' };
const ENDPOINT: Record<Kind, string> = { user: 'Users', group: 'Groups' };

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

// ── value normalisation ───────────────────────────────────────────────────────────────────────────

const BOOLEAN_KEYS = new Set(['active', 'primary']);

/**
 * Entra sends booleans as strings ("True"/"False"); store them as booleans. Objects are rebuilt on a
 * null prototype, so no key (checked already by scim-input-guard) can reach Object.prototype.
 */
function normaliseBooleans(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normaliseBooleans);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (BOOLEAN_KEYS.has(k) && typeof v === 'string' && /^(true|false)$/i.test(v.trim())) out[k] = v.trim().toLowerCase() === 'true';
      else out[k] = normaliseBooleans(v);
    }
    return out;
  }
  return value;
}

function asObject(value: unknown, what: string): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new ScimError(400, `${what} must be a JSON object`, 'invalidSyntax');
  return value as Record<string, unknown>;
}

/** The resource as stored: no id/meta, booleans normalised, members unique by value. */
function cleanResource(kind: Kind, body: Record<string, unknown>, id: string): Record<string, unknown> {
  const resource = normaliseBooleans(body) as Record<string, unknown>;
  delete resource.meta;
  resource.id = id;
  const core = kind === 'user' ? SCHEMA.user : SCHEMA.group;
  const listed = Array.isArray(resource.schemas) ? (resource.schemas as unknown[]).filter((s): s is string => typeof s === 'string') : [];
  const extensions = Object.keys(resource).filter((k) => k.toLowerCase().startsWith('urn:') && k !== 'schemas');
  resource.schemas = [...new Set([core, ...listed.filter((s) => s !== core), ...extensions])];
  if (kind === 'user') {
    if (typeof resource.userName !== 'string' || resource.userName.trim() === '') throw new ScimError(400, 'userName is required', 'invalidValue');
    if ('active' in resource && typeof resource.active !== 'boolean') throw new ScimError(400, 'active must be a boolean', 'invalidValue');
  } else {
    if (typeof resource.displayName !== 'string' || resource.displayName.trim() === '') throw new ScimError(400, 'displayName is required', 'invalidValue');
    if (resource.members !== undefined) {
      if (!Array.isArray(resource.members)) throw new ScimError(400, 'members must be a list', 'invalidValue');
      const seen = new Map<string, Record<string, unknown>>();
      for (const member of resource.members) {
        const m = asObject(member, 'a member');
        if (typeof m.value !== 'string' || m.value === '') throw new ScimError(400, 'every member needs a value (the member id)', 'invalidValue');
        seen.set(m.value, m);
      }
      resource.members = [...seen.values()];
      if (seen.size === 0) delete resource.members;
    }
  }
  return resource;
}

/** RFC 7644 §3.5.2 operations as Entra sends them, made acceptable to scim-patch. */
function patchOperations(body: Record<string, unknown>): ScimPatchOperation[] {
  const listed = Array.isArray(body.schemas) ? body.schemas : [];
  if (!listed.includes(SCHEMA.patch)) throw new ScimError(400, `a PATCH body lists the schema ${SCHEMA.patch}`, 'invalidSyntax');
  const operations = body.Operations ?? body.operations;
  if (!Array.isArray(operations) || operations.length === 0) throw new ScimError(400, 'a PATCH body needs a non-empty Operations list', 'invalidSyntax');
  const out: ScimPatchOperation[] = [];
  for (const raw of operations) {
    const operation = asObject(raw, 'an operation');
    const op = typeof operation.op === 'string' ? operation.op.toLowerCase() : '';
    if (op !== 'add' && op !== 'replace' && op !== 'remove') throw new ScimError(400, `unknown PATCH op ${JSON.stringify(operation.op)} (add, replace or remove)`, 'invalidSyntax');
    const path = operation.path;
    if (path !== undefined && typeof path !== 'string') throw new ScimError(400, 'a PATCH path is a string', 'invalidPath');
    if (path !== undefined) checkScimPath(path);
    const value = normaliseBooleans(operation.value);
    if (op === 'remove') {
      if (!path) throw new ScimError(400, 'a remove operation needs a path', 'noTarget');
      if (Array.isArray(value) && !/[[.]/.test(path)) {
        // Entra removes members as {"op":"Remove","path":"members","value":[{"value":"<id>"}]}: remove
        // by each entry's value (scim-patch would compare whole entries, `display`/`$ref` included).
        for (const entry of value) {
          const v = entry && typeof entry === 'object' ? (entry as { value?: unknown }).value : entry;
          if (typeof v !== 'string') throw new ScimError(400, `each value removed from ${path} needs a value`, 'invalidValue');
          out.push({ op, path: `${path}[value eq ${JSON.stringify(v)}]` } as ScimPatchOperation);
        }
        continue;
      }
      out.push({ op, path, ...(value !== undefined ? { value } : {}) } as ScimPatchOperation);
      continue;
    }
    if (value === undefined) throw new ScimError(400, `an ${op} operation needs a value`, 'invalidValue');
    if (!path) {
      // Path-less: the value object's keys are attributes, or paths themselves ("name.givenName").
      const object = asObject(value, `a path-less ${op} value`);
      const plain: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(object)) {
        const isPath = k.toLowerCase().startsWith('urn:') ? !Object.values(SCHEMA).some((urn) => urn.toLowerCase() === k.toLowerCase()) : /[.[]/.test(k);
        if (isPath) out.push({ op, path: k, value: v } as ScimPatchOperation);
        else plain[k] = v;
      }
      if (Object.keys(plain).length > 0) out.push({ op, value: plain } as ScimPatchOperation);
      continue;
    }
    out.push({ op, path, value } as ScimPatchOperation);
  }
  return out;
}

// ── filters and attribute selection ───────────────────────────────────────────────────────────────

function getCaseless(object: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(object, name)) return object[name];
  const lower = name.toLowerCase();
  for (const k of Object.keys(object)) if (k.toLowerCase() === lower) return object[k];
  return undefined;
}

/** The values at an attribute path; multi-valued complex entries without a sub-attribute by their `value`. */
function valuesAt(resource: Record<string, unknown>, path: string, raw = false): unknown[] {
  let container: unknown = resource;
  let rest = path;
  for (const k of Object.keys(resource)) {
    if (k.toLowerCase().startsWith('urn:') && path.toLowerCase().startsWith(`${k.toLowerCase()}:`)) {
      container = resource[k];
      rest = path.slice(k.length + 1);
    }
  }
  let current: unknown[] = [container];
  for (const part of rest.split('.')) {
    const next: unknown[] = [];
    for (const item of current) {
      if (!item || typeof item !== 'object' || Array.isArray(item)) continue;
      const value = getCaseless(item as Record<string, unknown>, part);
      if (Array.isArray(value)) next.push(...value);
      else if (value !== undefined && value !== null) next.push(value);
    }
    current = next;
  }
  if (raw) return current;
  return current.map((v) => (v && typeof v === 'object' && !Array.isArray(v) && 'value' in v ? (v as { value: unknown }).value : v));
}

const CASE_EXACT = new Set(['id', 'externalid', 'members', 'members.value']);

function compare(op: string, actual: unknown, expected: unknown, caseExact: boolean): boolean {
  if (typeof actual === 'string' && typeof expected === 'string') {
    const a = caseExact ? actual : actual.toLowerCase();
    const e = caseExact ? expected : expected.toLowerCase();
    switch (op) {
      case 'eq': return a === e;
      case 'ne': return a !== e;
      case 'co': return a.includes(e);
      case 'sw': return a.startsWith(e);
      case 'ew': return a.endsWith(e);
      case 'gt': return a > e;
      case 'ge': return a >= e;
      case 'lt': return a < e;
      case 'le': return a <= e;
    }
    return false;
  }
  switch (op) {
    case 'eq': return actual === expected;
    case 'ne': return actual !== expected;
    case 'gt': return typeof actual === 'number' && typeof expected === 'number' && actual > expected;
    case 'ge': return typeof actual === 'number' && typeof expected === 'number' && actual >= expected;
    case 'lt': return typeof actual === 'number' && typeof expected === 'number' && actual < expected;
    case 'le': return typeof actual === 'number' && typeof expected === 'number' && actual <= expected;
  }
  return false;
}

export function matchesFilter(filter: Filter, resource: Record<string, unknown>): boolean {
  switch (filter.op) {
    case 'and': return (filter as { filters: Filter[] }).filters.every((f) => matchesFilter(f, resource));
    case 'or': return (filter as { filters: Filter[] }).filters.some((f) => matchesFilter(f, resource));
    case 'not': return !matchesFilter((filter as { filter: Filter }).filter, resource);
    case '[]': {
      const { attrPath, valFilter } = filter as { attrPath: string; valFilter: Filter };
      return valuesAt(resource, attrPath, true).some((entry) => entry && typeof entry === 'object' && matchesFilter(valFilter, entry as Record<string, unknown>));
    }
    case 'pr': return valuesAt(resource, (filter as { attrPath: string }).attrPath).some((v) => v !== '' && v !== null);
    default: {
      const { op, attrPath, compValue } = filter as { op: string; attrPath: string; compValue: unknown };
      const values = valuesAt(resource, attrPath);
      const caseExact = CASE_EXACT.has(attrPath.toLowerCase());
      if (op === 'ne') return !values.some((v) => compare('eq', v, compValue, caseExact));
      return values.some((v) => compare(op, v, compValue, caseExact));
    }
  }
}

const INDEXED: Readonly<Record<string, 'id' | 'userName' | 'externalId' | 'displayName'>> = { id: 'id', username: 'userName', externalid: 'externalId', displayname: 'displayName' };

/**
 * An `eq` term on id, userName, externalId or displayName that every match must satisfy (the filter
 * itself, or one operand of a top-level `and`): lets a lookup use the store's index instead of a scan.
 */
function indexedTerm(filter: Filter): { attribute: 'id' | 'userName' | 'externalId' | 'displayName'; value: string } | undefined {
  const terms = filter.op === 'and' ? (filter as { filters: Filter[] }).filters : [filter];
  for (const term of terms) {
    if (term.op !== 'eq') continue;
    const { attrPath, compValue } = term as { attrPath: string; compValue: unknown };
    const attribute = INDEXED[attrPath.toLowerCase()];
    if (attribute && typeof compValue === 'string') return { attribute, value: compValue };
  }
  return undefined;
}

function parseList(value: string | null): string[] {
  return value ? value.split(',').map((s) => s.trim()).filter((s) => s !== '') : [];
}

/** attributes / excludedAttributes (RFC 7644 §3.4.2.5), by top-level attribute; id and schemas always stay. */
function selectAttributes(resource: Record<string, unknown>, url: URL): Record<string, unknown> {
  const include = parseList(url.searchParams.get('attributes')).map((a) => a.toLowerCase());
  const exclude = parseList(url.searchParams.get('excludedAttributes')).map((a) => a.toLowerCase());
  if (include.length === 0 && exclude.length === 0) return resource;
  const top = (name: string) => {
    const lower = name.toLowerCase();
    const urn = Object.keys(resource).find((k) => k.toLowerCase().startsWith('urn:') && lower.startsWith(`${k.toLowerCase()}:`));
    return urn ? urn.toLowerCase() : lower.split('.')[0]!;
  };
  const included = new Set(include.map(top));
  const excluded = new Set(exclude.map((a) => a.toLowerCase()));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(resource)) {
    const lower = k.toLowerCase();
    const always = lower === 'id' || lower === 'schemas' || lower === 'meta';
    if (!always && included.size > 0 && !included.has(lower)) continue;
    if (!always && excluded.has(lower)) continue;
    out[k] = v;
  }
  return out;
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
    return model && model.type === 'scim-inbound' ? model : undefined;
  };

  const authenticate = (req: IncomingMessage, model: ConnectorModel): boolean => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (!match) return false;
    const reference = (model.spec.connection as { bearerToken?: unknown } | undefined)?.bearerToken;
    if (typeof reference !== 'string') return false;
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
    const kind = row.type as Kind;
    const resource: Record<string, unknown> = {
      ...row.resource,
      id: row.id,
      meta: { resourceType: RESOURCE_NAME[kind], created: row.created, lastModified: row.lastModified, version: `W/"${row.version}"`, location: `${base}/${ENDPOINT[kind]}/${row.id}` },
    };
    return url ? selectAttributes(resource, url) : resource;
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
        return sendScim(res, 200, { schemas: [SCHEMA.list], totalResults: all.length, startIndex: 1, itemsPerPage: all.length, Resources: all });
      }
    }

    const kind = KINDS[collection.toLowerCase()];
    if (!kind || !types.includes(kind)) throw new ScimError(404, `this endpoint does not accept ${collection || 'that'} (declare it under the connector's spec.objectTypes)`);
    const connector = model.name;

    if (id === undefined || id === '') {
      if (method === 'GET' || method === 'HEAD') return list(res, url, connector, kind, base);
      if (method !== 'POST') throw new ScimError(405, `${method} is not allowed on /${ENDPOINT[kind]}`);
      const body = await readJson(req);
      const newId = randomUUID();
      const row = await store(connector, kind, newId, cleanResource(kind, body, newId), false);
      written(connector);
      log.info({ event: 'scim-write', connector, op: 'create', resourceType: kind, id: newId }, `SCIM create ${RESOURCE_NAME[kind]} ${newId}`);
      return sendScim(res, 201, present(row, base), { location: `${base}/${ENDPOINT[kind]}/${newId}` });
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
        const operations = patchOperations(body);
        const current = await inbox.get(connector, kind, id);
        if (!current) throw new ScimError(404, `${RESOURCE_NAME[kind]} ${id} not found`);
        let patched: Record<string, unknown>;
        try {
          patched = scimPatch({ ...structuredClone(current.resource), meta: { resourceType: RESOURCE_NAME[kind] } } as unknown as ScimResource, operations, {
            mutateDocument: false,
            treatMissingAsAdd: true,
          }) as unknown as Record<string, unknown>;
        } catch (error) {
          const scimType = (error as { scimCode?: string }).scimCode;
          throw new ScimError(400, `the PATCH cannot be applied: ${errorMessage(error)}`, scimType ?? 'invalidValue');
        }
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
        throw new ScimError(405, `${method} is not allowed on /${ENDPOINT[kind]}/{id}`);
    }
  };

  const store = async (connector: string, kind: Kind, id: string, resource: Record<string, unknown>, existing: boolean): Promise<InboxRow> => {
    try {
      const row = await inbox.put(connector, kind, id, resource, existing);
      if (!row) throw new ScimError(404, `${RESOURCE_NAME[kind]} ${id} not found`);
      return row;
    } catch (error) {
      if (error instanceof InboxUniquenessError) throw new ScimError(409, error.message, 'uniqueness');
      throw error;
    }
  };

  const list = async (res: ServerResponse, url: URL, connector: string, kind: Kind, base: string): Promise<void> => {
    const text = url.searchParams.get('filter');
    let filter: Filter | undefined;
    if (text !== null && text.trim() !== '') {
      checkFilterText(text);
      try {
        filter = parseFilter(text);
      } catch (error) {
        throw new ScimError(400, `the filter cannot be parsed: ${errorMessage(error)}`, 'invalidFilter');
      }
      checkFilter(filter);
    }
    const startIndex = Math.max(1, Number.parseInt(url.searchParams.get('startIndex') ?? '1', 10) || 1);
    const countParam = url.searchParams.get('count');
    const count = Math.min(MAX_RESULTS, Math.max(0, countParam === null ? 100 : Number.parseInt(countParam, 10) || 0));
    const narrow = filter && indexedTerm(filter);
    const rows = narrow ? await inbox.findBy(connector, kind, narrow.attribute, narrow.value) : (await inbox.rows(connector, kind)).rows;
    const sorted = [...rows].sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const matched = filter ? sorted.filter((row) => matchesFilter(filter, { ...row.resource, id: row.id })) : sorted;
    const page = matched.slice(startIndex - 1, startIndex - 1 + count);
    sendScim(res, 200, {
      schemas: [SCHEMA.list],
      totalResults: matched.length,
      startIndex,
      itemsPerPage: page.length,
      Resources: page.map((row) => present(row, base, url)),
    });
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
      if (error instanceof RequestError) return sendError(res, error.status, error.message, undefined, error.status === 413 ? { connection: 'close' } : {});
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
export function mountScimEndpoints(http: Pick<ControllerHttpServer, 'addRoute'>, options: ScimEndpointOptions): ScimEndpoint {
  const endpoint = createScimEndpoint(options);
  http.addRoute('*', SCIM_PREFIX, endpoint.handler);
  return endpoint;
}
