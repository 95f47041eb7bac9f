/**
 * The CLI's client for a running controller's operator API (`--server URL`, token from
 * IMESH_API_TOKEN). It maps every way a call can fail to one typed error that says what to do: the
 * server cannot be reached, its certificate is not trusted, the token is missing, unknown or lacks the
 * role, or the API refused the request. The token is sent only in the Authorization header and never
 * appears in a message.
 */
import { ImeshError } from '../../shared/errors.js';
import { registerSecret } from '../../shared/logger.js';
import { UsageError } from '../verb.js';

export const TOKEN_ENV = 'IMESH_API_TOKEN';
const API_BASE = '/api/v1';
const REQUEST_TIMEOUT_MS = 60_000;

export type ServerErrorCode =
  | 'ServerUnreachable'
  | 'ServerTls'
  | 'ServerTimeout'
  | 'ApiTokenMissing'
  | 'ApiTokenRejected'
  | 'ApiDisabled'
  | 'ApiRoleInsufficient'
  | 'ServerAnswer'
  | 'NotFound'
  | 'Ambiguous'
  | 'NoConfig';

/** The operator API could not do what the CLI asked. */
export class ServerError extends ImeshError {
  declare readonly code: ServerErrorCode;
  constructor(
    code: ServerErrorCode,
    message: string,
    readonly status?: number,
    options: { cause?: unknown; retryable?: boolean } = {},
  ) {
    super(code, message, options);
  }
}

/** What a verb needs: viewer for reading, operator for sync and connection checks. */
export type Role = 'viewer' | 'operator';

export const serverOption = { server: { type: 'string' } } as const;

export const serverHelp = `  --server URL  ask a running controller (imesh run) through its operator API instead of reading the
                store; the token comes from IMESH_API_TOKEN`;

/** Flags that read a local config or store and mean nothing with --server. */
export function refuseLocalFlags(values: Readonly<Record<string, unknown>>, flags: readonly string[]): void {
  const given = flags.filter((flag) => values[flag] !== undefined);
  if (given.length > 0) throw new UsageError(`--server asks the controller, which uses its own config and store: drop ${given.map((f) => `--${f}`).join(', ')}`);
}

export interface OperatorClient {
  /** The server as shown to people: scheme, host, port and path, never credentials. */
  readonly display: string;
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
}

/** TLS failures Node reports by code (OpenSSL's verification codes and Node's own). */
function isTlsFailure(code: string): boolean {
  return /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH|ERR_OSSL)/.test(code);
}

function causeCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_CONNECT_TIMEOUT' && !code.startsWith('UND_ERR_')) return code;
    if (code === 'UND_ERR_CONNECT_TIMEOUT') return 'ETIMEDOUT';
  }
  return undefined;
}

function parseServer(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--server takes the controller's URL, such as http://imesh.identity.svc:8080, not "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--server takes an http:// or https:// URL, not ${url.protocol}`);
  if (url.username || url.password) throw new UsageError(`--server takes no credentials in the URL: put the API token in ${TOKEN_ENV}`);
  if (url.search || url.hash) throw new UsageError('--server takes the controller\'s base URL, without a query or fragment');
  return url;
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/i;

/** What a token of the wrong kind can and cannot do, for the 401/403 messages. */
function roleNeed(role: Role): string {
  return role === 'operator' ? 'an operator token (role: operator in the Mesh\'s spec.api.tokens)' : 'a viewer or operator token from the Mesh\'s spec.api.tokens';
}

export function operatorClient(server: string, need: Role, env: NodeJS.ProcessEnv = process.env, warn: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): OperatorClient {
  const url = parseServer(server);
  const base = url.href.replace(/\/+$/, '');
  const display = base;
  const token = env[TOKEN_ENV];
  if (token === undefined || token.trim() === '') {
    throw new ServerError('ApiTokenMissing', `${TOKEN_ENV} is ${token === undefined ? 'not set' : 'empty'}: set it to ${roleNeed(need)} to use --server ${display}`);
  }
  registerSecret(token);
  if (url.protocol === 'http:' && !LOOPBACK.test(url.hostname)) {
    warn(`warning: --server ${display} is plain http: the API token crosses the network unencrypted (use https, or a port-forward to localhost)`);
  }

  async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${base}${API_BASE}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        // A redirect could carry the token elsewhere; the API never redirects.
        redirect: 'error',
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw transportError(error, display);
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (response.ok) {
      if (json === undefined) throw new ServerError('ServerAnswer', `${display} answered ${method} ${API_BASE}${path} with ${response.status} but no JSON: is it an imesh controller?`, response.status);
      return json as T;
    }
    throw answerError(response.status, json, need, display, `${method} ${API_BASE}${path}`);
  }

  return { display, get: (path) => call('GET', path), post: (path, body) => call('POST', path, body ?? {}) };
}

function transportError(error: unknown, display: string): ServerError {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return new ServerError('ServerTimeout', `${display} did not answer within ${REQUEST_TIMEOUT_MS / 1000} s`, undefined, { cause: error, retryable: true });
  }
  const code = causeCode(error) ?? 'unknown error';
  if (isTlsFailure(code)) {
    return new ServerError(
      'ServerTls',
      `cannot verify ${display}'s TLS certificate (${code}): if the controller uses a private CA, point NODE_EXTRA_CA_CERTS at that CA's PEM file`,
      undefined,
      { cause: error },
    );
  }
  const detail = error instanceof Error && error.cause instanceof Error ? error.cause.message : code;
  return new ServerError('ServerUnreachable', `cannot reach ${display} (${detail}): is imesh run up there, and is the URL and port right?`, undefined, { cause: error, retryable: true });
}

function answerError(status: number, json: unknown, need: Role, display: string, what: string): ServerError {
  const body = (typeof json === 'object' && json !== null ? json : {}) as { error?: unknown; code?: unknown };
  const code = typeof body.code === 'string' ? body.code : undefined;
  const message = typeof body.error === 'string' ? body.error : undefined;
  if (status === 401 && code === 'ApiDisabled') {
    return new ServerError('ApiDisabled', `${display} has the operator API off (its Mesh declares no spec.api.tokens, or no valid revision is applied yet): add tokens to the Mesh to use --server`, status);
  }
  if (status === 401) {
    return new ServerError('ApiTokenRejected', `${display} does not accept the token in ${TOKEN_ENV}: it is not one of the running revision's spec.api.tokens; set ${TOKEN_ENV} to ${roleNeed(need)}`, status);
  }
  if (status === 403) {
    return new ServerError('ApiRoleInsufficient', `${display} refused ${what}: the token in ${TOKEN_ENV} has the viewer role${message ? ` (${message})` : ''}; this needs ${roleNeed('operator')}`, status);
  }
  if (status === 404 && code === 'NotFound') return new ServerError('NotFound', message ?? `${display}: not found`, status);
  if (status === 409 && code === 'Ambiguous') return new ServerError('Ambiguous', message ?? `${display}: ambiguous`, status);
  if (status === 409 && code === 'NoConfig') return new ServerError('NoConfig', `${display}: ${message ?? 'no valid revision is running yet'}`, status);
  if (code === undefined) {
    return new ServerError('ServerAnswer', `${display} answered ${what} with HTTP ${status}, not the operator API's JSON: is the URL the controller's (imesh run's --port)?`, status);
  }
  return new ServerError('ServerAnswer', `${display} answered ${what} with HTTP ${status}: ${message ?? code} [${code}]`, status, { retryable: status >= 500 });
}
