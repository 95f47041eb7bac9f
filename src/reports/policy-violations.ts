/** How plans word the Policy documents' findings (plan-markdown.ts, plan-text.ts). */
import type { PlanReport, PolicyViolation } from './types.js';
import { count } from './value-format.js';

export function newViolations(plan: PlanReport): readonly PolicyViolation[] {
  return (plan.policyViolations ?? []).filter((v) => v.status === 'new');
}

export function existingViolations(plan: PlanReport): readonly PolicyViolation[] {
  return (plan.policyViolations ?? []).filter((v) => v.status === 'existing');
}

/** `policy ad-guardrails · ad/user · updates: at most 2% (3 of 150) · 5 objects` */
export function violationTitle(v: PolicyViolation): string {
  return `policy ${v.policy} · ${v.connector}/${v.objectType} · ${v.rule} · ${count(v.count)} object${v.count === 1 ? '' : 's'}`;
}

/** What a new violation does: blocks the connector (a limit) or holds its objects back (an invariant). */
export function violationConsequence(v: PolicyViolation): string {
  return v.kind === 'limit' ? `every export to ${v.connector} would be blocked` : 'these objects would be held back; the rest proceeds';
}

/** `E1001, E1002 (+3 more)` */
export function violationObjects(v: PolicyViolation): string {
  const more = v.count - v.objects.length;
  return `${v.objects.join(', ')}${more > 0 ? ` (+${count(more)} more)` : ''}`;
}
