/**
 * `/healthz` and `/readyz`.
 *
 * - `/healthz`: the process is alive and its event loop answers (200). Kubernetes restarts the pod
 *   when it stops answering; nothing else fails it — a broken connector or config is reported, not a
 *   reason to restart.
 * - `/readyz`: 200 only when this replica is the leader and a cycle has succeeded since it became
 *   leader, or its first cycle is running; 503 otherwise. The JSON body says why, and whether the replica is the
 *   leader or on standby, so `kubectl get pods` shows exactly one ready controller. The body also
 *   carries the applied revision and `configInvalid`: an invalid newest revision does not take the
 *   leader out of the Service (its SCIM endpoint keeps serving on the last good revision) but is never
 *   hidden. The probe is unauthenticated, so its body is exactly `{ ready, reason, role,
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
  if (status.role !== 'leader') return { ready: false, reason: 'standby: another replica holds the leader lock' };
  if (status.succeededSinceLeader) return { ready: true, reason: 'leader; a cycle has succeeded' };
  // The first cycle (possibly a long initial sync) counts while it runs; after a failed one, only success does,
  // so readiness does not flap with every cycle that starts.
  if (status.cycleRunning && status.cyclesSinceLeader === 0) return { ready: true, reason: 'leader; the first cycle is running' };
  if (status.appliedRevision === null && status.configInvalid) return { ready: false, reason: 'leader; no valid config revision to run (ConfigInvalid)' };
  if (status.lastCycle) return { ready: false, reason: `leader; no cycle has succeeded yet (last: ${status.lastCycle.result})` };
  return { ready: false, reason: 'leader; waiting for the first cycle' };
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
