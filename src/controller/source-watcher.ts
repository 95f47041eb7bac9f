/**
 * Which config revision runs. Polls the config source every poll interval (±10 % jitter, as Flux
 * jitters its intervals — fluxcd/pkg/runtime/jitter) or at once when a webhook asks. A new revision is
 * loaded and compiled:
 * - valid: it becomes the running revision; the listener is told (the run loop follows its schedule and,
 *   unless it is the first revision, runs a cycle at once);
 * - invalid: the last good revision keeps running; the attempt and its problems are kept for
 *   `ConfigInvalid`, and the listener is asked for a cycle so status says so.
 * `lastAttemptedRevision` names the newest revision fetched, valid or not, while `lastAppliedRevision`
 * stays on the running one (Flux's Kustomization status semantics).
 *
 * After a restart whose newest revision is invalid, the store's last applied revision runs again.
 */
import type { CompiledConfig, Problem } from '../config/model.js';
import { loadAppliedConfig } from '../engine/applied-config.js';
import { errorMessage } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { Db } from '../store/db.js';
import { directoryRevision, filesHash, type ControllerConfigSource, type SourceState } from './config-sources.js';
import { POLL_JITTER } from './endpoints.js';
import type { ControllerMetrics } from './metrics.js';
import { Wakeup } from './wakeup.js';

export interface LoadResult {
  readonly config?: CompiledConfig;
  readonly problems: readonly Problem[];
  readonly files: readonly { path: string; content: string }[];
}

/** The revision being reconciled. */
export interface RunningRevision {
  readonly config: CompiledConfig;
  readonly files: readonly { path: string; content: string }[];
  readonly revision: string;
}

/** The newest revision fetched, and its problems (none when it is valid). */
export interface AttemptedRevision {
  readonly revision: string;
  readonly problems: readonly Problem[];
}

export interface RevisionListener {
  /** `config` is now the running one (a new, or a restored, revision). */
  applied(config: CompiledConfig): void;
  /** A revision change wants a cycle soon. */
  requestCycle(reason: string): void;
}

export interface SourceWatcherOptions {
  readonly source: ControllerConfigSource;
  readonly db: Db;
  readonly metrics: ControllerMetrics;
  readonly log: Logger;
  readonly loadConfig: (configPath: string) => Promise<LoadResult>;
  readonly compileFromFiles: (configPath: string, files: readonly { path: string; content: string }[]) => LoadResult | Promise<LoadResult>;
  readonly pollIntervalMs: number;
  readonly listener: RevisionListener;
}

export function jittered(ms: number, fraction = POLL_JITTER, random = Math.random): number {
  return Math.round(ms * (1 + (random() * 2 - 1) * fraction));
}

export class SourceWatcher {
  private readonly wake = new Wakeup();
  private current: RunningRevision | undefined;
  private attempt: (AttemptedRevision & { readonly key: string }) | undefined;
  private fetchFailure: string | undefined;
  private stopping = false;

  constructor(private readonly options: SourceWatcherOptions) {}

  /** Opens the source and loads its newest revision, or else the last one applied. */
  async open(): Promise<void> {
    await this.options.source.open();
    await this.check();
    if (!this.current) await this.restoreApplied();
  }

  /** Polls until stop(). */
  async loop(): Promise<void> {
    while (!this.stopping) {
      await this.wake.wait(jittered(this.options.pollIntervalMs));
      if (this.stopping) break;
      await this.check();
    }
  }

  /** Fetch now (the webhook). */
  requestFetch(): void {
    this.wake.wake();
  }

  stop(): void {
    this.stopping = true;
    this.wake.wake();
  }

  get description(): string {
    return this.options.source.description;
  }

  running(): RunningRevision | undefined {
    return this.current;
  }

  /** The newest revision fetched; the running one when nothing newer was. */
  attemptedRevision(): string | null {
    return this.attempt?.revision ?? this.current?.revision ?? null;
  }

  /** The newest revision when it is invalid. */
  invalid(): AttemptedRevision | undefined {
    const attempt = this.attempt;
    return attempt && attempt.problems.length > 0 ? attempt : undefined;
  }

  /** Why the last fetch failed, while it keeps failing. */
  fetchError(): string | undefined {
    return this.fetchFailure;
  }

  /** Lets the source clean up every revision but the running one. */
  async retainRunning(): Promise<void> {
    if (this.current) await this.options.source.retain(new Set([this.current.revision])).catch(() => undefined);
  }

  /** One poll: fetch, and when the revision (or a directory's files) changed, validate and switch. */
  private async check(): Promise<void> {
    const { source, log, metrics, listener } = this.options;
    let state: SourceState | null;
    try {
      state = await source.poll();
      if (this.fetchFailure !== undefined) log.info({ event: 'source-recovered' }, 'config source reachable again');
      this.fetchFailure = undefined;
    } catch (error) {
      const message = errorMessage(error);
      if (message !== this.fetchFailure) log.error({ event: 'source-failed', source: source.description, error: message }, 'cannot fetch the config; the running revision continues');
      this.fetchFailure = message;
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
      const previous = this.current?.revision;
      this.current = { config: loaded.config, files: loaded.files, revision };
      listener.applied(loaded.config);
      log.info({ event: 'revision', revision, previous: previous ?? null }, previous ? 'new config revision; reconciling with it' : 'config revision loaded');
      metrics.config(revision, revision, 0);
      metrics.declareConnectors(loaded.config);
      if (previous !== undefined) listener.requestCycle(`new revision ${revision}`);
    } else {
      for (const p of loaded.problems) log.error({ event: 'config-problem', revision, file: p.file, line: p.line, column: p.column }, `${p.file}:${p.line}:${p.column}: ${p.message}`);
      log.error({ event: 'config-invalid', revision, problems: loaded.problems.length, running: this.current?.revision ?? null }, `revision ${revision} is invalid; ${this.current ? `still running ${this.current.revision}` : 'nothing valid to run'}`);
      metrics.config(this.current?.revision ?? null, revision, loaded.problems.length);
      listener.requestCycle(`revision ${revision} is invalid`);
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
      this.current = { config: loaded.config, files: loaded.files, revision: applied.revision };
      this.options.listener.applied(loaded.config);
      this.options.metrics.config(applied.revision, this.attempt?.revision ?? applied.revision, this.attempt?.problems.length ?? 0);
      log.warn({ event: 'revision-restored', revision: applied.revision }, `running the last applied revision ${applied.revision} from the store`);
    } catch (error) {
      log.error({ event: 'restore-failed', revision: applied.revision, error: errorMessage(error) }, 'cannot restore the last applied revision');
    }
  }
}
