import { describe, expect, it } from 'vitest';
import type { MeshAttribute } from '../../src/config/model.js';
import { inScope } from '../../src/engine/scope.js';
import { coerce, joinKey, parseBoolean, sameValue } from '../../src/engine/values.js';

const attr = (type: MeshAttribute['type'], multiValued = false): MeshAttribute => ({ name: 'a', type, multiValued, to: [] });

describe('values', () => {
  it('reads booleans the way csv and sql sources write them', () => {
    for (const yes of ['true', 'TRUE', '1', 'yes', 'Yes', true, 1]) expect(parseBoolean(yes)).toBe(true);
    for (const no of ['false', 'False', '0', 'no', false, 0]) expect(parseBoolean(no)).toBe(false);
    expect(parseBoolean('maybe')).toBeUndefined();
    expect(coerce('', attr('boolean'))).toBeUndefined();
  });

  it('treats empty values as contributing nothing and multi-valued cells as sets', () => {
    expect(coerce('  ', attr('string'))).toBeUndefined();
    expect(coerce('b;a;;b', attr('string', true))).toEqual(['a', 'b']);
    expect(coerce(['x', ''], attr('string'))).toBe('x');
    expect(coerce('42', attr('integer'))).toBe(42);
  });

  it('compares lists as sets and numbers by their text, and joins case-insensitively', () => {
    expect(sameValue(['a', 'b'], ['b', 'a'])).toBe(true);
    expect(sameValue('42', 42)).toBe(true);
    expect(sameValue('', undefined)).toBe(true);
    expect(sameValue('a', 'A')).toBe(false);
    expect(joinKey('  E1001 ')).toBe(joinKey('e1001'));
  });

  it('evaluates nested scope conditions', () => {
    const scope = { all: [{ attribute: 'employeeId', present: true }, { any: [{ attribute: 'department', in: ['Sales', 'Legal'] }, { attribute: 'title', matches: /^Chief/ }] }] } as const;
    expect(inScope(scope, { employeeId: 'E1', department: 'Sales' })).toBe(true);
    expect(inScope(scope, { employeeId: 'E1', department: 'R&D', title: 'Chief Scientist' })).toBe(true);
    expect(inScope(scope, { employeeId: 'E1', department: 'R&D' })).toBe(false);
    expect(inScope(scope, { department: 'Sales' })).toBe(false);
    expect(inScope({ attribute: 'active', equals: true }, { active: true })).toBe(true);
    expect(inScope(undefined, {})).toBe(true);
  });
});
