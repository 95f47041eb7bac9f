import { describe, expect, it } from 'vitest';
import { onlyVolatileChanges } from '../../src/reports/report-changes.js';
import { reportFiles } from '../../src/reports/report-files.js';
import type { StatusReport } from '../../src/reports/types.js';
import { conflicts, cycle, drift, driftEntry, status } from './report-fixtures.js';

const quiet = (id: number) => cycle(id, { counts: { 'hr-file': { imported: 1234 } } });
const base = (): StatusReport => status({ lastCycle: quiet(7), cycles: [quiet(7), quiet(6)] });
const files = (s: StatusReport = base(), d = drift(), c = conflicts()) => reportFiles(s, d, c);

/** A later cycle that found everything as before: every clock and id moved on. */
function later(s: StatusReport): StatusReport {
  const t = '2024-05-01T11:00:00.000Z';
  return {
    ...s,
    generatedAt: t,
    conditions: s.conditions.map((c) => ({ ...c, lastTransitionTime: t })),
    connectors: s.connectors.map((k) => ({
      ...k,
      conditions: k.conditions.map((c) => ({ ...c, lastTransitionTime: t })),
      objectTypes: Object.fromEntries(Object.entries(k.objectTypes).map(([n, o]) => [n, { ...o, lastImport: t, lastExport: t, watermark: o.watermark === null ? null : '{"usn":50000}' }])),
    })),
    lastCycle: { ...quiet(8), kind: 'full', startedAt: t, finishedAt: t },
    cycles: [quiet(8), quiet(7)],
  };
}

describe('onlyVolatileChanges', () => {
  it('is true when only timestamps, watermarks, cycle ids and durations moved', () => {
    const d2 = drift(drift().drift.map((e) => ({ ...e, detectedAt: '2024-05-01T11:00:00Z' })));
    const c2 = { ...conflicts(), generatedAt: '2024-05-01T11:00:00Z', conflicts: conflicts().conflicts.map((c) => ({ ...c, firstSeen: '2024-05-01T11:00:00Z' })) };
    const next = reportFiles(later(base()), { ...d2, generatedAt: '2024-05-01T11:00:00Z' }, c2);
    expect(next['status.md']).not.toBe(files()['status.md']);
    expect(onlyVolatileChanges(files(), next)).toBe(true);
  });

  it('is false the first time (nothing committed yet)', () => {
    expect(onlyVolatileChanges(null, files())).toBe(false);
  });

  it('is false when a count changes', () => {
    const s = later(base());
    const [hr, ad] = s.connectors;
    const grown = { ...s, connectors: [{ ...hr!, objectTypes: { user: { ...hr!.objectTypes.user!, count: 1235 } } }, ad!] };
    expect(onlyVolatileChanges(files(), files(grown))).toBe(false);
    expect(onlyVolatileChanges(files(), files({ ...later(base()), pendingExports: 0 }))).toBe(false);
    expect(onlyVolatileChanges(files(), files({ ...later(base()), meshObjects: { person: 1235, group: 42 } }))).toBe(false);
  });

  it('is false when a condition changes status or message', () => {
    const s = later(base());
    const flipped = { ...s, conditions: s.conditions.map((c) => (c.type === 'Ready' ? { ...c, status: 'True' as const } : c)) };
    expect(onlyVolatileChanges(files(), files(flipped))).toBe(false);
    const reworded = { ...s, conditions: s.conditions.map((c) => (c.type === 'DeleteThresholdExceeded' ? { ...c, message: '700 deletions' } : c)) };
    expect(onlyVolatileChanges(files(), files(reworded))).toBe(false);
  });

  it('is false when the config revision or the last cycle result changes', () => {
    expect(onlyVolatileChanges(files(), files({ ...later(base()), revision: 'fedcba9876543210fedcba9876543210fedcba98' }))).toBe(false);
    expect(onlyVolatileChanges(files(), files({ ...later(base()), lastCycle: { ...quiet(8), result: 'failed' } }))).toBe(false);
  });

  it('is false when drift or conflicts change', () => {
    expect(onlyVolatileChanges(files(), files(later(base()), drift([driftEntry(1), driftEntry(2)])))).toBe(false);
    expect(onlyVolatileChanges(files(), files(later(base()), drift([driftEntry(1, { action: 'reported' })])))).toBe(false);
    expect(onlyVolatileChanges(files(), files(later(base()), drift(), { ...conflicts(), conflicts: conflicts().conflicts.slice(1) }))).toBe(false);
  });

  it('is false after a cycle that exported something, even if the state looks the same', () => {
    const exported = { ...later(base()), lastCycle: cycle(8, { counts: { 'person-to-ad': { updated: 4 } } }) };
    expect(onlyVolatileChanges(files(), files(exported))).toBe(false);
    // Failed attempts alone are not news (the ExportFailed condition already was).
    const failedAgain = { ...later(base()), lastCycle: cycle(8, { counts: { 'person-to-ad': { failed: 2 } } }) };
    expect(onlyVolatileChanges(files(), files(failedAgain))).toBe(true);
  });

  it('is false when the set of files differs, or a file without a JSON sibling changes', () => {
    const { 'drift.md': _dropped, ...fewer } = files();
    expect(onlyVolatileChanges(files(), fewer)).toBe(false);
    expect(onlyVolatileChanges({ ...files(), 'README.md': 'a' }, { ...files(), 'README.md': 'b' })).toBe(false);
  });

  it('ignores key order in the previous JSON', () => {
    const previous = files();
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(previous['status.json']!)).reverse()));
    expect(onlyVolatileChanges({ ...previous, 'status.json': reordered }, files(later(base())))).toBe(true);
  });
});
