/**
 * One reconcile cycle: import → sync → plan → gates → export → confirming import. `plan` mode runs the
 * same stages inside one transaction that is rolled back, so a preview (even of an unmerged config)
 * never changes the store, and never writes to a target.
 */
import type { CompiledConfig } from '../config/model.js';
import type { IdentityConnector, ObjectTypeCapabilities } from '../connectors/sdk.js';
import type { ApprovalRecord, DriftEntry, GateTrip, PolicyViolation } from '../reports/types.js';
import type { Logger } from '../shared/logger.js';
import type { Db, Queryable, TransactionOptions } from '../store/db.js';
import { formatDuration } from '../config/duration.js';
import { pruneHistory, refreshStatistics, vacuumGrownTables } from '../store/maintenance.js';
import { RunApprovals } from './approval-book.js';
import type { ConnectorOpener, CycleContext, CycleKind, CycleMode, RunTrigger } from './context.js';
import { emptyRecord, timed, type ConnectorFailure } from './cycle-record.js';
import type { GivenUpExport } from './export-attempts.js';
import { EXPORT_BATCH, type ExportCounts } from './exporter.js';
import type { ImportOutcome } from './importer.js';
import { finishCycle, insertCycle, markRunningInterrupted } from './tables/cycles.js';
import { ensureMeshKeys } from './tables/mesh-keys.js';
import type { HeldBackObject, ProjectionPlan } from './planner.js';
import { runScope, type RunScope } from './run-scope.js';
import { confirmStage } from './stages/confirm-stage.js';
import { exportStage } from './stages/export-stage.js';
import { gateStage } from './stages/gate-stage.js';
import { policyStage } from './stages/policy-stage.js';
import { importStage, IMPORT_CONCURRENCY } from './stages/import-stage.js';
import { forgetCorrectedDrift, planStage, projectionWaves, retryFailedStage } from './stages/plan-stage.js';
import type { CycleRun, CycleStage, WaveStage } from './stages/stage.js';
import { syncStage } from './stages/sync-stage.js';
import type { SyncOutcome } from './sync.js';

export type { ConnectorFailure } from './cycle-record.js';

export interface CycleOptions {
  readonly kind: CycleKind;
  readonly mode: CycleMode;
  readonly revision: string | null;
  readonly allowDeletes?: number;
  readonly allowClears?: number;
  readonly allowLimits?: number;
  readonly openConnector: ConnectorOpener;
  readonly log: Logger;
  readonly progress?: (stage: string, done: number, total?: number) => void;
  /** Asked before each export batch; false stops exporting (leader lost its lock, shutdown). */
  readonly mayExport?: () => boolean;
  /** Plan mode: reads the store as the plan left it, before the rollback (the conflicts it would leave). */
  readonly beforeRollback?: (q: Queryable) => Promise<void>;
  /**
   * No other process writes the store now (the controller's leader lock; the embedded store's pid lock
   * always guarantees it): cycles an earlier process left `running` (it was killed) become
   * `interrupted` when this reconcile starts. Default: true for the embedded store only.
   */
  readonly soleWriter?: boolean;
  /**
   * Connectors not to contact, with the reason (plan: a secret would go to an unbound destination).
   * They are not imported, rules reading them are not synced (their objects were not read, so nothing
   * is concluded from their absence), and projections to them are not planned.
   */
  readonly skipped?: ReadonlyMap<string, string>;
  /**
   * The connectors this run covers (run-scope.ts); none: the whole mesh. Gates, provenance, conflicts
   * and reports work as in a whole-mesh run, on what the scope reads and changes.
   */
  readonly scope?: RunScope;
  /** What started the run, recorded with it (the job's `triggeredBy`). */
  readonly trigger?: RunTrigger;
  /** The clock approvals are judged by (their expiry, and when they were used); default Date.now. */
  readonly now?: () => number;
  /**
   * Send every failed export of the projections the run plans again now, given up or waiting, counting
   * their attempts afresh (`imesh reconcile --retry-failed`).
   */
  readonly retryFailed?: boolean;
  /** Connectors whose imports run at once; default IMPORT_CONCURRENCY (4). 1 imports one after another. */
  readonly importConcurrency?: number;
  /** Changes sent to a target, then recorded, together; default EXPORT_BATCH (2,000). */
  readonly exportBatch?: number;
}

export interface SkippedConnector {
  readonly connector: string;
  readonly reason: string;
  /** Flow rules that read it: not synced this run. */
  readonly flowRules: readonly string[];
  /** Projections that write to it: not planned this run. */
  readonly projections: readonly string[];
}

export interface CycleResult {
  readonly cycleId: number;
  readonly seq: number;
  readonly kind: CycleKind;
  readonly mode: CycleMode;
  /** The connectors the run covered, sorted; null for a whole-mesh run. */
  readonly scope: readonly string[] | null;
  readonly result: 'succeeded' | 'failed' | 'blocked';
  readonly imports: readonly ImportOutcome[];
  readonly syncs: readonly SyncOutcome[];
  readonly plans: readonly ProjectionPlan[];
  /** Objects the plans held back (empty template attributes, ambiguous adoptions). */
  readonly heldBack: readonly HeldBackObject[];
  readonly gates: readonly GateTrip[];
  /** What the Policy documents found: `new` ones held objects back or blocked a connector (the run is blocked). */
  readonly policyViolations: readonly PolicyViolation[];
  readonly exports: ReadonlyMap<string, ExportCounts>;
  /** Changes not sent because they failed `exportRetry.maxAttempts` cycles, with their last error. */
  readonly givenUp: readonly GivenUpExport[];
  readonly failures: readonly ConnectorFailure[];
  readonly drift: readonly DriftEntry[];
  readonly suspended: readonly string[];
  readonly skipped: readonly SkippedConnector[];
  /** Milliseconds spent per stage (import, sync, plan, gate, export, confirm, statistics), for logs and benchmarks. */
  readonly timings: Readonly<Record<string, number>>;
  /** Operator approvals this run used (applied or refused) and those that expired as it started. */
  readonly approvals: readonly ApprovalRecord[];
}

class Rollback extends Error {
  constructor(readonly value: CycleResult) {
    super('plan rollback');
  }
}

export async function runCycle(db: Db, config: CompiledConfig, options: CycleOptions): Promise<CycleResult> {
  if (options.scope) runScope(config, options.scope);
  if (options.mode === 'reconcile') {
    const outcome = await execute(db, config, options, db, (work, transactionOptions) => db.transaction(work, transactionOptions));
    const started = performance.now();
    const pruned = await pruneHistory(db, config.mesh.history.retainMs);
    if (pruned.values + pruned.exports > 0) options.log.info({ event: 'history-pruned', ...pruned }, `deleted history older than ${formatDuration(config.mesh.history.retainMs)}`);
    const vacuumed = await vacuumGrownTables(db);
    if (vacuumed.length > 0) options.log.debug({ event: 'vacuum', tables: vacuumed }, 'vacuumed the store tables that grew');
    return { ...outcome, timings: { ...outcome.timings, maintenance: Math.round(performance.now() - started) } };
  }
  try {
    await db.transaction(async (tx) => {
      let savepoint = 0;
      const atomically = async <T>(work: (q: Queryable) => Promise<T>): Promise<T> => {
        const name = `sp${++savepoint}`;
        await tx.query(`SAVEPOINT ${name}`);
        try {
          const result = await work(tx);
          await tx.query(`RELEASE SAVEPOINT ${name}`);
          return result;
        } catch (error) {
          await tx.query(`ROLLBACK TO SAVEPOINT ${name}`);
          throw error;
        }
      };
      const outcome = await execute(db, config, options, tx, atomically);
      await options.beforeRollback?.(tx);
      throw new Rollback(outcome);
    });
  } catch (error) {
    if (error instanceof Rollback) return error.value;
    throw error;
  }
  throw new Error('unreachable');
}

const statistics: CycleStage = {
  name: 'statistics',
  async run({ ctx }) {
    await refreshStatistics(ctx.q);
  },
};

/** One object's way through a cycle, in order; the projection stages run once per wave (stages/plan-stage.ts). */
const CYCLE_STAGES: readonly CycleStage[] = [importStage, statistics, syncStage, statistics, forgetCorrectedDrift, retryFailedStage];
const WAVE_STAGES: readonly WaveStage[] = [planStage, policyStage, gateStage, exportStage, confirmStage, { name: 'statistics', run: (run, wave) => (wave.exportedTo.size > 0 ? statistics.run(run) : Promise.resolve()) }];

async function execute(
  db: Db,
  config: CompiledConfig,
  options: CycleOptions,
  q: Queryable,
  atomically: Atomically,
): Promise<CycleResult> {
  const startedAt = performance.now();
  const scopeList = options.scope ? [...options.scope].sort() : null;
  const seq = await q.dialect.nextval(q, 'change_seq');
  if (options.mode === 'reconcile' && (options.soleWriter ?? db.kind === 'embedded')) await markInterrupted(q, options.log);
  // A plan preview is no cycle: it takes no id (a rolled-back insert would still use one up, leaving
  // gaps in the job ids the dashboard and the API list). Its id is 0.
  const cycleId =
    options.mode === 'plan'
      ? 0
      : await insertCycle(q, options.kind, options.mode, options.revision, scopeList, options.trigger ?? null);
  const now = options.now ?? Date.now;
  // Approvals are consulted by reconcile runs only: a plan shows what the gates hold back without them.
  const approvals = options.mode === 'reconcile' ? await RunApprovals.load(q, now()) : undefined;
  const opened = new Map<string, Promise<IdentityConnector>>();
  const oneWriter = oneAtATime(atomically);
  const capabilityCache = new Map<string, ObjectTypeCapabilities>();
  const ctx: CycleContext = {
    config,
    q,
    atomically: oneWriter,
    ...(options.mode === 'reconcile' && db.kind === 'postgres' ? { concurrently: <T>(work: (q: Queryable) => Promise<T>, o?: TransactionOptions) => db.transaction(work, o) } : {}),
    seq,
    cycleId,
    revision: options.revision,
    kind: options.kind,
    mode: options.mode,
    allowDeletes: options.allowDeletes,
    allowClears: options.allowClears,
    allowLimits: options.allowLimits,
    ...(approvals ? { approvals } : {}),
    log: options.log,
    connector(name) {
      let connector = opened.get(name);
      if (!connector) {
        const model = config.connectors.get(name);
        if (!model) throw new Error(`connector "${name}" is not defined`);
        opened.set(name, (connector = options.openConnector(model)));
      }
      return connector;
    },
    async capabilities(name, type) {
      const key = `${name}\u0000${type}`;
      let caps = capabilityCache.get(key);
      if (!caps) capabilityCache.set(key, (caps = (await ctx.connector(name)).capabilities(type)));
      return caps;
    },
    progress: options.progress ?? (() => undefined),
  };
  // Confirming imports stamp their rows with a change number after this cycle's: the flow rules have
  // already synced this cycle (their progress is `seq`), so a row stamped `seq` would never reach a
  // rule that reads the target back (a table that is both target and source) until a full cycle.
  const confirmSeq = options.mode === 'reconcile' ? await q.dialect.nextval(q, 'change_seq') : seq;
  const record = emptyRecord();
  const run: CycleRun = {
    ctx,
    config,
    record,
    scope: options.scope,
    skipped: options.skipped ?? new Map<string, string>(),
    mayExport: options.mayExport ?? (() => true),
    failed: new Set(),
    created: new Set(),
    partial: new Set(),
    touchedByType: new Map(),
    confirmCtx: { ...ctx, seq: confirmSeq },
    retryFailed: options.retryFailed ?? false,
    importConcurrency: options.importConcurrency ?? IMPORT_CONCURRENCY,
    exportBatch: options.exportBatch ?? EXPORT_BATCH,
  };
  try {
    await atomically((tx) => ensureMeshKeys(tx, config));
    for (const stage of CYCLE_STAGES) await timed(record, stage.name, () => stage.run(run));
    for (const wave of projectionWaves(run)) {
      for (const stage of WAVE_STAGES) await timed(record, stage.name, () => stage.run(run, wave));
    }
  } finally {
    for (const plan of record.plans) plan.changes.discard();
    for (const connector of opened.values()) await connector.then((c) => c.close()).catch(() => undefined);
  }

  const exportFailures = [...record.exports.values()].reduce((n, c) => n + c.failed, 0);
  const result: CycleResult['result'] = record.gates.length > 0 || record.policyViolations.some((v) => v.status === 'new') ? 'blocked' : record.failures.length > 0 || exportFailures > 0 ? 'failed' : 'succeeded';
  const skippedList = [...run.skipped].map(([connector, reason]) => ({
    connector,
    reason,
    flowRules: config.flowRules.filter((r) => r.source.connector === connector).map((r) => r.name),
    projections: config.projections.filter((p) => p.target.connector === connector).map((p) => p.name),
  }));
  const usedApprovals = approvals ? [...approvals.expired, ...(await approvals.settle(q, cycleId, now()))] : [];
  const outcome: CycleResult = { cycleId, seq, kind: options.kind, mode: options.mode, scope: scopeList, result, ...record, skipped: skippedList, approvals: usedApprovals };
  const timings = record.timings;
  const exported = [...record.exports.values()].reduce((n, c) => n + c.created + c.updated + c.moved + c.enabled + c.disabled + c.deleted + c.failed, 0);
  options.log.info({ event: 'cycle', cycleId, kind: options.kind, mode: options.mode, ...(scopeList ? { scope: scopeList } : {}), result, durationMs: Math.round(performance.now() - startedAt), exported, timings }, 'cycle finished');
  if (options.mode === 'reconcile') {
    await finishCycle(q, cycleId, {
      result,
      counts: cycleCounts(outcome, config),
      error: record.failures.length > 0 ? record.failures.map((f) => `${f.connector}: ${f.message}`).join('\n') : null,
      typeCounts: objectTypeCounts(outcome, config),
    });
  }
  return outcome;
}

/**
 * The cycle's store transactions one at a time, in the order asked: the embedded store has one writer,
 * and a plan's savepoints nest in one transaction. Concurrent imports (stages/import-stage.ts) take turns
 * here while their sources read ahead. A unit of work must not ask for another inside itself.
 */
type Atomically = <T>(work: (q: Queryable) => Promise<T>, options?: TransactionOptions) => Promise<T>;

function oneAtATime(atomically: Atomically): Atomically {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(work: (q: Queryable) => Promise<T>, options?: TransactionOptions): Promise<T> => {
    const turn = tail.then(() => atomically(work, options));
    tail = turn.catch(() => undefined);
    return turn;
  };
}

/** Cycles an earlier process left `running` (it was killed) are `interrupted`: no other process writes now. */
async function markInterrupted(q: Queryable, log: Logger): Promise<void> {
  const interrupted = await markRunningInterrupted(q);
  if (interrupted.length > 0) log.warn({ event: 'cycles-interrupted', cycles: interrupted }, `marked ${interrupted.length} cycle(s) left running by a stopped process as interrupted`);
}

export const OBJECT_TYPE_COUNTERS = ['created', 'updated', 'moved', 'disabled', 'deleted', 'failed'] as const;

/** Export counts per target object type (`user.created`, `group.updated`), as a job shows them. */
export function objectTypeCounts(outcome: CycleResult, config: CompiledConfig): Record<string, Record<(typeof OBJECT_TYPE_COUNTERS)[number], number>> {
  const counts: Record<string, Record<(typeof OBJECT_TYPE_COUNTERS)[number], number>> = {};
  for (const [name, exported] of outcome.exports) {
    const type = config.projections.find((p) => p.name === name)?.target.objectType;
    if (type === undefined) continue;
    const bucket = (counts[type] ??= { created: 0, updated: 0, moved: 0, disabled: 0, deleted: 0, failed: 0 });
    for (const key of OBJECT_TYPE_COUNTERS) bucket[key] += exported[key];
  }
  return counts;
}

/** Per-connector counts of one cycle, as a job shows them. */
export function cycleCounts(outcome: CycleResult, config: CompiledConfig): Record<string, Record<string, number>> {
  const counts: Record<string, Record<string, number>> = {};
  const bucket = (connector: string) => (counts[connector] ??= {});
  const add = (connector: string, key: string, n: number) => {
    if (n === 0) return;
    const b = bucket(connector);
    b[key] = (b[key] ?? 0) + n;
  };
  for (const i of outcome.imports) {
    bucket(i.connector);
    add(i.connector, 'imported', i.changed);
    add(i.connector, 'read', i.read);
    add(i.connector, 'deletedInSource', i.deleted);
    add(i.connector, 'heldBack', i.heldBack ?? 0);
  }
  for (const [projection, c] of outcome.exports) {
    const connector = config.projections.find((p) => p.name === projection)?.target.connector ?? projection;
    add(connector, 'created', c.created);
    add(connector, 'updated', c.updated);
    add(connector, 'moved', c.moved);
    add(connector, 'enabled', c.enabled);
    add(connector, 'disabled', c.disabled);
    add(connector, 'deleted', c.deleted);
    add(connector, 'failed', c.failed);
    add(connector, 'heldBack', c.heldBack);
    add(connector, 'retried', c.retried);
    add(connector, 'givenUp', c.givenUp);
  }
  for (const f of outcome.failures) add(f.connector, 'errors', 1);
  for (const s of outcome.syncs) {
    const connector = config.flowRules.find((r) => r.name === s.rule)?.source.connector;
    if (!connector) continue;
    add(connector, 'conflicts', s.ambiguous);
    add(connector, 'provisioned', s.provisioned);
    add(connector, 'joined', s.joined);
  }
  return counts;
}
