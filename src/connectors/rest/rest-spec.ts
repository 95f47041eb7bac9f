/**
 * The rest connector's options, compiled once from the validated spec (schemas/connector.schema.json,
 * RestConnectorSpec): defaults applied, pointers and templates parsed, contradictions refused naming the key.
 */
import { isAbsolute, resolve } from 'node:path';
import type { ConnectorModel, Scalar } from '../../config/model.js';
import { parseDuration } from '../../config/duration.js';
import type { RestObjectType, RestOperation } from '../../config/generated/connector.js';
import { ConfigError } from '../../shared/errors.js';
import { secureBaseUrl } from '../http/secure-url.js';
import { parsePointer, writablePointer, type JsonPointer } from './json-pointer.js';
import { compileUrlTemplate, pathProblem, type UrlTemplate } from './rest-url.js';

export type RestAuthOptions =
  | { readonly kind: 'none' }
  | { readonly kind: 'bearer'; readonly tokenRef: string }
  | { readonly kind: 'basic'; readonly username: string; readonly passwordRef: string }
  | { readonly kind: 'apiKey'; readonly in: 'header' | 'query'; readonly name: string; readonly valueRef: string }
  | { readonly kind: 'oauth2'; readonly tokenUrl: string; readonly clientId: string; readonly clientSecretRef: string; readonly scope?: string; readonly clientAuth: 'post' | 'basic' };

export type PaginationOptions =
  | { readonly style: 'none' }
  | { readonly style: 'link'; readonly limitParam?: string }
  | { readonly style: 'cursor'; readonly limitParam?: string; readonly cursor: JsonPointer; readonly param: string }
  | { readonly style: 'offset'; readonly limitParam: string; readonly offsetParam: string; readonly total?: JsonPointer }
  | { readonly style: 'page'; readonly limitParam?: string; readonly pageParam: string; readonly firstPage: 0 | 1; readonly total?: JsonPointer };

export interface OperationOptions {
  readonly method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: UrlTemplate;
  /** The JSON body template as written (string leaves are templates), if any. */
  readonly body?: unknown;
  /** create: where the new id is in the response. */
  readonly id: JsonPointer;
}

export interface RestTypeOptions {
  readonly name: string;
  readonly listPath: string;
  readonly listQuery: Readonly<Record<string, string>>;
  readonly items: JsonPointer;
  readonly pagination: PaginationOptions;
  readonly externalId: JsonPointer;
  /** Attribute → pointer; undefined: every top-level value of the item. */
  readonly attributes?: ReadonlyMap<string, JsonPointer>;
  readonly enabled?: { readonly pointer: JsonPointer; readonly value: Scalar; readonly disabledValue: Scalar };
  readonly deleted?: { readonly pointer: JsonPointer; readonly value: Scalar };
  readonly delta?: { readonly param: string; readonly watermark: JsonPointer; readonly overlapMs: number };
  readonly count?: { readonly path: string; readonly pointer: JsonPointer };
  /** Reading one object by id (confirming imports). */
  readonly get?: { readonly path: UrlTemplate; readonly item: JsonPointer };
  readonly export: {
    readonly create?: OperationOptions;
    readonly update?: OperationOptions;
    readonly delete?: OperationOptions;
    readonly disable?: OperationOptions;
    readonly enable?: OperationOptions;
    readonly lookup?: { readonly path: UrlTemplate; readonly items: JsonPointer };
  };
}

export interface RestOptions {
  readonly connector: string;
  /** The base URL, ending with "/". */
  readonly baseUrl: string;
  readonly auth: RestAuthOptions;
  /** Extra headers, lower-cased names; values may hold `{{secret:…}}` references, resolved per request set. */
  readonly headers: Readonly<Record<string, string>>;
  /** Absolute path of the CA file, if any. */
  readonly caFile?: string;
  readonly pageSize: number;
  readonly concurrency: number;
  readonly timeoutMs: number;
  readonly types: ReadonlyMap<string, RestTypeOptions>;
}

/** A contradiction or unusable value in a rest spec; `setting` is its dotted path under `spec`. */
export class RestSpecError extends ConfigError {
  constructor(readonly setting: string, readonly problem: string, connector: string) {
    super('ConfigInvalid', `${connector}: spec.${setting} ${problem}`);
  }
}

/** Compiles the spec; the descriptor's checkSpec runs it too, so `imesh validate` reports what it refuses. */
export function compileRestSpec(model: Pick<ConnectorModel<'rest'>, 'name' | 'spec'>, configPath: string): RestOptions {
  const spec = model.spec;
  const fail = (key: string, message: string): never => {
    throw new RestSpecError(key, message, model.name);
  };
  const c = spec.connection;
  if (!c || typeof c.baseUrl !== 'string') fail('connection.baseUrl', 'is required (for example https://api.example.com/v2)');
  const base = secureBaseUrl(model.name, c.baseUrl, 'spec.connection.baseUrl');
  if (base.search !== '' || base.hash !== '') fail('connection.baseUrl', 'must not carry a query or fragment; put query parameters under objectTypes.<type>.list.query');
  if (!base.pathname.endsWith('/')) base.pathname += '/';

  const auth = compileAuth(model.name, c.auth, fail);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(c.headers ?? {})) {
    if (value === undefined) continue;
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) fail(`connection.headers.${name}`, 'is not a valid header name');
    const lower = name.toLowerCase();
    if (lower === 'authorization' && auth.kind !== 'none') fail(`connection.headers.${name}`, 'contradicts connection.auth, which sets Authorization; keep one');
    if (['host', 'content-length', 'content-type', 'transfer-encoding', 'connection'].includes(lower)) fail(`connection.headers.${name}`, 'is set by the connector and cannot be configured');
    headers[lower] = value;
  }
  const pageSize = c.pageSize ?? 100;
  const concurrency = c.concurrency ?? 4;
  const timeoutMs = c.timeout === undefined ? 30_000 : parseDuration(c.timeout);
  if (timeoutMs === undefined || timeoutMs <= 0) fail('connection.timeout', `"${c.timeout}" is not a duration such as 30s`);
  const caFile = c.tls?.caFile === undefined ? undefined : isAbsolute(c.tls.caFile) ? c.tls.caFile : resolve(configPath, c.tls.caFile);

  const types = new Map<string, RestTypeOptions>();
  for (const [name, t] of Object.entries(spec.objectTypes ?? {})) {
    if (!t) continue;
    // Secrets go in connection settings only: a body or path template would send one wherever data goes.
    if (JSON.stringify(t).includes('{{secret:')) fail(`objectTypes.${name}`, 'holds a {{secret:…}} reference; secrets belong under spec.connection (auth, headers)');
    types.set(name, compileType(name, t, (key, message) => fail(`objectTypes.${name}.${key}`, message)));
  }
  if (types.size === 0) fail('objectTypes', 'declares no object type');
  return { connector: model.name, baseUrl: base.href, auth, headers, ...(caFile ? { caFile } : {}), pageSize, concurrency, timeoutMs: timeoutMs!, types };
}

type Fail = (key: string, message: string) => never;

function compileAuth(connector: string, auth: ConnectorModel<'rest'>['spec']['connection']['auth'], fail: Fail): RestAuthOptions {
  if (auth === undefined) return { kind: 'none' };
  switch (auth.type) {
    case 'bearer':
      return { kind: 'bearer', tokenRef: auth.token };
    case 'basic':
      if (auth.username.includes(':')) fail('connection.auth.username', 'must not contain ":" (RFC 7617)');
      return { kind: 'basic', username: auth.username, passwordRef: auth.password };
    case 'apiKey':
      return { kind: 'apiKey', in: auth.in ?? 'header', name: auth.name, valueRef: auth.value };
    case 'oauth2': {
      const url = secureBaseUrl(connector, auth.tokenUrl, 'spec.connection.auth.tokenUrl');
      if (url.hash !== '') fail('connection.auth.tokenUrl', 'must not carry a fragment');
      return { kind: 'oauth2', tokenUrl: url.href, clientId: auth.clientId, clientSecretRef: auth.clientSecret, ...(auth.scope ? { scope: auth.scope } : {}), clientAuth: auth.clientAuth ?? 'post' };
    }
  }
}

function pointer(text: string, key: string, fail: Fail): JsonPointer {
  try {
    return parsePointer(text);
  } catch (error) {
    return fail(key, (error as Error).message);
  }
}

function compileType(name: string, t: RestObjectType, fail: Fail): RestTypeOptions {
  const listProblem = pathProblem(t.list.path);
  if (listProblem) fail('list.path', listProblem);
  const items = pointer(t.list.items ?? '', 'list.items', fail);
  if (items.many) fail('list.items', 'must point at one array, without "*"');
  const externalId = pointer(t.externalId, 'externalId', fail);
  if (externalId.many || externalId.segments.length === 0) fail('externalId', 'must point at one value inside the item (for example /id)');
  let attributes: Map<string, JsonPointer> | undefined;
  if (t.attributes !== undefined) {
    attributes = new Map();
    for (const [attribute, text] of Object.entries(t.attributes)) if (text !== undefined) attributes.set(attribute, pointer(text, `attributes.${attribute}`, fail));
  }
  const p = t.list.pagination ?? { style: 'none' as const };
  let pagination: PaginationOptions;
  const limit = p.limitParam !== undefined ? { limitParam: p.limitParam } : {};
  const total = p.total !== undefined ? { total: pointer(p.total, 'list.pagination.total', fail) } : {};
  switch (p.style) {
    case 'none':
    case 'link':
      pagination = p.style === 'link' ? { style: 'link', ...limit } : { style: 'none' };
      break;
    case 'cursor':
      if (p.cursor === undefined || p.param === undefined) fail('list.pagination', 'with style cursor needs `cursor` (where the next cursor is in the body) and `param` (the query parameter that takes it)');
      pagination = { style: 'cursor', ...limit, cursor: pointer(p.cursor!, 'list.pagination.cursor', fail), param: p.param! };
      break;
    case 'offset':
      pagination = { style: 'offset', limitParam: p.limitParam ?? 'limit', offsetParam: p.offsetParam ?? 'offset', ...total };
      break;
    case 'page':
      pagination = { style: 'page', ...limit, pageParam: p.pageParam ?? 'page', firstPage: p.firstPage ?? 1, ...total };
      break;
  }
  const stray = (['cursor', 'param', 'offsetParam', 'pageParam', 'firstPage', 'total'] as const).filter((key) => p[key] !== undefined && !(key in pagination));
  if (stray.length > 0) fail(`list.pagination.${stray[0]}`, `does not apply to style ${p.style}`);

  const enabled = t.enabled ? { pointer: pointer(t.enabled.pointer, 'enabled.pointer', fail), value: t.enabled.value ?? true, disabledValue: t.enabled.disabledValue ?? false } : undefined;
  if (enabled && enabled.value === enabled.disabledValue) fail('enabled.disabledValue', 'equals enabled.value');
  const deleted = t.deleted ? { pointer: pointer(t.deleted.pointer, 'deleted.pointer', fail), value: t.deleted.value } : undefined;
  let delta: RestTypeOptions['delta'];
  if (t.delta) {
    const overlapMs = t.delta.overlap === undefined ? 60_000 : parseDuration(t.delta.overlap);
    if (overlapMs === undefined) fail('delta.overlap', `"${t.delta.overlap}" is not a duration such as 60s`);
    const watermark = pointer(t.delta.watermark, 'delta.watermark', fail);
    if (watermark.many || watermark.segments.length === 0) fail('delta.watermark', 'must point at one value inside the item (for example /updatedAt)');
    delta = { param: t.delta.param, watermark, overlapMs: overlapMs! };
  }
  let count: RestTypeOptions['count'];
  if (t.count) {
    const problem = pathProblem(t.count.path);
    if (problem) fail('count.path', problem);
    count = { path: t.count.path, pointer: pointer(t.count.pointer, 'count.pointer', fail) };
  }

  let get: RestTypeOptions['get'];
  if (t.get) {
    let path: UrlTemplate;
    try {
      path = compileUrlTemplate(t.get.path);
    } catch (error) {
      return fail('get.path', (error as Error).message);
    }
    if (!path.attributes.includes('externalId') || path.attributes.length !== 1) fail('get.path', `"${t.get.path}" must contain {{externalId}} and no other attribute`);
    get = { path, item: pointer(t.get.item ?? '', 'get.item', fail) };
  }

  const operation = (key: 'create' | 'update' | 'delete' | 'disable' | 'enable', op: RestOperation | undefined): OperationOptions | undefined => {
    if (op === undefined) return undefined;
    let path: UrlTemplate;
    try {
      path = compileUrlTemplate(op.path);
    } catch (error) {
      return fail(`export.${key}.path`, (error as Error).message);
    }
    if (key !== 'create' && !path.attributes.includes('externalId')) fail(`export.${key}.path`, `"${op.path}" must contain {{externalId}}: it addresses an existing object`);
    const id = op.id !== undefined ? pointer(op.id, `export.${key}.id`, fail) : externalId;
    if (op.id !== undefined && key !== 'create') fail(`export.${key}.id`, 'applies to create only');
    if (key === 'create' && op.method === 'DELETE') fail(`export.${key}.method`, 'DELETE cannot create');
    return { method: op.method, path, ...(op.body !== undefined ? { body: op.body } : {}), id };
  };
  const e = t.export ?? {};
  const exportOptions = {
    ...(e.create ? { create: operation('create', e.create) } : {}),
    ...(e.update ? { update: operation('update', e.update) } : {}),
    ...(e.delete ? { delete: operation('delete', e.delete) } : {}),
    ...(e.disable ? { disable: operation('disable', e.disable) } : {}),
    ...(e.enable ? { enable: operation('enable', e.enable) } : {}),
    ...(e.lookup
      ? {
          lookup: {
            path: (() => {
              try {
                return compileUrlTemplate(e.lookup.path);
              } catch (error) {
                return fail('export.lookup.path', (error as Error).message);
              }
            })(),
            items: e.lookup.items !== undefined ? pointer(e.lookup.items, 'export.lookup.items', fail) : items,
          },
        }
      : {}),
  } as RestTypeOptions['export'];
  if (exportOptions.lookup && !exportOptions.create) fail('export.lookup', 'needs export.create (it guards creates)');
  if ((e.create || e.update) && e.create?.body === undefined && e.update?.body === undefined && attributes) {
    for (const [attribute, at] of attributes) if (!writablePointer(at)) fail(`attributes.${attribute}`, `"${at.source}" cannot be written (it has "*" or names a reserved member); give export.create/update a body template`);
  }
  if (enabled && (e.create || e.update || e.disable || e.enable) && !writablePointer(enabled.pointer)) fail('enabled.pointer', 'cannot be written');

  const listQuery: Record<string, string> = {};
  for (const [key, value] of Object.entries(t.list.query ?? {})) if (value !== undefined) listQuery[key] = value;
  return {
    name,
    listPath: t.list.path,
    listQuery,
    items,
    pagination,
    externalId,
    ...(attributes ? { attributes } : {}),
    ...(enabled ? { enabled } : {}),
    ...(deleted ? { deleted } : {}),
    ...(delta ? { delta } : {}),
    ...(count ? { count } : {}),
    ...(get ? { get } : {}),
    export: exportOptions,
  };
}
