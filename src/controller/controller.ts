/**
 * The controller behind `imesh run`: an HTTP server and three parts, each with one job —
 * - source-watcher.ts: which config revision runs (polls the source, validates, keeps the last good one);
 * - run-loop.ts: when cycles run, and running them (schedule and requests, one at a time, leader only);
 * - status-tracker.ts: what the controller says about itself (role, cycles, conditions, metrics).
 * HTTP: /healthz, /readyz, /metrics, POST /hooks/git; other modules mount more routes through
 * `controller.http.addRoute` (see http-server.ts).
 *
 * `stop()` (SIGTERM/SIGINT): no new work; the running cycle finishes its current batch and skips the
 * rest (mayExport false); then the lock is released and the server closed. The caller closes the store.
 */
import type { CompiledConfig } from '../config/model.js';
import { envSecretResolver } from '../config/secrets.js';
import type { ConnectorOpener, CycleKind, RunTrigger } from '../engine/context.js';
import { errorMessage } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { Db } from '../store/db.js';
import type { ControllerConfigSource } from './config-sources.js';
import { HEALTH_PATH, METRICS_PATH, READY_PATH, SHUTDOWN_GRACE_MS, WEBHOOK_PATH } from './endpoints.js';
import { createHttpServer, sendText, type ControllerHttpServer } from './http-server.js';
import type { ControllerPort } from './api/controller-port.js';
import type { LeaderElector } from './leader-election.js';
import type { ControllerMetrics } from './metrics.js';
import { healthHandler, readiness, readyHandler, type ControllerStatus } from './probes.js';
import type { ReportPublisher } from './report-publisher.js';
import { RunLoop } from './run-loop.js';
import { SourceWatcher, type LoadResult } from './source-watcher.js';
import { StatusTracker } from './status-tracker.js';
import { StoreRequestWatcher, type StoredRequestSource } from './store-requests.js';
import { gitWebhookHandler } from './webhook.js';

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
  /**
   * Where requests taken by other replicas wait (store-requests.ts): the leader runs them. Only with a
   * store that replicas share.
   */
  readonly storeRequests?: readonly StoredRequestSource[];
  readonly storeRequestPollMs?: number;
}

export class Controller {
  readonly http: ControllerHttpServer;
  private readonly watcher: SourceWatcher;
  private readonly runs: RunLoop;
  private readonly tracker: StatusTracker;
  private readonly waiting: StoreRequestWatcher | undefined;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  private loops: Promise<void>[] = [];

  constructor(private readonly options: ControllerOptions) {
    const now = options.now ?? Date.now;
    const { metrics, log } = options;
    this.watcher = new SourceWatcher({
      source: options.source,
      db: options.db,
      metrics,
      log,
      loadConfig: options.loadConfig,
      compileFromFiles: options.compileFromFiles,
      pollIntervalMs: options.pollIntervalMs,
      listener: { applied: (config) => this.runs.useConfig(config), requestCycle: (reason) => this.requestCycle(reason, 'delta', null, 'revision') },
    });
    this.tracker = new StatusTracker(this.watcher, metrics);
    this.runs = new RunLoop({ db: options.db, elector: options.elector, publisher: options.publisher, log, openConnector: options.openConnector, source: this.watcher, status: this.tracker, now });
    if (options.storeRequests && options.storeRequests.length > 0) {
      this.waiting = new StoreRequestWatcher({
        sources: options.storeRequests,
        running: () => this.watcher.running()?.config,
        isLeader: () => options.elector.isLeader() && !this.stopping,
        isQueued: (connectors) => this.runs.isQueued(connectors),
        busy: () => this.runs.isRunning(),
        request: (r) => this.requestCycle(r.reason, r.kind, r.connectors, r.trigger, r.retryFailed),
        log,
        ...(options.storeRequestPollMs !== undefined ? { intervalMs: options.storeRequestPollMs } : {}),
      });
    }
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
    const { log, elector } = this.options;
    await this.http.listen();
    log.info({ event: 'listening', port: this.http.port() }, `serving ${HEALTH_PATH}, ${READY_PATH}, ${METRICS_PATH}${this.options.webhookSecret ? `, POST ${WEBHOOK_PATH}` : ''}`);
    await this.watcher.open();
    await elector.start((leader, reason) => this.onLeaderChange(leader, reason));
    this.loops = [this.watcher.loop(), this.runs.loop(), ...(this.waiting ? [this.waiting.loop()] : [])];
  }

  /** Fetch the source now (the webhook). */
  requestFetch(): void {
    this.watcher.requestFetch();
  }

  /** Run a cycle as soon as the current one (if any) ends — for SCIM pushes and the operator API. */
  requestCycle(reason: string, kind: CycleKind = 'delta', connectors: readonly string[] | null = null, trigger: RunTrigger = 'revision', retryFailed = false): void {
    this.runs.request(reason, kind, connectors, trigger, retryFailed);
  }

  status(): ControllerStatus {
    return this.tracker.status(this.options.elector.isLeader() ? 'leader' : 'standby', this.stopping);
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
      config: () => this.watcher.running()?.config,
      revisions: () => ({ applied: this.watcher.running()?.revision ?? null, attempted: this.watcher.attemptedRevision() }),
      configProblems: () => this.watcher.invalid()?.problems ?? [],
      requestCycle: (kind, reason, connectors, retryFailed) => this.requestCycle(reason, kind, connectors ?? null, 'api', retryFailed ?? false),
      openConnector: (model) => {
        const running = this.watcher.running();
        if (!running) return Promise.reject(new Error('no valid config revision is running yet'));
        return this.options.openConnector(running.config)(model);
      },
      role: () => (this.options.elector.isLeader() ? 'leader' : 'standby'),
      ...(this.options.now ? { now: this.options.now } : {}),
    };
  }

  /** Stops taking work, lets the running cycle finish its batch, releases the lock, closes HTTP. */
  stop(reason = 'stop requested'): Promise<void> {
    this.stopped ??= this.shutdown(reason);
    return this.stopped;
  }

  /**
   * Resolves when the loops have ended (after stop()): the run loop always, the source watcher unless a
   * fetch is still hanging on the network after a short wait (it holds no state worth waiting for).
   */
  async done(): Promise<void> {
    const [sourceLoop, runLoop, waitingLoop] = this.loops;
    await runLoop;
    await waitingLoop;
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
    this.watcher.stop();
    this.runs.stop();
    this.waiting?.stop();
    const wait = this.options.shutdownWaitMs ?? SHUTDOWN_GRACE_MS - 5_000;
    if (!(await this.runs.waitForCurrent(wait))) {
      log.warn({ event: 'shutdown-timeout', waitedMs: wait }, 'the running cycle did not finish in time; its open transaction is rolled back and the next start redoes the work');
    }
    await elector.stop().catch((error: unknown) => log.warn({ event: 'leader-release-failed', error: errorMessage(error) }, 'releasing the leader lock failed'));
    this.options.metrics.setLeader(false);
    await this.http.close();
    log.info({ event: 'stopped' }, 'controller stopped');
  }

  private onLeaderChange(leader: boolean, reason: string): void {
    this.tracker.leaderChanged(leader);
    this.runs.leaderChanged(leader);
    this.waiting?.leaderChanged();
    if (leader) this.options.log.info({ event: 'leader', reason }, 'this replica is the leader');
    else this.options.log.warn({ event: 'standby', reason }, 'this replica is on standby');
  }
}
