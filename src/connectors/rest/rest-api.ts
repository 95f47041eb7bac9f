/**
 * The rest connector's side of the shared HTTP layer: one HttpClient on `connection.baseUrl` (retries,
 * Retry-After, backoff, concurrency budget, same-origin rule) with the configured authentication and
 * extra headers added to every request. Secrets are resolved on first use, registered for redaction,
 * and scrubbed from every error message that leaves this module (an API key sent in the query could
 * otherwise show in a URL).
 */
import { redact, registerSecret, type Logger } from '../../shared/logger.js';
import { HttpClient, readCaFile, type HttpRequest, type HttpResponse, type HttpStats } from '../http/index.js';
import type { SecretResolver } from '../sdk.js';
import { ClientCredentialsGrant } from './rest-oauth2.js';
import type { RestOptions } from './rest-spec.js';

export interface RestApiOverrides {
  readonly sleep?: (ms: number) => Promise<void>;
  readonly maxRetryWaitMs?: number;
}

export class RestApi {
  readonly client: HttpClient;
  private readonly grant: ClientCredentialsGrant | undefined;
  private credential: string | undefined;
  private headers: Record<string, string> | undefined;

  constructor(private readonly options: RestOptions, log: Logger, private readonly secrets: SecretResolver, overrides: RestApiOverrides = {}) {
    const ca = options.caFile === undefined ? undefined : readCaFile(options.connector, options.caFile);
    const auth = options.auth;
    this.grant =
      auth.kind === 'oauth2'
        ? new ClientCredentialsGrant(
            { connector: options.connector, tokenUrl: auth.tokenUrl, clientId: auth.clientId, ...(auth.scope ? { scope: auth.scope } : {}), clientAuth: auth.clientAuth },
            log,
            () => secrets.resolve(auth.clientSecretRef),
            { timeoutMs: options.timeoutMs, ...(ca ? { ca } : {}) },
          )
        : undefined;
    this.client = new HttpClient({
      connector: options.connector,
      baseUrl: options.baseUrl,
      baseUrlSetting: 'spec.connection.baseUrl',
      log,
      ...(auth.kind === 'bearer' || auth.kind === 'basic' || auth.kind === 'oauth2' ? { authorization: () => this.authorization() } : {}),
      ...(this.grant ? { onUnauthorized: () => this.grant!.invalidate() } : {}),
      concurrency: options.concurrency,
      timeoutMs: options.timeoutMs,
      ...(overrides.maxRetryWaitMs !== undefined ? { maxRetryWaitMs: overrides.maxRetryWaitMs } : {}),
      advice: (status) =>
        status === 401
          ? 'The credentials were refused: check the secret named under spec.connection.auth and that it has not expired or been revoked'
          : status === 403
            ? 'The credentials lack a permission for this endpoint: grant the API client read (and, for exports, write) access'
            : undefined,
      ...(ca ? { ca } : {}),
      userAgent: 'identity-mesh rest-connector',
      ...(overrides.sleep ? { sleep: overrides.sleep } : {}),
    });
  }

  /** OAuth2 tokens fetched so far (0 for other auth kinds). */
  get tokensFetched(): number {
    return this.grant?.fetched ?? 0;
  }

  stats(): HttpStats {
    return this.client.stats();
  }

  /** Sends a request with the connector's credentials and headers; errors come back scrubbed of secrets. */
  async send<T = unknown>(request: HttpRequest): Promise<HttpResponse<T>> {
    try {
      const auth = this.options.auth;
      const headers = { ...this.extraHeaders(), ...(request.headers ?? {}) };
      let query = request.query;
      if (auth.kind === 'apiKey') {
        const key = this.secret(auth.valueRef);
        if (auth.in === 'header') headers[auth.name.toLowerCase()] = key;
        else query = { ...(query ?? {}), [auth.name]: key };
      }
      return await this.client.request<T>({ ...request, headers, ...(query ? { query } : {}) });
    } catch (error) {
      if (error instanceof Error) error.message = redact(error.message);
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.client.close();
    await this.grant?.close();
  }

  private async authorization(): Promise<string> {
    const auth = this.options.auth;
    if (auth.kind === 'oauth2') return `Bearer ${await this.grant!.get()}`;
    if (this.credential === undefined) {
      if (auth.kind === 'bearer') this.credential = `Bearer ${this.secret(auth.tokenRef)}`;
      else if (auth.kind === 'basic') {
        const encoded = Buffer.from(`${auth.username}:${this.secret(auth.passwordRef)}`, 'utf8').toString('base64');
        registerSecret(encoded);
        this.credential = `Basic ${encoded}`;
      } else this.credential = '';
    }
    return this.credential;
  }

  private secret(ref: string): string {
    const value = this.secrets.resolve(ref);
    registerSecret(value);
    return value;
  }

  private extraHeaders(): Record<string, string> {
    if (this.headers === undefined) {
      const out: Record<string, string> = {};
      for (const [name, value] of Object.entries(this.options.headers)) out[name] = value.includes('{{') ? this.secret(value) : value;
      this.headers = out;
    }
    return this.headers;
  }
}
