/**
 * The `membership:` form of a FlowRule: each source
 * object stands for one membership (Okta's `<groupId>:<userId>` with `groupId` and `memberId`) and adds
 * the member's mesh object to the group mesh object's multi-valued reference attribute.
 *
 * Nothing is linked: a membership object contributes to the group that its `group` attribute names,
 * resolved through that group's source link in the same connector, and names its member the same way
 * (a user, or a group for nested groups). The contribution is computed when the group mesh object is
 * recomputed: one provenance entry per (rule, group) whose value is every live member, at the rule's
 * confidence, competing with other rules for the attribute like any flow.
 */
import type { FlowRuleModel, MembershipFlow } from '../config/model.js';
import type { Queryable } from '../store/db.js';
import { isoTimestamp } from '../store/timestamps.js';
import type { CycleContext } from './context.js';
import { linksByIdOrDn, type MeshObject, type ProvenanceEntry } from './mesh-store.js';
import { isEmpty, sortedUnique } from './values.js';

export type MembershipRule = FlowRuleModel & { readonly membership: MembershipFlow };

export function isMembershipRule(rule: FlowRuleModel): rule is MembershipRule {
  return rule.membership !== undefined;
}

/** A derived contribution to one mesh object's attribute. */
export interface DerivedContribution {
  readonly attribute: string;
  readonly entry: ProvenanceEntry;
}

/** Source external ids (in `connector`) of these mesh objects, by external id. */
async function sourceIdsOf(q: Queryable, connector: string, meshIds: readonly string[]): Promise<Map<string, string>> {
  const rows = await q.query<{ external_id: string; mesh_id: string }>(
    `SELECT DISTINCT external_id, mesh_id FROM source_link WHERE connector = $1 AND mesh_id ${q.dialect.in('$2')}`,
    [connector, meshIds],
  );
  return new Map(rows.map((row) => [row.external_id, row.mesh_id]));
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

/** What the membership rules contribute to these (group) mesh objects. */
export async function membershipContributions(ctx: CycleContext, q: Queryable, objects: readonly MeshObject[]): Promise<Map<string, DerivedContribution[]>> {
  const out = new Map<string, DerivedContribution[]>();
  for (const rule of ctx.config.flowRules) {
    if (!isMembershipRule(rule)) continue;
    const groups = objects.filter((o) => !o.deleted && o.type === rule.meshType).map((o) => o.id);
    if (groups.length === 0) continue;
    const attribute = ctx.config.mesh.objectTypes.get(rule.meshType)?.attributes.get(rule.membership.attribute);
    if (!attribute) continue;
    const { connector, objectType } = rule.source;
    const groupMesh = await sourceIdsOf(q, connector, groups);
    if (groupMesh.size === 0) continue;
    const memberships = await q.query<{ external_id: string; group_id: string; member_id: string | null; updated_at: Date | string }>(
      `SELECT external_id, attributes ->> $3 AS group_id, attributes ->> $4 AS member_id, updated_at
         FROM cs_object WHERE connector = $1 AND object_type = $2 AND NOT deleted AND attributes ->> $3 ${q.dialect.in('$5')}`,
      [connector, objectType, rule.membership.group, rule.membership.member, [...groupMesh.keys()]],
    );
    const live = memberships.filter((m) => !isEmpty(m.member_id));
    const members = await resolveSourceIds(q, connector, [...new Set(live.map((m) => m.member_id!))], attribute.to);
    const byGroup = new Map<string, { ids: string[]; at: string; groupId: string }>();
    for (const m of live) {
      const meshGroup = groupMesh.get(m.group_id);
      const ids = members.get(m.member_id!.toLowerCase());
      if (!meshGroup || !ids) continue;
      const at = isoTimestamp(m.updated_at);
      const acc = byGroup.get(meshGroup) ?? { ids: [], at, groupId: m.group_id };
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
      out.set(meshId, [...(out.get(meshId) ?? []), { attribute: rule.membership.attribute, entry }]);
    }
  }
  return out;
}

/**
 * The group mesh objects whose members these membership objects (changed, deleted included: a deleted
 * object keeps its last attributes) touch.
 */
export async function membershipTargets(q: Queryable, rule: MembershipRule, groupIds: readonly string[]): Promise<string[]> {
  if (groupIds.length === 0) return [];
  const rows = await q.query<{ mesh_id: string }>(
    `SELECT DISTINCT l.mesh_id FROM source_link l JOIN mesh_object m ON m.id = l.mesh_id
      WHERE l.connector = $1 AND l.external_id ${q.dialect.in('$2')} AND m.mesh_type = $3 AND NOT m.deleted`,
    [rule.source.connector, groupIds, rule.meshType],
  );
  return rows.map((r) => r.mesh_id);
}
