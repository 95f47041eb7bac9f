/**
 * The one place where LDAP result codes (RFC 4511 §4.1.9, as ldapts raises them) and socket/TLS
 * failures become typed ConnectorErrors. Messages say what happened, to what, and what to do; they never
 * contain the bind password (ldapts errors do not carry request values).
 */
import { ResultCodeError } from 'ldapts';
import { ConnectorError, type ConnectorErrorCode } from '../../shared/errors.js';

interface ResultCodeEntry {
  readonly code: ConnectorErrorCode;
  readonly retryable: boolean;
  readonly what: string;
  readonly hint?: string;
}

const RESULT_CODES: Readonly<Record<number, ResultCodeEntry>> = {
  1: { code: 'LdapOperationsError', retryable: true, what: 'the server reported an operations error' },
  3: { code: 'Timeout', retryable: true, what: 'the server time limit was exceeded' },
  4: { code: 'SizeLimitExceeded', retryable: false, what: 'the server size limit was exceeded', hint: 'the server must allow paged results; check its size limits' },
  7: { code: 'AuthMethodNotSupported', retryable: false, what: 'the server does not support simple bind here' },
  8: { code: 'TlsRequired', retryable: false, what: 'the server requires a protected connection', hint: 'use ldaps:// or spec.connection.tls.startTls: true' },
  10: { code: 'Referral', retryable: false, what: 'the server answered with a referral (referrals are not followed)', hint: 'point spec.connection.url at a server holding the naming context' },
  11: { code: 'AdminLimitExceeded', retryable: false, what: 'an administrative limit was exceeded' },
  12: { code: 'NotSupported', retryable: false, what: 'the server does not support a critical control of this request' },
  13: { code: 'TlsRequired', retryable: false, what: 'the server requires confidentiality (TLS)', hint: 'use ldaps:// or spec.connection.tls.startTls: true' },
  16: { code: 'NoSuchAttribute', retryable: false, what: 'the attribute or value does not exist' },
  17: { code: 'UndefinedAttribute', retryable: false, what: 'the server does not know an attribute', hint: 'check attribute names against the directory schema' },
  18: { code: 'InappropriateMatching', retryable: false, what: 'a filter uses a matching rule the attribute does not support', hint: 'check spec.objectTypes.*.filter' },
  19: { code: 'ConstraintViolation', retryable: false, what: 'a constraint was violated (for AD: password policy, unique values, value length)' },
  20: { code: 'ValueExists', retryable: false, what: 'the value already exists' },
  21: { code: 'InvalidSyntax', retryable: false, what: 'a value has the wrong syntax for its attribute' },
  32: { code: 'NoSuchObject', retryable: false, what: 'the object does not exist' },
  34: { code: 'InvalidDn', retryable: false, what: 'the DN is malformed' },
  48: { code: 'InappropriateAuthentication', retryable: false, what: 'the bind was refused (anonymous or inappropriate authentication)', hint: 'set spec.connection.bindDn and bindPassword' },
  49: { code: 'InvalidCredentials', retryable: false, what: 'invalid credentials', hint: 'check spec.connection.bindDn and the bindPassword secret' },
  50: { code: 'AccessDenied', retryable: false, what: 'insufficient access rights', hint: 'grant the bind account the rights it needs' },
  51: { code: 'Busy', retryable: true, what: 'the server is busy' },
  52: { code: 'Unavailable', retryable: true, what: 'the server is unavailable' },
  53: { code: 'UnwillingToPerform', retryable: false, what: 'the server is unwilling to perform the operation (for AD: password policy, or a password over an unprotected connection)' },
  54: { code: 'LoopDetected', retryable: false, what: 'the server detected a loop' },
  64: { code: 'NamingViolation', retryable: false, what: 'naming violation (the RDN attribute is not allowed here)' },
  65: { code: 'ObjectClassViolation', retryable: false, what: 'object class violation (a required attribute is missing or one is not allowed)', hint: 'check objectClasses and the projected attributes' },
  66: { code: 'NotAllowedOnNonLeaf', retryable: false, what: 'the object has children' },
  67: { code: 'NotAllowedOnRdn', retryable: false, what: 'the RDN attribute cannot be changed this way' },
  68: { code: 'AlreadyExists', retryable: false, what: 'an object with this DN already exists' },
  69: { code: 'ObjectClassModsProhibited', retryable: false, what: 'object classes cannot be changed' },
  71: { code: 'AffectsMultipleDsas', retryable: false, what: 'the operation would span naming contexts' },
  80: { code: 'LdapError', retryable: false, what: 'the server reported an error' },
};

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EHOSTDOWN']);
const CONNECTION_LOST = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

function isTlsFailure(error: Error & { code?: unknown }): boolean {
  const code = typeof error.code === 'string' ? error.code : '';
  return (
    /CERT|SELF_SIGNED|UNABLE_TO_|ERR_TLS|ERR_SSL|HOSTNAME|ALTNAME/.test(code) ||
    code === 'EPROTO' ||
    /certificate|ssl|tls|wrong version number|handshake/i.test(error.message)
  );
}

/**
 * Maps any failure of an LDAP operation to a ConnectorError. `action` names the operation and its
 * object, e.g. `bind as CN=svc,…` or `add CN=Ann,OU=Sales,…`.
 */
export function ldapError(connector: string, action: string, error: unknown, server?: string): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const where = server ? ` (${server})` : '';
  if (error instanceof ResultCodeError) {
    const entry = RESULT_CODES[error.code] ?? { code: 'LdapError', retryable: false, what: `result code ${error.code}` };
    const detail = error.message && !entry.what.includes(error.message) ? `: ${error.message.trim()}` : '';
    const hint = entry.hint ? ` (${entry.hint})` : '';
    return new ConnectorError(connector, entry.code, `${action}${where}: ${entry.what}${detail}${hint}`, { cause: error, retryable: entry.retryable });
  }
  if (error instanceof Error) {
    const code = (error as Error & { code?: unknown }).code;
    if (typeof code === 'string' && UNREACHABLE.has(code)) {
      return new ConnectorError(connector, 'Unreachable', `${action}${where}: cannot reach the server (${code}); check spec.connection.url and the network`, { cause: error, retryable: true });
    }
    if (error.message === 'Connection timeout') {
      return new ConnectorError(connector, 'Unreachable', `${action}${where}: connecting timed out; check spec.connection.url and the network`, { cause: error, retryable: true });
    }
    if (isTlsFailure(error)) {
      return new ConnectorError(
        connector,
        'TlsFailure',
        `${action}${where}: TLS failed: ${error.message}${typeof code === 'string' ? ` (${code})` : ''}; check spec.connection.tls.caFile and servername (the name in the server certificate)`,
        { cause: error, retryable: false },
      );
    }
    if ((typeof code === 'string' && CONNECTION_LOST.has(code)) || /Connection closed|Socket error|timed out|not established/i.test(error.message)) {
      return new ConnectorError(connector, 'ConnectionLost', `${action}${where}: the connection failed: ${error.message}`, { cause: error, retryable: true });
    }
    return new ConnectorError(connector, 'LdapError', `${action}${where}: ${error.message}`, { cause: error, retryable: false });
  }
  return new ConnectorError(connector, 'LdapError', `${action}${where}: ${String(error)}`, { cause: error });
}
