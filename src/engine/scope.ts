import type { Scalar, ScopeCondition, Value } from '../config/model.js';
import { dateTestHolds, todayUtc } from '../config/relative-date.js';
import { isEmpty, toList } from './values.js';
import { ownValue } from '../shared/own-property.js';

/** Evaluates a projection's scope against a mesh object's attributes. No scope = every object. */
export function inScope(condition: ScopeCondition | undefined, attributes: Readonly<Record<string, Value>>): boolean {
  if (!condition) return true;
  if ('all' in condition) return condition.all.every((c) => inScope(c, attributes));
  if ('any' in condition) return condition.any.some((c) => inScope(c, attributes));
  const value = ownValue(attributes, condition.attribute);
  if ('present' in condition) return isEmpty(value) !== condition.present;
  const values = toList(value);
  if ('equals' in condition) return values.some((v) => same(v, condition.equals));
  if ('in' in condition) return values.some((v) => condition.in.some((candidate) => same(v, candidate)));
  if ('date' in condition) {
    const today = todayUtc();
    return values.some((v) => dateTestHolds(condition.date.test, v, condition.date.bound, today) === true);
  }
  return values.some((v) => condition.matches.test(String(v)));
}

function same(a: Scalar, b: Scalar): boolean {
  return String(a) === String(b);
}
