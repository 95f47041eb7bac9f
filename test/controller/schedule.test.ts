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
      safety: { maxDeletes: 500, maxDeletePercent: 20 },
      reports: { branch: 'identity-mesh/status', path: 'reports' },
      schedule: { intervalMs: interval, full },
      suspend: false,
    },
    connectors: new Map(connectors.map((c, i) => [c.name ?? `c${i}`, { name: `c${i}`, type: 'csv', location: { file: 'c.yaml', line: 1, column: 1 }, spec: {}, objectTypes: [], suspend: false, ...c } as ConnectorModel])),
    flowRules: [],
    projections: [],
  };
}

const at = (iso: string) => Date.parse(iso);

describe('cycle schedule', () => {
  it('runs the first cycle at once, then delta cycles start to start on the interval', () => {
    const t0 = at('2024-01-03T10:00:00Z');
    const s = new CycleSchedule(t0);
    s.use(config(300_000, '0 2 * * 0'));
    expect(s.next(t0)).toMatchObject({ at: t0, kind: 'delta' });
    s.started('delta', t0);
    s.finished(t0 + 20_000);
    expect(s.next(t0 + 20_000)).toMatchObject({ at: t0 + 300_000, kind: 'delta' });
  });

  it('lets a slow cycle delay the next one instead of stacking them', () => {
    const t0 = at('2024-01-03T10:00:00Z');
    const s = new CycleSchedule(t0);
    s.use(config(60_000, '0 2 * * 0'));
    s.started('delta', t0);
    s.finished(t0 + 200_000); // ran for more than three intervals
    expect(s.next(t0 + 200_000)).toMatchObject({ at: t0 + 200_000 + MIN_CYCLE_GAP_MS, kind: 'delta' });
  });

  it('runs full cycles on the cron, in UTC, and a due full replaces a delta', () => {
    const t0 = at('2024-01-06T23:50:00Z'); // a Saturday
    const s = new CycleSchedule(t0);
    s.use(config(3_600_000, '0 0 * * 0')); // Sundays at midnight UTC
    s.started('delta', t0);
    s.finished(t0 + 1_000);
    expect(s.next(t0 + 1_000)).toMatchObject({ at: at('2024-01-07T00:00:00Z'), kind: 'full' });
    s.started('full', at('2024-01-07T00:00:00Z'));
    s.finished(at('2024-01-07T00:05:00Z'));
    expect(s.next(at('2024-01-07T00:05:00Z'))).toMatchObject({ at: at('2024-01-07T01:00:00Z'), kind: 'delta' });
  });

  it('takes connector overrides: a shorter interval and a connector cron add cycles', () => {
    const t0 = at('2024-01-03T10:00:00Z');
    const s = new CycleSchedule(t0);
    s.use(config(300_000, '0 2 * * 0', [{ name: 'okta', schedule: { intervalMs: 60_000 } }, { name: 'hr', schedule: { full: '30 10 * * *' } }]));
    s.started('delta', t0);
    s.finished(t0 + 1_000);
    expect(s.next(t0 + 1_000)).toMatchObject({ at: t0 + 60_000, kind: 'delta', reason: 'connector okta interval' });
    s.started('delta', t0 + 1_740_000);
    s.finished(t0 + 1_741_000);
    expect(s.next(t0 + 1_741_000)).toMatchObject({ at: at('2024-01-03T10:30:00Z'), kind: 'full' });
    expect(s.describe()).toContain('30 10 * * * (connector hr)');
  });

  it('starts afresh when this replica becomes leader (first cycle at once, missed cron times skipped)', () => {
    const t0 = at('2024-01-06T23:00:00Z');
    const s = new CycleSchedule(t0);
    s.use(config(3_600_000, '0 0 * * 0'));
    s.started('delta', t0);
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
