/**
 * `imesh status --server URL`: the controller's status, connectors and recent jobs from the operator
 * API, shaped as the status.json report so the same renderer (and the same JSON consumers) serve both.
 */
import type { Job, JobPage } from '../../controller/api/jobs.js';
import type { ConnectorView, StatusView } from '../../controller/api/status-views.js';
import type { CycleSummary, StatusReport } from '../../reports/types.js';
import type { OperatorClient } from './operator-client.js';

const RECENT_JOBS = 10;

export interface RemoteStatus {
  readonly report: StatusReport;
  readonly role: StatusView['role'];
  readonly queuedJob: Job | null;
}

function cycleOf(job: Job): CycleSummary | undefined {
  if (job.status === 'queued' || job.startedAt === null) return undefined;
  return { id: job.id, kind: job.kind, mode: 'reconcile', result: job.status, startedAt: job.startedAt, finishedAt: job.finishedAt, revision: job.revision, counts: job.counts };
}

export async function remoteStatus(api: OperatorClient): Promise<RemoteStatus> {
  const [status, connectors, jobs] = await Promise.all([
    api.get<StatusView>('/status'),
    api.get<{ items: ConnectorView[] }>('/connectors'),
    api.get<JobPage>(`/jobs?pageSize=${RECENT_JOBS}`),
  ]);
  const cycles = jobs.items.map(cycleOf).filter((c): c is CycleSummary => c !== undefined);
  const report: StatusReport = {
    generatedAt: new Date().toISOString(),
    mesh: status.mesh ?? '',
    revision: status.lastAppliedRevision,
    lastAppliedRevision: status.lastAppliedRevision,
    lastAttemptedRevision: status.lastAttemptedRevision,
    conditions: status.conditions,
    connectors: connectors.items.map((c) => ({
      name: c.name,
      type: c.type,
      health: c.health,
      conditions: c.conditions,
      objectTypes: c.objectTypes,
      ...(c.unmanaged !== undefined ? { unmanaged: c.unmanaged } : {}),
      ...(c.lastError !== undefined ? { lastError: c.lastError } : {}),
    })),
    lastCycle: cycles[0] ?? null,
    cycles,
    pendingExports: status.pendingExports,
    meshObjects: status.meshObjects,
  };
  return { report, role: status.role, queuedJob: status.queuedJob };
}
