import type { CycleContext } from './context.js';
import type { HistoryStamp } from './tables/value-history.js';

/**
 * What a cycle's history rows are stamped with: its change number, run id and config revision; null
 * when history is off (`Mesh.spec.history.retain: 0s` keeps nothing, so nothing is recorded).
 */
export function historyStamp(ctx: Pick<CycleContext, 'seq' | 'cycleId' | 'revision' | 'config'>): HistoryStamp | null {
  if (ctx.config.mesh.history.retainMs === 0) return null;
  return { seq: ctx.seq, cycleId: ctx.cycleId, revision: ctx.revision ?? null };
}
