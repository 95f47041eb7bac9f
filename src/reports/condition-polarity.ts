/**
 * Which conditions mean trouble. Kubernetes-style conditions have a polarity: `Ready` is good when
 * True; `Reconciling` is neutral; every other type we emit (`ConfigInvalid`, `DeleteThresholdExceeded`,
 * `ImportGuardTripped`, `ExportFailed`, `Stalled`, …) is abnormal when True.
 */
import type { Condition } from './types.js';

const POSITIVE = new Set(['Ready', 'Healthy', 'Available']);
const NEUTRAL = new Set(['Reconciling']);

/** True when this condition is something a reader should act on. */
export function isAbnormal(condition: Condition): boolean {
  if (POSITIVE.has(condition.type)) return condition.status === 'False';
  if (NEUTRAL.has(condition.type)) return false;
  return condition.status === 'True';
}

/** The condition's name as a reader says it: `Ready=False` reads as `NotReady`. */
export function problemName(condition: Condition): string {
  return POSITIVE.has(condition.type) && condition.status === 'False' ? `Not${condition.type}` : condition.type;
}
