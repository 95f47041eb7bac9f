/**
 * Builds report data (status, drift, conflicts, plan) from the store and a cycle's outcome.
 */
import type { CompiledConfig, DriftCheckModel } from '../config/model.js';
import type { Condition, ConflictEntry, PolicyViolation, ConflictsReport, ConnectorStatus, DriftReport, GateTrip, GivenUpExportStatus, PlanChange, PlanProjection, PlanReport, StatusReport } from '../reports/types.js';
import type { ExportOp } from '../connectors/sdk.js';
import type { Queryable } from '../store/db.js';
import { isoTimestamp, isoTimestampOrNull } from '../store/timestamps.js';
import type { CycleResult } from './cycle.js';
import { pendingApprovals } from './approvals.js';
import { gateApproval } from '../reports/gate-kinds.js';
import { loadConflicts } from './tables/conflicts.js';
import { spaceSummary, type SpaceSummary } from './tables/connector-space-objects.js';
import { recentCycles } from './tables/cycles.js';
import { loadDrift } from './tables/drift.js';
import { liveCounts } from './tables/mesh-objects.js';
import { lastExports } from './tables/target-links.js';
import { loadWatermarks } from './tables/watermarks.js';
import { loadWholeReads } from './tables/whole-reads.js';
import { failedExportCounts, loadGivenUpExports, type ExportErrorCounts } from './export-attempts.js';


const conflictKey = (c: ConflictEntry): string => `${c.kind}\u0000${c.meshType}\u0000${c.object}\u0000${c.attribute ?? ''}`;

/**
 * The plan's report. `conflicts` are those the store would hold after the plan; `before`, those it
 * holds now: each conflict is marked `new` or `existing`, and those that would go are counted.
 */
export function planReport(revision: string | null, outcome: CycleResult, conflicts: readonly ConflictEntry[], before: readonly ConflictEntry[] = conflicts, approved?: CycleResult): PlanReport {
  const existing = new Set(before.map(conflictKey));
  const after = new Set(conflicts.map(conflictKey));
  const exportGated = new Set(outcome.gates.filter((g) => g.gate !== 'importGuard').map((g) => g.connector));
  const projections = planProjections(outcome).map((p) => (exportGated.has(p.connector) && p.changes.length > 0 ? { ...p, heldBack: true } : p));
  return {
    revision,
    projections,
    conflicts: conflicts.map((c) => ({ ...c, status: existing.has(conflictKey(c)) ? 'existing' : 'new' })),
    gates: outcome.gates,
    failures: outcome.failures.map((f) => ({ connector: f.connector, stage: f.stage, message: f.message })),
    resolvedConflicts: before.filter((c) => !after.has(conflictKey(c))).length,
    skipped: outcome.skipped,
    ...(outcome.policyViolations.length > 0 ? { policyViolations: outcome.policyViolations } : {}),
    ...(approved ? { heldBack: heldBackChanges(projections, planProjections(approved)) } : {}),
  };
}

/** The changes of `approved` (a plan with the guarded imports let through) that `planned` lacks. */
function heldBackChanges(planned: readonly PlanProjection[], approved: readonly PlanProjection[]): PlanProjection[] {
  const key = (projection: string, c: PlanChange) => `${projection}\u0000${c.op}\u0000${c.object}\u0000${JSON.stringify(c.attributes ?? {})}\u0000${c.newDn ?? ''}`;
  const known = new Set(planned.flatMap((p) => p.changes.map((c) => key(p.name, c))));
  return approved
    .map((p) => {
      const changes = p.changes.filter((c) => !known.has(key(p.name, c)));
      const count = (op: PlanChange['op']) => changes.filter((c) => c.op === op).length;
      return { ...p, creates: count('create'), updates: count('update'), moves: count('move'), enables: count('enable'), disables: count('disable'), deletes: count('delete'), changes, heldBack: true };
    })
    .filter((p) => p.changes.length > 0);
}

function planProjections(outcome: CycleResult): PlanProjection[] {
  return outcome.plans.map((plan) => {
    const count = (op: ExportOp) => plan.changes.count(op);
    return {
      name: plan.projection.name,
      connector: plan.projection.target.connector,
      objectType: plan.projection.target.objectType,
      creates: count('create'),
      updates: count('update'),
      moves: count('move'),
      enables: count('enable'),
      disables: count('disable'),
      deletes: count('delete'),
      changes: plan.changes.list().map(({ change, object }): PlanChange => {
        switch (change.op) {
          case 'create':
            return { op: 'create', object, ...(change.dn ? { dn: change.dn } : {}), attributes: Object.fromEntries(Object.entries(change.attributes).map(([k, v]) => [k, { from: null, to: v }])) };
          case 'update':
            return { op: 'update', object, ...(change.dn ? { dn: change.dn } : {}), attributes: Object.fromEntries(Object.entries(change.attributes).map(([k, v]) => [k, { from: v.from ?? null, to: v.to ?? null }])) };
          case 'move':
            return { op: 'move', object, dn: change.dn, newDn: change.newDn };
          default:
            return { op: change.op, object, ...(change.dn ? { dn: change.dn } : {}) };
        }
      }),
    };
  });
}

export async function conflictEntries(q: Queryable): Promise<ConflictEntry[]> {
  return (await loadConflicts(q)).map((row) => {
    const details = row.details as { values?: ConflictEntry['values']; winner?: ConflictEntry['winner']; reason?: string; object?: string };
    return {
      kind: row.kind,
      meshType: row.meshType,
      object: details.object ?? row.subject,
      ...(row.attribute ? { attribute: row.attribute } : {}),
      ...(details.values ? { values: details.values } : {}),
      ...(details.winner ? { winner: details.winner } : {}),
      reason: details.reason ?? row.kind,
      firstSeen: isoTimestampOrNull(row.firstSeen) ?? undefined,
    };
  });
}

export async function conflictsReport(q: Queryable, revision: string | null, now: string): Promise<ConflictsReport> {
  return { generatedAt: now, revision, conflicts: await conflictEntries(q) };
}

export async function driftReport(q: Queryable, revision: string | null, now: string): Promise<DriftReport> {
  const rows = await loadDrift(q);
  return {
    generatedAt: now,
    revision,
    drift: rows.map((r) => ({ projection: r.projection, connector: r.connector, object: r.object, attribute: r.attribute, desired: r.desired, actual: r.actual, action: r.action, detectedAt: isoTimestampOrNull(r.detected_at) ?? undefined })),
  };
}

export interface StatusInputs {
  readonly config: CompiledConfig;
  readonly revision: string | null;
  readonly lastAppliedRevision: string | null;
  readonly lastAttemptedRevision: string | null;
  /** Conditions from outside the cycle (ConfigInvalid from the controller). */
  readonly extraConditions?: readonly Condition[];
  readonly outcome?: CycleResult;
  /**
   * The status the previous run wrote: a connector's health keeps its `healthLastTransitionTime` while
   * it stays the same, and a connector a scoped run did not involve keeps what it had.
   */
  readonly previous?: StatusReport;
  readonly now: string;
}

/** The status condition a gate's trip sets. */
function gateCondition(gate: GateTrip['gate']): 'DeleteThresholdExceeded' | 'ImportGuardTripped' | 'AttributeClearThresholdExceeded' | 'PolicyLimitExceeded' {
  const approval = gateApproval(gate);
  return gate === 'importGuard' ? 'ImportGuardTripped' : approval === 'clears' ? 'AttributeClearThresholdExceeded' : approval === 'limits' ? 'PolicyLimitExceeded' : 'DeleteThresholdExceeded';
}

function gateConditions(gates: readonly GateTrip[], now: string): Condition[] {
  const of = (type: ReturnType<typeof gateCondition>) => gates.filter((g) => gateCondition(g.gate) === type);
  const deletes = of('DeleteThresholdExceeded');
  const guards = of('ImportGuardTripped');
  const clears = of('AttributeClearThresholdExceeded');
  return [
    { type: 'DeleteThresholdExceeded', status: deletes.length > 0 ? 'True' : 'False', reason: deletes.length > 0 ? 'ExportsBlocked' : 'WithinThresholds', message: deletes.map((g) => g.message ?? g.connector).join('; '), lastTransitionTime: now },
    { type: 'ImportGuardTripped', status: guards.length > 0 ? 'True' : 'False', reason: guards.length > 0 ? 'ImportBlocked' : 'WithinThresholds', message: guards.map((g) => g.message ?? g.connector).join('; '), lastTransitionTime: now },
    { type: 'AttributeClearThresholdExceeded', status: clears.length > 0 ? 'True' : 'False', reason: clears.length > 0 ? 'ExportsBlocked' : 'WithinThresholds', message: clears.map((g) => g.message ?? g.connector).join('; '), lastTransitionTime: now },
  ];
}

/** `PolicyViolated`: True when the run held objects back or blocked a connector for a Policy; existing violations are named, never make it True. */
function policyCondition(violations: readonly PolicyViolation[], now: string): Condition {
  const fresh = violations.filter((v) => v.status === 'new');
  const existing = violations.filter((v) => v.status === 'existing');
  const note = existing.length > 0 ? `${existing.reduce((n, v) => n + v.count, 0)} existing violation(s) reported (not blocking): ${existing.map((v) => `${v.policy}: ${v.rule}`).join('; ')}` : '';
  return {
    type: 'PolicyViolated',
    status: fresh.length > 0 ? 'True' : 'False',
    reason: fresh.length > 0 ? 'ObjectsHeldBack' : 'NoNewViolations',
    message: [...fresh.map((v) => `policy ${v.policy}: ${v.message}`), ...(note ? [note] : [])].join('; '),
    lastTransitionTime: now,
  };
}

/** A connector's health after a run that involved it: Failed (it could not be read or written), Degraded (a gate or failed objects), else Healthy. */
function connectorHealth(
  failures: readonly { stage: string; message: string }[],
  trips: readonly GateTrip[],
  exportErrors: string | undefined,
): { health: 'Healthy' | 'Degraded' | 'Failed'; reason: string; message: string } {
  const first = failures[0];
  if (first) return { health: 'Failed', reason: first.stage === 'export' ? 'ExportFailed' : first.stage === 'open' ? 'OpenFailed' : 'ImportFailed', message: failures.map((f) => f.message).join('; ') };
  const trip = trips[0];
  if (trip) return { health: 'Degraded', reason: gateCondition(trip.gate), message: trips.map((t) => t.message ?? t.gate).join('; ') };
  if (exportErrors !== undefined) return { health: 'Degraded', reason: 'ExportErrors', message: exportErrors };
  return { health: 'Healthy', reason: 'RunSucceeded', message: '' };
}

export async function statusReport(q: Queryable, input: StatusInputs): Promise<StatusReport> {
  const { config, outcome, now } = input;
  const counts = await spaceSummary(q);
  const watermarks = await loadWatermarks(q);
  const wholeReads = await loadWholeReads(q);
  const exportsAt = await lastExports(q);
  const unmanaged = unmanagedByConnector(counts, exportsAt);
  const maxAttempts = config.mesh.exportRetry.maxAttempts;
  const { total: pendingExports, byProjection: errors } = await failedExportCounts(q, maxAttempts);
  const givenUp = await loadGivenUpExports(q, maxAttempts);
  const mesh = await liveCounts(q);

  const connectors: ConnectorStatus[] = [...config.connectors.values()].map((model) => {
    const objectTypes: ConnectorStatus['objectTypes'] = Object.fromEntries(
      model.objectTypes.map((type) => {
        const c = counts.find((r) => r.connector === model.name && r.object_type === type);
        const w = watermarks.find((r) => r.connector === model.name && r.object_type === type);
        const e = exportsAt.find((r) => r.connector === model.name && r.object_type === type);
        const r = wholeReads.find((row) => row.connector === model.name && row.object_type === type);
        return [type, { count: c?.n ?? 0, watermark: w?.value ?? null, lastImport: isoTimestampOrNull(w?.updated_at ?? c?.last ?? null), lastExport: isoTimestampOrNull(e?.last ?? null), ...(r ? { lastWholeRead: isoTimestampOrNull(r.read_at) } : {}) }];
      }),
    );
    const failure = outcome?.failures.filter((f) => f.connector === model.name) ?? [];
    const trips = outcome?.gates.filter((g) => g.connector === model.name) ?? [];
    const exportErrors = errors.filter((e) => config.projections.find((p) => p.name === e.projection)?.target.connector === model.name);
    const conditions = [
      ...(failure.length > 0 ? [{ type: 'Ready', status: 'False' as const, reason: failure[0]!.stage === 'export' ? 'ExportFailed' : 'ImportFailed', message: failure.map((f) => f.message).join('; '), lastTransitionTime: now }] : []),
      ...trips.map((t) => ({ type: gateCondition(t.gate), status: 'True' as const, reason: t.gate, message: t.message ?? '', lastTransitionTime: now })),
      ...(exportErrors.length > 0 ? [{ type: 'ExportErrors', status: 'True' as const, reason: 'ObjectsFailed', message: exportErrors.map(exportErrorMessage(maxAttempts)).join('; '), lastTransitionTime: now }] : []),
      ...(outcome?.suspended.includes(model.name) ? [{ type: 'Suspended', status: 'True' as const, reason: 'SpecSuspend', message: 'exports are paused by spec.suspend', lastTransitionTime: now }] : []),
    ];
    const before = input.previous?.connectors.find((c) => c.name === model.name);
    const involved = outcome !== undefined && (outcome.scope === null || outcome.scope.includes(model.name) || outcome.plans.some((p) => p.projection.target.connector === model.name));
    const health = involved
      ? connectorHealth(failure, trips, exportErrors.length > 0 ? exportErrors.map(exportErrorMessage(maxAttempts)).join('; ') : undefined)
      : before && before.health !== 'Unknown'
        ? { health: before.health, reason: before.healthReason ?? '', message: before.healthMessage ?? '' }
        : { health: 'Unknown' as const, reason: '', message: '' };
    const healthFields =
      health.health === 'Unknown'
        ? {}
        : {
            healthReason: health.reason,
            healthMessage: health.message,
            healthLastTransitionTime: before?.health === health.health && before.healthLastTransitionTime ? before.healthLastTransitionTime : now,
          };
    // A connector the run did not involve keeps the conditions and error its own last run recorded.
    const carried = !involved && outcome !== undefined && before ? before : undefined;
    const unmanagedCount = unmanaged.get(model.name);
    const target = config.projections.some((p) => p.target.connector === model.name);
    return {
      name: model.name,
      type: model.type,
      health: health.health,
      ...healthFields,
      conditions: carried ? carried.conditions : conditions,
      objectTypes,
      ...(unmanagedCount !== undefined ? { unmanaged: unmanagedCount } : {}),
      ...(target ? { driftCheck: driftCheckText(model.driftCheck) } : {}),
      ...(carried?.lastError ? { lastError: carried.lastError } : failure[0] ? { lastError: failure[0].message } : {}),
      ...givenUpExports(givenUp, config, model.name),
    };
  });

  const cycles = await recentCycles(q);
  const blocked = outcome ? outcome.gates.length > 0 : false;
  const failedAny = outcome ? outcome.result === 'failed' : false;
  const extra = input.extraConditions ?? [];
  const configInvalid = extra.some((c) => c.type === 'ConfigInvalid' && c.status === 'True');
  const ready: Condition = {
    type: 'Ready',
    status: outcome && !blocked && !failedAny && !configInvalid ? 'True' : 'False',
    reason: !outcome ? 'NoCycleYet' : configInvalid ? 'ConfigInvalid' : blocked ? 'SafetyGateTripped' : failedAny ? 'CycleFailed' : 'ReconciliationSucceeded',
    message: !outcome ? 'no cycle has run' : `the last cycle ${outcome.result}`,
    lastTransitionTime: now,
  };
  const conditions: Condition[] = [ready, ...extra.filter((c) => c.type !== 'Ready'), ...(outcome ? [...gateConditions(outcome.gates, now), policyCondition(outcome.policyViolations, now)] : [])];
  const approvals = [...(outcome?.approvals ?? []), ...(await pendingApprovals(q))].sort((a, b) => a.id - b.id);
  if (!extra.some((c) => c.type === 'ConfigInvalid')) conditions.push({ type: 'ConfigInvalid', status: 'False', reason: 'Valid', message: '', lastTransitionTime: now });
  return {
    generatedAt: now,
    mesh: config.mesh.name,
    revision: input.revision,
    lastAppliedRevision: input.lastAppliedRevision,
    lastAttemptedRevision: input.lastAttemptedRevision,
    conditions,
    connectors,
    lastCycle: cycles[0] ?? null,
    cycles,
    pendingExports,
    meshObjects: Object.fromEntries(mesh.map((m) => [m.mesh_type, m.n])),
    ...(approvals.length > 0 ? { approvals } : {}),
    ...(outcome && outcome.policyViolations.length > 0 ? { policyViolations: outcome.policyViolations } : {}),
  };
}

function driftCheckText(policy: DriftCheckModel | undefined): string {
  if (!policy) return 'full-only';
  return policy.kind === 'interval' ? policy.text : policy.kind;
}

/**
 * Failed exports of a projection: how many the next cycles retry by themselves, how many wait for their
 * object to change or a full cycle (not retryable), and how many are given up (export-attempts.ts).
 */
function exportErrorMessage(maxAttempts: number): (e: ExportErrorCounts) => string {
  return (e) => {
    const retried = e.n - e.waiting - e.given_up;
    const parts = [
      ...(retried > 0 ? [`${retried} will be retried`] : []),
      ...(e.waiting > 0 ? [`${e.waiting} not retryable: sent again when the object changes or on a full cycle`] : []),
      ...(e.given_up > 0 ? [`${e.given_up} given up after ${maxAttempts} attempts: sent again when the desired state changes or after imesh reconcile --retry-failed`] : []),
    ];
    return `${e.n} object(s) of ${e.projection} failed to export (${parts.join('; ')}): ${e.message}`;
  };
}

function givenUpExports(
  rows: readonly { projection: string; object: string | null; mesh_id: string; op: string; code: string; message: string; attempts: number; at: Date | string }[],
  config: CompiledConfig,
  connector: string,
): { givenUpExports?: GivenUpExportStatus[] } {
  const mine = rows.filter((r) => config.projections.find((p) => p.name === r.projection)?.target.connector === connector).slice(0, 100);
  if (mine.length === 0) return {};
  return {
    givenUpExports: mine.map((r) => ({
      projection: r.projection,
      object: r.object ?? r.mesh_id,
      op: r.op,
      code: r.code,
      message: r.message,
      attempts: Number(r.attempts),
      lastAttempt: isoTimestamp(r.at),
    })),
  };
}

/**
 * Per connector, the live objects no (unreleased) link manages, over the types it is a target of (those
 * with any target link): connectors with none are left out, and the status then shows no count.
 */
function unmanagedByConnector(
  counts: readonly SpaceSummary[],
  targetTypes: readonly { connector: string; object_type: string }[],
): Map<string, number> {
  const byConnector = new Map<string, number>();
  for (const c of counts) {
    if (c.unmanaged === 0 || !targetTypes.some((t) => t.connector === c.connector && t.object_type === c.object_type)) continue;
    byConnector.set(c.connector, (byConnector.get(c.connector) ?? 0) + c.unmanaged);
  }
  return byConnector;
}
