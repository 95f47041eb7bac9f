/**
 * Applies what a projection's plan decided besides its changes: the target objects it adopted or
 * released (target links), the objects it holds back (conflicts), and the failed exports it no longer
 * sends anything for (export-attempts.ts). Planning only reads the store, so a
 * plan is data until this runs; the plan stage runs it for each projection before planning the next one
 * (a later projection to the same target must see what an earlier one adopted).
 */
import type { Queryable } from '../store/db.js';
import { PAGE_SIZE, type CycleContext } from './context.js';
import { settleFailedExports } from './export-attempts.js';
import { clearConflicts, insertConflicts, type ConflictScope } from './tables/conflicts.js';
import type { HeldBackObject, ProjectionPlan } from './planner.js';
import { saveTargetLinks } from './tables/target-links.js';

export async function applyPlanDecisions(ctx: CycleContext, plan: ProjectionPlan): Promise<void> {
  const scope: ConflictScope = { in: 'projection', projection: plan.projection.name };
  const pages = Math.max(Math.ceil(plan.reviewed.length / PAGE_SIZE), Math.ceil(plan.heldBack.length / PAGE_SIZE), Math.ceil(plan.linkWrites.length / PAGE_SIZE));
  // Settle every reviewed subject's earlier conflicts before recording this plan's: a subject reviewed
  // on a later page may be held back on an earlier one (the same page slices differ per list).
  for (let page = 0; page < Math.ceil(plan.reviewed.length / PAGE_SIZE); page++) {
    const subjects = plan.reviewed.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
    await ctx.atomically((q) => clearConflicts(q, ['heldBack', 'ambiguousJoin'], { scope, subjects }));
  }
  for (let page = 0; page < Math.ceil(plan.settled.length / PAGE_SIZE); page++) {
    const settled = plan.settled.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
    await ctx.atomically((q) => settleFailedExports(q, plan.projection.name, settled));
  }
  for (let page = 0; page < pages; page++) {
    const held = plan.heldBack.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
    const links = plan.linkWrites.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
    if (held.length === 0 && links.length === 0) continue;
    await ctx.atomically(async (q) => {
      await recordHeldBack(q, scope, held);
      await saveTargetLinks(q, links);
    });
  }
}

async function recordHeldBack(q: Queryable, scope: ConflictScope, held: readonly HeldBackObject[]): Promise<void> {
  await insertConflicts(
    q,
    held.map((h) => ({ kind: h.kind, subject: h.subject, scope, attribute: '', meshType: h.meshType, details: h.details })),
  );
}
