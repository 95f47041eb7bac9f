/**
 * Export stage (reconcile only): each plan of the wave not blocked by a gate, a suspension or a lost
 * leader lock is sent to its target (changes that failed retryably are retried inside the cycle); its
 * drift rows are then recorded and, unless the plan was partial, the projection's progress advances to
 * the confirming import's change number. Changes the plan withheld as given up are recorded as such.
 */
import { errorMessage } from '../../shared/errors.js';
import type { Queryable } from '../../store/db.js';
import { emptyCounts, exportPlan } from '../exporter.js';
import type { ProjectionPlan } from '../planner.js';
import { writeProgress } from '../progress.js';
import type { WaveStage } from './stage.js';
import { forgetDrift, recordDrift } from '../tables/drift.js';

export const exportStage: WaveStage = {
  name: 'export',
  async run(run, wave) {
    const { ctx, config, record } = run;
    if (ctx.mode !== 'reconcile') return;
    for (const plan of wave.plans) {
      const { connector, objectType } = plan.projection.target;
      const paused = config.mesh.suspend || (config.connectors.get(connector)?.suspend ?? false);
      if (paused && plan.changes.size > 0 && !record.suspended.includes(connector)) record.suspended.push(connector);
      const counts = record.exports.get(plan.projection.name) ?? emptyCounts();
      record.exports.set(plan.projection.name, counts);
      counts.givenUp += plan.givenUp.length;
      record.givenUp.push(...plan.givenUp);
      if (wave.blocked.has(connector) || paused || !run.mayExport()) continue;
      if (plan.changes.size > 0) {
        let touched: Set<string>;
        try {
          touched = await exportPlan(ctx, plan, counts, run.mayExport, run.exportBatch);
        } catch (error) {
          record.failures.push({ connector, stage: 'export', message: errorMessage(error) });
          run.failed.add(connector);
          continue;
        }
        const byType = wave.exportedTo.get(connector) ?? new Map<string, Set<string>>();
        wave.exportedTo.set(connector, byType);
        const ids = byType.get(objectType) ?? new Set<string>();
        byType.set(objectType, ids);
        for (const id of touched) ids.add(id);
        if (counts.created > 0) run.created.add(connector);
      }
      await ctx.atomically(async (tx) => {
        await recordPlanDrift(tx, plan, counts.failed === 0 ? 'corrected' : 'pending');
        if (!run.partial.has(plan.projection.name)) await writeProgress(tx, 'projection', plan.projection.name, { seq: run.confirmCtx.seq, definition: plan.definition });
      });
    }
  },
};

async function recordPlanDrift(q: Queryable, plan: ProjectionPlan, enforced: 'corrected' | 'pending'): Promise<void> {
  await forgetDrift(q, plan.projection.name, plan.full ? undefined : plan.compared);
  await recordDrift(q, plan.drift.map((d) => ({ ...d, action: d.action === 'pending' ? enforced : d.action })));
}
