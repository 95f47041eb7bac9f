/**
 * The sync stage: each flow rule, in rank order, reads its source objects changed since its progress
 * and resolves the values of every mesh object they touch. What a rule does with its source objects is
 * its kind's (./rules/); how values compete is the resolver's (./resolver.ts), which weighs what every
 * kind in use contributes.
 */
import type { FlowRuleModel } from '../config/model.js';
import type { CycleContext } from './context.js';
import { resolveValues } from './resolver.js';
import type { Resolve, SyncOutcome } from './rules/rule-kind.js';
import { contributionSources, rank, syncWithKind } from './rules/rule-kinds.js';

export { namesLinkedObjects } from './rules/rule-kinds.js';

export type { SyncOutcome };

/**
 * Provisioning rules run first so that join-only rules find the objects they create in the same cycle;
 * membership and roleMappings rules run last, when every group and member they name is linked.
 */
export function ruleOrder(rules: readonly FlowRuleModel[]): FlowRuleModel[] {
  return [...rules].sort((a, b) => rank(a) - rank(b));
}

export function syncRule(ctx: CycleContext, rule: FlowRuleModel, everything: boolean): Promise<SyncOutcome> {
  const sources = contributionSources(ctx.config);
  const resolve: Resolve = (q, meshIds, fresh, footprint) => resolveValues(ctx, q, meshIds, sources, fresh, footprint);
  return syncWithKind(ctx, rule, everything, resolve);
}
