/**
 * The OAuth 2.0 client-credentials grant against the Microsoft identity platform: one form POST to
 * `{authorityUrl}/{tenantId}/oauth2/v2.0/token` with `scope={graphUrl}/.default`
 * (learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow). The access token is
 * cached until shortly before `expires_in` runs out, shared by concurrent callers, and dropped when Graph
 * answers 401 (a revoked or rotated credential) so the next attempt fetches a fresh one.
 */
import type { Logger } from '../../shared/logger.js';
import { registerSecret } from '../../shared/logger.js';
import { ConnectorError } from '../../shared/errors.js';
import { CachedToken, HttpClient, type IssuedToken } from '../http/index.js';
import type { EntraOptions } from './entra-spec.js';

/** Renew this long before expiry (tokens last 60–90 minutes). */
const RENEW_EARLY_MS = 5 * 60_000;

const ADVICE =
  'Check spec.connection.tenantId and clientId, and that the client secret (spec.connection.clientSecret) is the secret VALUE and has not expired ' +
  '(Entra ID → App registrations → Certificates & secrets); a new secret must be stored in the secret store';

interface TokenResponse {
  readonly access_token?: string;
  readonly expires_in?: number | string;
  readonly token_type?: string;
}

export class ClientCredentialsToken extends CachedToken {
  private readonly authority: HttpClient;

  constructor(private readonly options: EntraOptions, log: Logger, private readonly secret: () => string, timeoutMs: number) {
    super(RENEW_EARLY_MS);
    this.authority = new HttpClient({
      connector: options.connector,
      baseUrl: options.authorityUrl,
      baseUrlSetting: 'spec.connection.authorityUrl',
      log,
      concurrency: 2,
      timeoutMs,
      advice: (status) => (status === 400 || status === 401 ? ADVICE : undefined),
      userAgent: 'identity-mesh entra-id-connector',
    });
  }

  async close(): Promise<void> {
    await this.authority.close();
  }

  protected async grant(): Promise<IssuedToken> {
    const secret = this.secret();
    registerSecret(secret);
    const body = await this.authority.json<TokenResponse>({
      method: 'POST',
      url: `${encodeURIComponent(this.options.tenantId)}/oauth2/v2.0/token`,
      form: { client_id: this.options.clientId, client_secret: secret, scope: `${this.options.graphUrl}/.default`, grant_type: 'client_credentials' },
      auth: false,
    });
    const token = body?.access_token;
    const lifetime = Number(body?.expires_in);
    if (typeof token !== 'string' || token === '' || !Number.isFinite(lifetime)) {
      throw new ConnectorError(this.options.connector, 'MalformedResponse', `the token endpoint ${this.options.authorityUrl} answered without access_token and expires_in`);
    }
    return { token, lifetimeMs: lifetime * 1000 };
  }
}
