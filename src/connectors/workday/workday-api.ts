/**
 * The workday connector's side of the shared HTTP layer: one HttpClient on the tenant's customreport2
 * URL (retries, Retry-After, backoff, same-origin rule) with the integration system user's Basic
 * credentials or an OAuth2 access token. Secrets are resolved on first use and registered for redaction.
 */
import { redact, registerSecret, type Logger } from '../../shared/logger.js';
import { HttpClient, readCaFile, type HttpResponse } from '../http/index.js';
import type { SecretResolver } from '../sdk.js';
import { RefreshTokenGrant } from './workday-oauth2.js';
import type { WorkdayOptions } from './workday-spec.js';

export interface WorkdayApiOverrides {
  readonly sleep?: (ms: number) => Promise<void>;
  readonly maxRetryWaitMs?: number;
}

export class WorkdayApi {
  readonly client: HttpClient;
  private readonly grant: RefreshTokenGrant | undefined;
  private basic: string | undefined;

  constructor(private readonly options: WorkdayOptions, log: Logger, private readonly secrets: SecretResolver, overrides: WorkdayApiOverrides = {}) {
    const ca = options.caFile === undefined ? undefined : readCaFile(options.connector, options.caFile);
    const auth = options.auth;
    this.grant =
      auth.kind === 'oauth2'
        ? new RefreshTokenGrant(
            { connector: options.connector, tokenUrl: auth.tokenUrl, clientId: auth.clientId, clientSecret: () => secrets.resolve(auth.clientSecretRef), refreshToken: () => secrets.resolve(auth.refreshTokenRef) },
            log,
            { timeoutMs: options.timeoutMs, ...(ca ? { ca } : {}) },
          )
        : undefined;
    this.client = new HttpClient({
      connector: options.connector,
      baseUrl: options.baseUrl,
      baseUrlSetting: 'spec.connection.baseUrl',
      log,
      authorization: () => this.authorization(),
      ...(this.grant ? { onUnauthorized: () => this.grant!.invalidate() } : {}),
      // One report request at a time: a RaaS report is one (long) request, and Workday limits concurrent ones.
      concurrency: 1,
      timeoutMs: options.timeoutMs,
      ...(overrides.maxRetryWaitMs !== undefined ? { maxRetryWaitMs: overrides.maxRetryWaitMs } : {}),
      advice: (status) =>
        status === 401
          ? auth.kind === 'basic'
            ? 'Workday refused the integration system user: check spec.connection.auth.username and the password secret (an ISU password can expire unless "Do Not Allow UI Sessions" and password rules exempt it)'
            : 'Workday refused the access token: check that the refresh token was generated for an integration system user that may run the report'
          : status === 403
            ? 'The integration system user may not run this report: share the report with its security group and grant the domains of its fields (Get access)'
            : status === 404
              ? 'No such report: check spec.objectTypes.worker.report (<owner>/<report name>, as in the report\'s View URLs) and that the report is enabled as a web service'
              : undefined,
      ...(ca ? { ca } : {}),
      userAgent: 'identity-mesh workday-connector',
      ...(overrides.sleep ? { sleep: overrides.sleep } : {}),
    });
  }

  /** OAuth2 tokens fetched so far (0 with basic auth). */
  get tokensFetched(): number {
    return this.grant?.fetched ?? 0;
  }

  /** Runs the report with these prompts (format=json added); errors come back scrubbed of secrets. */
  async report(prompts: Readonly<Record<string, string>>): Promise<HttpResponse<unknown>> {
    try {
      return await this.client.request<unknown>({ url: this.options.reportPath, query: { ...prompts, format: 'json' } });
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
    if (this.basic === undefined) {
      const password = this.secrets.resolve(auth.passwordRef);
      registerSecret(password);
      this.basic = Buffer.from(`${auth.username}:${password}`, 'utf8').toString('base64');
      registerSecret(this.basic);
    }
    return `Basic ${this.basic}`;
  }
}
