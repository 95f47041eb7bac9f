/**
 * SQL Server errors → ConnectorError: the one place for the mssql dialect. Server errors are matched by
 * their error number (sys.messages), driver errors (`mssql`/`tedious`) by their code. Messages carry the
 * server's own text, never the connection string.
 */
import { ConnectorError } from '../../shared/errors.js';
import type { SqlErrorClass } from './sql-dialect.js';

const BY_NUMBER: Readonly<Record<number, SqlErrorClass>> = {
  18456: { code: 'AuthenticationFailed', retryable: false, hint: 'check the user and password in the connection string secret' },
  18452: { code: 'AuthenticationFailed', retryable: false },
  4060: { code: 'DatabaseNotFound', retryable: false, hint: 'check the database name and that the login may open it' },
  208: { code: 'TableNotFound', retryable: false, hint: 'check spec.objectTypes.<type>.table' },
  207: { code: 'ColumnNotFound', retryable: false, hint: 'check the column names in spec.objectTypes.<type>' },
  229: { code: 'PermissionDenied', retryable: false, hint: 'grant the connector login the permission it needs' },
  230: { code: 'PermissionDenied', retryable: false },
  262: { code: 'PermissionDenied', retryable: false },
  300: { code: 'PermissionDenied', retryable: false },
  2627: { code: 'ConstraintViolation', retryable: false },
  2601: { code: 'ConstraintViolation', retryable: false },
  515: { code: 'ConstraintViolation', retryable: false },
  547: { code: 'ConstraintViolation', retryable: false },
  8672: { code: 'DuplicateKeyInBatch', retryable: false },
  2628: { code: 'InvalidValue', retryable: false },
  8152: { code: 'InvalidValue', retryable: false },
  245: { code: 'InvalidValue', retryable: false },
  241: { code: 'InvalidValue', retryable: false },
  242: { code: 'InvalidValue', retryable: false },
  8114: { code: 'InvalidValue', retryable: false },
  8115: { code: 'InvalidValue', retryable: false },
  102: { code: 'QueryInvalid', retryable: false, hint: 'check spec.objectTypes.<type>.query' },
  156: { code: 'QueryInvalid', retryable: false },
  1205: { code: 'TransientFailure', retryable: true },
  1222: { code: 'TransientFailure', retryable: true },
  40501: { code: 'TransientFailure', retryable: true },
  40613: { code: 'TransientFailure', retryable: true },
  49918: { code: 'TransientFailure', retryable: true },
  49919: { code: 'TransientFailure', retryable: true },
  49920: { code: 'TransientFailure', retryable: true },
};

const BY_DRIVER_CODE: Readonly<Record<string, SqlErrorClass>> = {
  ELOGIN: { code: 'AuthenticationFailed', retryable: false, hint: 'check the user and password in the connection string secret' },
  ETIMEOUT: { code: 'Timeout', retryable: true, hint: 'check the server address, or raise connection.connectTimeoutSeconds / statementTimeoutSeconds' },
  ESOCKET: { code: 'ConnectionFailed', retryable: true, hint: 'check the server address and port, and that the server is running' },
  ECONNCLOSED: { code: 'ConnectionFailed', retryable: true },
  ENOTOPEN: { code: 'ConnectionFailed', retryable: true },
  EINSTLOOKUP: { code: 'ConnectionFailed', retryable: true, hint: 'the named instance could not be found (SQL Browser, UDP 1434)' },
  ETLS: { code: 'TlsFailed', retryable: false, hint: 'check connection.encrypt / trustServerCertificate and the server certificate' },
  ECANCEL: { code: 'Cancelled', retryable: true },
  EREQUEST: { code: 'DatabaseError', retryable: false },
};

export function classifyMssqlError(error: unknown): SqlErrorClass {
  const record = (error ?? {}) as { number?: unknown; code?: unknown; originalError?: { code?: unknown; info?: { number?: unknown } } };
  const number = typeof record.number === 'number' ? record.number : record.originalError?.info?.number;
  if (typeof number === 'number' && BY_NUMBER[number]) return BY_NUMBER[number];
  for (const code of [record.code, record.originalError?.code]) {
    if (typeof code === 'string' && BY_DRIVER_CODE[code] && code !== 'EREQUEST') return BY_DRIVER_CODE[code];
  }
  return { code: 'DatabaseError', retryable: false };
}

export function mssqlConnectorError(connector: string, error: unknown, doing: string): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const kind = classifyMssqlError(error);
  const text = error instanceof Error ? error.message : String(error);
  const hint = kind.hint ? ` (${kind.hint})` : '';
  return new ConnectorError(connector, kind.code, `${doing}: ${text}${hint}`, { cause: error, retryable: kind.retryable });
}
