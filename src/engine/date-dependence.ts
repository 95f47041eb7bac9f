/**
 * Whether a projection's outcome depends on the date (a scope condition or a template compares a date
 * with `today`). Such a projection is re-planned whole once a day: its definition hash carries the date
 * (planner.ts), so the first cycle of a new day (UTC) re-evaluates every object — a future hire enters
 * scope, a termination date passes — even though no source changed.
 */
import type { CompiledTemplate, ProjectionModel, ScopeCondition } from '../config/model.js';
import { todayUtc } from '../config/relative-date.js';

export function dependsOnToday(projection: ProjectionModel): boolean {
  const templates: (CompiledTemplate | undefined)[] = [
    projection.container,
    projection.rdn,
    projection.enabled,
    ...projection.attributes.flatMap((a) => [a.template, ...(a.structured?.fields.map((f) => f.template) ?? [])]),
  ];
  return scopeUsesToday(projection.scope) || templates.some((t) => t?.usesToday === true);
}

/** What a dated projection's definition hash adds: today's date; nothing for the others. */
export function dateOfDefinition(projection: ProjectionModel): { today?: string } {
  return dependsOnToday(projection) ? { today: todayUtc() } : {};
}

function scopeUsesToday(condition: ScopeCondition | undefined): boolean {
  if (!condition) return false;
  if ('all' in condition) return condition.all.some(scopeUsesToday);
  if ('any' in condition) return condition.any.some(scopeUsesToday);
  return 'date' in condition && condition.date.bound.days !== undefined;
}
