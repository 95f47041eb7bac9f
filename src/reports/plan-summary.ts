/**
 * What the plan renderers share: the order of operations, totals, the `Plan: …` line and how a
 * safety gate trip is worded.
 */
import type { ConflictEntry, GateTrip, PlanChange, PlanFailure, PlanProjection, PlanReport } from './types.js';
import { count, plural } from './value-format.js';
import { gateApproval, isClearGate } from './gate-kinds.js';

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
  maxClears: 'safety.maxClears',
  maxClearPercent: 'safety.maxClearPercent',
  policyLimit: 'a Policy limit',
};

/** One line per trip: the engine's message when it gave one, else counts and the limit crossed. */
export function gateLine(gate: GateTrip): string {
  const where = gate.objectType ? `${gate.connector}/${gate.objectType}` : gate.connector;
  if (gate.message) return gate.message.startsWith(gate.connector) ? gate.message : `${where}: ${gate.message}`;
  if (gate.gate === 'importGuard') {
    return `${where}: a full import would remove ${count(gate.count)} objects (limit ${count(gate.limit)}, ${GATE_LIMIT[gate.gate]}); nothing is deleted`;
  }
  if (isClearGate(gate.gate)) {
    return `${where}: "${gate.attribute ?? '?'}" would be emptied on ${count(gate.count)} objects, more than ${GATE_LIMIT[gate.gate]} (limit ${count(gate.limit)}); rerun with --allow-clears ${gate.count} if intended`;
  }
  return `${where}: ${count(gate.count)} deletions and disables exceed ${GATE_LIMIT[gate.gate] ?? gate.gate} (limit ${count(gate.limit)}); rerun with --allow-deletes ${gate.count} if intended`;
}

/** The connectors whose exports the trips block (export gates, not import guards), in first-seen order. */
export function blockedConnectors(gates: readonly GateTrip[]): string[] {
  return [...new Set(gates.filter((g) => g.gate !== 'importGuard').map((g) => g.connector))];
}

/** The connectors whose import a guard holds back, in first-seen order. */
export function guardedConnectors(gates: readonly GateTrip[]): string[] {
  return [...new Set(gates.filter((g) => g.gate === 'importGuard').map((g) => g.connector))];
}

/** `the import from hr would be held back; exports to apps, phonebook would be blocked` */
export function gateConsequence(gates: readonly GateTrip[]): string {
  const guarded = guardedConnectors(gates);
  const blocked = blockedConnectors(gates);
  return [
    ...(guarded.length > 0 ? [`the import from ${guarded.join(', ')} would be held back`] : []),
    ...(blocked.length > 0 ? [`exports to ${blocked.join(', ')} would be blocked`] : []),
  ].join('; ');
}

/** The `--allow-deletes N` that would let every tripped delete gate and import guard through (the override is per connector). */
export function allowDeletesNeeded(gates: readonly GateTrip[]): number {
  return Math.max(0, ...gates.filter((g) => gateApproval(g.gate) === 'deletes').map((g) => g.count));
}

/** Clear gates: `E1001, E1002, … (+10 more)`, the objects a trip counted. */
export function clearedObjectsLine(gate: GateTrip): string | undefined {
  if (!isClearGate(gate.gate) || !gate.objects || gate.objects.length === 0) return undefined;
  const more = gate.count - gate.objects.length;
  return `${gate.objects.join(', ')}${more > 0 ? ` (+${count(more)} more)` : ''}`;
}

const changeTotal = (p: PlanProjection): number => OPS.reduce((m, o) => m + opTotal(p, o), 0);

/** Changes a gate would hold back: to a blocked target, and those a guarded import would cause. */
export function heldBackTotal(plan: PlanReport): number {
  return plan.projections.filter((p) => p.heldBack).reduce((n, p) => n + changeTotal(p), 0) + (plan.heldBack ?? []).reduce((n, p) => n + changeTotal(p), 0);
}

export function failures(plan: PlanReport): readonly PlanFailure[] {
  return plan.failures ?? [];
}

/** `hr (import): connection refused` */
export function failureLine(f: PlanFailure): string {
  const message = f.message.startsWith(`${f.connector}: `) ? f.message.slice(f.connector.length + 2) : f.message;
  return `${f.connector} (${f.stage}): ${message}`;
}

/** What the plan cannot show because of a failed connector. */
export function failureConsequence(f: PlanFailure): string {
  return f.stage === 'import'
    ? `the plan cannot show changes that depend on ${f.connector}: rules read its objects as last imported, and nothing is planned for it as a target`
    : `the plan cannot show changes that depend on ${f.connector}`;
}

/** The closing lines when the plan shows no change: never "No changes" when something failed or tripped. */
export function noChangeLine(plan: PlanReport): string {
  const failed = failures(plan);
  if (failed.length > 0) {
    return `No changes found in what could be read, but the plan is incomplete: ${[...new Set(failed.map((f) => f.connector))].join(', ')} failed (see above).`;
  }
  if (plan.gates.length > 0) {
    const held = heldBackTotal(plan);
    return held > 0
      ? `No changes would be made now: ${plural(held, 'change')} would be held back by ${plural(plan.gates.length, 'safety gate')} (see above).`
      : `No changes listed, but ${plural(plan.gates.length, 'safety gate')} would trip (see above).`;
  }
  if ((plan.policyViolations ?? []).some((v) => v.status === 'new')) return 'No other changes, but a policy would be violated (see above): its objects are held back.';
  if ((plan.skipped ?? []).length > 0) return `No changes in what was read.${notContactedNote(plan)}`;
  return 'No changes. The targets match the configuration.';
}

/** ` N connector(s) not contacted (see above).`, or '' when every connector was read. */
export function notContactedNote(plan: PlanReport): string {
  const n = (plan.skipped ?? []).length;
  return n > 0 ? ` ${plural(n, 'connector')} not contacted (see above).` : '';
}

/** `1 new, 2 existing` (plans mark each conflict; without marks, the count alone). */
export function conflictCounts(conflicts: readonly ConflictEntry[]): string {
  const fresh = conflicts.filter((c) => c.status === 'new').length;
  const existing = conflicts.filter((c) => c.status === 'existing').length;
  if (fresh + existing === 0) return count(conflicts.length);
  return [`${count(fresh)} new`, `${count(existing)} existing`].join(', ');
}
