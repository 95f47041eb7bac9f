import type { CycleContext } from './context.js';
import type { HistoryStamp } from './tables/value-history.js';

/** What a cycle's history rows are stamped with: its change number, run id and config revision. */
export function historyStamp(ctx: Pick<CycleContext, 'seq' | 'cycleId' | 'revision'>): HistoryStamp {
  return { seq: ctx.seq, cycleId: ctx.cycleId, revision: ctx.revision ?? null };
}
