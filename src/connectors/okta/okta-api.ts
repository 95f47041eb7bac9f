/**
 * The Okta side of the shared HTTP layer: `Authorization: SSWS <token>`, the runbook's advice for 401
 * and 403 (the Okta runbook, "Troubleshooting"), and the rate-limit buckets Okta counts separately (each
 * endpoint family has its own per-minute limit: developer.okta.com/docs/reference/rl-global-mgmt).
 */
import type { Logger } from '../../shared/logger.js';
import { registerSecret } from '../../shared/logger.js';
import { HttpClient } from '../http/index.js';
import type { OktaOptions } from './okta-spec.js';

export const OKTA_CONCURRENCY = 8;

const ADVICE_401 =
  'The API token was refused: it expires after 30 days without use and stops working when revoked or when the admin who created it is deactivated. ' +
  'Create a new token in the Okta Admin Console (Security → API → Tokens) from an active admin account and update the secret named in spec.connection.apiToken';
const ADVICE_403_READ =
  "The token's admin lacks read access to this endpoint: recreate the token from an admin role that can read users and groups (the built-in Read-Only Administrator role works; avoid Super Admin)";
const ADVICE_403_WRITE =
  "The token's admin may not change users or groups: exports need a token created by an admin role that can manage users and groups (for example Group Membership Admin for memberships, Organization Admin for users)";
const ADVICE_429 = 'Okta rate limit: lower spec.connection.pageSize, stagger the connector schedules, or ask Okta support to raise the limit';

export function oktaRateBucket(url: URL): string {
  const path = url.pathname;
  if (/^\/api\/v1\/groups\/[^/]+\/users/.test(path)) return 'group-users';
  if (path.startsWith('/api/v1/groups')) return 'groups';
  if (path.startsWith('/api/v1/users')) return 'users';
  if (path.startsWith('/api/v1/logs')) return 'logs';
  return 'other';
}

export interface OktaClientOverrides {
  readonly concurrency?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** `token` resolves the API token on first use (the secret is read only when a request is made). */
export function oktaClient(options: OktaOptions, log: Logger, token: () => string, overrides: OktaClientOverrides = {}): HttpClient {
  let header: string | undefined;
  return new HttpClient({
    connector: options.connector,
    baseUrl: options.orgUrl,
    baseUrlSetting: 'spec.connection.orgUrl',
    log,
    authorization: () => {
      if (header === undefined) {
        const value = token();
        registerSecret(value);
        header = `SSWS ${value}`;
      }
      return header;
    },
    concurrency: overrides.concurrency ?? OKTA_CONCURRENCY,
    timeoutMs: options.timeoutMs,
    rateLimitBucket: oktaRateBucket,
    advice: (status, _url, method) => {
      if (status === 401) return ADVICE_401;
      if (status === 403) return method === 'GET' ? ADVICE_403_READ : ADVICE_403_WRITE;
      if (status === 429) return ADVICE_429;
      return undefined;
    },
    userAgent: 'identity-mesh okta-connector',
    ...(overrides.sleep ? { sleep: overrides.sleep } : {}),
  });
}
