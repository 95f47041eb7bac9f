/**
 * Sync stage: the flow rules of the sources the run covers, in rule order, join, provision and flow
 * their connector space into the mesh. Rules whose source import failed still run on what was staged
 * before. A rule whose values name linked objects (reference attributes, members) runs again when its source linked new objects this cycle, so
 * a group synced before its new members were linked resolves them.
 */
import { covers } from '../run-scope.js';
import { namesLinkedObjects, ruleOrder, syncRule } from '../sync.js';
import type { CycleStage } from './stage.js';

export const syncStage: CycleStage = {
  name: 'sync',
  async run(run) {
    const { config, ctx, record } = run;
    const newLinks = new Set<string>();
    const readable = ruleOrder(config.flowRules).filter((rule) => !run.skipped.has(rule.source.connector) && covers(run.scope, rule.source.connector));
    for (const rule of readable) {
      const outcome = await syncRule(ctx, rule, ctx.kind === 'full');
      record.syncs.push(outcome);
      if (outcome.joined + outcome.provisioned > 0) newLinks.add(rule.source.connector);
    }
    for (const rule of readable) {
      if (namesLinkedObjects(config, rule) && newLinks.has(rule.source.connector)) record.syncs.push(await syncRule(ctx, rule, true));
    }
  },
};
