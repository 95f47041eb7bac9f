/**
 * Flow rules whose source objects are not identities of their own but relations between them: the
 * `membership:` form (membership objects add members to groups) and the `roleMappings:` form (group
 * members get roles). They create no source links. Their values are computed whenever a mesh object
 * of their mesh type is recomputed (`derivedContributions`, called by flows.recompute), so they take
 * part in confidence resolution and keep provenance like any attribute flow.
 *
 * `syncDerivedRule` is the sync stage for them: it finds the mesh objects that changed membership or
 * group objects touch (every one on a full cycle or a changed definition) and recomputes them.
 */
import type { FlowRuleModel } from '../config/model.js';
import type { Queryable } from '../store/db.js';
import { PAGE_SIZE, type CycleContext } from './context.js';
import { recompute } from './flows.js';
import type { MeshObject } from './mesh-store.js';
import { isMembershipRule, membershipContributions, membershipTargets, type DerivedContribution } from './membership-flows.js';
import { definitionHash, readProgress, writeProgress } from './progress.js';
import { derivedHolders, isRoleMappingRule, mappedGroups, mappedMembers, roleContributions } from './role-mappings.js';
import type { SyncOutcome } from './sync.js';

export function isDerivedRule(rule: FlowRuleModel): boolean {
  return rule.membership !== undefined || rule.roleMappings !== undefined;
}

/** Every derived contribution to these mesh objects, by mesh id. */
export async function derivedContributions(ctx: CycleContext, q: Queryable, objects: readonly MeshObject[]): Promise<Map<string, DerivedContribution[]>> {
  const out = new Map<string, DerivedContribution[]>();
  if (!ctx.config.flowRules.some(isDerivedRule)) return out;
  for (const part of [await membershipContributions(ctx, q, objects), await roleContributions(ctx, q, objects)]) {
    for (const [id, list] of part) out.set(id, [...(out.get(id) ?? []), ...list]);
  }
  return out;
}

export async function syncDerivedRule(ctx: CycleContext, rule: FlowRuleModel, everything: boolean): Promise<SyncOutcome> {
  const definition = definitionHash({ rule, meshType: ctx.config.mesh.objectTypes.get(rule.meshType) });
  const progress = await readProgress(ctx.q, 'flow', rule.name);
  const since = everything || !progress || progress.definition !== definition ? -1 : progress.seq;
  const { connector, objectType } = rule.source;
  const affected = new Set<string>();
  let processed = 0;

  if (isMembershipRule(rule)) {
    let after = '';
    for (;;) {
      const page = await ctx.q.query<{ external_id: string; group_id: string | null }>(
        `SELECT external_id, attributes ->> $4 AS group_id FROM cs_object
          WHERE connector = $1 AND object_type = $2 AND changed_seq > $3 AND external_id > $5
          ORDER BY external_id LIMIT ${PAGE_SIZE}`,
        [connector, objectType, since, rule.membership.group, after],
      );
      if (page.length === 0) break;
      after = page[page.length - 1]!.external_id;
      processed += page.length;
      const groupIds = [...new Set(page.map((p) => p.group_id).filter((g): g is string => !!g))];
      for (const id of await membershipTargets(ctx.q, rule, groupIds)) affected.add(id);
    }
    // Stale contributions (a changed definition, a group relinked elsewhere) are dropped on full runs.
    if (since === -1) for (const id of await derivedHolders(ctx.q, rule.meshType, rule.membership.attribute, rule.name)) affected.add(id);
  } else if (isRoleMappingRule(rule)) {
    const changed = await ctx.q.query<{ n: number }>(
      'SELECT CAST(count(*) AS integer) AS n FROM cs_object WHERE connector = $1 AND object_type = $2 AND changed_seq > $3',
      [connector, objectType, since],
    );
    processed = changed[0]?.n ?? 0;
    if (processed > 0 || since === -1) {
      // Who holds a role from this rule now (a removed member loses it), and who should.
      for (const id of await derivedHolders(ctx.q, rule.meshType, rule.roleMappings.attribute, rule.name)) affected.add(id);
      const groups = await mappedGroups(ctx.q, rule);
      for (const ids of (await mappedMembers(ctx.q, rule, groups)).values()) for (const id of ids) affected.add(id);
    }
  }

  let recomputed = 0;
  const ids = [...affected].sort();
  for (let start = 0; start < ids.length; start += PAGE_SIZE) {
    const slice = ids.slice(start, start + PAGE_SIZE);
    recomputed += await ctx.atomically((q) => recompute(ctx, q, slice));
    ctx.progress(`sync ${rule.name}`, Math.min(start + PAGE_SIZE, ids.length), ids.length);
  }
  await ctx.atomically((q) => writeProgress(q, 'flow', rule.name, { seq: ctx.seq, definition }));
  return { rule: rule.name, processed, joined: 0, provisioned: 0, unlinked: 0, meshDeleted: 0, ambiguous: 0, recomputed };
}
