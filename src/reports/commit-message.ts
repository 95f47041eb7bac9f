/**
 * The reports commit message: a subject that names the config revision and what happened, and the
 * full revisions as trailers, e.g.
 *
 *   reports: 0123456789ab — 3 created, 1 updated, 2 drifted, 1 conflict, DeleteThresholdExceeded
 *
 *   Config-Revision: 0123456789abcdef0123456789abcdef01234567
 */
import { redact } from '../shared/logger.js';
import { isAbnormal, problemName } from './condition-polarity.js';
import { EXPORT_OUTCOMES, exportCounts } from './export-counts.js';
import type { ConflictsReport, DriftReport, StatusReport } from './types.js';
import { count, plural, shortRevision } from './value-format.js';

export interface CommitMessageExtras {
  readonly drift?: DriftReport;
  readonly conflicts?: ConflictsReport;
}

export function reportCommitMessage(status: StatusReport, extras: CommitMessageExtras = {}): string {
  const parts: string[] = [];
  const exported = exportCounts(status.lastCycle);
  for (const outcome of EXPORT_OUTCOMES) {
    if (exported[outcome] > 0) parts.push(outcome === 'failed' ? `${count(exported[outcome])} failed exports` : `${count(exported[outcome])} ${outcome}`);
  }
  if (extras.drift && extras.drift.drift.length > 0) parts.push(`${count(extras.drift.drift.length)} drifted`);
  if (extras.conflicts && extras.conflicts.conflicts.length > 0) parts.push(plural(extras.conflicts.conflicts.length, 'conflict'));
  const problems = new Set<string>();
  for (const c of status.conditions) if (isAbnormal(c)) problems.add(problemName(c));
  for (const connector of status.connectors) for (const c of connector.conditions) if (isAbnormal(c)) problems.add(problemName(c));
  parts.push(...problems);
  // Approvals decided by this run (used or expired) name the commit and get a trailer each: the audit trail.
  const decided = (status.approvals ?? []).filter((a) => a.state !== 'pending' && a.state !== 'superseded' && (a.jobId === null || a.jobId === status.lastCycle?.id));
  for (const a of decided) parts.push(`approval #${a.id} ${a.state}`);

  const revision = status.revision ?? 'unknown revision';
  const subject = `reports: ${shortRevision(status.revision)} — ${parts.length > 0 ? parts.join(', ') : 'no changes'}`;
  const trailers = [`Config-Revision: ${revision}`];
  if (status.lastAppliedRevision && status.lastAppliedRevision !== status.revision) trailers.push(`Last-Applied-Revision: ${status.lastAppliedRevision}`);
  trailers.push(`Mesh: ${status.mesh}`);
  for (const a of decided) {
    const through = a.letThrough.length > 0 ? `let through ${a.letThrough.length} (${a.letThrough.slice(0, 10).map((o) => `${o.op} ${o.object}`).join(', ')}${a.letThrough.length > 10 ? ', … in status.json' : ''})` : 'let nothing through';
    trailers.push(`Approval: #${a.id} ${a.connector} ${a.state} by ${a.approvedBy} at ${a.approvedAt}: ${through}; reason: ${a.reason}${a.note ? `; ${a.note}` : ''}`.replace(/\s+/g, ' '));
  }
  return redact(`${subject}\n\n${trailers.join('\n')}\n`);
}
