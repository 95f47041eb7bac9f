/**
 * HTTP status → typed ConnectorError, in one table for every HTTP connector (STYLE: map vendor errors
 * at the boundary, in one place). An error names the method, the URL (credentials and state tokens
 * masked), the status and the API's own error summary, plus the connector's advice for 401/403. It
 * never carries a request header, a token or a secret: the summary passes through the logger's secret
 * redaction, and the raw body is kept off the enumerable properties.
 */
import { ConnectorError, type ConnectorErrorCode } from '../../shared/errors.js';
import { redact } from '../../shared/logger.js';

interface StatusRule {
  readonly code: ConnectorErrorCode;
  readonly retryable: boolean;
  readonly meaning: string;
}

const RULES: Readonly<Record<number, StatusRule>> = {
  400: { code: 'BadRequest', retryable: false, meaning: 'the request was refused' },
  401: { code: 'Unauthorized', retryable: false, meaning: 'the credentials were refused' },
  403: { code: 'Forbidden', retryable: false, meaning: 'the credentials lack a permission' },
  404: { code: 'NotFound', retryable: false, meaning: 'not found' },
  405: { code: 'MethodNotAllowed', retryable: false, meaning: 'the server does not allow this method here' },
  409: { code: 'Conflict', retryable: false, meaning: 'conflicts with an existing object' },
  410: { code: 'Gone', retryable: false, meaning: 'no longer available' },
  412: { code: 'PreconditionFailed', retryable: true, meaning: 'the object changed since it was read (ETag mismatch); the next cycle re-reads it' },
  413: { code: 'PayloadTooLarge', retryable: false, meaning: 'the request body is too large' },
  429: { code: 'RateLimited', retryable: true, meaning: 'rate limited' },
};

export function statusRule(status: number): StatusRule {
  const rule = RULES[status];
  if (rule) return rule;
  if (status >= 500) return { code: 'ServerError', retryable: true, meaning: 'the server failed' };
  return { code: `Http${status}`, retryable: false, meaning: 'unexpected status' };
}

export interface HttpErrorDetails {
  readonly method: string;
  /** Display form (see displayUrl). */
  readonly url: string;
  readonly status?: number;
  /** The API's own error code (Okta errorCode, Graph error.code, OAuth error, SCIM scimType). */
  readonly apiCode?: string;
  /** The API's own error summary, redacted and shortened. */
  readonly summary?: string;
  /** What the operator can do (401/403 advice from the connector's documentation). */
  readonly advice?: string;
  /** For RateLimited: the wait the server asked for, in ms. */
  readonly retryAfterMs?: number;
  readonly body?: unknown;
}

export class HttpError extends ConnectorError {
  readonly status: number | undefined;
  readonly method: string;
  readonly url: string;
  readonly apiCode: string | undefined;
  readonly summary: string | undefined;
  readonly retryAfterMs: number | undefined;
  /** The parsed response body, for callers that branch on it. Not enumerable: never serialised into logs. */
  declare readonly body: unknown;

  constructor(connector: string, code: ConnectorErrorCode, message: string, details: HttpErrorDetails, options: { retryable: boolean; cause?: unknown }) {
    super(connector, code, message, options);
    this.status = details.status;
    this.method = details.method;
    this.url = details.url;
    this.apiCode = details.apiCode;
    this.summary = details.summary;
    this.retryAfterMs = details.retryAfterMs;
    Object.defineProperty(this, 'body', { value: details.body, enumerable: false });
  }
}

/** The error for a completed response with a failing status. */
export function errorForStatus(connector: string, details: HttpErrorDetails & { status: number }): HttpError {
  const rule = statusRule(details.status);
  const api = details.summary ? `: ${details.summary}${details.apiCode ? ` (${details.apiCode})` : ''}` : details.apiCode ? ` (${details.apiCode})` : '';
  const advice = details.advice ? `. ${details.advice}` : '';
  const message = `${details.method} ${details.url} → ${details.status} ${rule.meaning}${api}${advice}`;
  return new HttpError(connector, rule.code, message, details, { retryable: rule.retryable });
}

/** The error for a request that got no usable response (refused, reset, timed out, TLS failure). */
export function errorForTransport(connector: string, method: string, url: string, cause: unknown, timedOut: boolean): HttpError {
  const reason = timedOut ? 'timed out' : transportReason(cause);
  const code = timedOut ? 'Timeout' : 'Unreachable';
  return new HttpError(connector, code, `${method} ${url} → ${reason} (check the URL, DNS, proxy and TLS trust; the next cycle retries)`, { method, url }, { retryable: true, cause });
}

function transportReason(cause: unknown): string {
  if (cause && typeof cause === 'object') {
    const c = cause as { code?: unknown; message?: unknown; cause?: unknown };
    const inner = c.cause && typeof c.cause === 'object' ? (c.cause as { code?: unknown; message?: unknown }) : undefined;
    const code = typeof inner?.code === 'string' ? inner.code : typeof c.code === 'string' ? c.code : undefined;
    const message = typeof inner?.message === 'string' ? inner.message : typeof c.message === 'string' ? c.message : undefined;
    if (code || message) return redact(`no response (${[code, message].filter(Boolean).join(': ')})`);
  }
  return 'no response';
}

const MAX_SUMMARY = 300;

/**
 * The API's own summary and code from the error body shapes our peers use:
 * Okta `{ errorCode, errorSummary, errorCauses[] }`, Microsoft Graph `{ error: { code, message } }`,
 * OAuth 2.0 token errors `{ error, error_description }` (RFC 6749 §5.2), and SCIM errors
 * `{ status, scimType, detail }` (RFC 7644 §3.12).
 */
export function apiErrorSummary(body: unknown): { summary?: string; apiCode?: string } {
  const shorten = (text: string) => {
    const clean = redact(text.replace(/\s+/g, ' ').trim());
    return clean.length > MAX_SUMMARY ? `${clean.slice(0, MAX_SUMMARY - 1)}…` : clean;
  };
  if (typeof body === 'string') return body.trim() === '' ? {} : { summary: shorten(body) };
  if (!body || typeof body !== 'object') return {};
  const b = body as Record<string, unknown>;
  if (typeof b.errorSummary === 'string') {
    const causes = Array.isArray(b.errorCauses)
      ? b.errorCauses.map((c) => (c && typeof c === 'object' && typeof (c as Record<string, unknown>).errorSummary === 'string' ? String((c as Record<string, unknown>).errorSummary) : '')).filter(Boolean)
      : [];
    return { summary: shorten([b.errorSummary, ...causes].join('; ')), apiCode: typeof b.errorCode === 'string' ? b.errorCode : undefined };
  }
  if (b.error && typeof b.error === 'object') {
    const e = b.error as Record<string, unknown>;
    return { summary: typeof e.message === 'string' ? shorten(e.message) : undefined, apiCode: typeof e.code === 'string' ? e.code : undefined };
  }
  if (typeof b.error === 'string') {
    const description = typeof b.error_description === 'string' ? b.error_description.split(/\r?\n/)[0] ?? '' : '';
    return { summary: description ? shorten(description) : undefined, apiCode: b.error };
  }
  if (typeof b.detail === 'string' || typeof b.scimType === 'string') {
    return { summary: typeof b.detail === 'string' ? shorten(b.detail) : undefined, apiCode: typeof b.scimType === 'string' ? b.scimType : undefined };
  }
  if (typeof b.message === 'string') return { summary: shorten(b.message) };
  return {};
}
