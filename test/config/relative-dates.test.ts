/**
 * Dates compared with today — the lifecycle vocabulary: scope conditions and template filters `before`,
 * `onOrBefore`, `after`, `onOrAfter` with a bound `today`, `today±Nd` or a calendar date. "Provision 14
 * days before hireDate" is `{ attribute: hireDate, onOrBefore: today+14d }`.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Value } from '../../src/config/model.js';
import { calendarDate, parseDateBound } from '../../src/config/relative-date.js';
import { compileTemplate, TemplateSyntaxError } from '../../src/config/template.js';
import { inScope } from '../../src/engine/scope.js';
import { APPS_PROJECTION, compileDocs, edit, HR, HR_FLOW, MESH, APPS, problemLines } from './helpers.js';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-03-02T23:30:00.000Z'));
});
afterEach(() => {
  vi.useRealTimers();
});

const render = (source: string, values: Record<string, Value>) => compileTemplate(source).render((n) => values[n]);

describe('date bounds and values', () => {
  it('reads today, today±Nd and calendar dates; refuses anything else', () => {
    expect(parseDateBound('today')).toEqual({ source: 'today', days: 0 });
    expect(parseDateBound('today+14d')).toEqual({ source: 'today+14d', days: 14 });
    expect(parseDateBound('today-30d')).toEqual({ source: 'today-30d', days: -30 });
    expect(parseDateBound('2026-04-01')).toEqual({ source: '2026-04-01', date: '2026-04-01' });
    for (const bad of ['tomorrow', 'today+2w', 'today + 1d', '2026-02-30', '2026-13-01', '04/01/2026', '']) expect(parseDateBound(bad), bad).toBeUndefined();
  });

  it('reads a value as a calendar date, ignoring a time or zone after it', () => {
    expect(calendarDate('2026-03-16')).toBe('2026-03-16');
    expect(calendarDate('2026-03-16T08:00:00Z')).toBe('2026-03-16');
    expect(calendarDate('2026-03-16-07:00')).toBe('2026-03-16');
    expect(calendarDate('16.03.2026')).toBeUndefined();
    expect(calendarDate(20260316)).toBeUndefined();
  });
});

describe('scope conditions against today (2026-03-02, UTC)', () => {
  it('provisions 14 days before the hire date, and keeps a worker until the termination date', () => {
    const provision = { attribute: 'hireDate', date: { test: 'onOrBefore' as const, bound: { source: 'today+14d', days: 14 } } };
    expect(inScope(provision, { hireDate: '2026-03-16' })).toBe(true); // exactly 14 days ahead
    expect(inScope(provision, { hireDate: '2026-03-17' })).toBe(false);
    expect(inScope(provision, { hireDate: '2019-01-01' })).toBe(true);
    expect(inScope(provision, {})).toBe(false);
    expect(inScope(provision, { hireDate: 'soon' })).toBe(false);
    const notLeft = { attribute: 'terminationDate', date: { test: 'after' as const, bound: { source: 'today', days: 0 } } };
    expect(inScope(notLeft, { terminationDate: '2026-03-03' })).toBe(true);
    expect(inScope(notLeft, { terminationDate: '2026-03-02' })).toBe(false); // disabled on the day, not before
    vi.setSystemTime(new Date('2026-03-03T00:00:01.000Z'));
    expect(inScope(notLeft, { terminationDate: '2026-03-03' })).toBe(false);
    expect(inScope(provision, { hireDate: '2026-03-17' })).toBe(true); // a day later, 14 days ahead
  });

  it('compiles from YAML; validate reports a bound that is not a date and a second test', () => {
    const scope = (text: string) => edit(APPS_PROJECTION, 'attributes:', `scope: ${text}\n  attributes:`);
    const ok = compileDocs(MESH, HR, APPS, HR_FLOW, scope('{ all: [ { attribute: employeeId, present: true }, { attribute: email, onOrBefore: today+14d } ] }'));
    expect(problemLines(ok)).toEqual([]);
    const projection = ok.config!.projections[0]!;
    expect(projection.scope).toEqual({ all: [{ attribute: 'employeeId', present: true }, { attribute: 'email', date: { test: 'onOrBefore', bound: { source: 'today+14d', days: 14 } } }] });
    expect(problemLines(compileDocs(MESH, HR, APPS, HR_FLOW, scope('{ attribute: email, before: "2026-02-30" }'))).join('\n')).toMatch(/before "2026-02-30" is not today, today\+Nd, today-Nd or a calendar date that exists/);
    expect(problemLines(compileDocs(MESH, HR, APPS, HR_FLOW, scope('{ attribute: email, after: tomorrow }'))).join('\n')).toMatch(/after/);
    expect(problemLines(compileDocs(MESH, HR, APPS, HR_FLOW, scope('{ attribute: email, after: today, before: today+5d }'))).join('\n')).toMatch(/a scope condition has one test; this one has before and after/);
  });
});

describe('where today may be compared', () => {
  it('not in a flow rule, whose value would go stale: validate says to compare in the projection', () => {
    const flow = (template: string) => `apiVersion: identitymesh.dev/v1alpha1
kind: FlowRule
metadata: { name: hr-to-person }
spec:
  source: { connector: hr, objectType: user }
  meshType: person
  join: [ { source: employee_id, mesh: employeeId } ]
  provision: true
  attributes:
    - { mesh: employeeId, source: employee_id }
    - { mesh: department, template: '${template}' }`;
    const found = problemLines(compileDocs(MESH, HR, APPS, flow('{{email | onOrBefore:"today"}}'), APPS_PROJECTION)).join('\n');
    expect(found).toMatch(/attributes\[1\]\.template compares a date with today, but a flow rule computes its value only when the source object changes/);
    expect(problemLines(compileDocs(MESH, HR, APPS, flow('{{email | onOrBefore:"2026-01-01"}}'), APPS_PROJECTION))).toEqual([]);
  });
});

describe('template filters against today (2026-03-02, UTC)', () => {
  it('render true or false, so `enabled` can follow a date', () => {
    expect(render('{{hireDate | onOrBefore:"today"}}', { hireDate: '2026-03-02' })).toEqual({ ok: true, value: true });
    expect(render('{{hireDate | onOrBefore:"today"}}', { hireDate: '2026-03-16' })).toEqual({ ok: true, value: false });
    expect(render('{{terminationDate | after:"today" | default:"true"}}', {})).toEqual({ ok: true, value: 'true' });
    expect(render('{{terminationDate | after:"today"}}', { terminationDate: '2026-03-02' })).toEqual({ ok: true, value: false });
    expect(render('{{d | before:"2026-03-01"}}', { d: ['2026-04-01', '2026-02-01'] })).toEqual({ ok: true, value: true });
    expect(render('{{d | onOrAfter:"today-7d"}}', { d: '2026-02-23' })).toEqual({ ok: true, value: true });
  });

  it('holds back a value that is not a date, like a missing one', () => {
    expect(render('{{hireDate | onOrBefore:"today"}}', { hireDate: 'next Monday' })).toEqual({ ok: false, missing: ['hireDate'] });
  });

  it('say when they depend on today, and refuse a bound that is not one', () => {
    expect(compileTemplate('{{hireDate | onOrBefore:"today+14d"}}').usesToday).toBe(true);
    expect(compileTemplate('{{hireDate | before:"2026-01-01"}}').usesToday).toBeUndefined();
    expect(compileTemplate('{{hireDate}}').usesToday).toBeUndefined();
    expect(() => compileTemplate('{{hireDate | before:today}}')).toThrow(TemplateSyntaxError);
    expect(() => compileTemplate('{{hireDate | after:"next week"}}')).toThrow(/filter "after" needs a quoted date bound/);
    expect(() => compileTemplate('{{hireDate | onorbefore:"today"}}')).toThrow(/did you mean "onOrBefore"/);
  });
});
