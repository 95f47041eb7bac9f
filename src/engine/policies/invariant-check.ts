/**
 * One invariant against one object's value, without the store: present, pattern, maxLength and
 * resolvable. Uniqueness needs the other objects (uniqueness.ts).
 */
import type { PolicyInvariantModel, Value } from '../../config/model.js';
import { isEmpty, toList } from '../values.js';

/** Why `value` breaks the invariant, or undefined. `unresolved`: referenced mesh ids not projected to the target. */
export function invariantProblem(invariant: PolicyInvariantModel, value: Value | undefined | null, unresolved: readonly string[] = []): string | undefined {
  if (invariant.present && isEmpty(value)) return 'is empty';
  const values = toList(value ?? undefined).filter((v) => !isEmpty(v)).map(String);
  if (invariant.maxLength !== undefined) {
    const long = values.find((v) => [...v].length > invariant.maxLength!);
    if (long !== undefined) return `"${long}" has ${[...long].length} characters, more than ${invariant.maxLength}`;
  }
  if (invariant.pattern) {
    const wrong = values.find((v) => !invariant.pattern!.test(v));
    if (wrong !== undefined) return `"${wrong}" does not match ${invariant.pattern.source}`;
  }
  if (invariant.resolvable && unresolved.length > 0) return `refers to ${unresolved.length === 1 ? 'a mesh object' : `${unresolved.length} mesh objects`} not projected to the target (${unresolved.slice(0, 3).join(', ')})`;
  return undefined;
}

/** The invariant in words: `sAMAccountName: present, unique, at most 20 characters`. */
export function describeInvariant(invariant: PolicyInvariantModel): string {
  const parts = [
    ...(invariant.present ? ['present'] : []),
    ...(invariant.unique ? ['unique'] : []),
    ...(invariant.maxLength !== undefined ? [`at most ${invariant.maxLength} characters`] : []),
    ...(invariant.pattern ? [`matches ${invariant.pattern.source}`] : []),
    ...(invariant.resolvable ? ['resolvable'] : []),
  ];
  return `${invariant.attribute}: ${parts.join(', ')}`;
}

/** Values compared for uniqueness: trimmed, without case. */
export function uniqueKeys(value: Value | undefined | null): string[] {
  return [...new Set(toList(value ?? undefined).filter((v) => !isEmpty(v)).map((v) => String(v).trim().toLowerCase()))];
}
