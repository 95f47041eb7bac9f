/**
 * Applies what planning one page decided besides its changes: the target objects it adopted or
 * released (target links), the objects it holds back (conflicts), and the failed exports it no longer
 * sends anything for (export-attempts.ts). Planning only reads the store, so a page's decisions are
 * data until this runs; the plan stage runs it for each page as the planner hands it over, so a later
 * projection to the same target sees what an earlier one adopted.
 */
import type { Queryable } from '../store/db.js';
import type { CycleContext } from './context.js';
import { settleFailedExports } from './export-attempts.js';
import { historyStamp } from './history-stamp.js';
import { insertReleasedCreations } from './tables/export-history.js';
import { clearConflicts, insertConflicts, type ConflictScope } from './tables/conflicts.js';
import type { HeldBackObject, PlanPage } from './planner.js';
import { saveTargetLinks } from './tables/target-links.js';

export async function applyPlanDecisions(ctx: CycleContext, projection: string, page: PlanPage): Promise<void> {
  const scope: ConflictScope = { in: 'projection', projection };
  await ctx.atomically(async (q) => {
    // A page holds every item of its objects: the earlier conflicts of what it reviewed are settled
    // before it records those it holds back now.
    if (page.reviewed.length > 0) await clearConflicts(q, ['heldBack', 'ambiguousJoin'], { scope, subjects: page.reviewed });
    if (page.settled.length > 0) await settleFailedExports(q, projection, page.settled);
    await recordHeldBack(q, scope, page.heldBack);
    const released = await saveTargetLinks(q, page.linkWrites);
    const stamp = historyStamp(ctx);
    if (stamp) await insertReleasedCreations(q, released);
  });
}

async function recordHeldBack(q: Queryable, scope: ConflictScope, held: readonly HeldBackObject[]): Promise<void> {
  if (held.length === 0) return;
  await insertConflicts(
    q,
    held.map((h) => ({ kind: h.kind, subject: h.subject, scope, attribute: '', meshType: h.meshType, details: h.details })),
  );
}
