/**
 * When runs happen, and running them. One run at a time, only while this replica is the leader: the
 * next is whichever comes first of a requested run (a new revision, a SCIM push, the operator API) and
 * the schedule (schedule.ts: the Mesh's timetable, and each connector's own as a scoped run). Every run
 * goes through reconcileOnce (import … export, reports, published when report-worthy); `mayExport` is
 * false once leadership is lost or stop() was called, so no further export batch starts. Requests wait
 * in one queue, in order; a request for a scope already queued joins it (a full request wins). A
 * request for a suspended connector is not run, and the log says so.
 */
import { DEFAULTS } from '../config/compile.js';
import type { CompiledConfig } from '../config/model.js';
import type { ConnectorOpener, CycleKind, RunTrigger } from '../engine/context.js';
import { reportCommitMessage, reportFiles } from '../reports/index.js';
import { runScope } from '../engine/run-scope.js';
import { errorMessage } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { Db } from '../store/db.js';
import { guardExports } from './export-guard.js';
import type { LeaderElector } from './leader-election.js';
import { reconcileOnce } from './reconcile-once.js';
import type { ReportPublisher } from './report-publisher.js';
import { CycleSchedule, scopeKey, type DueCycle } from './schedule.js';
import type { SourceWatcher } from './source-watcher.js';
import type { StatusTracker } from './status-tracker.js';
import { Wakeup } from './wakeup.js';

export interface RunLoopOptions {
  readonly db: Db;
  readonly elector: LeaderElector;
  readonly publisher: ReportPublisher;
  readonly log: Logger;
  readonly openConnector: (config: CompiledConfig) => ConnectorOpener;
  readonly source: SourceWatcher;
  readonly status: StatusTracker;
  readonly now: () => number;
}

export class RunLoop {
  private readonly schedule: CycleSchedule;
  private readonly wake = new Wakeup();
  private readonly requested: DueCycle[] = [];
  private current: Promise<void> | undefined;
  private stopping = false;

  constructor(private readonly options: RunLoopOptions) {
    this.schedule = new CycleSchedule(options.now());
  }

  /** The running revision changed: follow its schedule. */
  useConfig(config: CompiledConfig): void {
    this.schedule.use(config);
    this.options.log.info({ event: 'schedule', schedule: this.schedule.describe() }, `cycles: ${this.schedule.describe()}`);
  }

  /** Run as soon as the runs before it end: the whole mesh (no scope) or these connectors. */
  request(reason: string, kind: CycleKind = 'delta', connectors: readonly string[] | null = null, trigger: RunTrigger = 'revision', retryFailed = false): void {
    const scope = connectors === null ? null : [...new Set(connectors)].sort();
    const index = this.requested.findIndex((r) => scopeKey(r.scope) === scopeKey(scope));
    const previous = index >= 0 ? this.requested[index] : undefined;
    const merged: DueCycle = {
      at: previous?.at ?? this.options.now(),
      kind: previous?.kind === 'full' ? 'full' : kind,
      reason: previous ? `${previous.reason}; ${reason}` : reason,
      scope,
      trigger: previous?.trigger ?? trigger,
      ...(previous?.retryFailed || retryFailed ? { retryFailed: true } : {}),
    };
    if (index >= 0) this.requested[index] = merged;
    else this.requested.push(merged);
    this.wake.wake();
  }

  /** Whether a run is in progress. */
  isRunning(): boolean {
    return this.current !== undefined;
  }

  /** Whether a request of this scope (null: the whole mesh) is waiting. */
  isQueued(connectors: readonly string[] | null): boolean {
    const key = scopeKey(connectors === null ? null : [...new Set(connectors)].sort());
    return this.requested.some((r) => scopeKey(r.scope) === key);
  }

  /** The requests waiting, oldest first. */
  queued(): readonly DueCycle[] {
    return [...this.requested];
  }

  /** Leadership changed: a new leader starts its schedule afresh; either way the loop re-checks. */
  leaderChanged(leader: boolean): void {
    if (leader) this.schedule.restart(this.options.now());
    this.wake.wake();
  }

  /** Runs cycles until stop(). */
  async loop(): Promise<void> {
    const { elector, now } = this.options;
    while (!this.stopping) {
      if (!elector.isLeader()) {
        await this.wake.wait(Number.POSITIVE_INFINITY);
        continue;
      }
      const at = now();
      const due = this.requested[0] ?? this.schedule.next(at);
      if (due === undefined || due.at > at) {
        await this.wake.wait(due === undefined ? Number.POSITIVE_INFINITY : due.at - at);
        continue;
      }
      if (this.requested[0] === due) this.requested.shift();
      this.current = this.run(due);
      await this.current;
      this.current = undefined;
    }
  }

  /** No new cycles; the running one stops exporting after its current batch. */
  stop(): void {
    this.stopping = true;
    this.wake.wake();
  }

  /** Waits up to `ms` for the running cycle; false when it did not finish in time. */
  async waitForCurrent(ms: number): Promise<boolean> {
    const cycle = this.current;
    if (!cycle) return true;
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      cycle.then(() => true),
      new Promise<boolean>((r) => {
        timer = setTimeout(() => r(false), ms);
      }),
    ]);
    clearTimeout(timer);
    return finished;
  }

  private async run(due: DueCycle): Promise<void> {
    const { log, publisher, elector, db, status, source, now } = this.options;
    const started = now();
    this.schedule.started(due, started);
    const running = source.running();
    try {
      if (!running) {
        await this.publishWithoutConfig();
        return;
      }
      const scope = due.scope === null ? undefined : this.scopeOf(running.config, due);
      if (scope === null) return;
      const skipped = due.scope === null ? onlyWhenAsked(running.config) : new Map<string, string>();
      if (skipped.size === running.config.connectors.size) {
        log.info({ event: 'run-skipped', reason: 'manual' }, 'not running: every connector runs only when asked for by name (schedule.manual)');
        return;
      }
      await source.retainRunning();
      status.cycleStarted();
      log.info({ event: 'cycle-start', kind: due.kind, reason: due.reason, revision: running.revision, ...(scope ? { scope: [...scope] } : {}), ...(due.retryFailed ? { retryFailed: true } : {}) }, `${due.kind} cycle${scope ? ` of ${[...scope].join(', ')}` : ''} (${due.reason})`);
      const nowIso = new Date(started).toISOString();
      const mayExport = () => !this.stopping && elector.isLeader();
      const result = await reconcileOnce({
        db,
        config: running.config,
        files: running.files,
        revision: running.revision,
        full: due.kind === 'full',
        ...(due.retryFailed ? { retryFailed: true } : {}),
        ...(scope ? { scope } : {}),
        ...(skipped.size > 0 ? { skipped } : {}),
        trigger: due.trigger,
        openConnector: guardExports(this.options.openConnector(running.config), mayExport),
        log,
        extraConditions: [...status.conditions(running.revision, nowIso), ...publisher.conditions(nowIso)],
        lastAttemptedRevision: source.attemptedRevision() ?? running.revision,
        mayExport,
        // The leader is the store's only writer: cycles left running by a killed process become interrupted.
        soleWriter: elector.isLeader(),
        now,
        publish: (files, message) =>
          elector.isLeader() ? publisher.publish(running.config.mesh.reports, running.revision, files, message) : Promise.resolve('not published: this replica is no longer the leader'),
      });
      const finished = now();
      status.cycleFinished(result, running.config, started, finished, elector.isLeader());
      const exported = [...result.outcome.exports.values()].reduce((n, c) => n + c.created + c.updated + c.moved + c.enabled + c.disabled + c.deleted, 0);
      log.info(
        {
          event: 'cycle',
          cycle: result.outcome.cycleId,
          kind: result.outcome.kind,
          result: result.outcome.result,
          revision: running.revision,
          imported: result.outcome.imports.reduce((n, i) => n + i.changed, 0),
          exported,
          gates: result.outcome.gates.length,
          failures: result.outcome.failures.map((f) => `${f.connector} (${f.stage}): ${f.message}`),
          ms: finished - started,
          reports: result.published,
        },
        `cycle ${result.outcome.cycleId} ${result.outcome.result}`,
      );
    } catch (error) {
      status.cycleErrored(due.kind, started, now());
      log.error({ event: 'cycle-error', kind: due.kind, error: errorMessage(error) }, 'cycle failed; the next one retries');
    } finally {
      status.runEnded();
      this.schedule.finished(now());
    }
  }

  /**
   * The scope of a scoped run in this revision: connectors it no longer defines are dropped, suspended
   * ones are not run (the log says so); null when nothing is left to run.
   */
  private scopeOf(config: CompiledConfig, due: DueCycle): ReadonlySet<string> | null {
    const { log } = this.options;
    const names = (due.scope ?? []).filter((name) => {
      const model = config.connectors.get(name);
      if (!model) log.warn({ event: 'run-skipped', connector: name, reason: 'not-defined' }, `not running ${name}: the running revision does not define it`);
      else if (model.suspend) log.warn({ event: 'run-skipped', connector: name, reason: 'suspended' }, `not running ${name}: it is suspended (spec.suspend)`);
      return model !== undefined && !model.suspend;
    });
    return names.length > 0 ? runScope(config, names) : null;
  }

  /**
   * No revision has ever been valid (and the store has none): publishes a minimal status with
   * ConfigInvalid where a Mesh without spec.reports would (no valid config names a reports branch).
   */
  private async publishWithoutConfig(): Promise<void> {
    const { source, status, publisher, log } = this.options;
    const invalid = source.invalid();
    if (!invalid) return;
    const now = new Date(this.options.now()).toISOString();
    const report = status.statusWithoutConfig(invalid, now);
    const drift = { generatedAt: now, revision: null, drift: [] };
    const conflicts = { generatedAt: now, revision: null, conflicts: [] };
    try {
      const where = await publisher.publish({ branch: DEFAULTS.reportsBranch, path: DEFAULTS.reportsPath }, invalid.revision, reportFiles(report, drift, conflicts), reportCommitMessage(report, { drift, conflicts }));
      log.warn({ event: 'config-invalid-published', revision: invalid.revision, reports: where }, 'published ConfigInvalid; nothing valid to run');
    } catch (error) {
      log.error({ event: 'publish-failed', error: errorMessage(error) }, 'cannot publish the ConfigInvalid status');
    }
  }
}

/**
 * A whole-mesh run (a new revision, a SCIM push, a sync of everything) does not contact the connectors
 * that run only when asked for by name (`schedule.manual`): they are skipped, with that reason.
 */
function onlyWhenAsked(config: CompiledConfig): Map<string, string> {
  const manual = [...config.connectors.values()].filter((c) => c.schedule?.manual === true);
  return new Map(manual.map((c) => [c.name, 'runs only when asked for by name (schedule.manual)']));
}
