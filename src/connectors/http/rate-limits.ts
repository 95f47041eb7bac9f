/**
 * Rate-limit awareness: reads the limit headers APIs send (Okta `X-Rate-Limit-Limit/-Remaining/-Reset`,
 * developer.okta.com/docs/reference/rl-best-practices; Azure/Graph `x-ms-ratelimit-*` and
 * `x-ms-throttle-*`), logs them, and paces requests so a connector waits for the window to reset
 * instead of running into 429s. Buckets are the connector's choice (Okta limits each endpoint family
 * separately), keyed by a name the connector derives from the URL.
 */
import type { Logger } from '../../shared/logger.js';
import { waitUntilReset } from './retry-timing.js';

export type HeaderLookup = (name: string) => string | undefined;

const INTERESTING = /^(x-rate-limit-|x-ratelimit-|ratelimit|x-ms-ratelimit-|x-ms-throttle-|retry-after$)/i;

/** Every rate-limit related header of a response, for logging. */
export function rateLimitHeaders(names: Iterable<string>, get: HeaderLookup): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    if (!INTERESTING.test(name)) continue;
    const value = get(name);
    if (value !== undefined) out[name.toLowerCase()] = value;
  }
  return out;
}

interface Bucket {
  limit: number;
  remaining: number;
  /** Local clock, ms. */
  resetAt: number;
  inFlight: number;
  warnedWindow: number;
}

export interface PacerOptions {
  readonly log: Logger;
  /** The longest proactive wait for a window to reset (Okta windows are one minute). */
  readonly maxPauseMs?: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

export class RateLimitPacer {
  private readonly buckets = new Map<string, Bucket>();
  private pausedUntil = 0;
  private readonly maxPauseMs: number;
  private readonly now: () => number;
  /** Proactive waits taken, for tests and benchmarks. */
  pauses = 0;

  constructor(private readonly options: PacerOptions) {
    this.maxPauseMs = options.maxPauseMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** Waits while the client is paused (after a 429) or the bucket's window is spent, then counts the request in. */
  async before(bucket: string | undefined): Promise<void> {
    // A few rounds at most: after waking, another request may have spent the fresh window again.
    for (let round = 0; round < 4; round++) {
      const now = this.now();
      if (this.pausedUntil > now) {
        await this.options.sleep(this.pausedUntil - now);
        continue;
      }
      const b = bucket === undefined ? undefined : this.buckets.get(bucket);
      if (b && b.resetAt > now && b.remaining - b.inFlight <= 0) {
        const wait = Math.min(this.maxPauseMs, b.resetAt - now + 25);
        this.pauses++;
        this.options.log.info({ event: 'rate-limit-pace', bucket, remaining: b.remaining, limit: b.limit, waitMs: wait }, `rate-limit window for ${bucket} is spent; waiting ${Math.ceil(wait / 1000)} s for it to reset`);
        await this.options.sleep(wait);
        continue;
      }
      break;
    }
    if (bucket === undefined) return;
    let b = this.buckets.get(bucket);
    if (!b) {
      // Nothing known yet: the first response's headers will say.
      b = { limit: Number.POSITIVE_INFINITY, remaining: Number.POSITIVE_INFINITY, resetAt: 0, inFlight: 0, warnedWindow: 0 };
      this.buckets.set(bucket, b);
    } else if (b.resetAt <= this.now()) {
      // The window passed: assume a fresh one until a response says otherwise.
      b.remaining = b.limit;
    }
    b.inFlight++;
  }

  /** Records a response's headers (and releases the in-flight count taken by `before`). */
  after(bucket: string | undefined, status: number | undefined, names: Iterable<string>, get: HeaderLookup): void {
    const b = bucket === undefined ? undefined : this.buckets.get(bucket);
    if (b && b.inFlight > 0) b.inFlight--;
    const headers = rateLimitHeaders(names, get);
    if (Object.keys(headers).length === 0) return;
    const limit = Number(get('x-rate-limit-limit'));
    const remaining = Number(get('x-rate-limit-remaining'));
    const untilReset = waitUntilReset(get('x-rate-limit-reset'), get('date'), this.now());
    if (b && Number.isFinite(limit) && Number.isFinite(remaining) && untilReset !== undefined) {
      const resetAt = this.now() + untilReset;
      if (!Number.isFinite(b.limit) || resetAt > b.resetAt + 500) {
        // The first headers seen, or a new window.
        b.limit = limit;
        b.remaining = remaining;
        b.resetAt = resetAt;
      } else {
        b.remaining = Math.min(b.remaining, remaining);
      }
      if (status !== 429 && limit > 0 && remaining < limit * 0.1 && b.warnedWindow !== b.resetAt) {
        b.warnedWindow = b.resetAt;
        this.options.log.warn({ event: 'rate-limit-low', bucket, ...headers }, `${remaining} of ${limit} requests left in the rate-limit window for ${bucket}`);
        return;
      }
    }
    if (status === 429) return; // the client logs the 429 itself, with these headers
    this.options.log.debug({ event: 'rate-limit', bucket, ...headers }, 'rate-limit headers');
  }

  /** After a 429: hold every request of this client until the wait is over. */
  pauseAll(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
  }
}
