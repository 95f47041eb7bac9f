/**
 * What the Okta and Graph emulators share: a node:http server on 127.0.0.1 (random port), configurable
 * latency, fixed-window rate limits per endpoint bucket plus a concurrent-request limit (both answered
 * with 429 in the vendor's shape), injectable faults for error-path tests, and request counters.
 * Test-only: never imported by src/.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RateLimitSetting {
  /** Requests allowed per window and bucket. */
  readonly limit: number;
  /** Window length; keep it a multiple of 1000 (reset headers are epoch seconds). */
  readonly windowMs: number;
}

export interface EmulatorOptions {
  /** Added before every response (per page), in ms. */
  readonly latencyMs?: number;
  readonly rateLimit?: RateLimitSetting;
  /** Requests in flight at once before 429 (Okta's concurrent rate limit). */
  readonly concurrentLimit?: number;
}

export interface EmulatorRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingMessage['headers'];
  readonly text: string;
  /** JSON or form body, parsed. */
  readonly body: unknown;
}

export interface EmulatorResponse {
  readonly status: number;
  readonly headers?: Record<string, string | string[]>;
  /** JSON-serialised unless a string. */
  readonly body?: unknown;
  readonly contentType?: string;
}

export interface Fault {
  readonly method?: string;
  /** Matched against pathname + search. */
  readonly path: RegExp;
  readonly status: number;
  readonly headers?: Record<string, string>;
  /** A string is sent as is (use it for malformed bodies). */
  readonly body?: unknown;
  readonly contentType?: string;
  /** How many requests the fault answers; default 1. */
  times?: number;
}

export interface RequestRecord {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly authorization?: string;
}

export abstract class HttpEmulator {
  url = '';
  /** Every request answered, in order. */
  readonly log: RequestRecord[] = [];
  throttled = 0;
  maxInFlight = 0;
  options: EmulatorOptions;
  private server: Server | undefined;
  private readonly faults: Fault[] = [];
  private readonly windows = new Map<string, { start: number; count: number }>();
  private inFlight = 0;

  constructor(options: EmulatorOptions = {}) {
    this.options = options;
  }

  /** Answers the next matching request(s) with this fault instead of the emulated API. */
  inject(fault: Fault): void {
    this.faults.push({ ...fault, times: fault.times ?? 1 });
  }

  get requests(): number {
    return this.log.length;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.serve(req, res));
    this.server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    return this;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.server = undefined;
  }

  /** The emulated API. */
  protected abstract handle(request: EmulatorRequest): Promise<EmulatorResponse> | EmulatorResponse;
  /** The rate-limit bucket of a request (the vendor limits endpoint families separately). */
  protected abstract bucket(request: EmulatorRequest): string;
  /** The vendor's 429 response body. */
  protected abstract throttleBody(): unknown;
  /** Extra headers on a 429 (Graph sends Retry-After; Okta sends only its X-Rate-Limit-* headers). */
  protected throttleHeaders(_resetEpochSeconds: number): Record<string, string> {
    return {};
  }
  /** Whether to send X-Rate-Limit-* headers on every response (Okta does). */
  protected sendsRateHeaders = false;

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const text = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
      const request: EmulatorRequest = { method: req.method ?? 'GET', url, headers: req.headers, text, body: parseBody(text, req.headers['content-type']) };
      if (this.options.latencyMs) await new Promise((resolve) => setTimeout(resolve, this.options.latencyMs));
      const response = this.fault(request) ?? this.throttle(request) ?? (await this.safeHandle(request));
      this.send(res, request, response);
    } finally {
      this.inFlight--;
    }
  }

  private async safeHandle(request: EmulatorRequest): Promise<EmulatorResponse> {
    try {
      return await this.handle(request);
    } catch (error) {
      return { status: 500, body: { message: error instanceof Error ? error.message : String(error) } };
    }
  }

  private fault(request: EmulatorRequest): EmulatorResponse | undefined {
    const target = request.url.pathname + request.url.search;
    const index = this.faults.findIndex((f) => (f.method === undefined || f.method === request.method) && f.path.test(target));
    if (index < 0) return undefined;
    const fault = this.faults[index]!;
    fault.times = (fault.times ?? 1) - 1;
    if (fault.times <= 0) this.faults.splice(index, 1);
    if (fault.status === 429) this.throttled++;
    return { status: fault.status, headers: fault.headers ?? {}, body: fault.body, contentType: fault.contentType };
  }

  private window(bucket: string): { start: number; count: number; reset: number; limit: number } | undefined {
    const setting = this.options.rateLimit;
    if (!setting) return undefined;
    const now = Date.now();
    const start = Math.floor(now / setting.windowMs) * setting.windowMs;
    let w = this.windows.get(bucket);
    if (!w || w.start !== start) {
      w = { start, count: 0 };
      this.windows.set(bucket, w);
    }
    return { ...w, reset: Math.ceil((start + setting.windowMs) / 1000), limit: setting.limit };
  }

  private throttle(request: EmulatorRequest): EmulatorResponse | undefined {
    const bucket = this.bucket(request);
    const concurrent = this.options.concurrentLimit;
    if (concurrent !== undefined && this.inFlight > concurrent) {
      this.throttled++;
      const reset = Math.ceil(Date.now() / 1000) + 1;
      return { status: 429, headers: { ...this.rateHeaders(concurrent, 0, reset), ...this.throttleHeaders(reset) }, body: this.throttleBody() };
    }
    const w = this.window(bucket);
    if (!w) return undefined;
    const stored = this.windows.get(bucket)!;
    if (stored.count >= w.limit) {
      this.throttled++;
      return { status: 429, headers: { ...this.rateHeaders(w.limit, 0, w.reset), ...this.throttleHeaders(w.reset) }, body: this.throttleBody() };
    }
    stored.count++;
    return undefined;
  }

  private rateHeaders(limit: number, remaining: number, reset: number): Record<string, string> {
    return { 'X-Rate-Limit-Limit': String(limit), 'X-Rate-Limit-Remaining': String(Math.max(0, remaining)), 'X-Rate-Limit-Reset': String(reset) };
  }

  private send(res: ServerResponse, request: EmulatorRequest, response: EmulatorResponse): void {
    const headers: Record<string, string | string[]> = { ...(response.headers ?? {}) };
    if (this.sendsRateHeaders && response.status !== 429) {
      const w = this.window(this.bucket(request));
      if (w) Object.assign(headers, this.rateHeaders(w.limit, w.limit - w.count, w.reset));
    }
    let payload = '';
    if (response.body !== undefined) {
      payload = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
      headers['Content-Type'] = response.contentType ?? (typeof response.body === 'string' ? 'text/plain' : 'application/json');
    }
    this.log.push({ method: request.method, path: request.url.pathname + request.url.search, status: response.status, authorization: request.headers.authorization });
    res.writeHead(response.status, headers);
    res.end(payload);
  }
}

function parseBody(text: string, contentType: string | undefined): unknown {
  if (text === '') return undefined;
  if (contentType?.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text));
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Pages an ordered array with an opaque cursor (the last id returned), as Okta's `after` does. */
export function pageAfter<T extends { id: string }>(items: readonly T[], after: string | null, limit: number): { page: T[]; next?: string } {
  let start = 0;
  if (after) {
    // items are sorted by id: the first id greater than the cursor (binary search).
    let low = 0;
    let high = items.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (items[mid]!.id > after) high = mid;
      else low = mid + 1;
    }
    start = low;
  }
  const page = items.slice(start, start + limit);
  const more = start + limit < items.length;
  return more ? { page, next: page[page.length - 1]!.id } : { page };
}
