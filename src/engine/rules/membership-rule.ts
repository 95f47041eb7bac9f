/**
 * The `membership:` kind of flow rule: each source object stands for one membership (Okta's
 * `<groupId>:<userId>` with `groupId` and `memberId`) and adds the member's mesh object to the group
 * mesh object's multi-valued reference attribute.
 *
 * Nothing is linked: a membership object contributes to the group that its `group` attribute names,
 * resolved through that group's source link in the same connector, and names its member the same way
 * (a user, or a group for nested groups). The contribution is computed when the group mesh object is
 * resolved: one provenance entry per (rule, group) whose value is every live member, at the rule's
 * confidence, competing with other rules for the attribute like any flow.
 */
import type { CompiledConfig, MembershipFlowRule } from '../../config/model.js';
import type { Queryable } from '../../store/db.js';
import { isoTimestamp } from '../../store/timestamps.js';
import { PAGE_SIZE } from '../context.js';
import type { MeshObject, ProvenanceEntry } from '../mesh-object.js';
import { isEmpty, sortedUnique } from '../values.js';
import { changedAttributePage, membershipsOf } from '../tables/connector-space-objects.js';
import { liveTypes } from '../tables/mesh-objects.js';
import { linksFrom, linksOf } from '../tables/source-links.js';
import { DERIVED_RANK, derivedHolders, resolveSourceIds, syncDerived } from './derived-rule.js';
import type { Contribution, RuleKind } from './rule-kind.js';

export const membershipRule: RuleKind<'membership'> = {
  kind: 'membership',
  rank: () => DERIVED_RANK,
  namesLinkedObjects: () => true,
  contributions: (config, rules) => async (q, { objects }) => {
    const out = new Map<string, Contribution[]>();
    for (const rule of rules) {
      for (const [meshId, contribution] of await ruleContributions(config, q, rule, objects)) out.set(meshId, [...(out.get(meshId) ?? []), contribution]);
    }
    return out;
  },
  sync: (ctx, rule, everything, resolve) =>
    syncDerived(ctx, rule, everything, resolve, async (since) => {
      const { connector, objectType } = rule.source;
      const meshIds = new Set<string>();
      let processed = 0;
      let after = '';
      for (;;) {
        const page = await changedAttributePage(ctx.q, connector, objectType, rule.membership.group, since, after, PAGE_SIZE);
        if (page.length === 0) break;
        after = page[page.length - 1]!.externalId;
        processed += page.length;
        const groupIds = [...new Set(page.map((p) => p.value).filter((g): g is string => !!g))];
        for (const id of await membershipTargets(ctx.q, rule, groupIds)) meshIds.add(id);
      }
      // Stale contributions (a changed definition, a group relinked elsewhere) are dropped on full runs.
      if (since === -1) for (const id of await derivedHolders(ctx.q, rule.meshType, rule.membership.attribute, rule.name)) meshIds.add(id);
      return { processed, meshIds };
    }),
};

/** Source external ids (in `connector`) of these mesh objects, by external id. */
async function sourceIdsOf(q: Queryable, connector: string, meshIds: readonly string[]): Promise<Map<string, string>> {
  return new Map((await linksOf(q, meshIds, connector)).map((link) => [link.externalId, link.meshId]));
}

/** What one membership rule contributes to these (group) mesh objects, by mesh id. */
async function ruleContributions(config: CompiledConfig, q: Queryable, rule: MembershipFlowRule, objects: readonly MeshObject[]): Promise<Map<string, Contribution>> {
  const out = new Map<string, Contribution>();
  const groups = objects.filter((o) => !o.deleted && o.type === rule.meshType).map((o) => o.id);
  if (groups.length === 0) return out;
  const attribute = config.mesh.objectTypes.get(rule.meshType)?.attributes.get(rule.membership.attribute);
  if (!attribute) return out;
  const { connector, objectType } = rule.source;
  const groupMesh = await sourceIdsOf(q, connector, groups);
  if (groupMesh.size === 0) return out;
  const memberships = await membershipsOf(q, connector, objectType, rule.membership, [...groupMesh.keys()]);
  const live = memberships.filter((m) => !isEmpty(m.memberId));
  const members = await resolveSourceIds(q, connector, [...new Set(live.map((m) => m.memberId!))], attribute.to);
  const byGroup = new Map<string, { ids: string[]; at: string; groupId: string }>();
  for (const m of live) {
    const meshGroup = groupMesh.get(m.groupId);
    const ids = members.get(m.memberId!.toLowerCase());
    if (!meshGroup || !ids) continue;
    const at = isoTimestamp(m.updatedAt);
    const acc = byGroup.get(meshGroup) ?? { ids: [], at, groupId: m.groupId };
    acc.ids.push(...ids);
    if (at > acc.at) acc.at = at;
    byGroup.set(meshGroup, acc);
  }
  for (const [meshId, acc] of byGroup) {
    const entry: ProvenanceEntry = {
      value: sortedUnique(acc.ids),
      rule: rule.name,
      connector,
      externalId: acc.groupId,
      confidence: rule.membership.confidence,
      at: acc.at,
    };
    out.set(meshId, { attribute: rule.membership.attribute, entry });
  }
  return out;
}

/**
 * The group mesh objects whose members these membership objects (changed, deleted included: a deleted
 * object keeps its last attributes) touch.
 */
async function membershipTargets(q: Queryable, rule: MembershipFlowRule, groupIds: readonly string[]): Promise<string[]> {
  if (groupIds.length === 0) return [];
  const linked = [...new Set((await linksFrom(q, rule.source.connector, groupIds)).map((link) => link.meshId))];
  const types = await liveTypes(q, linked);
  return linked.filter((id) => types.get(id) === rule.meshType);
}
