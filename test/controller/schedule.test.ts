import { describe, expect, it } from 'vitest';
import type { CompiledConfig, ConnectorModel } from '../../src/config/model.js';
import { jittered } from '../../src/controller/source-watcher.js';
import { CycleSchedule, MIN_CYCLE_GAP_MS } from '../../src/controller/schedule.js';

function config(interval: number, full: string, connectors: Partial<ConnectorModel>[] = []): CompiledConfig {
  return {
    configPath: '/x',
    contentHash: 'h',
    mesh: {
      name: 'm',
      location: { file: 'mesh.yaml', line: 1, column: 1 },
      objectTypes: new Map(),
      safety: { maxDeletes: 500, maxDeletePercent: 20, maxClears: 500, maxClearPercent: 20 },
      exportRetry: { maxAttempts: 5, retries: 2, backoffMs: 1000 },
      reports: { branch: 'identity-mesh/status', path: 'reports' },
      schedule: { intervalMs: interval, full },
      suspend: false,
      history: { retainMs: 400 * 86_400_000 },
    },
    connectors: new Map(connectors.map((c, i) => [c.name ?? `c${i}`, { name: `c${i}`, type: 'csv', location: { file: 'c.yaml', line: 1, column: 1 }, spec: {}, objectTypes: [], suspend: false, ...c } as ConnectorModel])),
    flowRules: [],
    projections: [],
    policies: [],
  };
}

const at = (iso: string) => Date.parse(iso);

describe('cycle schedule', () => {
  it('runs the first cycle at once, then delta cycles start to start on the interval', () => {
    const t0 = at('2024-01-03T10:00:00Z');
    const s = new CycleSchedule(t0);
    s.use(config(300_000, '0 2 * * 0'));
    expect(s.next(t0)).toMatchObject({ at: t0, kind: 'delta' });
    s.started({ kind: 'delta', scope: null }, t0);
    s.finished(t0 + 20_000);
    expect(s.next(t0 + 20_000)).toMatchObject({ at: t0 + 300_000, kind: 'delta' });
  });

  it('lets a slow cycle delay the next one instead of stacking them', () => {
    const t0 = at('2024-01-03T10:00:00Z');
    const s = new CycleSchedule(t0);
    s.use(config(60_000, '0 2 * * 0'));
    s.started({ kind: 'delta', scope: null }, t0);
    s.finished(t0 + 200_000); // ran for more than three intervals
    expect(s.next(t0 + 200_000)).toMatchObject({ at: t0 + 200_000 + MIN_CYCLE_GAP_MS, kind: 'delta' });
  });

  it('runs full cycles on the cron, in UTC, and a due full replaces a delta', () => {
    const t0 = at('2024-01-06T23:50:00Z'); // a Saturday
    const s = new CycleSchedule(t0);
    s.use(config(3_600_000, '0 0 * * 0')); // Sundays at midnight UTC
    s.started({ kind: 'delta', scope: null }, t0);
    s.finished(t0 + 1_000);
    expect(s.next(t0 + 1_000)).toMatchObject({ at: at('2024-01-07T00:00:00Z'), kind: 'full' });
    s.started({ kind: 'full', scope: null }, at('2024-01-07T00:00:00Z'));
    s.finished(at('2024-01-07T00:05:00Z'));
    expect(s.next(at('2024-01-07T00:05:00Z'))).toMatchObject({ at: at('2024-01-07T01:00:00Z'), kind: 'delta' });
  });

  // DESIGN §8: a connector's schedule is its own timetable of scoped runs (it used to add cycle times to
  // the one whole-mesh timetable); the old case, under the new contract.
  it("gives a connector with its own schedule its own scoped runs; the others follow the Mesh's in one run", () => {
    const t0 = at('2024-01-03T10:00:00Z');
    const s = new CycleSchedule(t0);
    s.use(config(300_000, '0 2 * * 0', [{ name: 'okta', schedule: { intervalMs: 60_000 } }, { name: 'hr', schedule: { full: '30 10 * * *' } }, { name: 'ad' }]));
    // First runs at once, the Mesh's first; each timetable's own after it.
    expect(s.next(t0)).toEqual({ at: t0, kind: 'delta', reason: 'first run (mesh)', scope: ['ad'] , trigger: 'schedule' });
    s.started({ kind: 'delta', scope: ['ad'] }, t0);
    s.finished(t0 + 1_000);
    expect(s.next(t0 + 1_000)).toEqual({ at: t0 + 1_000 + MIN_CYCLE_GAP_MS, kind: 'delta', reason: 'first run (connector okta)', scope: ['okta'] , trigger: 'schedule' });
    s.started({ kind: 'delta', scope: ['okta'] }, t0 + 2_000);
    s.finished(t0 + 3_000);
    expect(s.next(t0 + 3_000)).toMatchObject({ kind: 'delta', reason: 'first run (connector hr)', scope: ['hr'] });
    s.started({ kind: 'delta', scope: ['hr'] }, t0 + 4_000);
    s.finished(t0 + 5_000);
    // okta every minute, alone; hr keeps the Mesh's interval and has its own full cron.
    expect(s.next(t0 + 5_000)).toEqual({ at: t0 + 62_000, kind: 'delta', reason: 'connector okta interval', scope: ['okta'] , trigger: 'schedule' });
    s.started({ kind: 'delta', scope: ['okta'] }, t0 + 62_000);
    s.finished(t0 + 63_000);
    s.started({ kind: 'delta', scope: ['ad'] }, t0 + 1_740_000);
    s.started({ kind: 'delta', scope: ['hr'] }, t0 + 1_740_000);
    s.started({ kind: 'delta', scope: ['okta'] }, t0 + 1_745_000);
    s.finished(t0 + 1_741_000);
    expect(s.next(t0 + 1_741_000)).toEqual({ at: at('2024-01-03T10:30:00Z'), kind: 'full', reason: 'connector hr full schedule (30 10 * * *)', scope: ['hr'] , trigger: 'schedule' });
    expect(s.describe()).toContain('connector hr: delta every 5m, full at 30 10 * * * UTC');
  });

  it("gives every timetable its first run even when another's short interval is always overdue", () => {
    const t0 = at('2024-01-03T10:00:00Z');
    const s = new CycleSchedule(t0);
    s.use(config(300_000, '0 2 * * 0', [{ name: 'hr', schedule: { intervalMs: 1_000 } }, { name: 'directory', schedule: { intervalMs: 3_600_000 } }]));
    const order: string[] = [];
    let now = t0;
    for (let i = 0; i < 4; i++) {
      const due = s.next(now)!;
      const start = Math.max(now, due.at);
      s.started(due, start);
      now = start + 3_000; // every run takes longer than hr's interval
      s.finished(now);
      order.push(due.scope!.join(','));
    }
    expect(order).toEqual(['hr', 'directory', 'hr', 'hr']);
  });

  it('never schedules a manual connector or a suspended one with its own timetable, and says so', () => {
    const t0 = at('2024-01-03T10:00:00Z');
    const s = new CycleSchedule(t0);
    s.use(config(300_000, '0 2 * * 0', [{ name: 'hr' }, { name: 'legacy', schedule: { manual: true } }, { name: 'okta', schedule: { intervalMs: 60_000 }, suspend: true }]));
    const seen = new Set<string>();
    let now = t0;
    for (let i = 0; i < 20; i++) {
      const due = s.next(now)!;
      for (const name of due.scope ?? ['*']) seen.add(name);
      s.started(due, due.at);
      s.finished(due.at + 10);
      now = due.at + 10;
    }
    expect([...seen]).toEqual(['hr']);
    expect(s.describe()).toContain('not scheduled: legacy (manual), okta (suspended)');
  });

  it('schedules nothing when every connector runs only on request', () => {
    const s = new CycleSchedule(0);
    s.use(config(300_000, '0 2 * * 0', [{ name: 'hr', schedule: { manual: true } }]));
    expect(s.next(0)).toBeUndefined();
  });

  it('starts afresh when this replica becomes leader (first cycle at once, missed cron times skipped)', () => {
    const t0 = at('2024-01-06T23:00:00Z');
    const s = new CycleSchedule(t0);
    s.use(config(3_600_000, '0 0 * * 0'));
    s.started({ kind: 'delta', scope: null }, t0);
    s.finished(t0);
    const later = at('2024-01-07T05:00:00Z');
    s.restart(later);
    expect(s.next(later)).toMatchObject({ at: later, kind: 'delta' });
  });

  it('jitters the poll interval by at most ±10%', () => {
    expect(jittered(60_000, 0.1, () => 0)).toBe(54_000);
    expect(jittered(60_000, 0.1, () => 1)).toBe(66_000);
    expect(jittered(60_000, 0.1, () => 0.5)).toBe(60_000);
  });
});
