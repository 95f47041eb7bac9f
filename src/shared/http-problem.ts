/**
 * The one error type for a request the controller's HTTP surface refuses: a status, a stable code, a
 * message for the client, and the headers the answer needs (`Allow`, `WWW-Authenticate`,
 * `Connection: close`). Handlers throw it; the router hands it to the surface the path belongs to,
 * which only formats it — the operator API as `{ error, code }`, SCIM as an RFC 7644 §3.12 error, the
 * dashboard and probes as text. Not the connectors' HttpError, which is a response we received.
 */
import { ImeshError, type ImeshErrorOptions } from './errors.js';

export type ProblemCode =
  // the request itself
  | 'BadPath'
  | 'BadQuery'
  | 'BadBody'
  | 'BodyTooLarge'
  | 'NotFound'
  | 'MethodNotAllowed'
  // who asks
  | 'Unauthenticated'
  | 'InvalidToken'
  | 'ApiDisabled'
  | 'Forbidden'
  // the controller's state
  | 'NoConfig'
  | 'ConnectorSuspended'
  | 'Ambiguous'
  | 'Conflict'
  // approvals of held-back objects (ApprovalError's codes)
  | 'NothingPending'
  | 'AllowanceTooSmall'
  | 'AllowanceMissing'
  // SCIM's error types (RFC 7644 §3.12 `scimType`), as codes
  | 'InvalidFilter'
  | 'TooMany'
  | 'Uniqueness'
  | 'Mutability'
  | 'InvalidSyntax'
  | 'InvalidPath'
  | 'NoTarget'
  | 'InvalidValue'
  | 'InvalidVersion'
  | 'Sensitive'
  // ours
  | 'Internal';

export class HttpProblem extends ImeshError {
  declare readonly code: ProblemCode;

  constructor(
    readonly status: number,
    code: ProblemCode,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
    options: ImeshErrorOptions = {},
  ) {
    super(code, message, { ...options, retryable: options.retryable ?? status >= 500 });
  }

  static notFound(message: string): HttpProblem {
    return new HttpProblem(404, 'NotFound', message);
  }

  /** `allowed` as the router lists them; GET implies HEAD. */
  static methodNotAllowed(method: string, allowed: readonly string[]): HttpProblem {
    const allow = allowed.join(', ');
    return new HttpProblem(405, 'MethodNotAllowed', `${method} is not allowed here (allowed: ${allow})`, { allow });
  }

  static bodyTooLarge(limit: number): HttpProblem {
    // Whatever is left of the body is not worth reading: close the connection after answering.
    return new HttpProblem(413, 'BodyTooLarge', `request body over ${limit} bytes`, { connection: 'close' });
  }

  /** What a client sees of an unexpected failure: nothing of it (the log has the details). */
  static internal(cause: unknown): HttpProblem {
    return new HttpProblem(500, 'Internal', 'internal error (the controller log has the details)', {}, { cause });
  }
}
