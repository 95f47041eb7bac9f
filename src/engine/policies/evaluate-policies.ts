/**
 * Evaluates the Policy documents against one wave's plans, the same way in `imesh plan` and before
 * every export. A limit the changes to a target pass blocks every export to its connector (a gate trip,
 * `policyLimit`; `--allow-limits N` lets up to N through). What the limits hold back is recorded per
 * connector (gate-holds.ts, gate `limit`: the objects of the changes counted), and an operator's approval
 * with `allowLimits` (approval-book.ts) lets exactly the objects it was given for through. A create or update that would make its object
 * break an invariant holds that object back (all its changes, this run) and the run exits 3; the rest
 * proceeds. Only what the run introduces counts: a target's objects that already break an invariant are
 * reported as `existing` violations and never block. A run's invariant checks cost what it changes (see
 * evaluateInvariants).
 */
import type { PolicyInvariantModel, PolicyModel, Value } from '../../config/model.js';
import type { GateTrip, HeldObject, PolicyViolation } from '../../reports/types.js';
import type { Queryable } from '../../store/db.js';
import { withRefusal } from '../approval-book.js';
import { addHolds, replaceHolds } from '../gate-holds.js';
import { countLive, liveObjectsManagedBy } from '../tables/connector-space-objects.js';
import { readPolicyReport, writePolicyReport } from '../tables/policy-reports.js';
import { holdersOf } from '../tables/unique-values.js';
import { definitionHash } from '../progress.js';
import type { CycleContext } from '../context.js';
import type { PlannedChange, ProjectionPlan } from '../planner.js';
import { sourceValue } from '../values.js';
import { describeInvariant, invariantProblem, uniqueKeys } from './invariant-check.js';
import { limitExcesses, targetChanges } from './limits.js';
import { catchUpUniqueValues } from './unique-index.js';

/** Objects named per violation; `count` is always the whole number. */
const SHOWN = 50;

export interface PolicyHold {
  readonly projection: string;
  readonly meshId: string;
  readonly item: string;
  readonly object: string;
  readonly reason: string;
}

export interface PolicyOutcome {
  readonly trips: GateTrip[];
  readonly violations: PolicyViolation[];
  /** Objects held back for a new invariant violation: their changes are not exported this run. */
  readonly holds: PolicyHold[];
}


export async function evaluatePolicies(ctx: CycleContext, q: Queryable, plans: readonly ProjectionPlan[]): Promise<PolicyOutcome> {
  const outcome: PolicyOutcome = { trips: [], violations: [], holds: [] };
  const limits = new Map<string, ConnectorLimits>();
  const live = new Map<string, Promise<number>>();
  const liveCount = (connector: string, objectType: string) => {
    const key = `${connector}\u0000${objectType}`;
    let n = live.get(key);
    if (!n) live.set(key, (n = countLive(q, connector, objectType)));
    return n;
  };
  for (const policy of ctx.config.policies) {
    const covered = plans.filter((p) => policy.projections.includes(p.projection.name));
    if (covered.length === 0) continue;
    // Without limits nothing counts the changes, nor the target's objects (a count over the whole target).
    if (Object.keys(policy.limits).length > 0 || policy.attributeLimits.size > 0) await evaluateLimits(ctx, policy, covered, liveCount, limits);
    if (policy.invariants.length > 0) await evaluateInvariants(ctx, q, policy, covered, outcome);
  }
  await settleLimits(ctx, q, plans, limits, outcome);
  return outcome;
}

/** A connector's limit excesses before any approval, and the objects of the changes they count. */
interface ConnectorLimits {
  readonly excesses: { readonly trip: Omit<GateTrip, 'message'>; readonly violation: Omit<PolicyViolation, 'message'>; readonly text: string }[];
  readonly held: Map<string, HeldObject>;
  /** The largest count over a limit: what `--allow-limits` must be. */
  most: number;
}

async function evaluateLimits(ctx: CycleContext, policy: PolicyModel, plans: readonly ProjectionPlan[], live: (c: string, t: string) => Promise<number>, limits: Map<string, ConnectorLimits>): Promise<void> {
  for (const target of await targetChanges(policy, plans)) {
    const excesses = limitExcesses(policy, target, await live(target.connector, target.objectType));
    if (excesses.length === 0) continue;
    const most = Math.max(...excesses.map((e) => e.count));
    if (ctx.allowLimits !== undefined && most <= ctx.allowLimits) continue;
    const override = ctx.allowLimits !== undefined ? ` (--allow-limits ${ctx.allowLimits} is fewer)` : '';
    let entry = limits.get(target.connector);
    if (!entry) limits.set(target.connector, (entry = { excesses: [], held: new Map(), most: 0 }));
    entry.most = Math.max(entry.most, most);
    for (const excess of excesses) {
      const where = `${target.connector}/${target.objectType}`;
      entry.excesses.push({
        trip: { connector: target.connector, objectType: target.objectType, gate: 'policyLimit', policy: policy.name, count: excess.count, limit: excess.limit },
        violation: { policy: policy.name, kind: 'limit', connector: target.connector, objectType: target.objectType, rule: `${excess.what}: ${excess.rule}`, count: excess.count, objects: excess.objects.slice(0, SHOWN), status: 'new' },
        text: `${where}: ${excess.count} ${excess.what} pending, more than policy "${policy.name}" allows (${excess.rule})${override}; every export to ${target.connector} is blocked this cycle`,
      });
      for (const object of excess.objects) {
        const changed = target.changed.get(object);
        if (changed) entry.held.set(`${target.objectType}\u0000${changed.externalId}`, { gate: 'limit', objectType: target.objectType, externalId: changed.externalId, op: changed.op, object });
      }
    }
  }
}

/**
 * Per target connector of the wave: its limits' trips unless an approval lets their objects through, and
 * (reconcile) what they hold back now. A connector whose limits pass holds nothing back.
 */
async function settleLimits(ctx: CycleContext, q: Queryable, plans: readonly ProjectionPlan[], limits: ReadonlyMap<string, ConnectorLimits>, outcome: PolicyOutcome): Promise<void> {
  for (const connector of new Set(plans.map((p) => p.projection.target.connector))) {
    const entry = limits.get(connector);
    const held = entry ? [...entry.held.values()].sort((a, b) => compare(a.objectType, b.objectType) || compare(a.object, b.object) || compare(a.externalId, b.externalId)) : [];
    let tripped = entry !== undefined && entry.excesses.length > 0;
    if (entry && tripped) {
      const judgement = ctx.approvals?.judge(connector, held);
      if (judgement) ctx.approvals?.record(judgement);
      tripped = !judgement?.pass;
      if (tripped) {
        const hint = `to let them through, approve them with POST /api/v1/connectors/${connector}/approvals {"allowDeletes": 0, "allowLimits": ${held.length}, "reason": "…"}, or rerun with --allow-limits ${entry.most}`;
        for (const { trip, violation, text } of entry.excesses) {
          const message = withRefusal(`${text} (${hint})`, judgement);
          outcome.trips.push({ ...trip, message });
          outcome.violations.push({ ...violation, message });
        }
      }
    }
    if (ctx.mode !== 'reconcile') continue;
    const connectorPlans = plans.filter((p) => p.projection.target.connector === connector);
    // A partial plan (a scoped run) saw only some objects: it adds what it holds back and forgets nothing.
    if (connectorPlans.some((p) => p.partial)) {
      if (tripped) await addHolds(q, connector, held, ctx.cycleId);
    } else {
      await replaceHolds(q, connector, 'limit', [...new Set(connectorPlans.map((p) => p.projection.target.objectType))], tripped ? held : [], ctx.cycleId);
    }
  }
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The target's managed objects and every live object's unique values: read whole, for existing violations only. */
interface WholeTarget {
  /** Per unique attribute: normalised value → external ids holding it. */
  readonly holders: Map<string, Map<string, Set<string>>>;
  /** The target's live objects the covered projections manage: external id → label and attributes. */
  readonly linked: Map<string, { label: string; attributes: Record<string, Value> }>;
}

/**
 * New violations cost what the run changes: only a create or update can newly break an invariant, and
 * uniqueness looks up the values it gives (unique_value, kept caught up with the connector space) rather
 * than reading the target. Existing violations need the whole target: checked on full runs and when the
 * invariants change; other runs report what that check found (policy_report).
 */
async function evaluateInvariants(ctx: CycleContext, q: Queryable, policy: PolicyModel, plans: readonly ProjectionPlan[], outcome: PolicyOutcome): Promise<void> {
  const byTarget = new Map<string, ProjectionPlan[]>();
  for (const plan of plans) {
    const key = `${plan.projection.target.connector}\u0000${plan.projection.target.objectType}`;
    byTarget.set(key, [...(byTarget.get(key) ?? []), plan]);
  }
  for (const targetPlans of byTarget.values()) {
    const { connector, objectType } = targetPlans[0]!.projection.target;
    const projections = targetPlans.map((p) => p.projection.name);
    const uniqueAttributes = [...new Set(policy.invariants.filter((i) => i.unique).map((i) => i.attribute))];
    // Everything this cycle wrote carries its change number or a later one: read again by the next catch-up.
    if (uniqueAttributes.length > 0) await ctx.atomically((tx) => catchUpUniqueValues(tx, connector, objectType, uniqueAttributes, ctx.seq - 1));
    const fresh = new Map<PolicyInvariantModel, { objects: string[]; reasons: string[] }>();
    // Values this run gives, per unique attribute: a second object taking the same value collides too.
    const claimed = new Map<string, Map<string, string>>();
    for (const plan of targetPlans) {
      for await (const page of plan.changes.pages(['create', 'update'], 'plan')) {
        const taken = await takenValues(q, connector, objectType, projections, uniqueAttributes, page);
        for (const change of page) {
          if (change.change.op !== 'create' && change.change.op !== 'update') continue;
          const problems: string[] = [];
          for (const invariant of policy.invariants) {
            const given = givenValue(change, invariant.attribute);
            if (!given.touched) continue;
            const self = change.change.op === 'update' ? change.change.externalId : undefined;
            const problem = invariantProblem(invariant, given.value, change.unresolved?.[invariant.attribute]) ?? (invariant.unique ? collision(taken, claimed, invariant.attribute, given.value, self, change.object) : undefined);
            if (problem === undefined) continue;
            problems.push(`${invariant.attribute} ${problem}`);
            const entry = fresh.get(invariant) ?? { objects: [], reasons: [] };
            fresh.set(invariant, entry);
            entry.objects.push(change.object);
            entry.reasons.push(`${change.object}: ${invariant.attribute} ${problem}`);
          }
          if (problems.length > 0) outcome.holds.push({ projection: plan.projection.name, meshId: change.meshId, item: change.item, object: change.object, reason: `policy "${policy.name}": ${problems.join('; ')}` });
        }
      }
    }
    for (const [invariant, { objects, reasons }] of fresh) {
      const unique = [...new Set(objects)];
      outcome.violations.push({ policy: policy.name, kind: 'invariant', connector, objectType, rule: describeInvariant(invariant), message: `${unique.length} object(s) would break ${describeInvariant(invariant)}${invariant.description ? ` (${invariant.description})` : ''} and are held back: ${reasons.slice(0, 5).join('; ')}${reasons.length > 5 ? '; …' : ''}`, count: unique.length, objects: unique.slice(0, SHOWN), status: 'new' });
    }
    outcome.violations.push(...(await existingViolations(ctx, q, policy, connector, objectType, projections)));
  }
}

/** The value a change gives the attribute: a create gives every attribute; an update only those it changes. */
function givenValue(change: PlannedChange, attribute: string): { touched: boolean; value?: Value | null } {
  if (change.change.op === 'create') return { touched: true, value: change.change.attributes[attribute] };
  if (change.change.op === 'update') {
    const changed = change.change.attributes[attribute];
    return changed ? { touched: true, value: changed.to ?? null } : { touched: false };
  }
  return { touched: false };
}

/** Who already holds the values the run gives: per unique attribute, value → holders' external ids; and the holders' labels. */
interface TakenValues {
  readonly holders: Map<string, Map<string, string[]>>;
  readonly labels: Map<string, string>;
}

/** Per page of changes: who already holds the values they give (by index, for these values only). */
async function takenValues(q: Queryable, connector: string, objectType: string, projections: readonly string[], attributes: readonly string[], page: readonly PlannedChange[]): Promise<TakenValues> {
  const holders = new Map<string, Map<string, string[]>>();
  if (attributes.length === 0) return { holders, labels: new Map() };
  for (const attribute of attributes) {
    const keys = page.flatMap((change) => (change.change.op === 'create' || change.change.op === 'update' ? uniqueKeys(givenValue(change, attribute).value) : []));
    holders.set(attribute, await holdersOf(q, connector, objectType, attribute, keys));
  }
  const ids = [...new Set([...holders.values()].flatMap((byKey) => [...byKey.values()].flat()))];
  const rows = await liveObjectsManagedBy(q, connector, objectType, projections, ids);
  return { holders, labels: new Map(rows.filter((r) => r.managed).map((r) => [r.externalId, r.dn ?? r.externalId])) };
}

function collision(taken: TakenValues, claimed: Map<string, Map<string, string>>, attribute: string, value: Value | undefined | null, self: string | undefined, object: string): string | undefined {
  const mine = claimed.get(attribute) ?? new Map<string, string>();
  claimed.set(attribute, mine);
  for (const key of uniqueKeys(value)) {
    const holders = (taken.holders.get(attribute)?.get(key) ?? []).filter((id) => id !== self);
    if (holders.length > 0) return `"${key}" is already held by ${taken.labels.get(holders[0]!) ?? holders[0]}`;
    const other = mine.get(key);
    if (other !== undefined && other !== object) return `"${key}" is also given to ${other} by this run`;
    mine.set(key, object);
  }
  return undefined;
}

/** What the managed objects already break (reported, never blocking): checked whole on full runs and new invariants, else as last checked. */
async function existingViolations(ctx: CycleContext, q: Queryable, policy: PolicyModel, connector: string, objectType: string, projections: readonly string[]): Promise<PolicyViolation[]> {
  const definition = definitionHash({ invariants: policy.invariants, projections: [...projections].sort() });
  if (ctx.kind !== 'full') {
    const stored = await readPolicyReport(q, policy.name, connector, objectType, definition);
    if (stored) return stored;
  }
  const found = checkWhole(policy, connector, objectType, await readWhole(q, policy, connector, objectType, projections));
  await ctx.atomically((tx) => writePolicyReport(tx, policy.name, connector, objectType, definition, found));
  return found;
}

async function readWhole(q: Queryable, policy: PolicyModel, connector: string, objectType: string, projections: readonly string[]): Promise<WholeTarget> {
  const rows = await liveObjectsManagedBy(q, connector, objectType, projections);
  const holders = new Map<string, Map<string, Set<string>>>();
  const uniqueAttributes = policy.invariants.filter((i) => i.unique).map((i) => i.attribute);
  const linked = new Map<string, { label: string; attributes: Record<string, Value> }>();
  for (const row of rows) {
    if (row.managed) linked.set(row.externalId, { label: row.dn ?? row.externalId, attributes: row.attributes });
    for (const attribute of uniqueAttributes) {
      const byValue = holders.get(attribute) ?? new Map<string, Set<string>>();
      holders.set(attribute, byValue);
      for (const key of uniqueKeys(sourceValue(row.attributes, attribute))) byValue.set(key, (byValue.get(key) ?? new Set()).add(row.externalId));
    }
  }
  return { holders, linked };
}

function checkWhole(policy: PolicyModel, connector: string, objectType: string, whole: WholeTarget): PolicyViolation[] {
  const found: PolicyViolation[] = [];
  for (const invariant of policy.invariants) {
    const objects: string[] = [];
    for (const [externalId, { label, attributes }] of whole.linked) {
      const value = sourceValue(attributes, invariant.attribute);
      const broken = invariantProblem({ ...invariant, resolvable: false }, value) !== undefined || (invariant.unique && uniqueKeys(value).some((key) => [...(whole.holders.get(invariant.attribute)?.get(key) ?? [])].some((id) => id !== externalId)));
      if (broken) objects.push(label);
    }
    if (objects.length === 0) continue;
    objects.sort();
    found.push({ policy: policy.name, kind: 'invariant', connector, objectType, rule: describeInvariant(invariant), message: `${objects.length} object(s) of ${connector}/${objectType} already break ${describeInvariant(invariant)}; reported, not blocking`, count: objects.length, objects: objects.slice(0, SHOWN), status: 'existing' });
  }
  return found;
}
