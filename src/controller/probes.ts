/**
 * `/healthz` and `/readyz`.
 *
 * - `/healthz`: the process is alive and its event loop answers (200). Kubernetes restarts the pod
 *   when it stops answering; nothing else fails it — a broken connector or config is reported, not a
 *   reason to restart.
 * - `/readyz`: "this replica can serve" — 200 on the leader and on a standby once the store
 *   is open (the controller is built on an open store) and a config revision has been read, valid or
 *   not; 503 before that and while shutting down. Failed runs and broken connectors never make it 503:
 *   they are reported per connector in status, and taking the only endpoint out of the Service would
 *   hide the dashboard, the API and the SCIM inbound endpoint exactly when something breaks. An invalid
 *   newest revision with no good one to run is reported (`configInvalid`), not a reason to leave the
 *   Service. The probe is unauthenticated, so its body is exactly `{ ready, reason, role,
 *   appliedRevision, configInvalid }`: no paths, no counts, nothing about the config's source.
 */
import { sendJson, sendText, type RouteHandler } from './http-server.js';

export interface ControllerStatus {
  readonly role: 'leader' | 'standby';
  readonly shuttingDown: boolean;
  readonly cycleRunning: boolean;
  /** A cycle succeeded since this replica became leader. */
  readonly succeededSinceLeader: boolean;
  /** Cycles finished (any result) since this replica became leader. */
  readonly cyclesSinceLeader: number;
  readonly lastCycle?: { readonly result: string; readonly finishedAt: string; readonly kind: string };
  readonly lastSuccessAt?: string;
  readonly appliedRevision: string | null;
  readonly attemptedRevision: string | null;
  readonly configInvalid: boolean;
  readonly configProblems: number;
  readonly source: string;
}

export interface Readiness {
  readonly ready: boolean;
  readonly reason: string;
}

export function readiness(status: ControllerStatus): Readiness {
  if (status.shuttingDown) return { ready: false, reason: 'shutting down' };
  const role = status.role === 'leader' ? 'leader' : 'standby (another replica holds the leader lock; sync requests wait for it)';
  if (status.appliedRevision === null && status.attemptedRevision === null && !status.configInvalid) {
    return { ready: false, reason: `${role}; no config revision read yet` };
  }
  if (status.appliedRevision === null) return { ready: true, reason: `${role}; the newest config revision is invalid and there is no valid one to run (ConfigInvalid)` };
  const last = status.lastCycle ? `; the last cycle ${status.lastCycle.result}` : '';
  return { ready: true, reason: `${role}; running revision ${status.appliedRevision}${status.configInvalid ? ', a newer one is invalid (ConfigInvalid)' : ''}${last}` };
}

export function healthHandler(): RouteHandler {
  return (_req, res) => sendText(res, 200, 'ok\n');
}

/** The unauthenticated `/readyz` body: these five fields and nothing else. */
export interface ReadyBody extends Readiness {
  readonly role: ControllerStatus['role'];
  readonly appliedRevision: string | null;
  readonly configInvalid: boolean;
}

export function readyBody(status: ControllerStatus): ReadyBody {
  const { ready, reason } = readiness(status);
  return { ready, reason, role: status.role, appliedRevision: status.appliedRevision, configInvalid: status.configInvalid };
}

export function readyHandler(status: () => ControllerStatus): RouteHandler {
  return (_req, res) => {
    const body = readyBody(status());
    sendJson(res, body.ready ? 200 : 503, body);
  };
}
