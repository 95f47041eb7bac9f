/**
 * When the next cycle runs, and whether it is full or delta.
 *
 * - Delta cycles every `spec.schedule.interval`, measured start to start; a cycle that runs longer
 *   than the interval delays the next one (it starts right after, never alongside: cycles are run one
 *   at a time by the controller loop, so they cannot overlap or stack up).
 * - Full cycles (which sweep deletions) at each `spec.schedule.full` cron time, evaluated in UTC. A
 *   cron time missed while the process was down is not made up; the delta cycles cover the gap.
 * - A Connector's `spec.schedule` overrides the Mesh's for that connector. The engine runs every
 *   connector in each cycle, so an override adds cycle times: the delta cadence is the shortest interval
 *   of the Mesh and any connector, and a connector's own cron starts a full cycle. (A connector-scoped
 *   cycle would need the engine to import a subset; until then a full cycle covers every connector.)
 * - A full cycle due at the same time as a delta replaces it.
 */
import { formatDuration } from '../config/duration.js';
import { Cron } from 'croner';
import type { CompiledConfig } from '../config/model.js';
import type { CycleKind } from '../engine/context.js';

/** Never start cycles closer together than this, however short the interval or slow the last cycle. */
export const MIN_CYCLE_GAP_MS = 250;

export interface DueCycle {
  readonly at: number;
  readonly kind: CycleKind;
  /** What made it due, for logs. */
  readonly reason: string;
}

interface FullSchedule {
  readonly owner: string;
  readonly cron: Cron;
}

export class CycleSchedule {
  private intervalMs = 5 * 60_000;
  private intervalOwner = 'mesh';
  private fulls: FullSchedule[] = [];
  private signature = '';
  private lastStart: number | undefined;
  private lastEnd: number | undefined;
  /** Full cron times are looked for after this instant. */
  private fullAnchor: number;

  constructor(now: number) {
    this.fullAnchor = now;
  }

  /** Takes the schedules of a (new) config revision. */
  use(config: CompiledConfig): void {
    const crons: { owner: string; expression: string }[] = [{ owner: 'mesh', expression: config.mesh.schedule.full }];
    let interval = config.mesh.schedule.intervalMs;
    let owner = 'mesh';
    for (const connector of config.connectors.values()) {
      const own = connector.schedule;
      if (own?.intervalMs !== undefined && own.intervalMs < interval) {
        interval = own.intervalMs;
        owner = `connector ${connector.name}`;
      }
      if (own?.full !== undefined && own.full !== config.mesh.schedule.full) crons.push({ owner: `connector ${connector.name}`, expression: own.full });
    }
    const signature = JSON.stringify([interval, crons]);
    if (signature === this.signature) return;
    this.signature = signature;
    this.intervalMs = Math.max(interval, MIN_CYCLE_GAP_MS);
    this.intervalOwner = owner;
    this.fulls = crons.map(({ owner: o, expression }) => ({ owner: o, cron: new Cron(expression, { timezone: 'UTC', paused: true, legacyMode: true }) }));
  }

  /** The next cycle: the first one runs at once. */
  next(now: number): DueCycle {
    let full: DueCycle | undefined;
    for (const { owner, cron } of this.fulls) {
      const at = cron.nextRun(new Date(this.fullAnchor))?.getTime();
      if (at !== undefined && (full === undefined || at < full.at)) full = { at, kind: 'full', reason: `${owner} full schedule (${cron.getPattern()})` };
    }
    const delta: DueCycle =
      this.lastStart === undefined
        ? { at: now, kind: 'delta', reason: 'first cycle' }
        : {
            at: Math.max(this.lastStart + this.intervalMs, (this.lastEnd ?? this.lastStart) + MIN_CYCLE_GAP_MS),
            kind: 'delta',
            reason: `${this.intervalOwner} interval`,
          };
    return full !== undefined && full.at <= Math.max(delta.at, now) ? full : delta;
  }

  started(kind: CycleKind, at: number): void {
    this.lastStart = at;
    if (kind === 'full') this.fullAnchor = at;
  }

  finished(at: number): void {
    this.lastEnd = at;
  }

  /** A fresh start (this replica just became leader): the first cycle runs at once, missed cron times are skipped. */
  restart(now: number): void {
    this.lastStart = undefined;
    this.lastEnd = undefined;
    this.fullAnchor = now;
  }

  /** For logs: the delta interval in force. */
  describe(): string {
    return `delta every ${formatDuration(this.intervalMs)} (${this.intervalOwner}); full at ${this.fulls.map((f) => `${f.cron.getPattern()} (${f.owner})`).join(', ')} UTC`;
  }
}
