/**
 * The OAuth 2.0 refresh-token grant (RFC 6749 §6) of a Workday "API client for integrations": one form
 * POST of `grant_type=refresh_token` to the tenant's token endpoint, the client authenticated with HTTP
 * Basic (§2.3.1). Workday issues a non-expiring refresh token per integration system user; the access
 * token it returns is cached until shortly before `expires_in` ends, shared by concurrent requests, and
 * dropped when the report answers 401. Client secret and refresh token go to the token URL's origin only.
 */
import type { Logger } from '../../shared/logger.js';
import { registerSecret } from '../../shared/logger.js';
import { CachedToken, clientBasicAuthorization, HttpClient, issuedBearerToken, type IssuedToken, type TokenResponse } from '../http/index.js';

const RENEW_EARLY_MS = 60_000;

export interface RefreshTokenClient {
  readonly connector: string;
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: () => string;
  readonly refreshToken: () => string;
}

export class RefreshTokenGrant extends CachedToken {
  private readonly authority: HttpClient;
  /** A refresh token the server rotated to, kept for this process (the secret store is read-only to us). */
  private rotated: string | undefined;

  constructor(private readonly client: RefreshTokenClient, private readonly log: Logger, http: { timeoutMs: number; ca?: string }) {
    super(RENEW_EARLY_MS);
    this.authority = new HttpClient({
      connector: client.connector,
      baseUrl: new URL(client.tokenUrl).origin,
      baseUrlSetting: 'spec.connection.auth.tokenUrl',
      log,
      concurrency: 2,
      timeoutMs: Math.min(http.timeoutMs, 60_000),
      ...(http.ca ? { ca: http.ca } : {}),
      advice: (status) =>
        status === 400 || status === 401
          ? 'The token endpoint refused the grant: check spec.connection.auth.clientId, and that the secrets named in clientSecret and refreshToken hold the API client\'s current secret and a refresh token generated for the integration system user (Manage Refresh Tokens for Integrations)'
          : undefined,
      userAgent: 'identity-mesh workday-connector',
    });
  }

  async close(): Promise<void> {
    await this.authority.close();
  }

  protected async grant(): Promise<IssuedToken> {
    const secret = this.client.clientSecret();
    const refresh = this.rotated ?? this.client.refreshToken();
    registerSecret(secret);
    registerSecret(refresh);
    const body = await this.authority.json<TokenResponse>({
      method: 'POST',
      url: this.client.tokenUrl,
      form: { grant_type: 'refresh_token', refresh_token: refresh },
      headers: { authorization: clientBasicAuthorization(this.client.clientId, secret) },
      auth: false,
    });
    const issued = issuedBearerToken(this.client.connector, this.client.tokenUrl, body);
    if (typeof body.refresh_token === 'string' && body.refresh_token !== '' && body.refresh_token !== refresh) {
      registerSecret(body.refresh_token);
      this.rotated = body.refresh_token;
      this.log.warn({ event: 'workday-refresh-token-rotated' }, 'the token endpoint issued a new refresh token; it is used for this process only — register the API client with non-expiring refresh tokens');
    }
    return issued;
  }
}
