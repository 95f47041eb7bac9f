/**
 * What the controller says about itself: the role and cycle facts `/readyz`, `controller.status()` and
 * the operator API read; the leader and cycle metrics; and the conditions a cycle adds to status.json
 * (`ConfigInvalid` with every problem as file:line:column, `SourceUnavailable`, the publisher's own).
 */
import type { CompiledConfig, Problem } from '../config/model.js';
import type { CycleKind } from '../engine/context.js';
import type { Condition, StatusReport } from '../reports/types.js';
import type { ControllerMetrics } from './metrics.js';
import type { ControllerStatus } from './probes.js';
import type { ReconcileOnceResult } from './reconcile-once.js';

const MAX_PROBLEMS_IN_MESSAGE = 200;

/** The ConfigInvalid condition: which revision, what still runs, and every problem as file:line:column. */
export function configInvalidCondition(attempt: { revision: string; problems: readonly Problem[] }, running: string | null, now: string): Condition {
  const shown = attempt.problems.slice(0, MAX_PROBLEMS_IN_MESSAGE).map((p) => `${p.file}:${p.line}:${p.column}: ${p.message}`);
  const more = attempt.problems.length - shown.length;
  const head = `revision ${attempt.revision} is invalid (${attempt.problems.length} problem${attempt.problems.length === 1 ? '' : 's'}); ${
    running ? `still running ${running}` : 'no valid revision to run'
  }`;
  return {
    type: 'ConfigInvalid',
    status: 'True',
    reason: 'ValidationFailed',
    message: [head, ...shown, ...(more > 0 ? [`… and ${more} more (imesh validate lists them all)`] : [])].join('; '),
    lastTransitionTime: now,
  };
}

/** What the config source says, as status needs it (the source watcher). */
export interface SourceView {
  readonly description: string;
  running(): { readonly revision: string } | undefined;
  attemptedRevision(): string | null;
  invalid(): { readonly revision: string; readonly problems: readonly Problem[] } | undefined;
  fetchError(): string | undefined;
}

export class StatusTracker {
  private cycleRunning = false;
  private succeededSinceLeader = false;
  private cyclesSinceLeader = 0;
  private lastCycle: ControllerStatus['lastCycle'];
  private lastSuccessAt: string | undefined;

  constructor(
    private readonly source: SourceView,
    private readonly metrics: ControllerMetrics,
  ) {}

  status(role: ControllerStatus['role'], shuttingDown: boolean): ControllerStatus {
    const invalid = this.source.invalid();
    return {
      role,
      shuttingDown,
      cycleRunning: this.cycleRunning,
      succeededSinceLeader: this.succeededSinceLeader,
      cyclesSinceLeader: this.cyclesSinceLeader,
      ...(this.lastCycle ? { lastCycle: this.lastCycle } : {}),
      ...(this.lastSuccessAt ? { lastSuccessAt: this.lastSuccessAt } : {}),
      appliedRevision: this.source.running()?.revision ?? null,
      attemptedRevision: this.source.attemptedRevision(),
      configInvalid: invalid !== undefined,
      configProblems: invalid?.problems.length ?? 0,
      source: this.source.description,
    };
  }

  leaderChanged(leader: boolean): void {
    this.metrics.setLeader(leader);
    if (leader) {
      this.succeededSinceLeader = false;
      this.cyclesSinceLeader = 0;
    }
  }

  cycleStarted(): void {
    this.cycleRunning = true;
    this.metrics.cycleStarted();
  }

  /** A cycle ran to its end (whatever its result); `leader`: this replica still leads. */
  cycleFinished(result: ReconcileOnceResult, config: CompiledConfig, startedMs: number, finishedMs: number, leader: boolean): void {
    this.metrics.cycleFinished(result, config, (finishedMs - startedMs) / 1000, finishedMs);
    this.lastCycle = { result: result.outcome.result, kind: result.outcome.kind, finishedAt: new Date(finishedMs).toISOString() };
    if (result.outcome.result === 'succeeded' && leader) {
      this.succeededSinceLeader = true;
      this.lastSuccessAt = this.lastCycle.finishedAt;
    }
  }

  /** A cycle threw. */
  cycleErrored(kind: CycleKind, startedMs: number, nowMs: number): void {
    this.metrics.cycleErrored(kind, (nowMs - startedMs) / 1000);
    this.lastCycle = { result: 'error', kind, finishedAt: new Date(nowMs).toISOString() };
  }

  /** After every scheduled run, cycle or not. */
  runEnded(): void {
    if (this.cycleRunning) this.cyclesSinceLeader++;
    this.cycleRunning = false;
  }

  /** The controller's own conditions for a cycle's status: an invalid newest revision, an unreachable source. */
  conditions(runningRevision: string, nowIso: string): Condition[] {
    const invalid = this.source.invalid();
    const fetchError = this.source.fetchError();
    return [
      ...(invalid ? [configInvalidCondition(invalid, runningRevision, nowIso)] : []),
      ...(fetchError !== undefined ? [{ type: 'SourceUnavailable', status: 'True' as const, reason: 'FetchFailed', message: fetchError, lastTransitionTime: nowIso }] : []),
    ];
  }

  /**
   * The status when no revision has ever been valid (and the store has none): no model to build a full
   * status from, but the reports branch must still say why nothing runs.
   */
  statusWithoutConfig(invalid: { revision: string; problems: readonly Problem[] }, nowIso: string): StatusReport {
    return {
      generatedAt: nowIso,
      mesh: '',
      revision: null,
      lastAppliedRevision: null,
      lastAttemptedRevision: invalid.revision,
      conditions: [
        { type: 'Ready', status: 'False', reason: 'ConfigInvalid', message: 'no valid config revision has been applied', lastTransitionTime: nowIso },
        configInvalidCondition(invalid, null, nowIso),
      ],
      connectors: [],
      lastCycle: null,
      cycles: [],
      pendingExports: 0,
      meshObjects: {},
    };
  }
}
