/**
 * The operator API under `/api/v1/` (JSON). It reads the controller's state and triggers work (sync,
 * connection checks); configuration changes only through Git. See README.md here for the reference and
 * openapi.ts for the contract.
 *
 * Auth: every request needs `Authorization: Bearer <token>` with a token from the Mesh's
 * spec.api.tokens — `viewer` for GET, `operator` for POST too. No token or an unknown one → 401 with
 * `WWW-Authenticate: Bearer`; a viewer token on a POST → 403. Without spec.api everything answers 401,
 * openapi.json included.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { CycleKind } from '../../engine/context.js';
import { explain } from '../../engine/explain.js';
import { conflictEntries, driftReport } from '../../engine/report-data.js';
import { errorMessage, ImeshError } from '../../shared/errors.js';
import { RequestError, readBody } from '../http-server.js';
import { ApiTokens, type ApiRole, type Principal } from './api-tokens.js';
import { connectorChecker } from './connector-check.js';
import type { ControllerPort } from './controller-port.js';
import { getJob, listJobs, queuedJob, requestJob } from './jobs.js';
import { openApiDocument } from './openapi.js';
import { currentStatus, getConnector, listConnectors } from './status-views.js';

export const API_BASE = '/api/v1';
const MAX_BODY = 4096;
const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;

/** Handles a request when its path is under /api/v1/; resolves false (and answers nothing) otherwise. */
export type ApiHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

interface Call {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  /** Path segments after /api/v1/, URL-decoded. */
  readonly params: readonly string[];
  readonly principal: Principal;
}

interface Operation {
  readonly method: 'GET' | 'POST';
  /** Segments; `:x` matches one segment, `*` the rest (one or more). */
  readonly pattern: readonly string[];
  readonly run: (call: Call) => Promise<{ status: number; body: unknown; headers?: Record<string, string> }>;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function match(pattern: readonly string[], segments: readonly string[]): string[] | undefined {
  const params: string[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    if (p === '*') {
      if (i >= segments.length) return undefined;
      params.push(segments.slice(i).join('/'));
      return params;
    }
    const s = segments[i];
    if (s === undefined || s === '') return undefined;
    if (p.startsWith(':')) params.push(s);
    else if (p !== s) return undefined;
  }
  return segments.length === pattern.length ? params : undefined;
}

function pageOf(url: URL): { page: number; pageSize: number } {
  const number = (name: string, fallback: number, max: number): number => {
    const raw = url.searchParams.get(name);
    if (raw === null) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) throw new ApiError(400, 'BadQuery', `${name} must be a whole number from 1 to ${max}, not "${raw}"`);
    return Number(raw);
  };
  return { page: number('page', 1, 1_000_000), pageSize: number('pageSize', DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE) };
}

function slice<T>(items: readonly T[], url: URL): { items: T[]; page: number; pageSize: number; total: number } {
  const { page, pageSize } = pageOf(url);
  return { items: items.slice((page - 1) * pageSize, page * pageSize), page, pageSize, total: items.length };
}

export function createApiHandler(port: ControllerPort): ApiHandler {
  const tokens = new ApiTokens(port.secrets, port.log);
  tokens.use(port.config());
  const check = connectorChecker(port);
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  ajv.addVocabulary(['openapi', 'jsonSchemaDialect', 'info', 'servers', 'security', 'paths', 'components']);
  ajv.addSchema(openApiDocument, 'openapi');
  const validateSync = ajv.getSchema('openapi#/components/schemas/SyncRequest');
  if (!validateSync) throw new Error('the OpenAPI document has no SyncRequest schema');

  // A request still waiting in the store (the process restarted before its cycle ran) is asked for again.
  void queuedJob(port.store)
    .then((job) => {
      if (job) port.requestCycle(job.kind, `sync job ${job.id} (waiting since ${job.requestedAt ?? 'before a restart'})`);
    })
    .catch((error: unknown) => port.log.warn({ event: 'api-queued-job-lookup-failed', error: errorMessage(error) }, 'cannot look up a waiting sync job'));

  const runningConfig = () => {
    const config = port.config();
    if (!config) throw new ApiError(409, 'NoConfig', 'no valid config revision is running yet; see GET /api/v1/status for the problems');
    return config;
  };

  const connectorModel = (name: string) => {
    const model = runningConfig().connectors.get(name);
    if (!model) throw new ApiError(404, 'NotFound', `no connector "${name}" in the running revision (defined: ${[...runningConfig().connectors.keys()].join(', ') || 'none'})`);
    return model;
  };

  const syncMode = async (req: IncomingMessage): Promise<CycleKind> => {
    const raw = (await readBody(req, MAX_BODY)).toString('utf8');
    if (raw.trim() === '') return 'delta';
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      throw new ApiError(400, 'BadBody', 'the body is not JSON; send {"mode": "delta"} or {"mode": "full"}');
    }
    if (!validateSync(body)) {
      const problem = validateSync.errors?.[0];
      throw new ApiError(400, 'BadBody', `the body must be {"mode": "delta" | "full"}${problem ? ` (${problem.instancePath || 'body'} ${problem.message ?? ''})` : ''}`);
    }
    return (body as { mode?: CycleKind }).mode ?? 'delta';
  };

  const sync = async (call: Call, connector: string | null) => {
    if (connector !== null) connectorModel(connector);
    else runningConfig();
    const kind = await syncMode(call.req);
    const { job, joined } = await requestJob(port.store, { kind, connectors: connector === null ? null : [connector], requestedBy: call.principal.name });
    port.requestCycle(job.kind, `sync job ${job.id} requested by ${call.principal.name}${connector ? ` for ${connector}` : ''}`);
    port.log.info(
      { event: 'api-sync', job: job.id, joined, kind: job.kind, connector, token: call.principal.name },
      `${joined ? 'joined' : 'queued'} sync job ${job.id} (${job.kind})`,
    );
    return { status: 202, body: { jobId: job.id, joined, job }, headers: { location: `${API_BASE}/jobs/${job.id}` } };
  };

  const operations: Operation[] = [
    { method: 'GET', pattern: ['openapi.json'], run: async () => ({ status: 200, body: openApiDocument }) },
    { method: 'GET', pattern: ['status'], run: async () => ({ status: 200, body: await currentStatus(port) }) },
    { method: 'GET', pattern: ['connectors'], run: async () => ({ status: 200, body: { items: await listConnectors(port) } }) },
    {
      method: 'GET',
      pattern: ['connectors', ':name'],
      run: async ({ params }) => {
        const detail = await getConnector(port, params[0]!);
        if (!detail) throw new ApiError(404, 'NotFound', `no connector "${params[0]}" in the running revision`);
        return { status: 200, body: detail };
      },
    },
    {
      method: 'POST',
      pattern: ['connectors', ':name', 'check'],
      run: async ({ params, principal }) => {
        const model = connectorModel(params[0]!);
        const result = await check(model);
        port.log.info({ event: 'api-check', connector: model.name, ok: result.ok, token: principal.name }, `connection check of ${model.name}: ${result.ok ? 'ok' : result.error?.code}`);
        return { status: 200, body: result };
      },
    },
    { method: 'POST', pattern: ['connectors', ':name', 'sync'], run: (call) => sync(call, call.params[0]!) },
    { method: 'POST', pattern: ['sync'], run: (call) => sync(call, null) },
    {
      method: 'GET',
      pattern: ['jobs'],
      run: async ({ url }) => {
        const { page, pageSize } = pageOf(url);
        return { status: 200, body: await listJobs(port.store, page, pageSize) };
      },
    },
    {
      method: 'GET',
      pattern: ['jobs', ':id'],
      run: async ({ params }) => {
        const raw = params[0]!;
        if (!/^[1-9]\d{0,17}$/.test(raw)) throw new ApiError(400, 'BadPath', `a job id is a positive whole number, not "${raw}"`);
        const job = await getJob(port.store, Number(raw));
        if (!job) throw new ApiError(404, 'NotFound', `no job ${raw}`);
        return { status: 200, body: job };
      },
    },
    {
      method: 'GET',
      pattern: ['objects', ':type', '*'],
      run: async ({ params, url }) => {
        const config = runningConfig();
        const attribute = url.searchParams.get('attribute') ?? undefined;
        try {
          return { status: 200, body: await explain(port.store, config, params[0]!, params[1]!, attribute) };
        } catch (error) {
          if (error instanceof ImeshError && error.code === 'NotFound') throw new ApiError(404, 'NotFound', error.message);
          if (error instanceof ImeshError && error.code === 'Ambiguous') throw new ApiError(409, 'Ambiguous', error.message);
          throw error;
        }
      },
    },
    { method: 'GET', pattern: ['conflicts'], run: async ({ url }) => ({ status: 200, body: slice(await conflictEntries(port.store), url) }) },
    {
      method: 'GET',
      pattern: ['drift'],
      run: async ({ url }) => ({ status: 200, body: slice((await driftReport(port.store, null, new Date().toISOString())).drift, url) }),
    },
  ];

  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://controller.invalid');
    if (url.pathname !== API_BASE && !url.pathname.startsWith(`${API_BASE}/`)) return false;
    const method = (req.method ?? 'GET').toUpperCase();
    try {
      let segments: string[];
      try {
        segments = url.pathname.slice(API_BASE.length + 1).split('/').map(decodeURIComponent);
      } catch {
        throw new ApiError(400, 'BadPath', 'the path is not valid percent-encoding');
      }
      const candidates = operations.map((op) => ({ op, params: match(op.pattern, segments) })).filter((c) => c.params !== undefined);
      const effective = method === 'HEAD' ? 'GET' : method;
      const found = candidates.find((c) => c.op.method === effective);
      // Unknown paths and methods need a valid token too: without one, the API reveals nothing.
      const need: ApiRole = found?.op.method === 'POST' ? 'operator' : 'viewer';
      tokens.use(port.config());
      const auth = tokens.authenticate(req.headers.authorization, need);
      if (!auth.ok) throw new ApiError(auth.status, auth.code, auth.message, { 'www-authenticate': auth.challenge });
      if (!found) {
        if (candidates.length > 0) {
          const allow = [...new Set(candidates.flatMap((c) => (c.op.method === 'GET' ? ['GET', 'HEAD'] : [c.op.method])))].join(', ');
          throw new ApiError(405, 'MethodNotAllowed', `${method} is not allowed here (allowed: ${allow})`, { allow });
        }
        throw new ApiError(404, 'NotFound', `no such API path: ${url.pathname} (see ${API_BASE}/openapi.json)`);
      }
      const result = await found.op.run({ req, res, url, params: found.params!, principal: auth.principal });
      send(res, result.status, result.body, result.headers);
    } catch (error) {
      if (res.headersSent) {
        res.destroy();
        return true;
      }
      if (error instanceof ApiError) send(res, error.status, { error: error.message, code: error.code }, error.headers);
      else if (error instanceof RequestError) send(res, error.status, { error: error.message, code: error.status === 413 ? 'BodyTooLarge' : 'BadRequest' }, error.status === 413 ? { connection: 'close' } : {});
      else {
        port.log.error({ event: 'api-failed', method, path: url.pathname, error: errorMessage(error) }, 'API request failed');
        send(res, 500, { error: 'internal error (the controller log has the details)', code: 'Internal' });
      }
    }
    return true;
  };
}
