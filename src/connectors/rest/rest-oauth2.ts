/**
 * The OAuth 2.0 client-credentials grant (RFC 6749 §4.4) of a rest connector: one form POST to the
 * configured token URL, the client authenticated in the form (`client_secret_post`) or with HTTP Basic
 * (§2.3.1). The access token is cached until shortly before `expires_in` runs out, shared by concurrent
 * callers, and dropped when the API answers 401 so the request is retried once with a fresh one. The
 * client secret goes to the token URL's origin only; the token never leaves the base URL's origin.
 */
import type { Logger } from '../../shared/logger.js';
import { registerSecret } from '../../shared/logger.js';
import { CachedToken, clientBasicAuthorization, HttpClient, issuedBearerToken, type IssuedToken, type TokenResponse } from '../http/index.js';

/** Renew this long before expiry, or at half the lifetime for short-lived tokens. */
const RENEW_EARLY_MS = 60_000;

export interface ClientCredentials {
  readonly connector: string;
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly scope?: string;
  readonly clientAuth: 'post' | 'basic';
}

export class ClientCredentialsGrant extends CachedToken {
  private readonly authority: HttpClient;

  constructor(private readonly options: ClientCredentials, log: Logger, private readonly secret: () => string, client: { timeoutMs: number; ca?: string }) {
    super(RENEW_EARLY_MS);
    this.authority = new HttpClient({
      connector: options.connector,
      baseUrl: new URL(options.tokenUrl).origin,
      baseUrlSetting: 'spec.connection.auth.tokenUrl',
      log,
      concurrency: 2,
      timeoutMs: client.timeoutMs,
      ...(client.ca ? { ca: client.ca } : {}),
      advice: (status) =>
        status === 400 || status === 401
          ? 'Check spec.connection.auth.clientId and that the secret named in spec.connection.auth.clientSecret holds the current client secret (and clientAuth: post or basic, as the server expects)'
          : undefined,
      userAgent: 'identity-mesh rest-connector',
    });
  }

  async close(): Promise<void> {
    await this.authority.close();
  }

  protected async grant(): Promise<IssuedToken> {
    const secret = this.secret();
    registerSecret(secret);
    const form: Record<string, string> = { grant_type: 'client_credentials', ...(this.options.scope ? { scope: this.options.scope } : {}) };
    const headers: Record<string, string> = {};
    if (this.options.clientAuth === 'basic') {
      headers.authorization = clientBasicAuthorization(this.options.clientId, secret);
    } else {
      form.client_id = this.options.clientId;
      form.client_secret = secret;
    }
    const body = await this.authority.json<TokenResponse>({ method: 'POST', url: this.options.tokenUrl, form, headers, auth: false });
    return issuedBearerToken(this.options.connector, this.options.tokenUrl, body);
  }
}
