/**
 * Export outcomes of a cycle, summed over the groups of its counters (see `CycleSummary.counts`).
 */
import type { CycleSummary } from './types.js';

export const EXPORT_OUTCOMES = ['created', 'updated', 'moved', 'enabled', 'disabled', 'deleted', 'failed'] as const;

export type ExportOutcome = (typeof EXPORT_OUTCOMES)[number];

export function exportCounts(cycle: CycleSummary | null | undefined): Record<ExportOutcome, number> {
  const totals = Object.fromEntries(EXPORT_OUTCOMES.map((o) => [o, 0])) as Record<ExportOutcome, number>;
  for (const counters of Object.values(cycle?.counts ?? {})) {
    for (const outcome of EXPORT_OUTCOMES) {
      const n = counters[outcome];
      if (typeof n === 'number' && Number.isFinite(n)) totals[outcome] += n;
    }
  }
  return totals;
}

/** Whether the cycle changed any target object (failed attempts do not count). */
export function exportedAnything(cycle: CycleSummary | null | undefined): boolean {
  const counts = exportCounts(cycle);
  return EXPORT_OUTCOMES.some((o) => o !== 'failed' && counts[o] > 0);
}
