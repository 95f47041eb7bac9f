/**
 * Forgets what the applied Policies no longer need: the `unique_value` rows (and their catch-up marks)
 * of an attribute no Policy keeps unique on a target any more, and the `policy_report` of a Policy no
 * longer checking invariants on a target (a removed Policy included). Without this they stay forever;
 * worse, a unique invariant added again would resume from its old catch-up mark over values deleted
 * since. Pruned, it indexes the whole target again, as any new unique invariant does.
 */
import type { CompiledConfig } from '../../config/model.js';
import type { Queryable } from '../../store/db.js';
import { pruneUniqueValues } from '../tables/unique-values.js';
import { prunePolicyReports } from '../tables/policy-reports.js';

export async function prunePolicyTables(q: Queryable, config: CompiledConfig): Promise<void> {
  const targets = new Map(config.projections.map((p) => [p.name, p.target]));
  const unique = new Map<string, { connector: string; object_type: string; attribute: string }>();
  const reports = new Map<string, { policy: string; connector: string; object_type: string }>();
  for (const policy of config.policies) {
    if (policy.invariants.length === 0) continue;
    for (const name of policy.projections) {
      const target = targets.get(name);
      if (!target) continue;
      const { connector, objectType } = target;
      reports.set(JSON.stringify([policy.name, connector, objectType]), { policy: policy.name, connector, object_type: objectType });
      for (const invariant of policy.invariants) {
        if (invariant.unique) unique.set(JSON.stringify([connector, objectType, invariant.attribute]), { connector, object_type: objectType, attribute: invariant.attribute });
      }
    }
  }
  await pruneUniqueValues(q, [...unique.values()]);
  await prunePolicyReports(q, [...reports.values()]);
}
