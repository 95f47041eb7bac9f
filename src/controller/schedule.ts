/**
 * When the next run is due, of which scope, and whether it is full or delta.
 *
 * - The Mesh's `spec.schedule` is one timetable for every connector without a schedule of its own: a
 *   delta run every `interval`, measured start to start, and a full run at each `full` cron time (UTC).
 *   When no connector has its own, that run is the whole mesh.
 * - A Connector's `spec.schedule` (`interval`, `full`; a key left out keeps the Mesh's value) gives it a
 *   timetable of its own: its runs are scoped to it (engine/run-scope.ts). `schedule: { manual: true }`
 *   gives it none: it runs only on request. A suspended connector's own timetable is idle.
 * - Runs never overlap: the controller loop runs one at a time, so a run that lasts longer than an
 *   interval delays the next one, and no two start closer than MIN_CYCLE_GAP_MS. A cron time missed
 *   while the process was down is not made up; the delta runs cover the gap. A full run due at the same
 *   time as a timetable's delta replaces it.
 */
import { formatDuration } from '../config/duration.js';
import { Cron } from 'croner';
import type { CompiledConfig } from '../config/model.js';
import type { CycleKind, RunTrigger } from '../engine/context.js';

/** Never start runs closer together than this, however short the interval or slow the last run. */
export const MIN_CYCLE_GAP_MS = 250;

export interface DueCycle {
  readonly at: number;
  readonly kind: CycleKind;
  /** What made it due, for logs. */
  readonly reason: string;
  /** The connectors it covers, sorted; null: the whole mesh. */
  readonly scope: readonly string[] | null;
  /** What made it due: a timetable (`schedule`) or a request's trigger. */
  readonly trigger: RunTrigger;
  /** A request asked it to send every failed export again (`retryFailed` of POST /sync). */
  readonly retryFailed?: boolean;
}

/** A scope as a map key (null: the whole mesh). */
export function scopeKey(scope: readonly string[] | null): string {
  return scope === null ? '*' : scope.join('\u0000');
}

interface Timetable {
  readonly owner: string;
  readonly scope: readonly string[] | null;
  readonly intervalMs: number;
  readonly cron: Cron;
  lastStart: number | undefined;
  fullAnchor: number;
}

export class CycleSchedule {
  private timetables: Timetable[] = [];
  private idle: string[] = [];
  private signature = '';
  private lastEnd: number | undefined;
  /** Since when a timetable that never ran is due: its first run is owed from here, not from "now". */
  private firstDue: number;

  constructor(private readonly createdAt: number) {
    this.firstDue = createdAt;
  }

  /** Takes the schedules of a (new) config revision; timetables that did not change keep their times. */
  use(config: CompiledConfig): void {
    const mesh = config.mesh.schedule;
    const plans: { owner: string; scope: string[] | null; intervalMs: number; full: string }[] = [];
    const followers: string[] = [];
    const idle: string[] = [];
    for (const connector of config.connectors.values()) {
      const own = connector.schedule;
      if (own?.manual) idle.push(`${connector.name} (manual)`);
      else if (own?.intervalMs === undefined && own?.full === undefined) followers.push(connector.name);
      else if (connector.suspend) idle.push(`${connector.name} (suspended)`);
      else plans.push({ owner: `connector ${connector.name}`, scope: [connector.name], intervalMs: own.intervalMs ?? mesh.intervalMs, full: own.full ?? mesh.full });
    }
    if (followers.length === config.connectors.size) plans.unshift({ owner: 'mesh', scope: null, intervalMs: mesh.intervalMs, full: mesh.full });
    else if (followers.length > 0) plans.unshift({ owner: 'mesh', scope: followers.sort(), intervalMs: mesh.intervalMs, full: mesh.full });
    const signature = JSON.stringify([plans, idle]);
    if (signature === this.signature) return;
    this.signature = signature;
    this.idle = idle;
    const before = new Map(this.timetables.map((t) => [scopeKey(t.scope), t]));
    this.timetables = plans.map((p) => {
      const kept = before.get(scopeKey(p.scope));
      return {
        owner: p.owner,
        scope: p.scope,
        intervalMs: Math.max(p.intervalMs, MIN_CYCLE_GAP_MS),
        cron: new Cron(p.full, { timezone: 'UTC', paused: true, legacyMode: true }),
        lastStart: kept?.lastStart,
        fullAnchor: kept?.fullAnchor ?? this.createdAt,
      };
    });
  }

  /** The next run due: each timetable's first one at once, then the earliest of them (the Mesh's first on a tie). */
  next(now: number): DueCycle | undefined {
    const gap = this.lastEnd === undefined ? now : this.lastEnd + MIN_CYCLE_GAP_MS;
    let best: DueCycle | undefined;
    let bestOwed = Number.POSITIVE_INFINITY;
    for (const t of this.timetables) {
      const cronAt = t.cron.nextRun(new Date(t.fullAnchor))?.getTime();
      // A first run is owed since the schedule began: were it due "now", a connector whose short interval
      // is always overdue would come first every time and starve the first run of every other.
      const deltaAt = t.lastStart === undefined ? this.firstDue : t.lastStart + t.intervalMs;
      const reason = t.lastStart === undefined ? `first run (${t.owner})` : `${t.owner} interval`;
      let owed = deltaAt;
      let due: DueCycle = { at: Math.max(deltaAt, gap), kind: 'delta', reason, scope: t.scope, trigger: 'schedule' };
      if (cronAt !== undefined && cronAt <= Math.max(deltaAt, now)) {
        owed = cronAt;
        due = { at: Math.max(cronAt, gap), kind: 'full', reason: `${t.owner} full schedule (${t.cron.getPattern()})`, scope: t.scope, trigger: 'schedule' };
      }
      // The run owed longest goes first (the gap after the last run delays them all alike).
      if (best === undefined || owed < bestOwed) {
        best = due;
        bestOwed = owed;
      }
    }
    return best;
  }

  /** A run of this scope started (scheduled or requested: either restarts that timetable's interval). */
  started(due: Pick<DueCycle, 'kind' | 'scope'>, at: number): void {
    const t = this.timetables.find((x) => scopeKey(x.scope) === scopeKey(due.scope));
    if (!t) return;
    t.lastStart = at;
    if (due.kind === 'full') t.fullAnchor = at;
  }

  finished(at: number): void {
    this.lastEnd = at;
  }

  /** A fresh start (this replica just became leader): first runs at once, missed cron times skipped. */
  restart(now: number): void {
    this.lastEnd = undefined;
    this.firstDue = now;
    for (const t of this.timetables) {
      t.lastStart = undefined;
      t.fullAnchor = now;
    }
  }

  /** For logs: each timetable, and the connectors that run only on request or are suspended. */
  describe(): string {
    const parts = this.timetables.map((t) => `${t.owner}${t.scope && t.owner === 'mesh' ? ` (${t.scope.join(', ')})` : ''}: delta every ${formatDuration(t.intervalMs)}, full at ${t.cron.getPattern()} UTC`);
    if (this.idle.length > 0) parts.push(`not scheduled: ${this.idle.join(', ')}`);
    return parts.length > 0 ? parts.join('; ') : 'nothing scheduled';
  }
}
