/**
 * Safety gates: deletes and disables per target connector per cycle, against `maxDeletes` and
 * `maxDeletePercent` (of that connector's objects of the type). A tripped gate blocks every export to
 * that connector for the cycle. `--allow-deletes N` lets at most N through; more still block them all.
 */
import type { GateTrip } from '../reports/types.js';
import type { Queryable } from '../store/db.js';
import { countLive } from './connector-space.js';
import type { CycleContext } from './context.js';
import type { ProjectionPlan } from './planner.js';

export async function evaluateGates(ctx: CycleContext, q: Queryable, plans: readonly ProjectionPlan[]): Promise<GateTrip[]> {
  const { maxDeletes, maxDeletePercent } = ctx.config.mesh.safety;
  const byConnector = new Map<string, Map<string, number>>();
  for (const plan of plans) {
    const removals = plan.changes.filter((c) => c.change.op === 'delete' || c.change.op === 'disable').length;
    if (removals === 0) continue;
    const types = byConnector.get(plan.projection.target.connector) ?? new Map<string, number>();
    types.set(plan.projection.target.objectType, (types.get(plan.projection.target.objectType) ?? 0) + removals);
    byConnector.set(plan.projection.target.connector, types);
  }
  const trips: GateTrip[] = [];
  for (const [connector, types] of byConnector) {
    const total = [...types.values()].reduce((a, b) => a + b, 0);
    if (ctx.allowDeletes !== undefined && total <= ctx.allowDeletes) continue;
    const override = ctx.allowDeletes !== undefined ? ` (--allow-deletes ${ctx.allowDeletes} is fewer)` : '';
    if (total > maxDeletes) {
      trips.push({ connector, gate: 'maxDeletes', count: total, limit: maxDeletes, message: `${connector}: ${total} deletes/disables pending, more than safety.maxDeletes (${maxDeletes})${override}; every export to ${connector} is blocked this cycle (rerun with --allow-deletes ${total} to let them through)` });
      continue;
    }
    for (const [objectType, count] of types) {
      const live = await countLive(q, connector, objectType);
      const limit = Math.floor((maxDeletePercent / 100) * live);
      if (count > limit) {
        const percent = live === 0 ? 100 : (count / live) * 100;
        trips.push({ connector, objectType, gate: 'maxDeletePercent', count, limit, message: `${connector}/${objectType}: ${count} of ${live} objects would be deleted or disabled (${percent.toFixed(1)}%), more than safety.maxDeletePercent (${maxDeletePercent}%)${override}; every export to ${connector} is blocked this cycle (rerun with --allow-deletes ${total} to let them through)` });
        break;
      }
    }
  }
  return trips;
}
