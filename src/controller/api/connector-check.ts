/**
 * "Test connection" (POST /api/v1/connectors/{name}/check): runs the connector's `check()` — reach,
 * credentials, counts per object type, latency; it writes nothing — and says which of reach and
 * credentials failed, from the connector's typed error code. Checks of one connector that overlap
 * share one run, so a button pressed twice does not open two sessions.
 */
import type { ConnectorModel } from '../../config/model.js';
import { descriptorOf } from '../../connectors/registry.js';
import type { CheckResult } from '../../connectors/sdk.js';
import { errorCode, errorMessage, type ConfigErrorCode, type ConnectorErrorCode } from '../../shared/errors.js';
import { redact } from '../../shared/logger.js';
import type { ControllerPort } from './controller-port.js';

/** `notTested`: the check stopped before trying (a missing secret); `unknown`: the error does not say. */
export type ReachResult = 'ok' | 'failed' | 'notTested' | 'unknown';
/** `notApplicable`: the type has no credentials (csv, embedded sql); `notTested`: it was not reached. */
export type CredentialsResult = 'ok' | 'failed' | 'notTested' | 'notApplicable' | 'unknown';

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

/** A code a check can end with: a connector's, a config error's, or this module's own. */
type CheckCode = ConnectorErrorCode | ConfigErrorCode | 'CheckTimedOut' | 'CheckFailed';

/** Typed error codes (connectors' error tables) that mean the system was not reached at all. */
const UNREACHED: ReadonlySet<string> = new Set<CheckCode>([
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
const REFUSED: ReadonlySet<string> = new Set<CheckCode>([
  'AuthenticationFailed',
  'InvalidCredentials',
  'InappropriateAuthentication',
  'AuthMethodNotSupported',
  'Unauthorized',
  'Forbidden',
  'PermissionDenied',
  'AccessDenied',
]);
const MISSING_SECRET: ReadonlySet<string> = new Set<CheckCode>(['SecretMissing', 'SecretUnreadable', 'SecretRefInvalid']);
/** The type has nothing to connect to from here (scim-inbound: the IdP connects to us). */
const NOT_CHECKABLE: ReadonlySet<string> = new Set<CheckCode>(['ConnectorTypeUnavailable', 'NotSupported']);

const CHECK_TIMEOUT_MS = 20_000;

function classify(model: ConnectorModel, result: CheckResult): { reach: ReachResult; credentials: CredentialsResult } {
  const withCredentials = descriptorOf(model.type).hasCredentials(model.spec);
  const none = (otherwise: CredentialsResult): CredentialsResult => (withCredentials ? otherwise : 'notApplicable');
  if (result.ok) return { reach: 'ok', credentials: none('ok') };
  const code = result.error?.code ?? '';
  // A secret that cannot be resolved never left the process: the credential is the problem, nothing was tried.
  if (MISSING_SECRET.has(code)) return { reach: 'notTested', credentials: 'failed' };
  if (REFUSED.has(code)) return { reach: 'ok', credentials: 'failed' };
  if (UNREACHED.has(code)) return { reach: 'failed', credentials: none('notTested') };
  if (NOT_CHECKABLE.has(code)) return { reach: 'notTested', credentials: none('notTested') };
  // Something else failed. If the system answered (a server version, some counts), it was reached and
  // accepted the credentials before failing (a missing table, a bad search base …).
  const answered = result.server !== undefined || Object.keys(result.objectTypes).length > 0;
  return answered ? { reach: 'ok', credentials: none('ok') } : { reach: 'unknown', credentials: none('unknown') };
}

/** Opens the connector, runs check() within CHECK_TIMEOUT_MS, closes it; failures become a failed result. */
async function check(port: ControllerPort, model: ConnectorModel): Promise<CheckResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const inbox = descriptorOf(model.type).inbox;
  if (inbox) {
    const message = `${model.name}: a ${model.type} connector is pushed to by the identity provider at ${inbox.endpoint(model.name)}; test the connection from the provider's provisioning settings`;
    return { ok: false, latencyMs: 0, objectTypes: {}, error: { code: 'NotSupported', message } };
  }
  try {
    const connector = await port.openConnector(model);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<CheckResult>((resolvePromise) => {
      timer = setTimeout(
        () => resolvePromise({ ok: false, latencyMs: elapsed(), objectTypes: {}, error: { code: 'CheckTimedOut', message: `no answer within ${CHECK_TIMEOUT_MS / 1000} s` } }),
        CHECK_TIMEOUT_MS,
      );
    });
    try {
      return await Promise.race([connector.check(), timeout]);
    } finally {
      clearTimeout(timer);
      await connector.close().catch(() => undefined);
    }
  } catch (error) {
    return { ok: false, latencyMs: elapsed(), objectTypes: {}, error: { code: errorCode(error, 'CheckFailed'), message: errorMessage(error) } };
  }
}

async function runCheck(port: ControllerPort, model: ConnectorModel): Promise<ConnectorCheck> {
  const result = await check(port, model);
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
