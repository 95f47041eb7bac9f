/**
 * The controller loop behind `imesh run`.
 *
 * Two loops and an HTTP server:
 * - the source loop polls the config source every poll interval (±10 % jitter, as Flux jitters its
 *   intervals — fluxcd/pkg/runtime/jitter) or at once when a webhook arrives. A new revision is loaded
 *   and compiled. Valid: it becomes the running revision and a cycle starts at once (the engine
 *   re-evaluates everything a rule or projection touches when its definition hash changed). Invalid:
 *   the last good revision keeps running; `ConfigInvalid` (every problem as file:line:column) goes into
 *   status and the reports branch through an immediate cycle, and into the metrics;
 *   `lastAttemptedRevision` names the invalid revision while `lastAppliedRevision` stays (Flux's
 *   Kustomization status semantics, fluxcd/kustomize-controller docs/spec/v1/kustomizations.md).
 * - the cycle loop runs one cycle at a time on the schedule (schedule.ts), only while this replica is
 *   the leader. Every cycle goes through reconcileOnce (import … export, reports, published when
 *   report-worthy). `mayExport` is false once leadership is lost or shutdown began, so no further export
 *   batch starts.
 * - HTTP: /healthz, /readyz, /metrics, POST /hooks/git; other modules mount more routes through
 *   `controller.http.addRoute` (see http-server.ts).
 *
 * `stop()` (SIGTERM/SIGINT): no new work; the running cycle finishes its current batch and skips the
 * rest (mayExport false); then the lock is released and the server closed. The caller closes the store.
 */
import { DEFAULTS } from '../config/compile.js';
import type { CompiledConfig, Problem } from '../config/model.js';
import { envSecretResolver } from '../config/secrets.js';
import { loadAppliedConfig } from '../engine/applied-config.js';
import type { ConnectorOpener, CycleKind } from '../engine/context.js';
import { reportFiles, reportCommitMessage } from '../reports/index.js';
import type { Condition, StatusReport } from '../reports/types.js';
import { errorMessage } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { Db } from '../store/db.js';
import { guardExports } from './export-guard.js';
import { directoryRevision, filesHash, type ControllerConfigSource, type SourceState } from './config-sources.js';
import { HEALTH_PATH, METRICS_PATH, POLL_JITTER, READY_PATH, SHUTDOWN_GRACE_MS, WEBHOOK_PATH } from './endpoints.js';
import { createHttpServer, sendText, type ControllerHttpServer } from './http-server.js';
import type { ControllerPort } from './api/controller-port.js';
import type { LeaderElector } from './leader-election.js';
import type { ControllerMetrics } from './metrics.js';
import { healthHandler, readiness, readyHandler, type ControllerStatus } from './probes.js';
import { reconcileOnce } from './reconcile-once.js';
import type { ReportPublisher } from './report-publisher.js';
import { CycleSchedule, type DueCycle } from './schedule.js';
import { gitWebhookHandler } from './webhook.js';

export interface LoadResult {
  readonly config?: CompiledConfig;
  readonly problems: readonly Problem[];
  readonly files: readonly { path: string; content: string }[];
}

export interface ControllerOptions {
  readonly source: ControllerConfigSource;
  readonly publisher: ReportPublisher;
  readonly db: Db;
  readonly elector: LeaderElector;
  readonly metrics: ControllerMetrics;
  readonly log: Logger;
  readonly openConnector: (config: CompiledConfig) => ConnectorOpener;
  readonly loadConfig: (configPath: string) => Promise<LoadResult>;
  readonly compileFromFiles: (configPath: string, files: readonly { path: string; content: string }[]) => LoadResult | Promise<LoadResult>;
  readonly pollIntervalMs: number;
  readonly port: number;
  readonly host?: string;
  /** IMESH_WEBHOOK_SECRET; without it POST /hooks/git is not mounted (404). */
  readonly webhookSecret?: string;
  /** How long stop() waits for the running cycle. Default: SHUTDOWN_GRACE_MS minus a margin. */
  readonly shutdownWaitMs?: number;
  readonly now?: () => number;
}

interface Running {
  readonly config: CompiledConfig;
  readonly files: readonly { path: string; content: string }[];
  readonly revision: string;
}

interface Attempt {
  readonly revision: string;
  readonly key: string;
  readonly problems: readonly Problem[];
}

/** Resolves after `ms`, or earlier on `wake()`; a wake with nobody waiting is kept for the next wait. */
class Wakeup {
  private waiter: (() => void) | undefined;
  private pending = false;

  wait(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolvePromise) => {
      const timer = setTimeout(() => done(), Math.min(Math.max(ms, 0), 2_147_483_647));
      const done = () => {
        clearTimeout(timer);
        this.waiter = undefined;
        resolvePromise();
      };
      this.waiter = done;
    });
  }

  wake(): void {
    if (this.waiter) this.waiter();
    else this.pending = true;
  }
}

export function jittered(ms: number, fraction = POLL_JITTER, random = Math.random): number {
  return Math.round(ms * (1 + (random() * 2 - 1) * fraction));
}

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

export class Controller {
  readonly http: ControllerHttpServer;
  private readonly schedule: CycleSchedule;
  private readonly sourceWake = new Wakeup();
  private readonly cycleWake = new Wakeup();
  private running: Running | undefined;
  private attempt: Attempt | undefined;
  private fetchError: string | undefined;
  private requested: DueCycle | undefined;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  private loops: Promise<void>[] = [];
  private currentCycle: Promise<void> | undefined;
  private cycleRunning = false;
  private succeededSinceLeader = false;
  private cyclesSinceLeader = 0;
  private lastCycle: ControllerStatus['lastCycle'];
  private lastSuccessAt: string | undefined;
  private readonly now: () => number;

  constructor(private readonly options: ControllerOptions) {
    this.now = options.now ?? Date.now;
    this.schedule = new CycleSchedule(this.now());
    const { metrics, log } = options;
    this.http = createHttpServer({ port: options.port, host: options.host, log });
    this.http.addRoute('GET', HEALTH_PATH, healthHandler());
    this.http.addRoute('GET', READY_PATH, readyHandler(() => this.status()));
    this.http.addRoute('GET', METRICS_PATH, async (_req, res) => sendText(res, 200, await metrics.render(), metrics.contentType()));
    if (options.webhookSecret) {
      this.http.addRoute(
        'POST',
        WEBHOOK_PATH,
        gitWebhookHandler({ secret: options.webhookSecret, log, onPush: () => this.requestFetch(), onResult: (r) => metrics.webhook(r) }),
      );
    }
  }

  /** Serves HTTP, opens the source, loads the newest (or last applied) revision, and starts campaigning. */
  async start(): Promise<void> {
    const { log, source, elector } = this.options;
    await this.http.listen();
    log.info({ event: 'listening', port: this.http.port() }, `serving ${HEALTH_PATH}, ${READY_PATH}, ${METRICS_PATH}${this.options.webhookSecret ? `, POST ${WEBHOOK_PATH}` : ''}`);
    await source.open();
    await this.checkSource();
    if (!this.running) await this.restoreApplied();
    await elector.start((leader, reason) => this.onLeaderChange(leader, reason));
    this.loops = [this.sourceLoop(), this.cycleLoop()];
  }

  /** Fetch the source now (the webhook). */
  requestFetch(): void {
    this.sourceWake.wake();
  }

  /** Run a cycle as soon as the current one (if any) ends — for SCIM pushes and the operator API. */
  requestCycle(reason: string, kind: CycleKind = 'delta'): void {
    const previous = this.requested;
    this.requested = { at: this.now(), kind: previous?.kind === 'full' ? 'full' : kind, reason: previous ? `${previous.reason}; ${reason}` : reason };
    this.cycleWake.wake();
  }

  status(): ControllerStatus {
    const invalid = this.configInvalid();
    return {
      role: this.options.elector.isLeader() ? 'leader' : 'standby',
      shuttingDown: this.stopping,
      cycleRunning: this.cycleRunning,
      succeededSinceLeader: this.succeededSinceLeader,
      cyclesSinceLeader: this.cyclesSinceLeader,
      ...(this.lastCycle ? { lastCycle: this.lastCycle } : {}),
      ...(this.lastSuccessAt ? { lastSuccessAt: this.lastSuccessAt } : {}),
      appliedRevision: this.running?.revision ?? null,
      attemptedRevision: this.attempt?.revision ?? this.running?.revision ?? null,
      configInvalid: invalid !== undefined,
      configProblems: invalid?.problems.length ?? 0,
      source: this.options.source.description,
    };
  }

  ready(): boolean {
    return readiness(this.status()).ready;
  }

  /** What the operator API and dashboard need (mount them with `mountOperatorRoutes(controller.http, controller.operatorPort())`). */
  operatorPort(): ControllerPort {
    const secrets = envSecretResolver();
    return {
      store: this.options.db,
      log: this.options.log,
      secrets,
      config: () => this.running?.config,
      revisions: () => ({ applied: this.running?.revision ?? null, attempted: this.attempt?.revision ?? this.running?.revision ?? null }),
      configProblems: () => this.configInvalid()?.problems ?? [],
      requestCycle: (kind, reason) => this.requestCycle(reason, kind),
      openConnector: (model) => {
        const running = this.running;
        if (!running) return Promise.reject(new Error('no valid config revision is running yet'));
        return this.options.openConnector(running.config)(model);
      },
      role: () => (this.options.elector.isLeader() ? 'leader' : 'standby'),
    };
  }

  /** Stops taking work, lets the running cycle finish its batch, releases the lock, closes HTTP. */
  stop(reason = 'stop requested'): Promise<void> {
    this.stopped ??= this.shutdown(reason);
    return this.stopped;
  }

  /**
   * Resolves when the loops have ended (after stop()): the cycle loop always, the source loop unless a
   * fetch is still hanging on the network after a short wait (it holds no state worth waiting for).
   */
  async done(): Promise<void> {
    const [sourceLoop, cycleLoop] = this.loops;
    await cycleLoop;
    if (sourceLoop) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([sourceLoop, new Promise((r) => (timer = setTimeout(r, 2_000)))]);
      clearTimeout(timer);
    }
  }

  private async shutdown(reason: string): Promise<void> {
    const { log, elector } = this.options;
    this.stopping = true;
    log.info({ event: 'shutdown', reason }, 'shutting down: no new work; the running cycle finishes its current batch');
    this.sourceWake.wake();
    this.cycleWake.wake();
    const wait = this.options.shutdownWaitMs ?? SHUTDOWN_GRACE_MS - 5_000;
    const cycle = this.currentCycle;
    if (cycle) {
      let timer: NodeJS.Timeout | undefined;
      const finished = await Promise.race([
        cycle.then(() => true),
        new Promise<boolean>((r) => {
          timer = setTimeout(() => r(false), wait);
        }),
      ]);
      clearTimeout(timer);
      if (!finished) log.warn({ event: 'shutdown-timeout', waitedMs: wait }, 'the running cycle did not finish in time; its open transaction is rolled back and the next start redoes the work');
    }
    await elector.stop().catch((error: unknown) => log.warn({ event: 'leader-release-failed', error: errorMessage(error) }, 'releasing the leader lock failed'));
    this.options.metrics.setLeader(false);
    await this.http.close();
    log.info({ event: 'stopped' }, 'controller stopped');
  }

  private configInvalid(): Attempt | undefined {
    const attempt = this.attempt;
    if (!attempt || attempt.problems.length === 0) return undefined;
    return attempt;
  }

  private onLeaderChange(leader: boolean, reason: string): void {
    this.options.metrics.setLeader(leader);
    if (leader) {
      this.succeededSinceLeader = false;
      this.cyclesSinceLeader = 0;
      this.schedule.restart(this.now());
      this.options.log.info({ event: 'leader', reason }, 'this replica is the leader');
    } else {
      this.options.log.warn({ event: 'standby', reason }, 'this replica is on standby');
    }
    this.cycleWake.wake();
  }

  // ── source ────────────────────────────────────────────────────────────────────────────────────────

  private async sourceLoop(): Promise<void> {
    while (!this.stopping) {
      await this.sourceWake.wait(jittered(this.options.pollIntervalMs));
      if (this.stopping) break;
      await this.checkSource();
    }
  }

  /** One poll: fetch, and when the revision (or a directory's files) changed, validate and switch. */
  private async checkSource(): Promise<void> {
    const { source, log, metrics } = this.options;
    let state: SourceState | null;
    try {
      state = await source.poll();
      if (this.fetchError !== undefined) log.info({ event: 'source-recovered' }, 'config source reachable again');
      this.fetchError = undefined;
    } catch (error) {
      const message = errorMessage(error);
      if (message !== this.fetchError) log.error({ event: 'source-failed', source: source.description, error: message }, 'cannot fetch the config; the running revision continues');
      this.fetchError = message;
      metrics.gitFetchFailed();
      return;
    }
    if (state === null) return;
    let loaded: LoadResult;
    try {
      loaded = await this.options.loadConfig(state.configPath);
    } catch (error) {
      loaded = { problems: [{ file: '.', line: 1, column: 1, message: `the config could not be loaded: ${errorMessage(error)}` }], files: [] };
    }
    const valid = loaded.config !== undefined && loaded.problems.length === 0;
    const revision = state.revision ?? (await directoryRevision(state.configPath, loaded.files, valid ? loaded.config?.contentHash : undefined));
    const key = `${revision}\u0000${filesHash(loaded.files)}`;
    if (key === this.attempt?.key) return;
    this.attempt = { revision, key, problems: valid ? [] : loaded.problems };
    if (valid && loaded.config) {
      const previous = this.running?.revision;
      this.running = { config: loaded.config, files: loaded.files, revision };
      this.schedule.use(loaded.config);
      log.info({ event: 'revision', revision, previous: previous ?? null, schedule: this.schedule.describe() }, previous ? 'new config revision; reconciling with it' : 'config revision loaded');
      metrics.config(revision, revision, 0);
      metrics.declareConnectors(loaded.config);
      if (previous !== undefined) this.requestCycle(`new revision ${revision}`);
    } else {
      for (const p of loaded.problems) log.error({ event: 'config-problem', revision, file: p.file, line: p.line, column: p.column }, `${p.file}:${p.line}:${p.column}: ${p.message}`);
      log.error({ event: 'config-invalid', revision, problems: loaded.problems.length, running: this.running?.revision ?? null }, `revision ${revision} is invalid; ${this.running ? `still running ${this.running.revision}` : 'nothing valid to run'}`);
      metrics.config(this.running?.revision ?? null, revision, loaded.problems.length);
      this.requestCycle(`revision ${revision} is invalid`);
    }
  }

  /** After a restart whose newest revision is invalid: the store's last applied revision runs. */
  private async restoreApplied(): Promise<void> {
    const { db, source, log } = this.options;
    const applied = await loadAppliedConfig(db).catch(() => undefined);
    if (!applied) return;
    try {
      const state = await source.restore(applied.revision);
      const loaded = state ? await this.options.loadConfig(state.configPath) : await this.options.compileFromFiles(applied.configPath, applied.files);
      if (!loaded.config || loaded.problems.length > 0) {
        log.error({ event: 'restore-failed', revision: applied.revision }, `the last applied revision ${applied.revision} no longer compiles either`);
        return;
      }
      this.running = { config: loaded.config, files: loaded.files, revision: applied.revision };
      this.schedule.use(loaded.config);
      this.options.metrics.config(applied.revision, this.attempt?.revision ?? applied.revision, this.attempt?.problems.length ?? 0);
      log.warn({ event: 'revision-restored', revision: applied.revision }, `running the last applied revision ${applied.revision} from the store`);
    } catch (error) {
      log.error({ event: 'restore-failed', revision: applied.revision, error: errorMessage(error) }, 'cannot restore the last applied revision');
    }
  }

  // ── cycles ────────────────────────────────────────────────────────────────────────────────────────

  private async cycleLoop(): Promise<void> {
    while (!this.stopping) {
      if (!this.options.elector.isLeader()) {
        await this.cycleWake.wait(Number.POSITIVE_INFINITY);
        continue;
      }
      const now = this.now();
      const due = this.requested ?? this.schedule.next(now);
      if (due.at > now) {
        await this.cycleWake.wait(due.at - now);
        continue;
      }
      this.requested = undefined;
      this.currentCycle = this.runCycle(due);
      await this.currentCycle;
      this.currentCycle = undefined;
    }
  }

  private async runCycle(due: DueCycle): Promise<void> {
    const { log, metrics, publisher, elector, db } = this.options;
    const started = this.now();
    this.schedule.started(due.kind, started);
    const running = this.running;
    try {
      if (!running) {
        const invalid = this.configInvalid();
        if (invalid) await this.publishWithoutConfig(invalid);
        return;
      }
      await this.options.source.retain(new Set([running.revision])).catch(() => undefined);
      this.cycleRunning = true;
      metrics.cycleStarted();
      log.info({ event: 'cycle-start', kind: due.kind, reason: due.reason, revision: running.revision }, `${due.kind} cycle (${due.reason})`);
      const nowIso = new Date(started).toISOString();
      const mayExport = () => !this.stopping && elector.isLeader();
      const invalid = this.configInvalid();
      const extra: Condition[] = [
        ...(invalid ? [configInvalidCondition(invalid, running.revision, nowIso)] : []),
        ...(this.fetchError !== undefined ? [{ type: 'SourceUnavailable', status: 'True' as const, reason: 'FetchFailed', message: this.fetchError, lastTransitionTime: nowIso }] : []),
        ...publisher.conditions(nowIso),
      ];
      const result = await reconcileOnce({
        db,
        config: running.config,
        files: running.files,
        revision: running.revision,
        full: due.kind === 'full',
        openConnector: guardExports(this.options.openConnector(running.config), mayExport),
        log,
        extraConditions: extra,
        lastAttemptedRevision: this.attempt?.revision ?? running.revision,
        mayExport,
        // The leader is the store's only writer: cycles left running by a killed process become interrupted.
        soleWriter: elector.isLeader(),
        publish: (files, message) =>
          elector.isLeader() ? publisher.publish(running.config.mesh.reports, running.revision, files, message) : Promise.resolve('not published: this replica is no longer the leader'),
      });
      const finished = this.now();
      metrics.cycleFinished(result, running.config, (finished - started) / 1000, finished);
      this.lastCycle = { result: result.outcome.result, kind: result.outcome.kind, finishedAt: new Date(finished).toISOString() };
      if (result.outcome.result === 'succeeded' && elector.isLeader()) {
        this.succeededSinceLeader = true;
        this.lastSuccessAt = this.lastCycle.finishedAt;
      }
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
      metrics.cycleErrored(due.kind, (this.now() - started) / 1000);
      this.lastCycle = { result: 'error', kind: due.kind, finishedAt: new Date(this.now()).toISOString() };
      log.error({ event: 'cycle-error', kind: due.kind, error: errorMessage(error) }, 'cycle failed; the next one retries');
    } finally {
      if (this.cycleRunning) this.cyclesSinceLeader++;
      this.cycleRunning = false;
      this.schedule.finished(this.now());
    }
  }

  /**
   * No revision has ever been valid (and the store has none): there is no model to build a full status
   * from, but the reports branch must still say why nothing runs. Publishes a minimal status with
   * ConfigInvalid under the default reports branch and path.
   */
  private async publishWithoutConfig(invalid: Attempt): Promise<void> {
    const now = new Date(this.now()).toISOString();
    const status: StatusReport = {
      generatedAt: now,
      mesh: '',
      revision: null,
      lastAppliedRevision: null,
      lastAttemptedRevision: invalid.revision,
      conditions: [
        { type: 'Ready', status: 'False', reason: 'ConfigInvalid', message: 'no valid config revision has been applied', lastTransitionTime: now },
        configInvalidCondition(invalid, null, now),
      ],
      connectors: [],
      lastCycle: null,
      cycles: [],
      pendingExports: 0,
      meshObjects: {},
    };
    const drift = { generatedAt: now, revision: null, drift: [] };
    const conflicts = { generatedAt: now, revision: null, conflicts: [] };
    // No valid config names a reports branch: publish where a Mesh without spec.reports would.
    const reports = { branch: DEFAULTS.reportsBranch, path: DEFAULTS.reportsPath };
    try {
      const where = await this.options.publisher.publish(reports, invalid.revision, reportFiles(status, drift, conflicts), reportCommitMessage(status, { drift, conflicts }));
      this.options.log.warn({ event: 'config-invalid-published', revision: invalid.revision, reports: where }, 'published ConfigInvalid; nothing valid to run');
    } catch (error) {
      this.options.log.error({ event: 'publish-failed', error: errorMessage(error) }, 'cannot publish the ConfigInvalid status');
    }
  }
}
