/**
 * Policy stage, between plan and gate: the Policy documents judge the wave's plans (policies/). A
 * violated limit is a gate trip (the gate stage's blocking applies to it); an object that would newly
 * break an invariant loses its changes this run and is recorded as held back, and its projection's
 * progress stays where it was, so the next run plans it again.
 */
import { evaluatePolicies } from '../policies/evaluate-policies.js';
import { prunePolicyTables } from '../policies/prune-policy-tables.js';
import type { HeldBackObject } from '../planner.js';
import { insertConflicts } from '../tables/conflicts.js';
import type { CycleRun, WaveStage } from './stage.js';

/** Runs whose first wave has pruned what the applied Policies no longer need (once per cycle). */
const pruned = new WeakSet<CycleRun>();

export const policyStage: WaveStage = {
  name: 'policy',
  async run(run, wave) {
    const { ctx, record } = run;
    if (!pruned.has(run)) {
      pruned.add(run);
      await ctx.atomically((q) => prunePolicyTables(q, run.config));
    }
    // Without policies the stage still runs: limits a removed Policy held back are no longer held back.
    if (wave.plans.length === 0) return;
    const outcome = await evaluatePolicies(ctx, ctx.q, wave.plans);
    record.gates.push(...outcome.trips);
    for (const trip of outcome.trips) wave.blocked.add(trip.connector);
    record.policyViolations.push(...outcome.violations);
    if (outcome.holds.length === 0) return;
    const conflicts: HeldBackObject[] = [];
    for (const plan of wave.plans) {
      const holds = outcome.holds.filter((h) => h.projection === plan.projection.name);
      if (holds.length === 0) continue;
      await plan.changes.withhold(holds);
      // Planned again next run: what is held back here is not planned by a delta run unless it changes.
      run.partial.add(plan.projection.name);
      for (const hold of holds) {
        conflicts.push({ kind: 'heldBack', subject: { on: 'projected', projection: hold.projection, meshId: hold.meshId, item: hold.item }, meshType: plan.projection.meshType, projection: hold.projection, reason: hold.reason, details: { reason: hold.reason, projection: hold.projection, object: hold.object } });
      }
    }
    record.heldBack.push(...conflicts);
    await ctx.atomically((q) =>
      insertConflicts(
        q,
        conflicts.map((h) => ({ kind: h.kind, subject: h.subject, attribute: '', meshType: h.meshType, scope: { in: 'projection', projection: h.projection }, details: h.details })),
      ),
    );
  },
};
