/**
 * Plan stage: each projection of the wave is planned a page at a time (desired − observed, planner.ts);
 * each page's decisions (adoptions, releases, held-back objects: plan-decisions.ts) are applied as it is
 * handed over, and its changes are kept out of memory in a reconcile run (planned-changes.ts), so the
 * gates can judge the whole plan before anything is exported while memory stays bounded by the page.
 * Projections to a target whose import failed or that is not contacted are not planned. A target outside
 * a scoped run is planned only for the mesh objects this run changed.
 */
import type { ProjectionModel } from '../../config/model.js';
import type { Queryable } from '../../store/db.js';
import { retryFailedExports } from '../export-attempts.js';
import { applyPlanDecisions } from '../plan-decisions.js';
import { planProjection, type PlanPage } from '../planner.js';
import { referenceAttributes } from '../projector.js';
import { changedThisRun, covers } from '../run-scope.js';
import type { CycleStage, CycleRun, Wave, WaveStage } from './stage.js';
import { forgetCorrected } from '../tables/drift.js';
import { liveIds } from '../tables/mesh-objects.js';

/**
 * Corrected drift is reported once, then cleared by the next run that covers its target: a scoped run
 * leaves the other targets' records to their own runs. What is still different is found again.
 */
export const forgetCorrectedDrift: CycleStage = {
  name: 'plan',
  async run({ ctx, scope }) {
    if (ctx.mode !== 'reconcile') return;
    await ctx.atomically((tx) => forgetCorrected(tx, scope === undefined ? undefined : [...scope]));
  },
};

/** `--retry-failed`: the failed exports of every projection this run may plan are due at once, counted afresh. */
export const retryFailedStage: CycleStage = {
  name: 'plan',
  async run({ ctx, config, scope, skipped, retryFailed }) {
    if (!retryFailed) return;
    // A target outside a scoped run is planned only for what the run changed: its retries wait for its own run.
    const projections = config.projections.filter((p) => covers(scope, p.target.connector) && !skipped.has(p.target.connector)).map((p) => p.name);
    const n = await ctx.atomically((tx) => retryFailedExports(tx, projections));
    if (n > 0) ctx.log.info({ event: 'retry-failed', exports: n }, `${n} failed export(s) will be sent again this run`);
  },
};

/** Projections without reference attributes first, so that references resolve to created objects. */
export function projectionWaves(run: CycleRun): Wave[] {
  const { projections, mesh } = run.config;
  const referencing = (p: ProjectionModel) => referenceAttributes(p, mesh.objectTypes).size > 0;
  return [projections.filter((p) => !referencing(p)), projections.filter(referencing)].map((wave) => ({ projections: wave, plans: [], blocked: new Set(), exportedTo: new Map() }));
}

export const planStage: WaveStage = {
  name: 'plan',
  async run(run, wave) {
    const { ctx, record } = run;
    for (const projection of wave.projections) {
      const target = projection.target.connector;
      if (run.failed.has(target) || run.skipped.has(target)) continue;
      const extra = run.created.has(target) ? await everyLiveObject(ctx.q, projection.meshType) : [];
      const paging = { spill: ctx.mode === 'reconcile', decide: (page: PlanPage) => applyPlanDecisions(ctx, projection.name, page) };
      let plan;
      if (covers(run.scope, target)) {
        plan = await planProjection(ctx, projection, { everything: ctx.kind === 'full', extraIds: extra, ...paging });
      } else {
        let touchedIds = run.touchedByType.get(projection.meshType);
        if (!touchedIds) run.touchedByType.set(projection.meshType, (touchedIds = changedThisRun(ctx.q, projection.meshType, ctx.seq)));
        const touched = await touchedIds;
        if (touched.length === 0 && extra.length === 0) continue; // nothing for it: the target is not opened
        run.partial.add(projection.name);
        plan = await planProjection(ctx, projection, { everything: false, extraIds: extra, only: touched, ...paging });
      }
      wave.plans.push(plan);
      record.plans.push(plan);
      record.heldBack.push(...plan.heldBack);
    }
    for (const plan of wave.plans) record.drift.push(...plan.drift);
  },
};

async function everyLiveObject(q: Queryable, meshType: string): Promise<string[]> {
  return liveIds(q, meshType);
}
