/**
 * One reconcile with everything around it: run the cycle, remember the applied revision, build the
 * reports and publish them (reports branch or .imesh/). Used by `imesh reconcile`, the quickstart
 * and the controller loop.
 */
import type { CompiledConfig } from '../config/model.js';
import { secretUses } from '../connectors/secret-destinations.js';
import { getMeta, saveAppliedConfig, setMeta } from '../engine/applied-config.js';
import type { ConnectorOpener, RunTrigger } from '../engine/context.js';
import { runCycle, type CycleResult } from '../engine/cycle.js';
import { conflictsReport, driftReport, statusReport } from '../engine/report-data.js';
import { recordSecretBindings } from '../engine/secret-bindings.js';
import { reportCommitMessage, reportFiles } from '../reports/index.js';
import type { Condition, ConflictsReport, DriftReport, StatusReport } from '../reports/types.js';
import type { Logger } from '../shared/logger.js';
import type { RunScope } from '../engine/run-scope.js';
import type { Db } from '../store/db.js';

export interface ReconcileOnceOptions {
  readonly db: Db;
  readonly config: CompiledConfig;
  readonly files: readonly { path: string; content: string }[];
  readonly revision: string;
  readonly full: boolean;
  readonly allowDeletes?: number;
  /** `--allow-clears N` (CycleOptions.allowClears). */
  readonly allowClears?: number;
  /** Send every failed export again now, counted afresh (CycleOptions.retryFailed). */
  readonly retryFailed?: boolean;
  /** `--allow-limits N` (CycleOptions.allowLimits). */
  readonly allowLimits?: number;
  /** The connectors the run covers (a scoped run); none: the whole mesh. */
  readonly scope?: RunScope;
  /** What started the run (CycleOptions.trigger). */
  readonly trigger?: RunTrigger;
  /** Connectors not to contact, with the reason (CycleOptions.skipped). */
  readonly skipped?: ReadonlyMap<string, string>;
  readonly openConnector: ConnectorOpener;
  readonly log: Logger;
  readonly progress?: (stage: string, done: number, total?: number) => void;
  readonly extraConditions?: readonly Condition[];
  /** The newest revision fetched, when it is not `revision` (it was invalid); default `revision`. */
  readonly lastAttemptedRevision?: string;
  /**
   * Asked before each projection's exports (CycleOptions.mayExport); the controller ties it to leadership
   * and shutdown, and also asks before every export batch (export-guard.ts).
   */
  readonly mayExport?: () => boolean;
  /** See CycleOptions.soleWriter. */
  readonly soleWriter?: boolean;
  /** The clock approvals are judged by (CycleOptions.now). */
  readonly now?: () => number;
  /** Publishes the report files; returns a line saying where they went. */
  readonly publish: (files: Record<string, string>, message: string) => Promise<string>;
}

export interface ReconcileOnceResult {
  readonly outcome: CycleResult;
  readonly status: StatusReport;
  readonly drift: DriftReport;
  readonly conflicts: ConflictsReport;
  readonly published: string;
  readonly exitCode: 0 | 1 | 3;
}

export async function reconcileOnce(options: ReconcileOnceOptions): Promise<ReconcileOnceResult> {
  const { db, config, revision } = options;
  // A reconcile applies a reviewed (merged) revision: it is trusted to send each secret where this config
  // says, and records that so that plan and check (which never bind) may contact the same destinations.
  await recordSecretBindings(db, (await secretUses(config)).uses, revision);
  const outcome = await runCycle(db, config, {
    kind: options.full ? 'full' : 'delta',
    mode: 'reconcile',
    revision,
    allowDeletes: options.allowDeletes,
    allowClears: options.allowClears,
    ...(options.retryFailed ? { retryFailed: true } : {}),
    allowLimits: options.allowLimits,
    ...(options.scope ? { scope: options.scope } : {}),
    ...(options.skipped ? { skipped: options.skipped } : {}),
    ...(options.trigger ? { trigger: options.trigger } : {}),
    openConnector: options.openConnector,
    log: options.log,
    progress: options.progress,
    mayExport: options.mayExport,
    soleWriter: options.soleWriter,
    ...(options.now ? { now: options.now } : {}),
  });
  await saveAppliedConfig(db, { revision, configPath: config.configPath, files: options.files, at: new Date().toISOString() });
  // The controller runs the last good revision while a newer one is invalid (Flux semantics: applied ≠ attempted).
  if (options.lastAttemptedRevision !== undefined && options.lastAttemptedRevision !== revision) {
    await setMeta(db, 'last_attempted_revision', options.lastAttemptedRevision);
  }
  const now = new Date().toISOString();
  const previous = await getMeta<StatusReport>(db, 'last_status');
  const status = await statusReport(db, {
    ...(previous ? { previous } : {}),
    config,
    revision,
    lastAppliedRevision: revision,
    lastAttemptedRevision: options.lastAttemptedRevision ?? revision,
    extraConditions: options.extraConditions,
    outcome,
    now,
  });
  const drift = await driftReport(db, revision, now);
  const conflicts = await conflictsReport(db, revision, now);
  await setMeta(db, 'last_status', status);
  const published = await options.publish(reportFiles(status, drift, conflicts), reportCommitMessage(status, { drift, conflicts }));
  const exitCode = outcome.result === 'blocked' ? 3 : outcome.result === 'failed' ? 1 : 0;
  return { outcome, status, drift, conflicts, published, exitCode };
}
