/**
 * Bearer tokens for `/api/v1/` from the Mesh's `spec.api.tokens`: each token's secret is resolved once
 * per config revision (when the handler starts, and again when the controller switches revision), and
 * only its SHA-256 digest is kept. A presented token is hashed the same way and compared with every
 * configured digest in constant time (`timingSafeEqual` on equal-length digests, no early exit), so
 * neither the token's length nor which token matched leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { CompiledConfig } from '../../config/model.js';
import type { SecretResolver } from '../../connectors/sdk.js';
import { errorMessage } from '../../shared/errors.js';
import type { ProblemCode } from '../../shared/http-problem.js';
import type { Logger } from '../../shared/logger.js';

export type ApiRole = 'viewer' | 'operator';

export interface Principal {
  /** The token's `name` in spec.api.tokens (logged for audit; the token itself never is). */
  readonly name: string;
  readonly role: ApiRole;
}

export type AuthProblemCode = Extract<ProblemCode, 'ApiDisabled' | 'Unauthenticated' | 'InvalidToken' | 'Forbidden'>;

export type AuthResult =
  | { readonly ok: true; readonly principal: Principal }
  | { readonly ok: false; readonly status: 401 | 403; readonly code: AuthProblemCode; readonly message: string; readonly challenge: string };

interface ResolvedToken {
  readonly name: string;
  readonly role: ApiRole;
  readonly digest: Buffer;
}

const REALM = 'identity-mesh';
/** Shorter tokens are accepted but logged: a guessable token is a weak lock on an operator API. */
const SHORT_TOKEN = 16;

const digest = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

const BEARER = /^Bearer[ \t]+([\x21-\x7e]+)[ \t]*$/i;

export class ApiTokens {
  #config: CompiledConfig | undefined;
  #tokens: readonly ResolvedToken[] = [];
  #configured = false;

  constructor(
    private readonly secrets: SecretResolver,
    private readonly log: Logger,
  ) {}

  /** Resolves the tokens of `config` when it is not the revision resolved last. */
  use(config: CompiledConfig | undefined): void {
    if (config === this.#config && config !== undefined) return;
    this.#config = config;
    const declared = config?.mesh.api?.tokens ?? [];
    this.#configured = config?.mesh.api !== undefined;
    const tokens: ResolvedToken[] = [];
    for (const token of declared) {
      try {
        const value = this.secrets.resolve(`{{secret:${token.token.secret}}}`);
        if (value.length < SHORT_TOKEN) {
          this.log.warn({ event: 'api-token-short', token: token.name }, `API token "${token.name}" is shorter than ${SHORT_TOKEN} characters; use a long random value`);
        }
        tokens.push({ name: token.name, role: token.role, digest: digest(value) });
      } catch (error) {
        // One unresolvable token must not lock out the others; it simply matches nothing.
        this.log.error({ event: 'api-token-unresolved', token: token.name, error: errorMessage(error) }, `API token "${token.name}" cannot be used`);
      }
    }
    this.#tokens = tokens;
  }

  /** Checks the Authorization header for a request that needs `need`. */
  authenticate(authorization: string | undefined, need: ApiRole): AuthResult {
    if (!this.#configured) {
      return deny(401, 'ApiDisabled', 'the operator API is off: the Mesh has no spec.api.tokens', `Bearer realm="${REALM}"`);
    }
    const match = authorization === undefined ? null : BEARER.exec(authorization);
    if (!match) {
      return deny(401, 'Unauthenticated', 'send "Authorization: Bearer <token>" with a token from spec.api.tokens', `Bearer realm="${REALM}"`);
    }
    const presented = digest(match[1]!);
    let found: ResolvedToken | undefined;
    for (const token of this.#tokens) {
      const equal = timingSafeEqual(presented, token.digest);
      if (equal && (found === undefined || (found.role === 'viewer' && token.role === 'operator'))) found = token;
    }
    if (!found) return deny(401, 'InvalidToken', 'the token is not one of spec.api.tokens', `Bearer realm="${REALM}", error="invalid_token"`);
    if (need === 'operator' && found.role !== 'operator') {
      return deny(403, 'Forbidden', `token "${found.name}" has the viewer role; this needs an operator token`, `Bearer realm="${REALM}", error="insufficient_scope"`);
    }
    return { ok: true, principal: { name: found.name, role: found.role } };
  }
}

function deny(status: 401 | 403, code: AuthProblemCode, message: string, challenge: string): AuthResult {
  return { ok: false, status, code, message, challenge };
}
