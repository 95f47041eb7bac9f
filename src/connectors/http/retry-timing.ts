/**
 * How long to wait before retrying: the server's Retry-After (RFC 9110 §10.2.3: delay-seconds or an
 * HTTP-date), or capped exponential backoff with full jitter when the server gives no hint.
 */

/** Milliseconds to wait per a Retry-After value, or undefined when it is absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP-date (IMF-fixdate, or the obsolete forms Date.parse also reads); always names a day or month.
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/**
 * Okta's `X-Rate-Limit-Reset` is the UTC epoch second at which the window resets
 * (developer.okta.com/docs/reference/rl-best-practices). Measured against the response's own Date
 * header where present, so a skewed local clock does not distort the wait.
 */
export function waitUntilReset(reset: string | undefined, serverDate: string | undefined, now: number = Date.now()): number | undefined {
  if (reset === undefined || !/^\d+$/.test(reset.trim())) return undefined;
  const resetMs = Number(reset.trim()) * 1000;
  const serverNow = serverDate !== undefined && !Number.isNaN(Date.parse(serverDate)) ? Date.parse(serverDate) : now;
  return Math.max(0, resetMs - serverNow);
}

/** Full-jitter exponential backoff: uniform in [0, min(cap, base · 2^attempt)]. */
export function backoffDelay(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** attempt);
  return Math.round(random() * ceiling);
}
