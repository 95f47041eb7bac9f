/**
 * Status and connectors as the API shows them: counts, watermarks and last import/export read fresh
 * from the store (statusReport without a cycle outcome), health and conditions from the status the
 * last cycle wrote (`last_status`), and ConfigInvalid live from the controller.
 */
import { getMeta } from '../../engine/applied-config.js';
import { pendingApprovals } from '../../engine/approvals.js';
import { countHolds } from '../../engine/gate-holds.js';
import { statusReport } from '../../engine/report-data.js';
import type { Condition, ConnectorStatus, ObjectTypeStatus, StatusReport } from '../../reports/types.js';
import { redact } from '../../shared/logger.js';
import type { ControllerPort } from './controller-port.js';
import { lastFinishedJob, queuedJobs, type Job, type JobCounts } from './jobs.js';

export interface LastRun {
  readonly jobId: number;
  readonly status: Job['status'];
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly counts: JobCounts;
}

export interface ConnectorView {
  readonly name: string;
  readonly type: string;
  readonly health: ConnectorStatus['health'];
  readonly healthReason?: string;
  readonly healthMessage?: string;
  readonly healthLastTransitionTime?: string;
  readonly suspended: boolean;
  /** Newest import / export over the connector's object types. */
  readonly lastImport: string | null;
  readonly lastExport: string | null;
  readonly objectTypes: Readonly<Record<string, ObjectTypeStatus>>;
  readonly conditions: readonly Condition[];
  readonly unmanaged?: number;
  readonly lastError?: string;
  /** Exports to it given up after `exportRetry.maxAttempts` cycles (status.json's `givenUpExports`). */
  readonly givenUpExports?: ConnectorStatus['givenUpExports'];
  /** This connector's counts in the newest finished cycle. */
  readonly lastRun: LastRun | null;
}

export interface ConnectorDetailView extends ConnectorView {
  /** Flow rules that read this connector, and projections that write to it. */
  readonly flowRules: readonly string[];
  readonly projections: readonly string[];
}

export interface GateView {
  readonly connector: string;
  readonly type: string;
  readonly reason: string;
  readonly message: string;
  readonly since: string | null;
  /** Objects the connector's gates hold back now (GET /connectors/{name}/approvals lists them). */
  readonly heldBack: number;
  /** The id of the connector's approval waiting for the next run, if any. */
  readonly pendingApproval: number | null;
}

export interface StatusView {
  readonly mesh: string | null;
  readonly role: 'leader' | 'standby';
  readonly lastAppliedRevision: string | null;
  readonly lastAttemptedRevision: string | null;
  readonly configInvalid: boolean;
  readonly configProblems: readonly { file: string; line: number; column: number; message: string; key?: string }[];
  readonly conditions: readonly Condition[];
  readonly gates: readonly GateView[];
  readonly meshTypes: readonly string[];
  readonly meshObjects: Readonly<Record<string, number>>;
  readonly pendingExports: number;
  /** When the last cycle wrote the health and conditions shown. */
  readonly statusAt: string | null;
  readonly queuedJob: Job | null;
  readonly lastJob: Job | null;
}

const GATE_CONDITIONS = new Set(['DeleteThresholdExceeded', 'ImportGuardTripped', 'AttributeClearThresholdExceeded', 'PolicyLimitExceeded']);

const newest = (values: readonly (string | null)[]): string | null =>
  values.reduce<string | null>((best, v) => (v !== null && (best === null || v > best) ? v : best), null);

interface Snapshot {
  readonly fresh: StatusReport | undefined;
  readonly last: StatusReport | undefined;
}

async function snapshot(port: ControllerPort): Promise<Snapshot> {
  const config = port.config();
  const last = await getMeta<StatusReport>(port.store, 'last_status');
  if (!config) return { fresh: undefined, last };
  const { applied, attempted } = port.revisions();
  const fresh = await statusReport(port.store, {
    config,
    revision: applied,
    lastAppliedRevision: applied,
    lastAttemptedRevision: attempted,
    now: new Date().toISOString(),
  });
  return { fresh, last };
}

function connectorView(port: ControllerPort, fresh: ConnectorStatus, last: StatusReport | undefined, lastJob: Job | undefined): ConnectorView {
  const previous = last?.connectors.find((c) => c.name === fresh.name);
  const model = port.config()?.connectors.get(fresh.name);
  const types = Object.values(fresh.objectTypes);
  const counts = lastJob?.counts[fresh.name];
  return {
    name: fresh.name,
    type: fresh.type,
    health: previous?.health ?? 'Unknown',
    ...(previous?.healthReason !== undefined ? { healthReason: previous.healthReason } : {}),
    ...(previous?.healthMessage !== undefined ? { healthMessage: redact(previous.healthMessage) } : {}),
    ...(previous?.healthLastTransitionTime !== undefined ? { healthLastTransitionTime: previous.healthLastTransitionTime } : {}),
    suspended: (port.config()?.mesh.suspend ?? false) || (model?.suspend ?? false),
    lastImport: newest(types.map((t) => t.lastImport)),
    lastExport: newest(types.map((t) => t.lastExport)),
    objectTypes: fresh.objectTypes,
    conditions: (previous?.conditions ?? []).map((c) => ({ ...c, message: redact(c.message) })),
    ...(fresh.unmanaged !== undefined ? { unmanaged: fresh.unmanaged } : {}),
    ...(previous?.lastError ? { lastError: redact(previous.lastError) } : {}),
    ...(fresh.givenUpExports ? { givenUpExports: fresh.givenUpExports.map((e) => ({ ...e, message: redact(e.message) })) } : {}),
    lastRun: lastJob && counts ? { jobId: lastJob.id, status: lastJob.status, startedAt: lastJob.startedAt, finishedAt: lastJob.finishedAt, counts } : null,
  };
}

export async function listConnectors(port: ControllerPort): Promise<ConnectorView[]> {
  const { fresh, last } = await snapshot(port);
  if (!fresh) return [];
  const lastJob = await lastFinishedJob(port.store);
  return fresh.connectors.map((c) => connectorView(port, c, last, lastJob));
}

export async function getConnector(port: ControllerPort, name: string): Promise<ConnectorDetailView | undefined> {
  const config = port.config();
  if (!config?.connectors.has(name)) return undefined;
  const { fresh, last } = await snapshot(port);
  const status = fresh?.connectors.find((c) => c.name === name);
  if (!status) return undefined;
  const lastJob = await lastFinishedJob(port.store);
  return {
    ...connectorView(port, status, last, lastJob),
    flowRules: config.flowRules.filter((r) => r.source.connector === name).map((r) => r.name),
    projections: config.projections.filter((p) => p.target.connector === name).map((p) => p.name),
  };
}

function configInvalidCondition(port: ControllerPort, now: string): Condition {
  const problems = port.configProblems();
  const { attempted, applied } = port.revisions();
  if (problems.length === 0) return { type: 'ConfigInvalid', status: 'False', reason: 'Valid', message: '', lastTransitionTime: now };
  return {
    type: 'ConfigInvalid',
    status: 'True',
    reason: 'ValidationFailed',
    message: `revision ${attempted ?? '(unknown)'} is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}); ${applied ? `still running ${applied}` : 'no valid revision to run'}`,
    lastTransitionTime: now,
  };
}

export async function currentStatus(port: ControllerPort): Promise<StatusView> {
  const now = new Date().toISOString();
  const { fresh, last } = await snapshot(port);
  const config = port.config();
  const { applied, attempted } = port.revisions();
  const gates: GateView[] = [];
  const held = await countHolds(port.store);
  const approvals = await pendingApprovals(port.store);
  for (const connector of last?.connectors ?? []) {
    if (config && !config.connectors.has(connector.name)) continue;
    for (const c of connector.conditions) {
      if (GATE_CONDITIONS.has(c.type) && c.status === 'True') {
        gates.push({
          connector: connector.name,
          type: c.type,
          reason: c.reason,
          message: redact(c.message),
          since: c.lastTransitionTime ?? null,
          heldBack: held.get(connector.name) ?? 0,
          pendingApproval: approvals.find((a) => a.connector === connector.name)?.id ?? null,
        });
      }
    }
  }
  const conditions = [
    ...(last?.conditions ?? []).filter((c) => c.type !== 'ConfigInvalid').map((c) => ({ ...c, message: redact(c.message) })),
    configInvalidCondition(port, now),
  ];
  const lastJob = await lastFinishedJob(port.store);
  const [queued] = await queuedJobs(port.store);
  return {
    mesh: config?.mesh.name ?? null,
    role: port.role(),
    lastAppliedRevision: applied,
    lastAttemptedRevision: attempted,
    configInvalid: port.configProblems().length > 0,
    configProblems: port.configProblems().map((p) => ({ file: p.file, line: p.line, column: p.column, message: redact(p.message), ...(p.key !== undefined ? { key: p.key } : {}) })),
    conditions,
    gates,
    meshTypes: config ? [...config.mesh.objectTypes.keys()] : [],
    meshObjects: fresh?.meshObjects ?? {},
    pendingExports: fresh?.pendingExports ?? 0,
    statusAt: last?.generatedAt ?? null,
    queuedJob: queued ?? null,
    lastJob: lastJob ?? null,
  };
}
