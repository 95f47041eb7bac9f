import { describe, expect, it } from 'vitest';
import type { AttributeProvenance } from '../../src/engine/mesh-object.js';
import { decodeProvenance, encodeProvenance } from '../../src/engine/provenance-codec.js';

const at = '2026-11-23T10:00:00.000Z';
const hr = { rule: 'hr-to-person', connector: 'hr', externalId: 'E1001', at };
const apps = { rule: 'apps-to-person', connector: 'apps', externalId: 'a-17', at: '2026-11-22T08:30:00.000Z' };

const provenance: Record<string, AttributeProvenance> = {
  employeeId: { winner: { ...hr, value: 'E1001', confidence: 100 }, losers: [] },
  title: { winner: { ...hr, value: 'Engineer', confidence: 80 }, losers: [{ ...apps, value: 'Senior Engineer', confidence: 60 }] },
  groups: { winner: { ...apps, value: ['a', 'b'], confidence: 50 }, losers: [{ ...hr, value: ['a'], confidence: 50 }] },
  roles: { winner: { rule: 'roles', connector: 'entra', externalId: 'g-1', at, value: ['owner'], confidence: 70, via: ['entra/group/g-1 "owners" → owner'] }, losers: [] },
};
const attributes = { employeeId: 'E1001', title: 'Engineer', groups: ['a', 'b'], roles: ['owner'] };

describe('stored provenance', () => {
  it('keeps every winner and loser, with values, confidences, sources and via', () => {
    const stored = JSON.parse(JSON.stringify(encodeProvenance(provenance)));
    expect(decodeProvenance(stored, attributes)).toEqual(provenance);
  });

  it('lists each contributing source once', () => {
    const stored = encodeProvenance(provenance);
    expect(stored.s).toHaveLength(3);
    expect(JSON.stringify(stored).length).toBeLessThan(JSON.stringify(provenance).length / 2);
  });

  it('tells sources apart that differ in one field or in their via, also one after the other', () => {
    const entry = (over: object, value: string) => ({ ...hr, value, confidence: 50, ...over });
    const sequence: Record<string, AttributeProvenance> = {
      a: { winner: entry({}, 'a'), losers: [entry({ at: apps.at }, 'a2')] },
      b: { winner: entry({ via: ['x'] }, 'b'), losers: [entry({ via: ['x', 'y'] }, 'b2'), entry({ via: ['y'] }, 'b3')] },
      c: { winner: entry({ via: ['x'] }, 'c'), losers: [entry({ externalId: 'E1002' }, 'c2'), entry({ rule: 'other' }, 'c3'), entry({ connector: 'apps' }, 'c4')] },
      d: { winner: entry({}, 'd'), losers: [] },
    };
    const stored = encodeProvenance(sequence);
    expect(stored.s).toHaveLength(8);
    expect(stored.a.b![0]![0]).toBe(stored.a.c![0]![0]);
    expect(stored.a.a![0]![0]).toBe(stored.a.d![0]![0]);
    const values = { a: 'a', b: 'b', c: 'c', d: 'd' };
    expect(decodeProvenance(JSON.parse(JSON.stringify(stored)), values)).toEqual(sequence);
  });

  it('reads the plain shape that stores written by earlier versions hold', () => {
    expect(decodeProvenance(provenance, attributes)).toEqual(provenance);
    expect(decodeProvenance(null, {})).toEqual({});
  });
});
