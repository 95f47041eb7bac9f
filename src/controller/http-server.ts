/**
 * The controller's HTTP server (node:http) with a small route table.
 *
 * Mounting routes (for the operator API, the SCIM endpoints, the dashboard …):
 *
 *   server.addRoute('GET', '/api/v1/', handler);        // a path ending in "/" matches that prefix
 *   server.addRoute('*', '/scim/', handler);             // '*' accepts every method
 *   server.addRoute('GET', '/healthz', handler);         // otherwise the path must match exactly
 *
 * or pass the same as `routes: [{ method, path, handler }]` to `createHttpServer`. Routes can be
 * added before or after `listen()`. The longest matching path wins; for one path, a route for the
 * request's method wins over a '*' route. A path that matches with no route for the method answers
 * 405 with `Allow`; no match answers 404. GET routes also answer HEAD. A handler that throws (or
 * rejects) gets a 500 with a generic body — error details go to the log, never to the client.
 * Handlers receive the parsed URL; they own authentication (only /healthz, /readyz and /metrics are
 * meant to be open) and must bound any request body they read (see `readBody`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

export interface Route {
  /** An HTTP method in upper case, or '*' for any. */
  readonly method: string;
  /** Exact path, or a prefix when it ends with "/". */
  readonly path: string;
  readonly handler: RouteHandler;
}

export interface HttpServerOptions {
  readonly port: number;
  /** Default: every interface. */
  readonly host?: string;
  readonly routes?: readonly Route[];
  readonly log: Logger;
}

export interface ControllerHttpServer {
  addRoute(method: string, path: string, handler: RouteHandler): void;
  listen(): Promise<void>;
  /** The bound port (useful with port 0). */
  port(): number;
  close(): Promise<void>;
}

/** A request the server refuses with this status (a body too large). Not the connectors' HttpError, which is a response we received. */
export class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Streams a request body through `onChunk` (or collects it), refusing more than `limit` bytes with a
 * 413 RequestError as soon as the limit is crossed (a declared Content-Length over it is refused unread).
 */
export async function readBody(req: IncomingMessage, limit: number, onChunk?: (chunk: Buffer) => void): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new RequestError(413, `request body over ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new RequestError(413, `request body over ${limit} bytes`);
    if (onChunk) onChunk(chunk);
    else chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function matches(route: Route, path: string): boolean {
  return route.path.endsWith('/') ? path.startsWith(route.path) || path === route.path.slice(0, -1) : path === route.path;
}

export function createHttpServer(options: HttpServerOptions): ControllerHttpServer {
  const routes: Route[] = [...(options.routes ?? [])];
  const log = options.log;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://controller.invalid');
    } catch {
      sendJson(res, 400, { error: 'bad request' });
      return;
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const candidates = routes.filter((r) => matches(r, url.pathname));
    if (candidates.length === 0) {
      sendJson(res, 404, { error: 'not found' });
      return;
    }
    const longest = Math.max(...candidates.map((r) => r.path.length));
    const best = candidates.filter((r) => r.path.length === longest);
    const route =
      best.find((r) => r.method === method) ?? (method === 'HEAD' ? best.find((r) => r.method === 'GET') : undefined) ?? best.find((r) => r.method === '*');
    if (!route) {
      const allow = [...new Set(best.flatMap((r) => (r.method === 'GET' ? ['GET', 'HEAD'] : [r.method])))].join(', ');
      sendJson(res, 405, { error: 'method not allowed' }, { allow });
      return;
    }
    try {
      await route.handler(req, res, url);
    } catch (error) {
      if (error instanceof RequestError) {
        if (!res.headersSent) sendJson(res, error.status, { error: error.message }, error.status === 413 ? { connection: 'close' } : {});
        else res.destroy();
        return;
      }
      log.error({ event: 'http-handler-failed', method, path: url.pathname, error: errorMessage(error) }, 'HTTP handler failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    }
  };

  const server: Server = createServer((req, res) => {
    void handle(req, res);
  });
  // Bounded time for slow clients; probes and scrapes are quick.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;

  return {
    addRoute(method, path, handler) {
      if (!path.startsWith('/')) throw new Error(`route path "${path}" must start with "/"`);
      routes.push({ method: method === '*' ? '*' : method.toUpperCase(), path, handler });
    },
    listen() {
      return new Promise((resolvePromise, reject) => {
        server.once('error', reject);
        server.listen(options.port, options.host, () => {
          server.off('error', reject);
          resolvePromise();
        });
      });
    },
    port() {
      const address = server.address();
      return address && typeof address === 'object' ? (address as AddressInfo).port : options.port;
    },
    close() {
      return new Promise((resolvePromise) => {
        if (!server.listening) {
          resolvePromise();
          return;
        }
        server.close(() => resolvePromise());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 1_000).unref();
      });
    },
  };
}
