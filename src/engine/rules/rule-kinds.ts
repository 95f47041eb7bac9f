/**
 * Every kind of flow rule, by its `kind`: the one place that picks a kind's module for a rule.
 */
import type { CompiledConfig, FlowRuleKind, FlowRuleModel } from '../../config/model.js';
import type { CycleContext } from '../context.js';
import { attributeRule } from './attribute-rule.js';
import { membershipRule } from './membership-rule.js';
import { roleMappingRule } from './role-mapping-rule.js';
import type { ContributionSource, Resolve, RuleKind, RuleOfKind, SyncOutcome } from './rule-kind.js';

type RuleKinds = { readonly [K in FlowRuleKind]: RuleKind<K> };

const KINDS: RuleKinds = { attributes: attributeRule, membership: membershipRule, roleMappings: roleMappingRule };

/** The kinds in resolution order: identity attributes, then memberships, then roles. */
const ORDER: readonly FlowRuleKind[] = ['attributes', 'membership', 'roleMappings'];

function rulesOf<K extends FlowRuleKind>(config: CompiledConfig, kind: K): RuleOfKind<K>[] {
  return config.flowRules.filter((rule): rule is RuleOfKind<K> => rule.kind === kind);
}

/** One contribution source per kind that the config has rules of. */
export function contributionSources(config: CompiledConfig): ContributionSource[] {
  const sources: ContributionSource[] = [];
  for (const kind of ORDER) {
    const rules = rulesOf(config, kind);
    if (rules.length > 0) sources.push(kindContributions(config, kind, rules));
  }
  return sources;
}

function kindContributions<K extends FlowRuleKind>(config: CompiledConfig, kind: K, rules: readonly RuleOfKind<K>[]): ContributionSource {
  const module: RuleKind<K> = KINDS[kind];
  return module.contributions(config, rules);
}

export function rank(rule: FlowRuleModel): number {
  switch (rule.kind) {
    case 'attributes':
      return KINDS.attributes.rank(rule);
    case 'membership':
      return KINDS.membership.rank(rule);
    case 'roleMappings':
      return KINDS.roleMappings.rank(rule);
  }
}

export function namesLinkedObjects(config: CompiledConfig, rule: FlowRuleModel): boolean {
  switch (rule.kind) {
    case 'attributes':
      return KINDS.attributes.namesLinkedObjects(config, rule);
    case 'membership':
      return KINDS.membership.namesLinkedObjects(config, rule);
    case 'roleMappings':
      return KINDS.roleMappings.namesLinkedObjects(config, rule);
  }
}

export function syncWithKind(ctx: CycleContext, rule: FlowRuleModel, everything: boolean, resolve: Resolve): Promise<SyncOutcome> {
  switch (rule.kind) {
    case 'attributes':
      return KINDS.attributes.sync(ctx, rule, everything, resolve);
    case 'membership':
      return KINDS.membership.sync(ctx, rule, everything, resolve);
    case 'roleMappings':
      return KINDS.roleMappings.sync(ctx, rule, everything, resolve);
  }
}
