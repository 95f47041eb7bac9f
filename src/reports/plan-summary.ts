/**
 * What the plan renderers share: the order of operations, totals, the `Plan: …` line and how a
 * safety gate trip is worded.
 */
import type { GateTrip, PlanChange, PlanProjection, PlanReport } from './types.js';
import { count } from './value-format.js';

export type Op = PlanChange['op'];

export interface OpInfo {
  readonly op: Op;
  /** The projection's counter for this operation. */
  readonly counter: 'creates' | 'updates' | 'moves' | 'enables' | 'disables' | 'deletes';
  /** `3 to create` */
  readonly verb: string;
  readonly symbol: string;
}

/** In the order a plan lists them. */
export const OPS: readonly OpInfo[] = [
  { op: 'create', counter: 'creates', verb: 'create', symbol: '+' },
  { op: 'update', counter: 'updates', verb: 'update', symbol: '~' },
  { op: 'move', counter: 'moves', verb: 'move', symbol: '→' },
  { op: 'enable', counter: 'enables', verb: 'enable', symbol: '↑' },
  { op: 'disable', counter: 'disables', verb: 'disable', symbol: '⊘' },
  { op: 'delete', counter: 'deletes', verb: 'delete', symbol: '-' },
];

/** How many objects a projection changes with `op`: its counter, or the changes listed if more. */
export function opTotal(projection: PlanProjection, info: OpInfo): number {
  const listed = projection.changes.filter((c) => c.op === info.op).length;
  return Math.max(projection[info.counter] ?? 0, listed);
}

export function planTotals(plan: PlanReport): ReadonlyMap<Op, number> {
  const totals = new Map<Op, number>(OPS.map((o) => [o.op, 0]));
  for (const p of plan.projections) for (const info of OPS) totals.set(info.op, totals.get(info.op)! + opTotal(p, info));
  return totals;
}

export function hasChanges(plan: PlanReport): boolean {
  return [...planTotals(plan).values()].some((n) => n > 0);
}

/** `Plan: 3 to create, 1 to update, 0 to move, 0 to enable, 2 to disable, 1 to delete.` */
export function planSummaryLine(plan: PlanReport): string {
  const totals = planTotals(plan);
  return `Plan: ${OPS.map((o) => `${count(totals.get(o.op)!)} to ${o.verb}`).join(', ')}.`;
}

const GATE_LIMIT: Readonly<Record<GateTrip['gate'], string>> = {
  maxDeletes: 'safety.maxDeletes',
  maxDeletePercent: 'safety.maxDeletePercent',
  importGuard: 'the empty-import guard',
};

/** One line per trip: the engine's message when it gave one, else counts and the limit crossed. */
export function gateLine(gate: GateTrip): string {
  const where = gate.objectType ? `${gate.connector}/${gate.objectType}` : gate.connector;
  if (gate.message) return gate.message.startsWith(gate.connector) ? gate.message : `${where}: ${gate.message}`;
  if (gate.gate === 'importGuard') {
    return `${where}: a full import would remove ${count(gate.count)} objects (limit ${count(gate.limit)}, ${GATE_LIMIT[gate.gate]}); nothing is deleted`;
  }
  return `${where}: ${count(gate.count)} deletions and disables exceed ${GATE_LIMIT[gate.gate] ?? gate.gate} (limit ${count(gate.limit)}); rerun with --allow-deletes ${gate.count} if intended`;
}

/** The connectors whose exports the trips block, in first-seen order. */
export function blockedConnectors(gates: readonly GateTrip[]): string[] {
  return [...new Set(gates.map((g) => g.connector))];
}
