/**
 * What every OAuth 2.0 grant of the HTTP connectors shares (RFC 6749): the client's HTTP Basic
 * credential (§2.3.1, each part form-urlencoded first) and the reading of a token response (§5.1).
 */
import { ConnectorError } from '../../shared/errors.js';
import { registerSecret } from '../../shared/logger.js';
import type { IssuedToken } from './cached-token.js';

/** When the server leaves out expires_in (RFC 6749 §5.1 allows it): renew after this long. */
const DEFAULT_LIFETIME_MS = 5 * 60_000;

export interface TokenResponse {
  readonly access_token?: unknown;
  readonly expires_in?: unknown;
  readonly token_type?: unknown;
  readonly refresh_token?: unknown;
}

/** `Basic …` for an OAuth2 client id and secret, registered for redaction. */
export function clientBasicAuthorization(clientId: string, secret: string): string {
  const encoded = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`, 'utf8').toString('base64');
  registerSecret(encoded);
  return `Basic ${encoded}`;
}

/** The bearer token a token endpoint issued and how long it lives; anything else is a ConnectorError. */
export function issuedBearerToken(connector: string, tokenUrl: string, body: TokenResponse | undefined): IssuedToken {
  const token = body?.access_token;
  if (typeof token !== 'string' || token === '') {
    throw new ConnectorError(connector, 'MalformedResponse', `the token endpoint ${new URL(tokenUrl).origin} answered without an access_token`);
  }
  if (typeof body?.token_type === 'string' && body.token_type.toLowerCase() !== 'bearer') {
    throw new ConnectorError(connector, 'NotSupported', `the token endpoint issued a "${body.token_type}" token; only bearer tokens are supported`);
  }
  const seconds = Number(body?.expires_in);
  return { token, lifetimeMs: Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : DEFAULT_LIFETIME_MS };
}
