/**
 * PostgreSQL errors → ConnectorError, by SQLSTATE: the one place for the pg and PGlite dialects (PGlite
 * reports the same SQLSTATEs). Messages carry the database's own text, which never holds the connection
 * string; the connection string itself is never put into a message.
 */
import { ConnectorError } from '../../shared/errors.js';
import type { SqlErrorClass } from './sql-dialect.js';

const BY_SQLSTATE: Readonly<Record<string, SqlErrorClass>> = {
  '28P01': { code: 'AuthenticationFailed', retryable: false, hint: 'check the user and password in the connection string secret' },
  '28000': { code: 'AuthenticationFailed', retryable: false, hint: 'check the user and pg_hba.conf' },
  '3D000': { code: 'DatabaseNotFound', retryable: false, hint: 'check the database name in the connection string' },
  '42P01': { code: 'TableNotFound', retryable: false, hint: 'check spec.objectTypes.<type>.table' },
  '3F000': { code: 'TableNotFound', retryable: false, hint: 'check the schema in spec.objectTypes.<type>.table' },
  '42703': { code: 'ColumnNotFound', retryable: false, hint: 'check the column names in spec.objectTypes.<type>' },
  '42501': { code: 'PermissionDenied', retryable: false, hint: 'grant the connector user the privilege it needs' },
  '25006': { code: 'PermissionDenied', retryable: false, hint: 'the connection is read-only' },
  '42P10': { code: 'KeyNotUnique', retryable: false, hint: 'the externalIdColumn needs a primary key or unique constraint for upserts' },
  '42601': { code: 'QueryInvalid', retryable: false, hint: 'check spec.objectTypes.<type>.query' },
  '42883': { code: 'QueryInvalid', retryable: false },
  '42804': { code: 'InvalidValue', retryable: false },
  '23505': { code: 'ConstraintViolation', retryable: false },
  '23502': { code: 'ConstraintViolation', retryable: false },
  '23503': { code: 'ConstraintViolation', retryable: false },
  '23514': { code: 'ConstraintViolation', retryable: false },
  '21000': { code: 'DuplicateKeyInBatch', retryable: false },
  '40001': { code: 'TransientFailure', retryable: true },
  '40P01': { code: 'TransientFailure', retryable: true },
  '55P03': { code: 'TransientFailure', retryable: true },
  '57014': { code: 'Timeout', retryable: true, hint: 'raise connection.statementTimeoutSeconds or check the database load' },
  '53300': { code: 'ConnectionFailed', retryable: true },
  '57P01': { code: 'ConnectionFailed', retryable: true },
  '57P02': { code: 'ConnectionFailed', retryable: true },
  '57P03': { code: 'ConnectionFailed', retryable: true },
};

const BY_CLASS: Readonly<Record<string, SqlErrorClass>> = {
  '08': { code: 'ConnectionFailed', retryable: true },
  '22': { code: 'InvalidValue', retryable: false },
  '23': { code: 'ConstraintViolation', retryable: false },
  '28': { code: 'AuthenticationFailed', retryable: false },
  '42': { code: 'QueryInvalid', retryable: false },
  '53': { code: 'TransientFailure', retryable: true },
};

const NODE_NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

export function classifyPostgresError(error: unknown): SqlErrorClass {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    const known = BY_SQLSTATE[code] ?? (code.length === 5 ? BY_CLASS[code.slice(0, 2)] : undefined);
    if (known) return known;
    if (NODE_NETWORK.has(code)) return { code: 'ConnectionFailed', retryable: true, hint: 'check the host and port, and that the server is running' };
  }
  const message = error instanceof Error ? error.message : '';
  if (/timeout|terminated|Connection terminated|ECONNRESET/i.test(message)) return { code: 'ConnectionFailed', retryable: true };
  return { code: 'DatabaseError', retryable: false };
}

export function postgresConnectorError(connector: string, error: unknown, doing: string): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const kind = classifyPostgresError(error);
  const text = error instanceof Error ? error.message : String(error);
  const hint = kind.hint ? ` (${kind.hint})` : '';
  return new ConnectorError(connector, kind.code, `${doing}: ${text}${hint}`, { cause: error, retryable: kind.retryable });
}
