/**
 * The operator API's routes, each declared once: method, path, role, and what the OpenAPI document says
 * about it (summary, parameters, request body, responses). api-handler.ts mounts them on the router
 * and openapi.ts derives the document's `paths` from them, so the two cannot drift.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { explain } from '../../engine/explain.js';
import { history } from '../../engine/history.js';
import { conflictEntries, driftReport } from '../../engine/report-data.js';
import type { CompiledConfig, ConnectorModel } from '../../config/model.js';
import { ImeshError } from '../../shared/errors.js';
import { API_PREFIX } from '../endpoints.js';
import { HttpProblem } from '../../shared/http-problem.js';
import type { ApiRole, Principal } from './api-tokens.js';
import { listApprovals, pendingApprovals } from '../../engine/approvals.js';
import { listHolds } from '../../engine/gate-holds.js';
import { accepted, approvalBody, errorResponse, HELD_SHOWN, json, nameParam, noConfig, notFound, object, paging, readErrors, ref, syncBody, writeErrors, type Schema } from './api-schemas.js';
import type { ConnectorCheck } from './connector-check.js';
import type { ControllerPort } from './controller-port.js';
import { getJob, listJobs } from './jobs.js';
import { currentStatus, getConnector, listConnectors } from './status-views.js';

export const API_BASE = API_PREFIX;
const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;

export interface ApiCall {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly params: Readonly<Record<string, string>>;
  readonly principal: Principal;
}

export interface ApiResult {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** What the routes use of the controller (built once per mount by api-handler.ts). */
export interface ApiContext {
  readonly port: ControllerPort;
  readonly document: unknown;
  check(model: ConnectorModel): Promise<ConnectorCheck>;
  /** The running revision's connector, or a 404 / 409 NoConfig problem. */
  connectorModel(name: string): ConnectorModel;
  /** The running revision, or a 409 NoConfig problem. */
  runningConfig(): CompiledConfig;
  /** Queues (or joins) a sync job; `connector` null for all. */
  sync(call: ApiCall, connector: string | null): Promise<ApiResult>;
  /** Records an approval of the connector's held-back objects (POST …/approvals). */
  approve(call: ApiCall, connector: string): Promise<ApiResult>;
}

export interface ApiRoute {
  readonly method: 'GET' | 'POST';
  /** The OpenAPI path template below /api/v1: `/connectors/{name}`. */
  readonly path: string;
  /** The last path parameter, which takes the rest of the path (slashes included). */
  readonly rest?: string;
  readonly role: ApiRole;
  readonly operationId: string;
  readonly summary: string;
  readonly parameters?: readonly Schema[];
  readonly requestBody?: Schema;
  readonly responses: Readonly<Record<string, Schema>>;
  readonly run: (api: ApiContext, call: ApiCall) => Promise<ApiResult>;
}

function pageOf(url: URL): { page: number; pageSize: number } {
  const number = (name: string, fallback: number, max: number): number => {
    const raw = url.searchParams.get(name);
    if (raw === null) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) throw new HttpProblem(400, 'BadQuery', `${name} must be a whole number from 1 to ${max}, not "${raw}"`);
    return Number(raw);
  };
  return { page: number('page', 1, 1_000_000), pageSize: number('pageSize', DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE) };
}

function slice<T>(items: readonly T[], url: URL): { items: T[]; page: number; pageSize: number; total: number } {
  const { page, pageSize } = pageOf(url);
  return { items: items.slice((page - 1) * pageSize, page * pageSize), page, pageSize, total: items.length };
}

const ok = (body: unknown): ApiResult => ({ status: 200, body });

/** A mesh object lookup's NotFound as 404 and Ambiguous as 409. */
async function asProblem<T>(lookup: () => Promise<T>): Promise<T> {
  try {
    return await lookup();
  } catch (error) {
    if (error instanceof ImeshError && error.code === 'NotFound') throw new HttpProblem(404, 'NotFound', error.message, {}, { cause: error });
    if (error instanceof ImeshError && error.code === 'Ambiguous') throw new HttpProblem(409, 'Ambiguous', error.message, {}, { cause: error });
    throw error;
  }
}

export const API_ROUTES: readonly ApiRoute[] = [
  {
    method: 'GET',
    path: '/openapi.json',
    role: 'viewer',
    operationId: 'getOpenApi',
    summary: 'This document',
    responses: { '200': { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } }, ...readErrors },
    run: async (api) => ok(api.document),
  },
  {
    method: 'GET',
    path: '/status',
    role: 'viewer',
    operationId: 'getStatus',
    summary: 'Revision applied, ConfigInvalid problems, conditions, safety-gate trips, queued and last job',
    responses: { '200': json('Status', ref('Status')), ...readErrors },
    run: async (api) => ok(await currentStatus(api.port)),
  },
  {
    method: 'GET',
    path: '/connectors',
    role: 'viewer',
    operationId: 'listConnectors',
    summary: 'Every connector of the running revision',
    responses: { '200': json('Connectors', object({ items: { type: 'array', items: ref('Connector') } })), ...readErrors },
    run: async (api) => ok({ items: await listConnectors(api.port) }),
  },
  {
    method: 'GET',
    path: '/connectors/{name}',
    role: 'viewer',
    operationId: 'getConnector',
    summary: 'One connector: health, last import/export, counts and watermark per object type, conditions, last run',
    parameters: [nameParam],
    responses: { '200': json('Connector', ref('ConnectorDetail')), ...readErrors, ...notFound },
    run: async (api, { params }) => {
      const detail = await getConnector(api.port, params.name!);
      if (!detail) throw HttpProblem.notFound(`no connector "${params.name}" in the running revision`);
      return ok(detail);
    },
  },
  {
    method: 'POST',
    path: '/connectors/{name}/check',
    role: 'operator',
    operationId: 'checkConnector',
    summary: "Test connection: runs the connector's check() (reach, credentials, counts, latency); writes nothing",
    parameters: [nameParam],
    responses: { '200': json('The check ran (see `ok`)', ref('ConnectorCheck')), ...writeErrors, ...notFound, ...noConfig },
    run: async (api, { params, principal }) => {
      const model = api.connectorModel(params.name!);
      const result = await api.check(model);
      api.port.log.info({ event: 'api-check', connector: model.name, ok: result.ok, token: principal.name }, `connection check of ${model.name}: ${result.ok ? 'ok' : result.error?.code}`);
      return ok(result);
    },
  },
  {
    method: 'POST',
    path: '/connectors/{name}/sync',
    role: 'operator',
    operationId: 'syncConnector',
    summary: "Sync now for one connector: queue its scoped run (its import and rules, the objects they change exported to every target; as a target, its import and projections); a request for the same connector while one waits joins it",
    parameters: [nameParam],
    requestBody: syncBody,
    responses: {
      '202': accepted,
      ...writeErrors,
      ...notFound,
      '409': errorResponse('No valid revision is running (NoConfig), or the connector is suspended (ConnectorSuspended: spec.suspend stops its runs).'),
    },
    run: (api, call) => api.sync(call, call.params.name!),
  },
  {
    method: 'GET',
    path: '/connectors/{name}/jobs',
    role: 'viewer',
    operationId: 'listConnectorJobs',
    summary: "The jobs that covered one connector (whole-mesh runs and its own scoped runs), newest first",
    parameters: [nameParam, ...paging],
    responses: { '200': json('A page of jobs', ref('JobPage')), ...readErrors, ...notFound, ...noConfig },
    run: async (api, { url, params }) => {
      const name = api.connectorModel(params.name!).name;
      const { page, pageSize } = pageOf(url);
      return ok(await listJobs(api.port.store, page, pageSize, name));
    },
  },
  {
    method: 'POST',
    path: '/connectors/{name}/approvals',
    role: 'operator',
    operationId: 'approveConnector',
    summary:
      "Approve what the connector's safety gates hold back (as --allow-deletes N for this connector: its import guard as a source, its delete gate as a target): lets exactly the objects held back now through, all or nothing, on the next run whose gate would hold them back, once; expires after 24 hours. A newer approval replaces a pending one",
    parameters: [nameParam],
    requestBody: approvalBody,
    responses: {
      '201': json('Recorded, pending until a run uses it', ref('ApprovalCreated')),
      ...writeErrors,
      ...notFound,
      '409': errorResponse(
        'NothingPending: no gate of the connector holds anything back; AllowanceTooSmall: allowDeletes (or allowClears, allowLimits) is smaller than what is held back (a gate lets all or none through); AllowanceMissing: the attribute-clear gate holds clears back and allowClears is missing, or a Policy\'s limits hold changes back and allowLimits is missing; NoConfig: no valid revision is running.',
      ),
    },
    run: (api, call) => api.approve(call, call.params.name!),
  },
  {
    method: 'GET',
    path: '/connectors/{name}/approvals',
    role: 'viewer',
    operationId: 'listConnectorApprovals',
    summary: "What the connector's gates hold back now, its pending approval, and its approvals newest first (who, when, why, what they let through)",
    parameters: [nameParam, ...paging],
    responses: { '200': json('Held-back objects and a page of approvals', ref('ApprovalPage')), ...readErrors, ...notFound, ...noConfig },
    run: async (api, { url, params }) => {
      const name = api.connectorModel(params.name!).name;
      const { page, pageSize } = pageOf(url);
      const held = await listHolds(api.port.store, name);
      const { items, total } = await listApprovals(api.port.store, name, pageSize, (page - 1) * pageSize);
      const pending = (await pendingApprovals(api.port.store)).find((a) => a.connector === name) ?? null;
      return ok({ held: held.slice(0, HELD_SHOWN).map(({ connector: _connector, ...row }) => row), heldTotal: held.length, pending, items, page, pageSize, total });
    },
  },
  {
    method: 'POST',
    path: '/sync',
    role: 'operator',
    operationId: 'sync',
    summary: 'Sync now: queue a delta or full cycle',
    requestBody: syncBody,
    responses: { '202': accepted, ...writeErrors, ...noConfig },
    run: (api, call) => api.sync(call, null),
  },
  {
    method: 'GET',
    path: '/jobs',
    role: 'viewer',
    operationId: 'listJobs',
    summary: 'Jobs (cycles and the waiting request), newest first',
    parameters: paging,
    responses: { '200': json('A page of jobs', ref('JobPage')), ...readErrors },
    run: async (api, { url }) => {
      const { page, pageSize } = pageOf(url);
      return ok(await listJobs(api.port.store, page, pageSize));
    },
  },
  {
    method: 'GET',
    path: '/jobs/{id}',
    role: 'viewer',
    operationId: 'getJob',
    summary: 'One job',
    parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } }],
    responses: { '200': json('Job', ref('Job')), ...readErrors, ...notFound },
    run: async (api, { params }) => {
      const raw = params.id!;
      if (!/^[1-9]\d{0,17}$/.test(raw)) throw new HttpProblem(400, 'BadPath', `a job id is a positive whole number, not "${raw}"`);
      const job = await getJob(api.port.store, Number(raw));
      if (!job) throw HttpProblem.notFound(`no job ${raw}`);
      return ok(job);
    },
  },
  {
    method: 'GET',
    path: '/objects/{type}/{key}',
    rest: 'key',
    role: 'viewer',
    operationId: 'explainObject',
    summary: 'A mesh object with provenance (imesh explain): key is its id or the value of a join attribute',
    parameters: [
      { name: 'type', in: 'path', required: true, description: 'Mesh object type.', schema: { type: 'string' } },
      { name: 'key', in: 'path', required: true, description: 'Mesh id, or a join attribute value (URL-encoded).', schema: { type: 'string' } },
      { name: 'attribute', in: 'query', description: 'Only this attribute.', schema: { type: 'string' } },
    ],
    responses: {
      '200': json('Explanation', ref('Explanation')),
      ...readErrors,
      ...notFound,
      '409': errorResponse('The key matches several objects (the message lists them), or no valid revision is running.'),
    },
    run: async (api, { params, url }) => {
      const attribute = url.searchParams.get('attribute') ?? undefined;
      return ok(await asProblem(() => explain(api.port.store, api.runningConfig(), params.type!, params.key!, attribute)));
    },
  },
  {
    method: 'GET',
    path: '/objects/{type}/{key}/history',
    role: 'viewer',
    operationId: 'objectHistory',
    summary: "A mesh object's history (imesh history): each value's changes with source, confidence, revision and run, and each export to its target objects",
    parameters: [
      { name: 'type', in: 'path', required: true, description: 'Mesh object type.', schema: { type: 'string' } },
      { name: 'key', in: 'path', required: true, description: 'Mesh id, or a join attribute value (URL-encoded).', schema: { type: 'string' } },
      { name: 'attribute', in: 'query', description: 'Only this attribute (and the exports that wrote it).', schema: { type: 'string' } },
    ],
    responses: {
      '200': json('History', ref('History')),
      ...readErrors,
      ...notFound,
      '409': errorResponse('The key matches several objects (the message lists them), or no valid revision is running.'),
    },
    run: async (api, { params, url }) => {
      const attribute = url.searchParams.get('attribute') ?? undefined;
      return ok(await asProblem(() => history(api.port.store, api.runningConfig(), params.type!, params.key!, attribute)));
    },
  },
  {
    method: 'GET',
    path: '/conflicts',
    role: 'viewer',
    operationId: 'listConflicts',
    summary: 'Open conflicts (attribute, ambiguous joins, held-back objects)',
    parameters: paging,
    responses: { '200': json('A page of conflicts', ref('ConflictPage')), ...readErrors },
    run: async (api, { url }) => ok(slice(await conflictEntries(api.port.store), url)),
  },
  {
    method: 'GET',
    path: '/drift',
    role: 'viewer',
    operationId: 'listDrift',
    summary: 'Current drift per projected attribute',
    parameters: paging,
    responses: { '200': json('A page of drift', ref('DriftPage')), ...readErrors },
    run: async (api, { url }) => ok(slice((await driftReport(api.port.store, null, new Date().toISOString())).drift, url)),
  },
];
