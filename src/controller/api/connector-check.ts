/**
 * "Test connection" (POST /api/v1/connectors/{name}/check): runs the connector's `check()` — reach,
 * credentials, counts per object type, latency; it writes nothing — and says which of reach and
 * credentials failed, from the connector's typed error code. Checks of one connector that overlap
 * share one run, so a button pressed twice does not open two sessions.
 */
import type { ConnectorModel } from '../../config/model.js';
import type { CheckResult } from '../../connectors/sdk.js';
import { errorMessage, ImeshError } from '../../shared/errors.js';
import { redact } from '../../shared/logger.js';
import type { ControllerPort } from './controller-port.js';

export type ReachResult = 'ok' | 'failed';
/** `notApplicable`: the type has no credentials (csv, embedded sql); `notTested`: it was not reached. */
export type CredentialsResult = 'ok' | 'failed' | 'notTested' | 'notApplicable';

export interface ConnectorCheck {
  readonly name: string;
  readonly type: string;
  readonly ok: boolean;
  readonly reach: ReachResult;
  readonly credentials: CredentialsResult;
  readonly latencyMs: number;
  readonly server?: string;
  readonly objectTypes: Readonly<Record<string, { readonly count: number }>>;
  readonly error?: { readonly code: string; readonly message: string };
  readonly warnings: readonly string[];
  readonly checkedAt: string;
}

/** Typed error codes (connectors' error tables) that mean the system was not reached at all. */
const UNREACHED = new Set([
  'Unreachable',
  'ConnectionFailed',
  'ConnectionLost',
  'Timeout',
  'TlsFailure',
  'TlsRequired',
  'InvalidUrl',
  'FileNotFound',
  'FileUnreadable',
  'CheckTimedOut',
]);
/** Codes that mean the system answered and refused the credentials (or their rights). */
const REFUSED = new Set([
  'AuthenticationFailed',
  'InvalidCredentials',
  'InappropriateAuthentication',
  'AuthMethodNotSupported',
  'Unauthorized',
  'Forbidden',
  'PermissionDenied',
  'AccessDenied',
  'SecretMissing',
  'SecretUnreadable',
]);

const CHECK_TIMEOUT_MS = 20_000;

function hasCredentials(model: ConnectorModel): boolean {
  if (model.type === 'csv') return false;
  if (model.type === 'sql') return (model.spec.connection as { driver?: string } | undefined)?.driver !== 'embedded';
  return true;
}

function classify(model: ConnectorModel, result: CheckResult): { reach: ReachResult; credentials: CredentialsResult } {
  const withCredentials = hasCredentials(model);
  if (result.ok) return { reach: 'ok', credentials: withCredentials ? 'ok' : 'notApplicable' };
  const code = result.error?.code ?? '';
  if (REFUSED.has(code)) {
    // A secret that cannot be resolved never left the process: nothing was reached.
    return { reach: code.startsWith('Secret') ? 'failed' : 'ok', credentials: code.startsWith('Secret') ? 'notTested' : 'failed' };
  }
  if (UNREACHED.has(code)) return { reach: 'failed', credentials: withCredentials ? 'notTested' : 'notApplicable' };
  // Reached and signed in, then something else failed (a missing table, a bad search base …).
  return { reach: 'ok', credentials: withCredentials ? 'ok' : 'notApplicable' };
}

async function runCheck(port: ControllerPort, model: ConnectorModel): Promise<ConnectorCheck> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let result: CheckResult;
  try {
    const connector = await port.openConnector(model);
    try {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<CheckResult>((resolvePromise) => {
        timer = setTimeout(
          () => resolvePromise({ ok: false, latencyMs: elapsed(), objectTypes: {}, error: { code: 'CheckTimedOut', message: `no answer within ${CHECK_TIMEOUT_MS / 1000} s` } }),
          CHECK_TIMEOUT_MS,
        );
      });
      try {
        result = await Promise.race([connector.check(), timeout]);
      } finally {
        clearTimeout(timer);
      }
    } finally {
      await connector.close().catch(() => undefined);
    }
  } catch (error) {
    result = { ok: false, latencyMs: elapsed(), objectTypes: {}, error: { code: error instanceof ImeshError ? error.code : 'CheckFailed', message: errorMessage(error) } };
  }
  return {
    name: model.name,
    type: model.type,
    ok: result.ok,
    ...classify(model, result),
    latencyMs: result.latencyMs,
    ...(result.server ? { server: result.server } : {}),
    objectTypes: result.objectTypes,
    ...(result.error ? { error: { code: result.error.code, message: redact(result.error.message) } } : {}),
    warnings: (result.warnings ?? []).map(redact),
    checkedAt: new Date().toISOString(),
  };
}

export function connectorChecker(port: ControllerPort): (model: ConnectorModel) => Promise<ConnectorCheck> {
  const running = new Map<string, Promise<ConnectorCheck>>();
  return (model) => {
    const current = running.get(model.name);
    if (current) return current;
    const check = runCheck(port, model).finally(() => running.delete(model.name));
    running.set(model.name, check);
    return check;
  };
}
