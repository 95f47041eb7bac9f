/**
 * Gate stage: every gate kind judges the wave's plans; a trip blocks every export to its connector for
 * the cycle (all or nothing) and makes the cycle `blocked`. A new gate is one more entry in `GATE_KINDS`.
 */
import type { GateTrip } from '../../reports/types.js';
import type { CycleContext } from '../context.js';
import { evaluateClearGate } from '../clear-gate.js';
import { evaluateGates } from '../gates.js';
import type { ProjectionPlan } from '../planner.js';
import type { WaveStage } from './stage.js';

export interface GateKind {
  readonly name: string;
  /** The trips for these plans of one wave (in the order the plans were made). */
  evaluate(ctx: CycleContext, plans: readonly ProjectionPlan[]): Promise<GateTrip[]>;
}

/** Deletes and disables per target connector against `safety.maxDeletes` / `maxDeletePercent`. */
const deleteGate: GateKind = { name: 'deletes', evaluate: (ctx, plans) => evaluateGates(ctx, ctx.q, plans) };

/** Objects losing one attribute per target connector against `safety.maxClears` / `maxClearPercent`. */
const clearGate: GateKind = { name: 'clears', evaluate: (ctx, plans) => evaluateClearGate(ctx, ctx.q, plans) };

export const GATE_KINDS: readonly GateKind[] = [deleteGate, clearGate];

export const gateStage: WaveStage = {
  name: 'gate',
  async run({ ctx, record }, wave) {
    for (const gate of GATE_KINDS) {
      const trips = await gate.evaluate(ctx, wave.plans);
      record.gates.push(...trips);
      for (const trip of trips) wave.blocked.add(trip.connector);
    }
  },
};
