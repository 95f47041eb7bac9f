import { describe, expect, it } from 'vitest';
import type { PolicyInvariantModel, PolicyModel } from '../../../src/config/model.js';
import { invariantProblem, uniqueKeys } from '../../../src/engine/policies/invariant-check.js';
import { limitExcesses, type TargetChanges } from '../../../src/engine/policies/limits.js';

const at = { file: 'policies.yaml', line: 1, column: 1 };
const invariant = (fields: Partial<PolicyInvariantModel>): PolicyInvariantModel => ({ attribute: 'sAMAccountName', present: false, unique: false, resolvable: false, location: at, ...fields });

describe('an invariant against one value', () => {
  it('present: empty strings, lists of blanks and absent values break it', () => {
    const present = invariant({ present: true });
    for (const empty of [undefined, null, '', '  ', ['', ' ']]) expect(invariantProblem(present, empty)).toBe('is empty');
    expect(invariantProblem(present, 'ada')).toBeUndefined();
  });

  it('maxLength counts characters, not UTF-16 units, on every value of a list', () => {
    const short = invariant({ maxLength: 5 });
    expect(invariantProblem(short, 'zoë🙂x')).toBeUndefined();
    expect(invariantProblem(short, ['abc', 'abcdef'])).toBe('"abcdef" has 6 characters, more than 5');
    expect(invariantProblem(short, undefined)).toBeUndefined(); // absence is `present`'s business
  });

  it('pattern and resolvable', () => {
    expect(invariantProblem(invariant({ pattern: /^[a-z]+$/u }), 'Ada')).toBe('"Ada" does not match ^[a-z]+$');
    expect(invariantProblem(invariant({ resolvable: true }), [], ['m1', 'm2'])).toBe('refers to 2 mesh objects not projected to the target (m1, m2)');
    expect(invariantProblem(invariant({ resolvable: true }), 'CN=x', [])).toBeUndefined();
  });

  it('compares unique values trimmed and without case', () => {
    expect(uniqueKeys([' Ada@Example.com', 'ada@example.com', ''])).toEqual(['ada@example.com']);
  });
});

describe('a policy limit against one target', () => {
  const policy = (limits: PolicyModel['limits'], attributes: [string, { max?: number; maxPercent?: number }][] = []): PolicyModel => ({ name: 'p', location: at, projections: ['x'], limits, attributeLimits: new Map(attributes), invariants: [] });
  const changes = (updates: number, department: number): TargetChanges => ({
    connector: 'ad',
    objectType: 'user',
    operations: new Map([['updates', new Set(Array.from({ length: updates }, (_, i) => `u${i}`))]]),
    attributes: new Map([['department', new Set(Array.from({ length: department }, (_, i) => `u${i}`))]]),
    changed: new Map(),
  });

  it('takes the tighter of max and maxPercent of the objects before the run', () => {
    expect(limitExcesses(policy({ updates: { max: 10, maxPercent: 2 } }), changes(3, 0), 100)).toEqual([
      { what: 'updates', count: 3, limit: 2, rule: 'at most 10 and at most 2% (2 of 100)', objects: ['u0', 'u1', 'u2'] },
    ]);
    expect(limitExcesses(policy({ updates: { max: 10, maxPercent: 2 } }), changes(2, 0), 100)).toEqual([]);
  });

  it('limits the changes of one attribute', () => {
    const excess = limitExcesses(policy({}, [['department', { maxPercent: 2 }]]), changes(5, 5), 150);
    expect(excess.map((e) => [e.what, e.count, e.limit])).toEqual([['changes of "department"', 5, 3]]);
  });
});
