/**
 * What every kind of flow rule provides to the engine. A rule's `kind` (compiled from which of
 * `attributes`, `membership` or `roleMappings` it has) picks its module: ./attribute-rule.ts,
 * ./membership-rule.ts, ./role-mapping-rule.ts, listed in ./rule-kinds.ts. Kinds never import each
 * other or the resolver; the sync stage hands them what they need.
 */
import type { CompiledConfig, FlowRuleKind, FlowRuleModel, Value } from '../../config/model.js';
import type { Queryable } from '../../store/db.js';
import type { CycleContext } from '../context.js';
import type { MeshObject, ProvenanceEntry } from '../mesh-object.js';
import type { PageFootprint } from '../overlapped-pages.js';
import { definitionHash } from '../progress.js';

export type RuleOfKind<K extends FlowRuleKind> = Extract<FlowRuleModel, { kind: K }>;

/** One candidate value for one attribute of one mesh object, as the confidence resolver weighs it. */
export interface Contribution {
  readonly attribute: string;
  readonly entry: ProvenanceEntry;
}

/** A source object linked to a mesh object by an attribute rule (a `source_link` and its `cs_object`). */
export interface LinkedSource {
  readonly mesh_id: string;
  readonly rule: string;
  readonly connector: string;
  readonly object_type: string;
  readonly external_id: string;
  readonly attributes: Readonly<Record<string, Value>>;
  readonly updated_at: Date | string;
}

/** A mesh object provisioned in this unit of work and not written yet, with the source it came from. */
export interface FreshObject {
  readonly type: string;
  readonly link: LinkedSource;
}

/** The mesh objects whose values are being resolved: live ones, stored or `fresh`. */
export interface ResolveBatch {
  readonly objects: readonly MeshObject[];
  readonly fresh: ReadonlyMap<string, FreshObject>;
}

/** Where candidate values come from: what a kind's rules contribute to a batch, by mesh id. */
export type ContributionSource = (q: Queryable, batch: ResolveBatch) => Promise<ReadonlyMap<string, readonly Contribution[]>>;

/**
 * Resolves these mesh objects' values again (the sync stage binds the contribution sources); returns
 * how many changed. `fresh` objects are inserted, not read; `footprint` learns the join keys written.
 */
export type Resolve = (q: Queryable, meshIds: readonly string[], fresh?: ReadonlyMap<string, FreshObject>, footprint?: PageFootprint) => Promise<number>;

export interface SyncOutcome {
  readonly rule: string;
  readonly processed: number;
  readonly joined: number;
  readonly provisioned: number;
  readonly unlinked: number;
  readonly meshDeleted: number;
  readonly ambiguous: number;
  readonly recomputed: number;
}

export interface RuleKind<K extends FlowRuleKind> {
  readonly kind: K;
  /**
   * Where the rule runs in the sync stage, lower first: rules that provision before join-only ones, so
   * those find what was created this cycle; derived rules last, when what they name is linked.
   */
  rank(rule: RuleOfKind<K>): number;
  /**
   * Whether the rule's values name other mesh objects through their source links (members, managers):
   * such a rule is synced again, whole, when its connector linked new objects this cycle.
   */
  namesLinkedObjects(config: CompiledConfig, rule: RuleOfKind<K>): boolean;
  /** What this kind's rules contribute to the mesh objects being resolved. */
  contributions(config: CompiledConfig, rules: readonly RuleOfKind<K>[]): ContributionSource;
  /** The sync stage for one rule: finds what changed since its progress and resolves what it touches. */
  sync(ctx: CycleContext, rule: RuleOfKind<K>, everything: boolean, resolve: Resolve): Promise<SyncOutcome>;
}

/**
 * A rule's definition as its progress records it. The kind follows from the rule's other fields, so it
 * is left out: progress recorded before rules had a kind stays valid.
 */
export function ruleDefinition(config: CompiledConfig, rule: FlowRuleModel): string {
  const { kind: _kind, ...definition } = rule;
  return definitionHash({ rule: definition, meshType: config.mesh.objectTypes.get(rule.meshType) });
}

/** Where a rule's sync starts: everything (-1) on a full run or a changed definition, else its progress. */
export function syncSince(progress: { readonly seq: number; readonly definition: string } | undefined, definition: string, everything: boolean): number {
  return everything || !progress || progress.definition !== definition ? -1 : progress.seq;
}
