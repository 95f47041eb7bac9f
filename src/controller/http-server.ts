/**
 * The controller's HTTP server (node:http): one port, one router (http-router.ts).
 *
 *   server.addRoute('GET', '/healthz', handler);         // a root-surface route (text problems)
 *   server.surface({ name, prefix: '/api/v1', writeProblem, authenticate }).route({ method, path, data, handle });
 *
 * Routes can be added before or after `listen()`. Handlers throw an HttpProblem to refuse a request
 * (the surface formats it); anything else thrown is a generic 500 with the details in the log. Only
 * /healthz, /readyz and /metrics are open; other surfaces authenticate. A handler that reads a body
 * bounds it (see `readBody`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpProblem } from '../shared/http-problem.js';
import type { Logger } from '../shared/logger.js';
import { HttpRouter, type HttpMethod, type ProblemWriter, type Surface, type SurfaceSpec } from './http-router.js';

export type { HttpMethod } from './http-router.js';

/** A root-surface handler; `params` holds the route's path parameters. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL, params: Readonly<Record<string, string>>) => unknown;

export interface HttpServerOptions {
  readonly port: number;
  /** Default: every interface. */
  readonly host?: string;
  readonly log: Logger;
}

export interface ControllerHttpServer {
  /** A route on the root surface (probes, metrics, webhook, dashboard): problems answer as text. */
  addRoute(method: HttpMethod, path: string, handler: RouteHandler): void;
  /** A surface of its own below `prefix`, with its own problem format and authentication. */
  surface<Auth, Data>(spec: SurfaceSpec<Auth, Data>): Surface<Auth, Data>;
  listen(): Promise<void>;
  /** The bound port (useful with port 0). */
  port(): number;
  close(): Promise<void>;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
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

export function sendText(res: ServerResponse, status: number, text: string, contentType = 'text/plain; charset=utf-8', headers: Readonly<Record<string, string>> = {}): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** The root surface's problem format: the message as text. */
export const textProblem: ProblemWriter = (res, problem) => sendText(res, problem.status, `${problem.message}\n`, undefined, problem.headers);

/**
 * Streams a request body through `onChunk` (or collects it), refusing more than `limit` bytes with a
 * 413 HttpProblem as soon as the limit is crossed (a declared Content-Length over it is refused unread).
 */
export async function readBody(req: IncomingMessage, limit: number, onChunk?: (chunk: Buffer) => void): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw HttpProblem.bodyTooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw HttpProblem.bodyTooLarge(limit);
    if (onChunk) onChunk(chunk);
    else chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function createHttpServer(options: HttpServerOptions): ControllerHttpServer {
  const router = new HttpRouter(options.log);
  const root = router.surface<undefined, undefined>({ name: 'root', prefix: '/', writeProblem: textProblem });

  const server: Server = createServer((req, res) => {
    void router.dispatch(req, res);
  });
  // Bounded time for slow clients; probes and scrapes are quick.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;

  return {
    addRoute(method, path, handler) {
      root.route({ method, path, data: undefined, handle: ({ req, res, url, params }) => handler(req, res, url, params) });
    },
    surface(spec) {
      return router.surface(spec);
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
