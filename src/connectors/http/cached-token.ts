/**
 * An access token kept until shortly before it expires: shared by concurrent callers (one grant in
 * flight), forgotten when the API refuses it so the next call fetches a fresh one. A subclass makes the
 * grant itself (which endpoint, how the client authenticates).
 */
import { registerSecret } from '../../shared/logger.js';

export interface IssuedToken {
  readonly token: string;
  readonly lifetimeMs: number;
}

export abstract class CachedToken {
  private cached: { value: string; renewAt: number } | undefined;
  private pending: Promise<string> | undefined;
  /** Tokens fetched (for `imesh check` and tests). */
  fetched = 0;

  /** `renewEarlyMs`: renew this long before expiry, or at half the lifetime for short-lived tokens. */
  constructor(private readonly renewEarlyMs: number) {}

  /** Asks the authorization server for a new token. */
  protected abstract grant(): Promise<IssuedToken>;

  /** The access token, from cache or a new grant. */
  async get(): Promise<string> {
    if (this.cached && Date.now() < this.cached.renewAt) return this.cached.value;
    this.pending ??= this.fetch().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Forgets the cached token (the API refused it); true when a retry with a new one can help. */
  invalidate(): boolean {
    const had = this.cached !== undefined;
    this.cached = undefined;
    return had;
  }

  private async fetch(): Promise<string> {
    const { token, lifetimeMs } = await this.grant();
    registerSecret(token);
    this.cached = { value: token, renewAt: Date.now() + Math.max(lifetimeMs / 2, lifetimeMs - this.renewEarlyMs) };
    this.fetched++;
    return token;
  }
}
