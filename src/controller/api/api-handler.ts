/**
 * Mounts the operator API under `/api/v1/` (JSON) on the controller's router. It reads the controller's
 * state and triggers work (sync, connection checks); configuration changes only through Git. The routes
 * are declared in api-routes.ts (the OpenAPI document in openapi.ts is derived from them); see README.md
 * here for the reference.
 *
 * Auth: every request needs `Authorization: Bearer <token>` with a token from the Mesh's
 * spec.api.tokens, with the role its route declares — `viewer` for GET, `operator` for POST. No token
 * or an unknown one → 401 with `WWW-Authenticate: Bearer`; a viewer token on a POST → 403. Unknown
 * paths and methods need a viewer token too, so without one the API reveals nothing. Without spec.api
 * everything answers 401, openapi.json included.
 *
 * Errors are HttpProblems, written as `{ "error": message, "code": code }`.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { CycleKind } from '../../engine/context.js';
import { giveApproval } from '../../engine/approvals.js';
import { ApprovalError, errorMessage } from '../../shared/errors.js';
import { HttpProblem } from '../../shared/http-problem.js';
import { readBody, sendJson, type ControllerHttpServer } from '../http-server.js';
import type { ProblemWriter } from '../http-router.js';
import { API_BASE, API_ROUTES, type ApiContext, type ApiRoute } from './api-routes.js';
import { ApiTokens, type Principal } from './api-tokens.js';
import { connectorChecker } from './connector-check.js';
import type { ControllerPort } from './controller-port.js';
import { queuedJobs, requestJob } from './jobs.js';
import { openApiDocument } from './openapi.js';

/** The body of POST …/connectors/{name}/approvals, as the ApprovalRequest schema admits it. */
interface ApprovalRequest {
  readonly allowDeletes: number;
  readonly allowClears?: number;
  readonly allowLimits?: number;
  readonly reason: string;
}

export { API_BASE } from './api-routes.js';
const MAX_BODY = 4096;

/** The API's error body: `{ error, code }` (the OpenAPI document's Error schema). */
export const jsonProblem: ProblemWriter = (res, problem) => sendJson(res, problem.status, { error: problem.message, code: problem.code }, problem.headers);

/** The router's path for a declared route: `{name}` → `:name`, a rest parameter → `*`. */
function routerPath(route: ApiRoute): string {
  const path = route.rest === undefined ? route.path : route.path.replace(new RegExp(`\\{${route.rest}\\}$`), '*');
  return `${API_BASE}${path.replace(/\{([^}]+)\}/g, ':$1')}`;
}

export function mountApi(http: Pick<ControllerHttpServer, 'surface'>, port: ControllerPort): void {
  const tokens = new ApiTokens(port.secrets, port.log);
  tokens.use(port.config());
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  ajv.addVocabulary(['openapi', 'jsonSchemaDialect', 'info', 'servers', 'security', 'paths', 'components']);
  ajv.addSchema(openApiDocument, 'openapi');
  const validateSync = ajv.getSchema('openapi#/components/schemas/SyncRequest');
  if (!validateSync) throw new Error('the OpenAPI document has no SyncRequest schema');
  const validateApproval = ajv.getSchema('openapi#/components/schemas/ApprovalRequest');
  if (!validateApproval) throw new Error('the OpenAPI document has no ApprovalRequest schema');
  const now = (): number => (port.now ? port.now() : Date.now());

  // Requests still waiting in the store (the process restarted before their cycles ran) are asked for again.
  void queuedJobs(port.store)
    .then((jobs) => {
      for (const job of jobs) port.requestCycle(job.kind, `sync job ${job.id} (waiting since ${job.requestedAt ?? 'before a restart'})`, job.connectors, job.retryFailed);
    })
    .catch((error: unknown) => port.log.warn({ event: 'api-queued-job-lookup-failed', error: errorMessage(error) }, 'cannot look up a waiting sync job'));

  const syncMode = async (req: Parameters<ApiContext['sync']>[0]['req']): Promise<{ kind: CycleKind; retryFailed: boolean }> => {
    const raw = (await readBody(req, MAX_BODY)).toString('utf8');
    if (raw.trim() === '') return { kind: 'delta', retryFailed: false };
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      throw new HttpProblem(400, 'BadBody', 'the body is not JSON; send {"mode": "delta"} or {"mode": "full"} (and "retryFailed": true to send failed exports again)');
    }
    if (!validateSync(body)) {
      const problem = validateSync.errors?.[0];
      throw new HttpProblem(400, 'BadBody', `the body must be {"mode": "delta" | "full", "retryFailed": true | false}${problem ? ` (${problem.instancePath || 'body'} ${problem.message ?? ''})` : ''}`);
    }
    const request = body as { mode?: CycleKind; retryFailed?: boolean };
    return { kind: request.mode ?? 'delta', retryFailed: request.retryFailed === true };
  };

  const approvalRequest = async (req: Parameters<ApiContext['approve']>[0]['req']): Promise<ApprovalRequest> => {
    const example = 'send {"allowDeletes": N, "reason": "why"} (and "allowClears": N for the attribute-clear gate, "allowLimits": N for a Policy\'s limits)';
    const raw = (await readBody(req, MAX_BODY)).toString('utf8');
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      throw new HttpProblem(400, 'BadBody', `the body is not JSON; ${example}`);
    }
    if (!validateApproval(body)) {
      const problem = validateApproval.errors?.[0];
      throw new HttpProblem(400, 'BadBody', `${problem ? `${problem.instancePath.slice(1) || 'the body'} ${problem.message ?? ''}` : 'the body is not an approval'}; ${example}`);
    }
    return body as ApprovalRequest;
  };

  const api: ApiContext = {
    port,
    document: openApiDocument,
    check: connectorChecker(port),
    runningConfig() {
      const config = port.config();
      if (!config) throw new HttpProblem(409, 'NoConfig', 'no valid config revision is running yet; see GET /api/v1/status for the problems');
      return config;
    },
    connectorModel(name) {
      const connectors = api.runningConfig().connectors;
      const model = connectors.get(name);
      if (!model) throw HttpProblem.notFound(`no connector "${name}" in the running revision (defined: ${[...connectors.keys()].join(', ') || 'none'})`);
      return model;
    },
    async sync(call, connector) {
      if (connector !== null && api.connectorModel(connector).suspend) {
        // spec.suspend stops a connector's runs, asked for or scheduled: say so rather than queue a job that never runs.
        throw new HttpProblem(409, 'ConnectorSuspended', `connector "${connector}" is suspended (spec.suspend): its runs are stopped until it is set back to false in Git`);
      }
      if (connector === null) api.runningConfig();
      const { kind, retryFailed } = await syncMode(call.req);
      const { job, joined } = await requestJob(port.store, { kind, connectors: connector === null ? null : [connector], requestedBy: call.principal.name, retryFailed });
      port.requestCycle(job.kind, `sync job ${job.id} requested by ${call.principal.name}${connector ? ` for ${connector}` : ''}`, job.connectors, job.retryFailed);
      port.log.info(
        { event: 'api-sync', job: job.id, joined, kind: job.kind, connector, retryFailed: job.retryFailed, token: call.principal.name },
        `${joined ? 'joined' : 'queued'} sync job ${job.id} (${job.kind})`,
      );
      return { status: 202, body: { jobId: job.id, joined, job }, headers: { location: `${API_BASE}/jobs/${job.id}` } };
    },
    async approve(call, connector) {
      const name = api.connectorModel(connector).name;
      const request = await approvalRequest(call.req);
      try {
        const { approval, superseded } = await port.store.transaction((tx) =>
          giveApproval(tx, {
            connector: name,
            allowDeletes: request.allowDeletes,
            ...(request.allowClears !== undefined ? { allowClears: request.allowClears } : {}),
            ...(request.allowLimits !== undefined ? { allowLimits: request.allowLimits } : {}),
            reason: request.reason.trim(),
            approvedBy: call.principal.name,
            now: now(),
          }),
        );
        port.log.info(
          { event: 'api-approval', approval: approval.id, connector: name, allowDeletes: approval.allowDeletes, allowClears: approval.allowClears, allowLimits: approval.allowLimits, objects: approval.objects.length, superseded, token: call.principal.name },
          `approval #${approval.id} of ${approval.objects.length} held-back object(s) of ${name} by ${call.principal.name}`,
        );
        return { status: 201, body: { approval, superseded } };
      } catch (error) {
        if (error instanceof ApprovalError) throw new HttpProblem(409, error.code, error.message, {}, { cause: error });
        throw error;
      }
    },
  };

  const surface = http.surface<Principal, ApiRoute>({
    name: 'api',
    prefix: API_BASE,
    writeProblem: jsonProblem,
    badPath: () => new HttpProblem(400, 'BadPath', 'the path is not valid percent-encoding'),
    notFound: (url) => HttpProblem.notFound(`no such API path: ${url.pathname} (see ${API_BASE}/openapi.json)`),
    authenticate(req, _url, route) {
      tokens.use(port.config());
      const auth = tokens.authenticate(req.headers.authorization, route?.role ?? 'viewer');
      if (!auth.ok) throw new HttpProblem(auth.status, auth.code, auth.message, { 'www-authenticate': auth.challenge });
      return auth.principal;
    },
  });
  for (const route of API_ROUTES) {
    surface.route({
      method: route.method,
      path: routerPath(route),
      ...(route.rest !== undefined ? { rest: route.rest } : {}),
      data: route,
      handle: async ({ req, res, url, params, auth }) => {
        const result = await route.run(api, { req, res, url, params, principal: auth });
        sendJson(res, result.status, result.body, result.headers);
      },
    });
  }
}
