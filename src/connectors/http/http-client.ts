/**
 * The one HTTP client every HTTP connector (okta, entra-id, scim) uses. Built on undici: a pooled Agent
 * per connector, a concurrency budget (a semaphore every attempt holds while on the wire), a deadline
 * per attempt, and retries:
 *
 * - 429 and 503: wait for `Retry-After` (seconds or an HTTP date, RFC 9110 §10.2.3), or Okta's
 *   `X-Rate-Limit-Reset` on a 429, or capped exponential backoff with full jitter when neither is
 *   given; any method (the server did not process the request).
 * - 500, 502, 504 and transport failures (refused, reset, timed out): the same backoff, only for
 *   idempotent methods (GET, PUT, DELETE, HEAD) so a create is never sent twice.
 * - At most `maxRetries` (3) retries. A wait longer than `maxRetryWaitMs` (30 s) is not slept: it is
 *   surfaced at once as a retryable `RateLimited` error, for the next cycle: a longer wait
 *   is a control-plane problem worth surfacing, not something to sleep through.
 * - A 401 may be retried once after `onUnauthorized` drops a cached token (Entra ID access tokens).
 *
 * Security: only the base URL's origin is ever contacted with credentials (a `Link` or `@odata.nextLink`
 * pointing elsewhere is refused); the Authorization header is built per attempt from `authorization()`
 * and never logged or put into an error; URLs in logs and errors go through displayUrl.
 */
import { Agent } from 'undici';
import type { Logger } from '../../shared/logger.js';
import { ConnectorError } from '../../shared/errors.js';
import { apiErrorSummary, errorForStatus, errorForTransport, HttpError } from './http-errors.js';
import { RateLimitPacer, rateLimitHeaders } from './rate-limits.js';
import { backoffDelay, parseRetryAfter, waitUntilReset } from './retry-timing.js';
import { displayUrl, secureBaseUrl } from './secure-url.js';
import { Semaphore } from './semaphore.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';

export interface HttpClientOptions {
  /** Connector name, the prefix of every error message. */
  readonly connector: string;
  /** Base URL; relative request URLs resolve against it. Must be https:// (http:// only to loopback). */
  readonly baseUrl: string;
  /** The config key the base URL came from, for messages (`spec.connection.orgUrl`). */
  readonly baseUrlSetting?: string;
  readonly log: Logger;
  /** The Authorization header value for each attempt (`SSWS …`, `Bearer …`). Never logged. */
  readonly authorization?: () => string | Promise<string>;
  /** Called on a 401 when credentials were sent; return true to retry once with fresh credentials. */
  readonly onUnauthorized?: () => boolean | Promise<boolean>;
  /** Requests in flight at once (the connector's budget). Default 4. */
  readonly concurrency?: number;
  /** Deadline of one attempt, headers and body, in ms. Default 30 000. */
  readonly timeoutMs?: number;
  /** Retries after the first attempt. Default 3. */
  readonly maxRetries?: number;
  /** A longer server-requested wait is surfaced as an error instead of slept. Default 30 000. */
  readonly maxRetryWaitMs?: number;
  readonly backoffBaseMs?: number;
  readonly backoffCapMs?: number;
  /** Groups URLs into rate-limit buckets for pacing (Okta limits endpoint families separately). */
  readonly rateLimitBucket?: (url: URL) => string | undefined;
  /** Operator advice for a failing status (the runbook's 401/403 troubleshooting). */
  readonly advice?: (status: number, url: URL, method: HttpMethod, apiCode: string | undefined) => string | undefined;
  /** Extra trusted CA certificates (PEM), e.g. a private PKI or a test CA. */
  readonly ca?: string | readonly string[];
  readonly userAgent?: string;
  /** For tests: replaces setTimeout-based sleeping. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export interface HttpRequest {
  readonly method?: HttpMethod;
  /** Relative to the base URL (`api/v1/users`), origin-relative (`/api/v1/users`) or absolute (same origin). */
  readonly url: string;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** A JSON body (sent as application/json unless `contentType` says otherwise). */
  readonly json?: unknown;
  /** A form body (application/x-www-form-urlencoded). */
  readonly form?: Readonly<Record<string, string>>;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Failing statuses returned to the caller instead of thrown (404 on a delete, 410 on a delta link). */
  readonly accept?: readonly number[];
  /** Send the Authorization header. Default true. */
  readonly auth?: boolean;
}

export interface HttpResponse<T = unknown> {
  readonly status: number;
  /** The absolute URL requested. */
  readonly url: URL;
  readonly body: T;
  header(name: string): string | undefined;
  /** Every value of a header that may repeat (Okta sends one `Link` header per relation). */
  headerValues(name: string): string[];
}

export interface HttpStats {
  requests: number;
  retries: number;
  throttled: number;
  pacedWaits: number;
}

const IDEMPOTENT: ReadonlySet<HttpMethod> = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class HttpClient {
  readonly baseUrl: URL;
  private readonly agent: Agent;
  private readonly budget: Semaphore;
  private readonly pacer: RateLimitPacer;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly maxRetryWaitMs: number;
  private readonly backoffBaseMs: number;
  private readonly backoffCapMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly counters: HttpStats = { requests: 0, retries: 0, throttled: 0, pacedWaits: 0 };

  constructor(private readonly options: HttpClientOptions) {
    const base = secureBaseUrl(options.connector, options.baseUrl, options.baseUrlSetting ?? 'the base URL');
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    base.search = '';
    base.hash = '';
    this.baseUrl = base;
    const concurrency = options.concurrency ?? 4;
    this.budget = new Semaphore(concurrency);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxRetries = options.maxRetries ?? 3;
    this.maxRetryWaitMs = options.maxRetryWaitMs ?? 30_000;
    this.backoffBaseMs = options.backoffBaseMs ?? 500;
    this.backoffCapMs = Math.min(options.backoffCapMs ?? 8_000, this.maxRetryWaitMs);
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
    this.pacer = new RateLimitPacer({ log: options.log, sleep: this.sleep });
    const ca = options.ca === undefined ? undefined : typeof options.ca === 'string' ? [options.ca] : [...options.ca];
    this.agent = new Agent({
      connections: concurrency,
      keepAliveTimeout: 10_000,
      connect: { timeout: Math.min(this.timeoutMs, 10_000), ...(ca ? { ca } : {}) },
    });
  }

  get connectorName(): string {
    return this.options.connector;
  }

  /** Requests made (attempts, including retries), retries, 429s seen and proactive pacing waits. */
  stats(): HttpStats {
    return { ...this.counters, pacedWaits: this.pacer.pauses };
  }

  /** Resolves a request URL and refuses any origin other than the base URL's. */
  resolve(url: string): URL {
    let target: URL;
    try {
      target = new URL(url, this.baseUrl);
    } catch {
      throw new ConnectorError(this.options.connector, 'InvalidUrl', `cannot resolve the URL "${displayUrl(url)}" against ${displayUrl(this.baseUrl)}`);
    }
    if (target.origin !== this.baseUrl.origin) {
      throw new ConnectorError(
        this.options.connector,
        'ForeignUrl',
        `refusing to send credentials to ${target.origin}: the API pointed at a URL outside ${this.baseUrl.origin} (${displayUrl(target)})`,
      );
    }
    return target;
  }

  async request<T = unknown>(request: HttpRequest): Promise<HttpResponse<T>> {
    const method = request.method ?? 'GET';
    const url = this.resolve(request.url);
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    // URLSearchParams writes a space as "+"; some APIs read "+" literally in a query. A literal plus is
    // already "%2B", so every remaining "+" is a space: send it as "%20" (RFC 3986).
    if (url.search.includes('+')) url.search = url.search.replace(/\+/g, '%20');
    const shown = displayUrl(url);
    const bucket = this.options.rateLimitBucket?.(url);
    const idempotent = IDEMPOTENT.has(method);
    let body: string | undefined;
    const headers: Record<string, string> = { accept: 'application/json', ...(this.options.userAgent ? { 'user-agent': this.options.userAgent } : {}) };
    if (request.json !== undefined) {
      body = JSON.stringify(request.json);
      headers['content-type'] = request.contentType ?? 'application/json';
    } else if (request.form !== undefined) {
      body = new URLSearchParams(request.form as Record<string, string>).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
    let authRetried = false;

    for (let attempt = 0; ; attempt++) {
      await this.pacer.before(bucket);
      const release = await this.budget.acquire();
      const sendHeaders = { ...headers };
      if (request.auth !== false && this.options.authorization) sendHeaders.authorization = await this.options.authorization();
      this.counters.requests++;
      const sentAt = Date.now();
      let status: number;
      let responseHeaders: Record<string, string | string[] | undefined>;
      let text: string;
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), this.timeoutMs);
      try {
        const response = await this.agent.request({
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method,
          headers: sendHeaders,
          body: body ?? null,
          signal: controller.signal,
          // Our own deadline (the abort) covers headers and body; undici's fire only as a backstop.
          headersTimeout: this.timeoutMs + 1000,
          bodyTimeout: this.timeoutMs + 1000,
        });
        status = response.statusCode;
        responseHeaders = response.headers;
        text = await response.body.text();
      } catch (error) {
        clearTimeout(timer);
        release();
        this.pacer.after(bucket, undefined, [], () => undefined);
        const failure = errorForTransport(this.options.connector, method, shown, error, controller.signal.aborted);
        if (idempotent && attempt < this.maxRetries) {
          const wait = backoffDelay(attempt, this.backoffBaseMs, this.backoffCapMs, this.random);
          this.counters.retries++;
          this.options.log.warn({ event: 'http-retry', method, url: shown, reason: failure.code, attempt: attempt + 1, waitMs: wait }, `${method} ${shown} failed (${failure.code}); retrying in ${wait} ms`);
          await this.sleep(wait);
          continue;
        }
        throw failure;
      }
      clearTimeout(timer);
      release();

      const get = (name: string): string | undefined => {
        const value = responseHeaders[name.toLowerCase()];
        return Array.isArray(value) ? value.join(', ') : value;
      };
      this.pacer.after(bucket, status, Object.keys(responseHeaders), get);
      this.options.log.debug({ event: 'http', method, url: shown, status, ms: Date.now() - sentAt, attempt: attempt + 1 }, `${method} ${shown} → ${status}`);
      const parsed = parseBody(text, get('content-type'));
      const response: HttpResponse<T> = {
        status,
        url,
        body: parsed.value as T,
        header: get,
        headerValues: (name) => {
          const value = responseHeaders[name.toLowerCase()];
          return value === undefined ? [] : Array.isArray(value) ? value : [value];
        },
      };

      if ((status >= 200 && status < 300) || request.accept?.includes(status)) {
        if (parsed.malformed && status >= 200 && status < 300) {
          throw new HttpError(this.options.connector, 'MalformedResponse', `${method} ${shown} → ${status} with a body that is not valid JSON (${parsed.malformed}); is the URL pointing at the API?`, { method, url: shown, status }, { retryable: false });
        }
        return response;
      }

      if (status === 401 && request.auth !== false && this.options.onUnauthorized && !authRetried) {
        authRetried = true;
        if (await this.options.onUnauthorized()) {
          attempt--;
          continue;
        }
      }

      const serverWait = retryWait(status, get);
      const retryableStatus = status === 429 || status === 503 || (idempotent && (status === 500 || status === 502 || status === 504));
      if (status === 429) {
        this.counters.throttled++;
        this.options.log.warn({ event: 'http-throttled', method, url: shown, status, ...rateLimitHeaders(Object.keys(responseHeaders), get) }, `${method} ${shown} was throttled (429)`);
      }
      if (retryableStatus && serverWait !== undefined && serverWait > this.maxRetryWaitMs) {
        const seconds = Math.ceil(serverWait / 1000);
        throw new HttpError(
          this.options.connector,
          'RateLimited',
          `${method} ${shown} → ${status}: the server asked to wait ${seconds} s, longer than the ${Math.round(this.maxRetryWaitMs / 1000)} s the connector waits; not retried now (the next cycle retries; if this repeats, lower the page size or stagger schedules)`,
          { method, url: shown, status, retryAfterMs: serverWait, ...apiErrorSummary(parsed.value), body: parsed.value },
          { retryable: true },
        );
      }
      if (retryableStatus && attempt < this.maxRetries) {
        const wait = serverWait ?? backoffDelay(attempt, this.backoffBaseMs, this.backoffCapMs, this.random);
        if (status === 429) this.pacer.pauseAll(wait);
        this.counters.retries++;
        this.options.log.warn({ event: 'http-retry', method, url: shown, status, attempt: attempt + 1, waitMs: wait, retryAfter: get('retry-after') }, `${method} ${shown} → ${status}; retrying in ${wait} ms (attempt ${attempt + 1} of ${this.maxRetries})`);
        await this.sleep(wait);
        continue;
      }
      const summary = apiErrorSummary(parsed.value);
      throw errorForStatus(this.options.connector, {
        method,
        url: shown,
        status,
        ...summary,
        advice: this.options.advice?.(status, url, method, summary.apiCode),
        retryAfterMs: serverWait,
        body: parsed.value,
      });
    }
  }

  /** GET/POST… and return only the body. */
  async json<T = unknown>(request: HttpRequest): Promise<T> {
    return (await this.request<T>(request)).body;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

/** The server-requested wait for a throttled or unavailable response, in ms. */
function retryWait(status: number, get: (name: string) => string | undefined): number | undefined {
  if (status !== 429 && status !== 503) return undefined;
  const retryAfter = parseRetryAfter(get('retry-after'));
  if (retryAfter !== undefined) return retryAfter;
  if (status === 429) return waitUntilReset(get('x-rate-limit-reset'), get('date'));
  return undefined;
}

function parseBody(text: string, contentType: string | undefined): { value: unknown; malformed?: string } {
  if (text === '') return { value: undefined };
  const looksJson = contentType === undefined ? /^\s*[[{]/.test(text) : /[/+]json\b/i.test(contentType);
  if (!looksJson) return { value: text };
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    return { value: text, malformed: error instanceof Error ? error.message : 'parse error' };
  }
}
