/**
 * When cycles run, and running them. One cycle at a time, only while this replica is the leader: the
 * next is whichever comes first of a requested run (a new revision, a SCIM push, the operator API) and
 * the schedule (schedule.ts: delta every interval, full on the cron, per-connector timetables). Every
 * cycle goes through reconcileOnce (import … export, reports, published when report-worthy);
 * `mayExport` is false once leadership is lost or stop() was called, so no further export batch starts.
 * Requests that arrive while a cycle runs are merged into one run after it (a full request wins).
 */
import { DEFAULTS } from '../config/compile.js';
import type { CompiledConfig } from '../config/model.js';
import type { ConnectorOpener, CycleKind } from '../engine/context.js';
import { reportCommitMessage, reportFiles } from '../reports/index.js';
import { errorMessage } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { Db } from '../store/db.js';
import { guardExports } from './export-guard.js';
import type { LeaderElector } from './leader-election.js';
import { reconcileOnce } from './reconcile-once.js';
import type { ReportPublisher } from './report-publisher.js';
import { CycleSchedule, type DueCycle } from './schedule.js';
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
  private requested: DueCycle | undefined;
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

  /** Run a cycle as soon as the current one (if any) ends. */
  request(reason: string, kind: CycleKind = 'delta'): void {
    const previous = this.requested;
    this.requested = { at: this.options.now(), kind: previous?.kind === 'full' ? 'full' : kind, reason: previous ? `${previous.reason}; ${reason}` : reason };
    this.wake.wake();
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
      const due = this.requested ?? this.schedule.next(at);
      if (due.at > at) {
        await this.wake.wait(due.at - at);
        continue;
      }
      this.requested = undefined;
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
    this.schedule.started(due.kind, started);
    const running = source.running();
    try {
      if (!running) {
        await this.publishWithoutConfig();
        return;
      }
      await source.retainRunning();
      status.cycleStarted();
      log.info({ event: 'cycle-start', kind: due.kind, reason: due.reason, revision: running.revision }, `${due.kind} cycle (${due.reason})`);
      const nowIso = new Date(started).toISOString();
      const mayExport = () => !this.stopping && elector.isLeader();
      const result = await reconcileOnce({
        db,
        config: running.config,
        files: running.files,
        revision: running.revision,
        full: due.kind === 'full',
        openConnector: guardExports(this.options.openConnector(running.config), mayExport),
        log,
        extraConditions: [...status.conditions(running.revision, nowIso), ...publisher.conditions(nowIso)],
        lastAttemptedRevision: source.attemptedRevision() ?? running.revision,
        mayExport,
        // The leader is the store's only writer: cycles left running by a killed process become interrupted.
        soleWriter: elector.isLeader(),
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
