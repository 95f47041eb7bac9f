/**
 * The mass attribute-clear gate: per target connector, object type and attribute, the objects a cycle
 * would leave without the attribute, against `safety.maxClears` and `safety.maxClearPercent` (of that
 * connector's objects of the type). An object counts when an update writes the attribute empty, or when
 * it is projected already and is now held back because an attribute its templates read became empty
 * (the same accident: a renamed source column, an import returning blanks, a mapping typo). Objects
 * held back before, by a run whose gate let them stand, do not count again. A trip blocks every export
 * to the connector, like the delete gate; `--allow-clears N` lets at most N objects per attribute through,
 * and an operator's approval with `allowClears` (approval-book.ts) lets exactly the objects it was given for
 * through. What the gate holds back is recorded per connector (gate-holds.ts, gate `clear`).
 */
import type { GateTrip, HeldObject } from '../reports/types.js';
import type { Queryable } from '../store/db.js';
import { withRefusal } from './approval-book.js';
import { countLive } from './tables/connector-space-objects.js';
import type { CycleContext } from './context.js';
import { addHolds, replaceHolds } from './gate-holds.js';
import type { ProjectionPlan } from './planner.js';
import { insertConflicts, type ConflictScope } from './tables/conflicts.js';
import { isEmpty } from './values.js';

/** Objects named in a trip; the count is always the whole number. */
const SAMPLE = 20;

export interface AttributeClears {
  readonly connector: string;
  readonly objectType: string;
  readonly attribute: string;
  /** Objects an update would write the attribute empty on (labels). */
  readonly cleared: readonly string[];
  /** Projected objects held back because the attribute became empty (labels). */
  readonly heldBack: readonly string[];
  /** Every object counted, by external id → label. */
  readonly externalIds: ReadonlyMap<string, string>;
}

/** What the plans would clear, per connector, object type and attribute, largest first. */
export async function attributeClears(plans: readonly ProjectionPlan[]): Promise<AttributeClears[]> {
  const byKey = new Map<string, { connector: string; objectType: string; attribute: string; cleared: Set<string>; heldBack: Set<string>; externalIds: Map<string, string> }>();
  const entry = (plan: ProjectionPlan, attribute: string) => {
    const { connector, objectType } = plan.projection.target;
    const key = `${connector}\u0000${objectType}\u0000${attribute}`;
    let found = byKey.get(key);
    if (!found) byKey.set(key, (found = { connector, objectType, attribute, cleared: new Set(), heldBack: new Set(), externalIds: new Map() }));
    return found;
  };
  for (const plan of plans) {
    // Only the updates are read back (a reconcile run's plan is in a scratch file): what can clear.
    for await (const page of plan.changes.pages(['update'])) {
      for (const { change, object } of page) {
        if (change.op !== 'update') continue;
        for (const [name, { from, to }] of Object.entries(change.attributes)) {
          if (isEmpty(from) || !isEmpty(to)) continue;
          const clears = entry(plan, name);
          clears.cleared.add(object);
          clears.externalIds.set(change.externalId, object);
        }
      }
    }
    for (const held of plan.heldBack) {
      if (held.kind !== 'heldBack' || !held.target || held.accepted) continue;
      for (const name of held.missing ?? []) {
        const clears = entry(plan, name);
        clears.heldBack.add(held.target.object);
        clears.externalIds.set(held.target.externalId, held.target.object);
      }
    }
  }
  return [...byKey.values()]
    .map((c) => ({ ...c, cleared: [...c.cleared], heldBack: [...c.heldBack].filter((o) => !c.cleared.has(o)) }))
    .sort((a, b) => b.cleared.length + b.heldBack.length - (a.cleared.length + a.heldBack.length) || (a.attribute < b.attribute ? -1 : 1));
}

export async function evaluateClearGate(ctx: CycleContext, q: Queryable, plans: readonly ProjectionPlan[]): Promise<GateTrip[]> {
  const byConnector = new Map<string, AttributeClears[]>();
  for (const plan of plans) byConnector.set(plan.projection.target.connector, byConnector.get(plan.projection.target.connector) ?? []);
  for (const clears of await attributeClears(plans)) byConnector.get(clears.connector)?.push(clears);
  const trips: GateTrip[] = [];
  for (const [connector, list] of byConnector) {
    let tripped = await judge(ctx, q, connector, list);
    const held = heldObjects(list);
    if (tripped.length > 0) {
      const judgement = ctx.approvals?.judge(connector, held);
      if (judgement) ctx.approvals?.record(judgement);
      tripped = judgement?.pass ? [] : tripped.map((t) => ({ ...t, message: withRefusal(t.message ?? '', judgement) }));
    }
    trips.push(...tripped);
    if (ctx.mode !== 'reconcile') continue;
    const connectorPlans = plans.filter((p) => p.projection.target.connector === connector);
    if (connectorPlans.some((p) => p.partial)) {
      if (tripped.length > 0) await addHolds(q, connector, held, ctx.cycleId);
    } else {
      await replaceHolds(q, connector, 'clear', [...new Set(connectorPlans.map((p) => p.projection.target.objectType))], tripped.length > 0 ? held : [], ctx.cycleId);
    }
    // Objects held back for an empty attribute that the gate let stand are not counted by later runs.
    if (tripped.length === 0) for (const plan of connectorPlans) await acceptHeldBack(q, plan);
  }
  return trips;
}

/** The trips of one connector's clears, before any approval: one per attribute over a limit. */
async function judge(ctx: CycleContext, q: Queryable, connector: string, list: readonly AttributeClears[]): Promise<GateTrip[]> {
  if (list.length === 0) return [];
  const { maxClears, maxClearPercent } = ctx.config.mesh.safety;
  const most = Math.max(...list.map(total));
  if (ctx.allowClears !== undefined && most <= ctx.allowClears) return [];
  const override = ctx.allowClears !== undefined ? ` (--allow-clears ${ctx.allowClears} is fewer)` : '';
  const live = new Map<string, number>();
  const trips: GateTrip[] = [];
  for (const clears of list) {
    const count = total(clears);
    let objects = live.get(clears.objectType);
    if (objects === undefined) live.set(clears.objectType, (objects = await countLive(q, connector, clears.objectType)));
    const percentLimit = Math.floor((maxClearPercent / 100) * objects);
    const over =
      count > maxClears
        ? { gate: 'maxClears' as const, limit: maxClears, setting: `safety.maxClears (${maxClears})` }
        : count > percentLimit
          ? { gate: 'maxClearPercent' as const, limit: percentLimit, setting: `safety.maxClearPercent (${maxClearPercent}%)` }
          : undefined;
    if (!over) continue;
    const percent = objects === 0 ? 100 : (count / objects) * 100;
    trips.push({
      connector,
      objectType: clears.objectType,
      attribute: clears.attribute,
      gate: over.gate,
      count,
      limit: over.limit,
      objects: [...clears.cleared, ...clears.heldBack].slice(0, SAMPLE),
      message: `${connector}/${clears.objectType}: "${clears.attribute}" would be emptied on ${count} of ${objects} objects (${percent.toFixed(1)}%: ${how(clears)}), more than ${over.setting}${override}; every export to ${connector} is blocked this cycle (check the source and the mappings; to let them through, ${approveClearsHint(connector, most, heldObjects(list).length)})`,
    });
  }
  return trips;
}

/** How to let a connector's clears through, for gate messages. */
function approveClearsHint(connector: string, most: number, objects: number): string {
  return `approve them with POST /api/v1/connectors/${connector}/approvals {"allowDeletes": 0, "allowClears": ${objects}, "reason": "…"}, or rerun with --allow-clears ${most}`;
}

/** One held object per target object that would lose an attribute (the approval unit). */
function heldObjects(list: readonly AttributeClears[]): HeldObject[] {
  const byKey = new Map<string, HeldObject>();
  for (const clears of list) {
    for (const [externalId, object] of clears.externalIds) byKey.set(`${clears.objectType}\u0000${externalId}`, { gate: 'clear', objectType: clears.objectType, externalId, op: 'clear', object });
  }
  return [...byKey.values()].sort((a, b) => (a.objectType < b.objectType ? -1 : a.objectType > b.objectType ? 1 : a.object < b.object ? -1 : a.object > b.object ? 1 : 0));
}

/** Marks the plan's newly held-back objects as accepted in their conflicts. */
async function acceptHeldBack(q: Queryable, plan: ProjectionPlan): Promise<void> {
  const fresh = plan.heldBack.filter((h) => h.kind === 'heldBack' && h.target && !h.accepted);
  if (fresh.length === 0) return;
  const scope: ConflictScope = { in: 'projection', projection: plan.projection.name };
  await insertConflicts(q, fresh.map((h) => ({ kind: h.kind, subject: h.subject, scope, attribute: '', meshType: h.meshType, details: { ...h.details, accepted: true } })));
}

const total = (c: AttributeClears): number => c.cleared.length + c.heldBack.length;

function how(c: AttributeClears): string {
  return [
    ...(c.cleared.length > 0 ? [`${c.cleared.length} written empty`] : []),
    ...(c.heldBack.length > 0 ? [`${c.heldBack.length} held back because it is empty`] : []),
  ].join(', ');
}
