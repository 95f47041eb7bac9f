/**
 * The `roleMappings:` form of a FlowRule (a SCIM provisioning app's group → role mappings): a source
 * group named in a mapping gives each of its members the mapped role in the mesh type's multi-valued
 * string `attribute`. Removing the member from the group, or the group itself, revokes the role.
 *
 * A group is matched by name: its external id or its `displayName` / `name` / `cn` attribute (SCIM and
 * Entra, Okta, LDAP), case-insensitively. Its members are the `members` (or LDAP `member`) attribute:
 * external ids or DNs of objects of the same connector, resolved through their source links.
 *
 * Nothing is linked: roles are computed when a member's mesh object is recomputed, as one provenance
 * entry per rule (value: every role, `via`: which group gave which role) at the rule's confidence.
 */
import type { FlowRuleModel, RoleMapping, Scalar } from '../config/model.js';
import type { Queryable } from '../store/db.js';
import { isoTimestamp } from '../store/timestamps.js';
import type { CycleContext } from './context.js';
import type { MeshObject, ProvenanceEntry } from './mesh-store.js';
import { resolveSourceIds, type DerivedContribution } from './membership-flows.js';
import { contributesSql } from './provenance-codec.js';
import { sortedUnique, toList } from './values.js';
import { sourceValue } from './flows.js';

export type RoleMappingRule = FlowRuleModel & { readonly roleMappings: NonNullable<FlowRuleModel['roleMappings']> };

export function isRoleMappingRule(rule: FlowRuleModel): rule is RoleMappingRule {
  return rule.roleMappings !== undefined;
}

const NAME_ATTRIBUTES = ['displayName', 'name', 'cn'] as const;
const MEMBER_ATTRIBUTES = ['members', 'member'] as const;

export interface MappedGroup {
  readonly externalId: string;
  readonly name: string;
  readonly roles: readonly string[];
  readonly members: readonly string[];
  readonly at: string;
}

/** The live source groups that a mapping names, with their roles and raw member values. */
export async function mappedGroups(q: Queryable, rule: RoleMappingRule): Promise<MappedGroup[]> {
  const wanted = [...new Set(rule.roleMappings.mappings.map((m) => m.group.toLowerCase()))];
  const rows = await q.query<{ external_id: string; attributes: Record<string, Scalar | Scalar[]>; updated_at: Date | string }>(
    `SELECT external_id, attributes, updated_at FROM cs_object
      WHERE connector = $1 AND object_type = $2 AND NOT deleted
        AND (lower(external_id) ${q.dialect.in('$3')} OR lower(attributes ->> 'displayName') ${q.dialect.in('$3')}
             OR lower(attributes ->> 'name') ${q.dialect.in('$3')} OR lower(attributes ->> 'cn') ${q.dialect.in('$3')})`,
    [rule.source.connector, rule.source.objectType, wanted],
  );
  return rows.map((row) => {
    const names = [row.external_id, ...NAME_ATTRIBUTES.flatMap((a) => toList(sourceValue(row.attributes, a)).map(String))].map((n) => n.toLowerCase());
    const roles = rule.roleMappings.mappings.filter((m: RoleMapping) => names.includes(m.group.toLowerCase())).map((m) => m.role);
    const name = NAME_ATTRIBUTES.map((a) => sourceValue(row.attributes, a)).find((v) => typeof v === 'string') as string | undefined;
    const raw = MEMBER_ATTRIBUTES.map((a) => sourceValue(row.attributes, a)).find((v) => v !== undefined);
    const at = isoTimestamp(row.updated_at);
    return { externalId: row.external_id, name: name ?? row.external_id, roles, members: toList(raw).map(String), at };
  });
}

/** Mesh ids (of the rule's mesh type) of every member of every mapped group. */
export async function mappedMembers(q: Queryable, rule: RoleMappingRule, groups: readonly MappedGroup[]): Promise<Map<string, string[]>> {
  const values = [...new Set(groups.flatMap((g) => g.members))];
  return resolveSourceIds(q, rule.source.connector, values, [rule.meshType]);
}

/** What the role mapping rules contribute to these (person) mesh objects. */
export async function roleContributions(ctx: CycleContext, q: Queryable, objects: readonly MeshObject[]): Promise<Map<string, DerivedContribution[]>> {
  const out = new Map<string, DerivedContribution[]>();
  for (const rule of ctx.config.flowRules) {
    if (!isRoleMappingRule(rule)) continue;
    const targets = new Set(objects.filter((o) => !o.deleted && o.type === rule.meshType).map((o) => o.id));
    if (targets.size === 0) continue;
    const groups = await mappedGroups(q, rule);
    if (groups.length === 0) continue;
    const members = await mappedMembers(q, rule, groups);
    const byMesh = new Map<string, { roles: string[]; via: string[]; groups: string[]; at: string }>();
    for (const group of groups) {
      for (const member of group.members) {
        for (const meshId of members.get(member.toLowerCase()) ?? []) {
          if (!targets.has(meshId)) continue;
          const acc = byMesh.get(meshId) ?? { roles: [], via: [], groups: [], at: group.at };
          acc.roles.push(...group.roles);
          for (const role of group.roles) acc.via.push(`${rule.source.connector}/${rule.source.objectType}/${group.externalId} "${group.name}" → ${role}`);
          if (!acc.groups.includes(group.externalId)) acc.groups.push(group.externalId);
          if (group.at > acc.at) acc.at = group.at;
          byMesh.set(meshId, acc);
        }
      }
    }
    for (const [meshId, acc] of byMesh) {
      if (acc.roles.length === 0) continue;
      const entry: ProvenanceEntry = {
        value: sortedUnique(acc.roles),
        rule: rule.name,
        connector: rule.source.connector,
        externalId: acc.groups.sort().join(','),
        confidence: rule.roleMappings.confidence,
        at: acc.at,
        via: [...new Set(acc.via)].sort(),
      };
      out.set(meshId, [...(out.get(meshId) ?? []), { attribute: rule.roleMappings.attribute, entry }]);
    }
  }
  return out;
}

/** Mesh objects whose `attribute` currently has a contribution (winner or loser) from `rule`. */
export async function derivedHolders(q: Queryable, meshType: string, attribute: string, rule: string): Promise<string[]> {
  const rows = await q.query<{ id: string }>(
    `SELECT id FROM mesh_object
      WHERE mesh_type = $1 AND NOT deleted
        AND ${contributesSql(q.dialect, '$2', '$3')}`,
    [meshType, attribute, rule],
  );
  return rows.map((r) => r.id);
}
