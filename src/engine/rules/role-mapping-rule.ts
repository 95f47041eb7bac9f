/**
 * The `roleMappings:` kind of flow rule (a SCIM provisioning app's group → role mappings): a source
 * group named in a mapping gives each of its members the mapped role in the mesh type's multi-valued
 * string `attribute`. Removing the member from the group, or the group itself, revokes the role.
 *
 * A group is matched by name: its external id or its `displayName` / `name` / `cn` attribute (SCIM and
 * Entra, Okta, LDAP), case-insensitively. Its members are the `members` (or LDAP `member`) attribute:
 * external ids or DNs of objects of the same connector, resolved through their source links.
 *
 * Nothing is linked: roles are computed when a member's mesh object is resolved, as one provenance
 * entry per rule (value: every role, `via`: which group gave which role) at the rule's confidence.
 */
import type { RoleMapping, RoleMappingFlowRule } from '../../config/model.js';
import type { Queryable } from '../../store/db.js';
import { isoTimestamp } from '../../store/timestamps.js';
import type { MeshObject, ProvenanceEntry } from '../mesh-object.js';
import { sortedUnique, sourceValue, toList } from '../values.js';
import { countChanged, objectsNamed } from '../tables/connector-space-objects.js';
import { DERIVED_RANK, derivedHolders, resolveSourceIds, syncDerived } from './derived-rule.js';
import type { Contribution, RuleKind } from './rule-kind.js';

export const roleMappingRule: RuleKind<'roleMappings'> = {
  kind: 'roleMappings',
  rank: () => DERIVED_RANK,
  // Roles are strings; the members they go to are found afresh on every sync of the rule.
  namesLinkedObjects: () => false,
  contributions: (_config, rules) => async (q, { objects }) => {
    const out = new Map<string, Contribution[]>();
    for (const rule of rules) {
      for (const [meshId, contribution] of await ruleContributions(q, rule, objects)) out.set(meshId, [...(out.get(meshId) ?? []), contribution]);
    }
    return out;
  },
  sync: (ctx, rule, everything, resolve) =>
    syncDerived(ctx, rule, everything, resolve, async (since) => {
      const { connector, objectType } = rule.source;
      const processed = await countChanged(ctx.q, connector, objectType, since);
      const meshIds = new Set<string>();
      if (processed > 0 || since === -1) {
        // Who holds a role from this rule now (a removed member loses it), and who should.
        for (const id of await derivedHolders(ctx.q, rule.meshType, rule.roleMappings.attribute, rule.name)) meshIds.add(id);
        const groups = await mappedGroups(ctx.q, rule);
        for (const ids of (await mappedMembers(ctx.q, rule, groups)).values()) for (const id of ids) meshIds.add(id);
      }
      return { processed, meshIds };
    }),
};

const NAME_ATTRIBUTES = ['displayName', 'name', 'cn'] as const;
const MEMBER_ATTRIBUTES = ['members', 'member'] as const;

interface MappedGroup {
  readonly externalId: string;
  readonly name: string;
  readonly roles: readonly string[];
  readonly members: readonly string[];
  readonly at: string;
}

/** The live source groups that a mapping names, with their roles and raw member values. */
async function mappedGroups(q: Queryable, rule: RoleMappingFlowRule): Promise<MappedGroup[]> {
  const wanted = [...new Set(rule.roleMappings.mappings.map((m) => m.group.toLowerCase()))];
  const rows = await objectsNamed(q, rule.source.connector, rule.source.objectType, wanted);
  return rows.map((row) => {
    const names = [row.externalId, ...NAME_ATTRIBUTES.flatMap((a) => toList(sourceValue(row.attributes, a)).map(String))].map((n) => n.toLowerCase());
    const roles = rule.roleMappings.mappings.filter((m: RoleMapping) => names.includes(m.group.toLowerCase())).map((m) => m.role);
    const name = NAME_ATTRIBUTES.map((a) => sourceValue(row.attributes, a)).find((v) => typeof v === 'string') as string | undefined;
    const raw = MEMBER_ATTRIBUTES.map((a) => sourceValue(row.attributes, a)).find((v) => v !== undefined);
    const at = isoTimestamp(row.updatedAt);
    return { externalId: row.externalId, name: name ?? row.externalId, roles, members: toList(raw).map(String), at };
  });
}

/** Mesh ids (of the rule's mesh type) of every member of every mapped group. */
async function mappedMembers(q: Queryable, rule: RoleMappingFlowRule, groups: readonly MappedGroup[]): Promise<Map<string, string[]>> {
  const values = [...new Set(groups.flatMap((g) => g.members))];
  return resolveSourceIds(q, rule.source.connector, values, [rule.meshType]);
}

/** What one role mapping rule contributes to these (person) mesh objects, by mesh id. */
async function ruleContributions(q: Queryable, rule: RoleMappingFlowRule, objects: readonly MeshObject[]): Promise<Map<string, Contribution>> {
  const out = new Map<string, Contribution>();
  const targets = new Set(objects.filter((o) => !o.deleted && o.type === rule.meshType).map((o) => o.id));
  if (targets.size === 0) return out;
  const groups = await mappedGroups(q, rule);
  if (groups.length === 0) return out;
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
    out.set(meshId, { attribute: rule.roleMappings.attribute, entry });
  }
  return out;
}
