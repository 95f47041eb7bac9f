/**
 * The one router of the controller's HTTP port (find-my-way, the router fastify uses).
 *
 * The port is split into surfaces by path prefix — the operator API (`/api/v1`), SCIM (`/scim`), and
 * the root surface (probes, metrics, webhook, dashboard) — the longest prefix wins. A surface says how
 * it writes an HttpProblem and, optionally, how it authenticates. For a path under its prefix:
 *
 *   1. a path that is not valid percent-encoding is the surface's `badPath` problem;
 *   2. `authenticate(req, url, route)` runs (route undefined when nothing matches), so an unknown path
 *      or method reveals nothing to a caller without credentials;
 *   3. the matching route runs; otherwise 405 with `Allow` when the path has routes for other methods
 *      (GET implies HEAD), or 404.
 *
 * Whatever a step throws is answered by the surface: an HttpProblem as itself, anything else as a
 * generic 500 (the details go to the log, never to the client).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import FindMyWay from 'find-my-way';
import { errorMessage } from '../shared/errors.js';
import { HttpProblem } from '../shared/http-problem.js';
import type { Logger } from '../shared/logger.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const METHODS: readonly HttpMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

export type ProblemWriter = (res: ServerResponse, problem: HttpProblem) => void;

export interface RouteCall<Auth> {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  /** Path parameters, percent-decoded; a rest parameter (`*`) is named by the route's `rest`. */
  readonly params: Readonly<Record<string, string>>;
  readonly auth: Auth;
}

export interface RouteSpec<Auth, Data> {
  readonly method: HttpMethod;
  /** find-my-way syntax: `/connectors/:name`, and `*` for the rest of the path. */
  readonly path: string;
  /** The name `*` takes in `params`. */
  readonly rest?: string;
  readonly data: Data;
  readonly handle: (call: RouteCall<Auth>) => unknown;
}

export interface SurfaceSpec<Auth, Data> {
  /** For logs. */
  readonly name: string;
  /** `/api/v1` serves `/api/v1` and everything below it; `/` everything no other surface takes. */
  readonly prefix: string;
  readonly writeProblem: ProblemWriter;
  /** Throws an HttpProblem to refuse; its result reaches the route as `auth`. */
  readonly authenticate?: (req: IncomingMessage, url: URL, route: Data | undefined) => Auth | Promise<Auth>;
  /** Default: 404 NotFound. */
  readonly badPath?: () => HttpProblem;
  readonly notFound?: (url: URL) => HttpProblem;
  /** `/Users` and `/users` alike (static segments only; parameters keep their case). */
  readonly caseInsensitive?: boolean;
  /** `/Users/` as `/Users`. */
  readonly ignoreTrailingSlash?: boolean;
}

export interface Surface<Auth, Data> {
  route(spec: RouteSpec<Auth, Data>): void;
}

interface Stored {
  readonly spec: RouteSpec<unknown, unknown>;
}

interface MountedSurface {
  readonly spec: SurfaceSpec<unknown, unknown>;
  readonly router: FindMyWay.Instance<FindMyWay.HTTPVersion.V1>;
}

/** Longer than any connector name or SCIM id we issue; longer segments are 404s. */
const MAX_PARAM_LENGTH = 1000;

function under(prefix: string, path: string): boolean {
  if (prefix === '/') return true;
  const bare = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  return path === bare || path.startsWith(`${bare}/`);
}

export class HttpRouter {
  readonly #surfaces: MountedSurface[] = [];

  constructor(private readonly log: Logger) {}

  surface<Auth, Data>(spec: SurfaceSpec<Auth, Data>): Surface<Auth, Data> {
    if (!spec.prefix.startsWith('/')) throw new Error(`surface prefix "${spec.prefix}" must start with "/"`);
    if (this.#surfaces.some((s) => s.spec.prefix === spec.prefix)) throw new Error(`a surface already serves ${spec.prefix}`);
    const router = FindMyWay({
      caseSensitive: !spec.caseInsensitive,
      ignoreTrailingSlash: spec.ignoreTrailingSlash ?? false,
      maxParamLength: MAX_PARAM_LENGTH,
    });
    const mounted: MountedSurface = { spec: spec as SurfaceSpec<unknown, unknown>, router };
    this.#surfaces.push(mounted);
    this.#surfaces.sort((a, b) => b.spec.prefix.length - a.spec.prefix.length);
    return {
      route(route) {
        if (!under(spec.prefix, route.path)) throw new Error(`route ${route.path} is outside its surface ${spec.prefix}`);
        const stored: Stored = { spec: route as RouteSpec<unknown, unknown> };
        router.on(route.method, route.path, () => undefined, stored);
      },
    };
  }

  /** Answers one request; never throws. */
  async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://controller.invalid');
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('bad request\n');
      return;
    }
    const surface = this.#surfaces.find((s) => under(s.spec.prefix, url.pathname));
    if (!surface) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    const method = (req.method ?? 'GET').toUpperCase();
    try {
      await this.#answer(surface, req, res, url, method);
    } catch (error) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      let problem: HttpProblem;
      if (error instanceof HttpProblem) problem = error;
      else {
        this.log.error({ event: 'http-handler-failed', surface: surface.spec.name, method, path: url.pathname, error: errorMessage(error) }, 'HTTP handler failed');
        problem = HttpProblem.internal(error);
      }
      surface.spec.writeProblem(res, problem);
    }
  }

  async #answer(surface: MountedSurface, req: IncomingMessage, res: ServerResponse, url: URL, method: string): Promise<void> {
    const { spec, router } = surface;
    try {
      decodeURIComponent(url.pathname);
    } catch {
      throw spec.badPath?.() ?? HttpProblem.notFound('the path is not valid percent-encoding');
    }
    const found = find(router, method, url.pathname);
    const auth = spec.authenticate ? await spec.authenticate(req, url, found?.stored.spec.data) : undefined;
    if (!found) {
      const allowed = METHODS.filter((m) => m !== 'HEAD' && find(router, m, url.pathname) !== undefined).flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m]));
      if (allowed.length > 0) throw HttpProblem.methodNotAllowed(method, allowed);
      throw spec.notFound?.(url) ?? HttpProblem.notFound(`no such path: ${url.pathname}`);
    }
    const { stored, params } = found;
    await stored.spec.handle({ req, res, url, params, auth });
  }
}

/** The route for `method` (HEAD falls back to GET); a route whose parameter would be empty does not match. */
function find(router: FindMyWay.Instance<FindMyWay.HTTPVersion.V1>, method: string, path: string): { stored: Stored; params: Record<string, string> } | undefined {
  const candidates = method === 'HEAD' ? ['HEAD', 'GET'] : [method];
  for (const candidate of candidates) {
    if (!METHODS.includes(candidate as HttpMethod)) return undefined;
    const result = router.find(candidate as HttpMethod, path);
    if (!result) continue;
    const stored = result.store as Stored;
    const params: Record<string, string> = {};
    let empty = false;
    for (const [name, value] of Object.entries(result.params)) {
      if (name === '*') params[stored.spec.rest ?? '*'] = value ?? '';
      else if (!value) empty = true;
      else params[name] = value;
    }
    if (!empty) return { stored, params };
  }
  return undefined;
}
