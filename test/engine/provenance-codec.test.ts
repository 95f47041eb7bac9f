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

  it('reads the plain shape that stores written by earlier versions hold', () => {
    expect(decodeProvenance(provenance, attributes)).toEqual(provenance);
    expect(decodeProvenance(null, {})).toEqual({});
  });
});
