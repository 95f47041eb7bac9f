/**
 * What the derived kinds (./membership-rule.ts, ./role-mapping-rule.ts) share. Their source objects
 * are relations between identities, not identities: they create no source links, and their values are
 * computed whenever a mesh object of their mesh type is resolved, so they compete and keep provenance
 * like any attribute flow. Their sync finds the mesh objects that changed relations touch (every one on
 * a full cycle or a changed definition) and resolves them.
 */
import type { MembershipFlowRule, RoleMappingFlowRule } from '../../config/model.js';
import type { Queryable } from '../../store/db.js';
import { PAGE_SIZE, type CycleContext } from '../context.js';
import { readProgress, writeProgress } from '../progress.js';
import { linksByIdOrDn } from '../references.js';
import { contributedBy } from '../tables/mesh-objects.js';
import { ruleDefinition, syncSince, type Resolve, type SyncOutcome } from './rule-kind.js';

export type DerivedRule = MembershipFlowRule | RoleMappingFlowRule;

/** The mesh objects a derived rule's changes since `since` touch, and how many source objects it read. */
export interface Touched {
  readonly processed: number;
  readonly meshIds: ReadonlySet<string>;
}

/** Derived rules run after identity rules, when every group and member they name is linked. */
export const DERIVED_RANK = 2;

export async function syncDerived(
  ctx: CycleContext,
  rule: DerivedRule,
  everything: boolean,
  resolve: Resolve,
  touched: (since: number) => Promise<Touched>,
): Promise<SyncOutcome> {
  const definition = ruleDefinition(ctx.config, rule);
  const since = syncSince(await readProgress(ctx.q, 'flow', rule.name), definition, everything);
  const { processed, meshIds } = await touched(since);
  let recomputed = 0;
  const ids = [...meshIds].sort();
  for (let start = 0; start < ids.length; start += PAGE_SIZE) {
    const slice = ids.slice(start, start + PAGE_SIZE);
    recomputed += await ctx.atomically((q) => resolve(q, slice));
    ctx.progress(`sync ${rule.name}`, Math.min(start + PAGE_SIZE, ids.length), ids.length);
  }
  await ctx.atomically((q) => writeProgress(q, 'flow', rule.name, { seq: ctx.seq, definition }));
  return { rule: rule.name, processed, joined: 0, provisioned: 0, unlinked: 0, meshDeleted: 0, ambiguous: 0, recomputed };
}

/**
 * Resolves source external ids or DNs of `connector` to live mesh objects through their links,
 * keeping only mesh objects of `meshTypes` (all types when empty). Keys are lower-cased.
 */
export async function resolveSourceIds(q: Queryable, connector: string, values: readonly string[], meshTypes: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const link of await linksByIdOrDn(q, connector, values)) {
    if (meshTypes.length > 0 && !meshTypes.includes(link.meshType)) continue;
    for (const key of [link.externalId.toLowerCase(), link.dn]) {
      if (!key) continue;
      const list = out.get(key) ?? [];
      if (!list.includes(link.meshId)) list.push(link.meshId);
      out.set(key, list);
    }
  }
  return out;
}

/** Mesh objects whose `attribute` currently has a contribution (winner or loser) from `rule`. */
export function derivedHolders(q: Queryable, meshType: string, attribute: string, rule: string): Promise<string[]> {
  return contributedBy(q, meshType, attribute, rule);
}
