import { describe, expect, it } from 'vitest';
import { renderConflictsJson, renderDriftJson, renderPlanJson, renderStatusJson } from '../../src/reports/report-json.js';
import { reportFiles } from '../../src/reports/report-files.js';
import type { StatusReport } from '../../src/reports/types.js';
import { conflicts, drift, driftEntry, plan, status } from './report-fixtures.js';

/** The same object with its keys in reverse order, recursively (as another engine build might emit them). */
function reversedKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reversedKeys) as T;
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversedKeys(v)])) as T;
}

describe('JSON reports', () => {
  it('are exactly the typed objects, 2-space indented, with a trailing newline', () => {
    const report = status();
    const json = renderStatusJson(report);
    expect(JSON.parse(json)).toEqual(report);
    expect(json.endsWith('}\n')).toBe(true);
    expect(json.split('\n')[1]).toBe('  "generatedAt": "2024-05-01T10:05:00.000Z",');
  });

  it('render the same bytes whatever order the keys arrive in', () => {
    expect(renderStatusJson(reversedKeys(status()))).toBe(renderStatusJson(status()));
    expect(renderPlanJson(reversedKeys(plan()))).toBe(renderPlanJson(plan()));
    expect(renderConflictsJson(reversedKeys(conflicts()))).toBe(renderConflictsJson(conflicts()));
  });

  it('put the DESIGN §6 fields first, in their documented order, and keep extra fields after them', () => {
    const withExtra = { ...status(), zeta: 1, alpha: 2 } as StatusReport;
    expect(Object.keys(JSON.parse(renderStatusJson(withExtra)))).toEqual([
      'generatedAt', 'mesh', 'revision', 'lastAppliedRevision', 'lastAttemptedRevision', 'conditions', 'connectors',
      'lastCycle', 'cycles', 'pendingExports', 'meshObjects', 'alpha', 'zeta',
    ]);
    const connector = JSON.parse(renderStatusJson(status())).connectors[1];
    expect(Object.keys(connector)).toEqual(['name', 'type', 'health', 'conditions', 'objectTypes', 'unmanaged']);
    expect(Object.keys(connector.objectTypes)).toEqual(['group', 'user']);
    expect(Object.keys(JSON.parse(renderPlanJson(plan())))).toEqual(['revision', 'projections', 'conflicts', 'gates', 'skipped']);
  });

  it('list drift and conflicts in a stable order, so an unchanged state is an unchanged file', () => {
    const entries = [driftEntry(3), driftEntry(1, { projection: 'z-last' }), driftEntry(2)];
    const objects = JSON.parse(renderDriftJson(drift(entries))).drift.map((e: { object: string; projection: string }) => `${e.projection}:${e.object.slice(3, 11)}`);
    expect(objects).toEqual(['person-to-ad:User 002', 'person-to-ad:User 003', 'z-last:User 001']);
    expect(renderDriftJson(drift([...entries].reverse()))).toBe(renderDriftJson(drift(entries)));
    expect(JSON.parse(renderConflictsJson(conflicts())).conflicts.map((c: { kind: string }) => c.kind)).toEqual(['attribute', 'ambiguousJoin', 'heldBack']);
  });

  it('treat an attribute named __proto__ as data', () => {
    const p = plan();
    const change = { op: 'update' as const, object: 'x', attributes: JSON.parse('{"__proto__": {"from": "a", "to": "b"}}') };
    const json = renderPlanJson({ ...p, projections: [{ ...p.projections[0]!, changes: [change] }] });
    expect(JSON.parse(json).projections[0].changes[0].attributes).toEqual(JSON.parse('{"__proto__": {"from": "a", "to": "b"}}'));
  });

  it('reportFiles gives the six report files', () => {
    const files = reportFiles(status(), drift(), conflicts());
    expect(Object.keys(files).sort()).toEqual(['conflicts.json', 'conflicts.md', 'drift.json', 'drift.md', 'status.json', 'status.md']);
    expect(JSON.parse(files['status.json'])).toEqual(status());
    expect(files['status.md']).toMatch(/^# Identity Mesh status: corp\n/);
  });
});
