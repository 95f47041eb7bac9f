/**
 * A Policy's limits against one wave's plans, without the store: how many objects of each target
 * connector and object type a run would create, update, move, disable, delete, or change one attribute of
 * (an update of it; a created object does not count as changing its attributes).
 */
import type { PolicyLimitModel, PolicyModel, PolicyOperation } from '../../config/model.js';
import type { ExportOp } from '../../connectors/sdk.js';
import type { HeldObject } from '../../reports/types.js';
import type { ProjectionPlan } from '../planner.js';

const OPERATION_OF: Readonly<Record<Exclude<ExportOp, 'enable'>, PolicyOperation>> = { create: 'creates', update: 'updates', move: 'moves', disable: 'disables', delete: 'deletes' };
const COUNTED = Object.keys(OPERATION_OF) as Exclude<ExportOp, 'enable'>[];

export interface TargetChanges {
  readonly connector: string;
  readonly objectType: string;
  /** Objects (labels) per operation. */
  readonly operations: Map<PolicyOperation, Set<string>>;
  /** Objects (labels) per changed attribute. */
  readonly attributes: Map<string, Set<string>>;
  /** Label → the counted change's target object (a create's: the DN or key it would get) and operation. */
  readonly changed: Map<string, { readonly externalId: string; readonly op: HeldObject['op'] }>;
}

/** The covered plans' changes per target connector and object type. */
export async function targetChanges(policy: PolicyModel, plans: readonly ProjectionPlan[]): Promise<TargetChanges[]> {
  const byTarget = new Map<string, TargetChanges>();
  for (const plan of plans) {
    if (!policy.projections.includes(plan.projection.name)) continue;
    const { connector, objectType } = plan.projection.target;
    const key = `${connector}\u0000${objectType}`;
    let target = byTarget.get(key);
    if (!target) byTarget.set(key, (target = { connector, objectType, operations: new Map(), attributes: new Map(), changed: new Map() }));
    for await (const page of plan.changes.pages(COUNTED)) {
      for (const { change, object } of page) {
        if (change.op === 'enable') continue;
        add(target.operations, OPERATION_OF[change.op], object);
        // An object moved and updated in one run is held back once, by its first counted change.
        if (!target.changed.has(object)) target.changed.set(object, { externalId: change.op === 'create' ? (change.dn ?? change.key ?? object) : change.externalId, op: change.op });
        if (change.op === 'update') for (const name of Object.keys(change.attributes)) add(target.attributes, name, object);
      }
    }
  }
  return [...byTarget.values()];
}

function add<K>(map: Map<K, Set<string>>, key: K, object: string): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(object);
}

export interface LimitExcess {
  /** `updates` or `attribute department`. */
  readonly what: string;
  readonly count: number;
  /** The tighter of `max` and `maxPercent` of `live`. */
  readonly limit: number;
  /** `at most 2% (3 of 150)`. */
  readonly rule: string;
  readonly objects: readonly string[];
}

/** The limits one target's changes pass; `live`: the target's objects of the type before the run. */
export function limitExcesses(policy: PolicyModel, target: TargetChanges, live: number): LimitExcess[] {
  const excesses: LimitExcess[] = [];
  const judge = (what: string, limit: PolicyLimitModel, objects: ReadonlySet<string> | undefined) => {
    const count = objects?.size ?? 0;
    if (count === 0) return;
    const percentLimit = limit.maxPercent !== undefined ? Math.floor((limit.maxPercent / 100) * live) : undefined;
    const bound = Math.min(limit.max ?? Infinity, percentLimit ?? Infinity);
    if (count <= bound) return;
    const rule = [...(limit.max !== undefined ? [`at most ${limit.max}`] : []), ...(limit.maxPercent !== undefined ? [`at most ${limit.maxPercent}% (${percentLimit} of ${live})`] : [])].join(' and ');
    excesses.push({ what, count, limit: bound, rule, objects: [...(objects ?? [])] });
  };
  for (const [operation, limit] of Object.entries(policy.limits) as [PolicyOperation, PolicyLimitModel][]) judge(operation, limit, target.operations.get(operation));
  for (const [attribute, limit] of policy.attributeLimits) judge(`changes of "${attribute}"`, limit, target.attributes.get(attribute));
  return excesses;
}
