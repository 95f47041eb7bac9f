/**
 * Safety gates: deletes and disables per target connector per cycle, against `maxDeletes` and
 * `maxDeletePercent` (of that connector's objects of the type). A tripped gate blocks every export to
 * that connector for the cycle. `--allow-deletes N` lets at most N through; more still block them all.
 * An operator's approval (approval-book.ts) lets a tripped gate through when it covers exactly what is
 * held back. What a gate holds back is recorded per connector (gate-holds.ts) for approvals to bind to.
 */
import type { GateTrip, HeldObject } from '../reports/types.js';
import type { Queryable } from '../store/db.js';
import { withRefusal } from './approval-book.js';
import { countLive } from './tables/connector-space-objects.js';
import type { CycleContext } from './context.js';
import { addHolds, replaceHolds } from './gate-holds.js';
import type { ProjectionPlan } from './planner.js';

/** How to let `count` held-back objects of a connector through, for gate messages and banners. */
export function approveHint(connector: string, count: number): string {
  return `approve them with POST /api/v1/connectors/${connector}/approvals {"allowDeletes": ${count}, "reason": "…"}, or rerun with --allow-deletes ${count}`;
}

export async function evaluateGates(ctx: CycleContext, q: Queryable, plans: readonly ProjectionPlan[]): Promise<GateTrip[]> {
  const { maxDeletes, maxDeletePercent } = ctx.config.mesh.safety;
  const byConnector = new Map<string, { types: Map<string, number>; held: HeldObject[]; plans: ProjectionPlan[] }>();
  for (const plan of plans) {
    const { connector, objectType } = plan.projection.target;
    const entry = byConnector.get(connector) ?? { types: new Map<string, number>(), held: [], plans: [] };
    byConnector.set(connector, entry);
    entry.plans.push(plan);
    // Only the removals are read back (a reconcile run's plan is in a scratch file): what the gate counts.
    for await (const page of plan.changes.pages(['disable', 'delete'])) {
      for (const { change, object } of page) {
        if (change.op !== 'delete' && change.op !== 'disable') continue;
        entry.types.set(objectType, (entry.types.get(objectType) ?? 0) + 1);
        entry.held.push({ gate: 'export', objectType, externalId: change.externalId, op: change.op, object });
      }
    }
  }
  const trips: GateTrip[] = [];
  for (const [connector, { types, held: unsorted, plans: connectorPlans }] of byConnector) {
    const held = unsorted.sort((a, b) => compare(a.objectType, b.objectType) || compare(a.object, b.object) || compare(a.externalId, b.externalId));
    let trip = types.size === 0 ? undefined : await judge(ctx, q, connector, types, maxDeletes, maxDeletePercent);
    if (trip) {
      const judgement = ctx.approvals?.judge(connector, held);
      if (judgement) ctx.approvals?.record(judgement);
      trip = judgement?.pass ? undefined : { ...trip, message: withRefusal(trip.message ?? '', judgement) };
    }
    if (trip) trips.push(trip);
    if (ctx.mode !== 'reconcile') continue;
    // A partial plan (a scoped run reaching a target outside its scope) saw only some objects: it adds
    // what it holds back and forgets nothing; a whole plan states what is held back now.
    if (connectorPlans.some((p) => p.partial)) {
      if (trip) await addHolds(q, connector, held, ctx.cycleId);
    } else {
      await replaceHolds(q, connector, 'export', [...new Set(connectorPlans.map((p) => p.projection.target.objectType))], trip ? held : [], ctx.cycleId);
    }
  }
  return trips;
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The gate's trip for one connector's pending removals per object type, before any approval. */
async function judge(ctx: CycleContext, q: Queryable, connector: string, types: ReadonlyMap<string, number>, maxDeletes: number, maxDeletePercent: number): Promise<GateTrip | undefined> {
  const total = [...types.values()].reduce((a, b) => a + b, 0);
  if (ctx.allowDeletes !== undefined && total <= ctx.allowDeletes) return undefined;
  const override = ctx.allowDeletes !== undefined ? ` (--allow-deletes ${ctx.allowDeletes} is fewer)` : '';
  if (total > maxDeletes) {
    return { connector, gate: 'maxDeletes', count: total, limit: maxDeletes, message: `${connector}: ${total} deletes/disables pending, more than safety.maxDeletes (${maxDeletes})${override}; every export to ${connector} is blocked this cycle (to let them through, ${approveHint(connector, total)})` };
  }
  for (const [objectType, count] of types) {
    const live = await countLive(q, connector, objectType);
    const limit = Math.floor((maxDeletePercent / 100) * live);
    if (count > limit) {
      const percent = live === 0 ? 100 : (count / live) * 100;
      return { connector, objectType, gate: 'maxDeletePercent', count, limit, message: `${connector}/${objectType}: ${count} of ${live} objects would be deleted or disabled (${percent.toFixed(1)}%), more than safety.maxDeletePercent (${maxDeletePercent}%)${override}; every export to ${connector} is blocked this cycle (to let them through, ${approveHint(connector, total)})` };
    }
  }
  return undefined;
}
