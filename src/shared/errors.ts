/**
 * Typed errors. Every error says what happened, to which object, and what to do; carries a stable
 * `code` callers can branch on, the underlying `cause`, and whether retrying can help.
 */
export interface ImeshErrorOptions {
  cause?: unknown;
  retryable?: boolean;
}

export class ImeshError extends Error {
  readonly code: string;
  readonly retryable: boolean;

  constructor(code: string, message: string, options: ImeshErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/** The codes of ConfigError: a new one is added here, so every compare of a code is checked. */
export type ConfigErrorCode =
  | 'ConfigInvalid'
  | 'ConfigLimitInvalid'
  | 'ConnectionStringInvalid'
  | 'ConnectorPackageInvalid'
  | 'ConnectorPackageNotAllowed'
  | 'ConnectorPackageNotInstalled'
  | 'ConnectorTypeUnavailable'
  | 'CsvOptionInvalid'
  | 'DestinationNotBound'
  | 'DestinationUnknown'
  | 'InsecureUrl'
  | 'InvalidUrl'
  | 'SecretMissing'
  | 'SecretRefInvalid'
  | 'SecretUnreadable'
  | 'SqlOptionInvalid'
  | 'TemplateSyntax'
  | 'UnknownConnector'
  | 'UnknownObjectType'
  | 'Usage';

/** The configuration is wrong; fixing the YAML is the only remedy. */
export class ConfigError extends ImeshError {
  declare readonly code: ConfigErrorCode;
  constructor(code: ConfigErrorCode, message: string, options: ImeshErrorOptions = {}) {
    super(code, message, options);
  }
}

/**
 * The codes of ConnectorError, from every connector's error table (LDAP result codes, SQL states and
 * error numbers, HTTP statuses, socket and TLS failures) and its own checks. Callers branch on them
 * (retry, reach vs credentials, idempotent replays), so a new one is added here.
 */
export type ConnectorErrorCode =
  | 'AccessDenied'
  | 'AdminLimitExceeded'
  | 'AffectsMultipleDsas'
  | 'AlreadyExists'
  | 'AuthMethodNotSupported'
  | 'AuthenticationFailed'
  | 'BadBaseDn'
  | 'BadRequest'
  | 'Busy'
  | 'Cancelled'
  | 'CheckFailed'
  | 'ColumnNotFound'
  | 'Conflict'
  | 'ConnectionFailed'
  | 'ConnectionLost'
  | 'ConnectionStringInvalid'
  | 'ConstraintViolation'
  | 'CsvInvalid'
  | 'DatabaseError'
  | 'DatabaseInUse'
  | 'DatabaseNotFound'
  | 'DuplicateExternalId'
  | 'DuplicateKeyInBatch'
  | 'FileNotFound'
  | 'FileOutsideRoots'
  | 'FileUnreadable'
  | 'Forbidden'
  | 'ForeignUrl'
  | 'Gone'
  | 'InappropriateAuthentication'
  | 'InappropriateMatching'
  | 'InboxUnavailable'
  | 'Internal'
  | 'InvalidAnchor'
  | 'InvalidAttribute'
  | 'InvalidCredentials'
  | 'InvalidDn'
  | 'InvalidExternalId'
  | 'InvalidSyntax'
  | 'InvalidUrl'
  | 'InvalidValue'
  | 'KeyMissing'
  | 'KeyNotUnique'
  | 'LdapError'
  | 'LdapOperationsError'
  | 'LoopDetected'
  | 'MalformedResponse'
  | 'MethodNotAllowed'
  | 'MissingAnchor'
  | 'MissingAttribute'
  | 'MissingDn'
  | 'NamingViolation'
  | 'NoSuchAttribute'
  | 'NoSuchObject'
  | 'NotActiveDirectory'
  | 'NotAllowedOnNonLeaf'
  | 'NotAllowedOnRdn'
  | 'NotFound'
  | 'NotSupported'
  | 'ObjectClassModsProhibited'
  | 'ObjectClassViolation'
  | 'ObjectNotFound'
  | 'ObjectTypeUnknown'
  | 'PaginationLoop'
  | 'PasswordRequiresTls'
  | 'PayloadTooLarge'
  | 'PermissionDenied'
  | 'PreconditionFailed'
  | 'QueryInvalid'
  | 'RateLimited'
  | 'ReadOnlyAttribute'
  | 'Referral'
  | 'ServerError'
  | 'SizeLimitExceeded'
  | 'SpecialFile'
  | 'TableNotFound'
  | 'TargetInsideConfig'
  | 'Timeout'
  | 'TlsFailed'
  | 'TlsFailure'
  | 'TlsRequired'
  | 'TransientFailure'
  | 'Unauthorized'
  | 'Unavailable'
  | 'UndefinedAttribute'
  | 'UnknownObjectType'
  | 'UnknownResourceType'
  | 'Unreachable'
  | 'UnwillingToPerform'
  | 'ValueExists'
  | 'WatermarkTypeMismatch'
  | 'WriteFailed'
  /** An HTTP status no rule names (http-errors.ts). */
  | `Http${number}`;

/** A connector could not do what was asked: unreachable, refused, or the data was bad. */
export class ConnectorError extends ImeshError {
  declare readonly code: ConnectorErrorCode;
  readonly connector: string;
  constructor(connector: string, code: ConnectorErrorCode, message: string, options: ImeshErrorOptions = {}) {
    super(code, `${connector}: ${message}`, options);
    this.connector = connector;
  }
}

/** The connector type cannot perform this operation (for example, export on a read-only type). */
export class NotSupportedError extends ConnectorError {
  constructor(connector: string, what: string) {
    super(connector, 'NotSupported', `${what} is not supported by this connector`);
  }
}

/** The codes of StoreError, the one family whose codes are all known here. */
export type StoreErrorCode = 'StoreConfig' | 'StoreLocked' | 'StoreMissing' | 'StoreOpenFailed' | 'StoreTooNew' | 'StoreUnreachable' | 'StoreUrlEmpty';

/** The store refused or failed. */
export class StoreError extends ImeshError {
  declare readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options: ImeshErrorOptions = {}) {
    super(code, message, options);
  }
}

/** A safety gate blocked an operation; exits 3. */
export class SafetyGateError extends ImeshError {}

/** Why an approval of held-back objects was refused: nothing is held back, or it would not cover all of it. */
export type ApprovalErrorCode = 'NothingPending' | 'AllowanceTooSmall' | 'AllowanceMissing';

export class ApprovalError extends ImeshError {
  declare readonly code: ApprovalErrorCode;
  constructor(code: ApprovalErrorCode, message: string, options: ImeshErrorOptions = {}) {
    super(code, message, options);
  }
}

/**
 * An error with ImeshError's shape: a string `code` and a boolean `retryable`. Matched by shape, not by
 * class, because a connector package may bring its own copy of the SDK, whose ImeshError is another
 * class; a plain Node error's `code` (ECONNRESET) does not match without `retryable`.
 */
function typedError(error: unknown): { code: string; retryable: boolean } | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, retryable } = error as { code?: unknown; retryable?: unknown };
  return typeof code === 'string' && typeof retryable === 'boolean' ? { code, retryable } : undefined;
}

/** The error's stable code, or `fallback` for an error that carries none. */
export function errorCode(error: unknown, fallback: string): string {
  return typedError(error)?.code ?? fallback;
}

/** Whether retrying can help, as the error says, or `fallback` for an error that does not say. */
export function errorRetryable(error: unknown, fallback: boolean): boolean {
  return typedError(error)?.retryable ?? fallback;
}

export function isRetryable(error: unknown): boolean {
  return errorRetryable(error, false);
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
