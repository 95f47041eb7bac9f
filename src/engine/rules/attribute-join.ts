/**
 * One page of an attribute rule's changed source objects: unlink the deleted ones (deleting the mesh
 * objects they provisioned), join the new ones to mesh objects by the rule's join keys or provision
 * one, hold back ambiguous joins as conflicts, and resolve every mesh object touched.
 */
import type { AttributeFlowRule } from '../../config/model.js';
import type { Queryable } from '../../store/db.js';
import type { CsObject } from '../connector-space.js';
import type { CycleContext } from '../context.js';
import { newMeshId } from '../mesh-object.js';
import { PageFootprint } from '../overlapped-pages.js';
import { recordDeletedValues } from '../value-changes.js';
import { clearConflicts, insertConflicts, type NewConflict } from '../tables/conflicts.js';
import { deleteMeshKeys, lookupKeys } from '../tables/mesh-keys.js';
import { deletedAmong, markMeshObjectsDeleted, referrersOf as referrers } from '../tables/mesh-objects.js';
import { deleteLinksOf, deleteRuleLinks, insertRuleLinks, linkedFrom, linksOf, ruleLinks } from '../tables/source-links.js';
import { joinKey, sourceValue } from '../values.js';
import type { FreshObject, Resolve, SyncOutcome } from './rule-kind.js';

export type SyncCounters = { -readonly [K in Exclude<keyof SyncOutcome, 'rule'>]: SyncOutcome[K] };

/** Live mesh objects whose reference attributes name any of these mesh ids. */
async function referrersOf(ctx: CycleContext, q: Queryable, ids: readonly string[]): Promise<string[]> {
  const found = new Set<string>();
  for (const [typeName, type] of ctx.config.mesh.objectTypes) {
    for (const attribute of type.attributes.values()) {
      if (attribute.type !== 'reference') continue;
      for (const id of await referrers(q, typeName, attribute.name, ids)) found.add(id);
    }
  }
  return [...found];
}

/** Deletes provisioned mesh objects: marked deleted, their keys, links and attribute conflicts gone. */
async function deleteMeshObjects(q: Queryable, seq: number, ids: readonly string[]): Promise<void> {
  await markMeshObjectsDeleted(q, seq, ids);
  await deleteMeshKeys(q, ids);
  await deleteLinksOf(q, ids);
  await clearConflicts(q, ['attribute'], { subjects: ids.map((meshId) => ({ on: 'mesh', meshId })) });
}

export async function syncPage(
  ctx: CycleContext,
  q: Queryable,
  rule: AttributeFlowRule,
  objects: readonly CsObject[],
  inactiveMeansDeleted: boolean,
  counters: SyncCounters,
  resolve: Resolve,
  footprint: PageFootprint = new PageFootprint(),
): Promise<void> {
  const { connector, objectType } = rule.source;
  const links = await ruleLinks(q, connector, objectType, rule.name, objects.map((o) => o.externalId));
  footprint.touch([...links.values()].map((link) => link.meshId));

  const affected = new Set<string>();
  const toDelete = new Set<string>();
  const unlink: string[] = [];
  const pending: CsObject[] = [];
  for (const object of objects) {
    const gone = object.deleted || (inactiveMeansDeleted && object.enabled === false);
    const link = links.get(object.externalId);
    if (gone) {
      if (link) {
        unlink.push(object.externalId);
        counters.unlinked++;
        if (link.how === 'provision') toDelete.add(link.meshId);
        else affected.add(link.meshId);
      }
      continue;
    }
    if (link) affected.add(link.meshId);
    else pending.push(object);
  }
  await clearConflicts(q, ['ambiguousJoin'], { subjects: objects.map((o) => ({ on: 'source', connector, objectType, externalId: o.externalId })) });
  await deleteRuleLinks(q, connector, objectType, rule.name, unlink);

  // Join candidates for every rule, looked up once for the page.
  const candidatesByRule = await Promise.all(
    rule.join.map(async (join) => {
      const keys = [...new Set(pending.map((o) => joinKey(sourceValue(o.attributes, join.source))).filter((k): k is string => k !== undefined))];
      for (const key of keys) footprint.key(rule.meshType, join.mesh, key);
      return lookupKeys(q, rule.meshType, join.mesh, keys);
    }),
  );
  const allCandidates = [...new Set(candidatesByRule.flatMap((map) => [...map.values()].flat()))];
  const taken = await linkedFrom(q, connector, objectType, allCandidates);
  const deletedMesh = await deletedAmong(q, allCandidates);
  footprint.touch(allCandidates);
  footprint.wide = toDelete.size > 0;
  // Everything this page read so far is in its footprint; from here on it writes rows of the mesh objects
  // it touches, which a page committing beside it must not have written.
  footprint.ready();

  const newLinks: { externalId: string; meshId: string; how: string }[] = [];
  const newObjects = new Map<string, FreshObject>();
  const ambiguous: NewConflict[] = [];
  for (const object of pending) {
    let joinedTo: { meshId: string; how: string } | undefined;
    const seen: string[] = [];
    const reasons: string[] = [];
    rule.join.forEach((join, index) => {
      if (joinedTo) return;
      const key = joinKey(sourceValue(object.attributes, join.source));
      if (key === undefined) return;
      const candidates = (candidatesByRule[index]?.get(key) ?? []).filter((id) => !deletedMesh.has(id));
      const free = candidates.filter((id) => !taken.has(id));
      if (free.length === 1 && candidates.length === 1) {
        joinedTo = { meshId: free[0]!, how: `join:${join.mesh}` };
      } else if (candidates.length > 0) {
        seen.push(...candidates);
        reasons.push(
          free.length === 0
            ? `${join.source} → ${join.mesh} = "${key}" matches a ${rule.meshType} already joined to another ${connector}/${objectType} object`
            : `${join.source} → ${join.mesh} = "${key}" matches ${candidates.length} ${rule.meshType} objects`,
        );
      }
    });
    if (joinedTo) {
      newLinks.push({ externalId: object.externalId, meshId: joinedTo.meshId, how: joinedTo.how });
      taken.add(joinedTo.meshId);
      affected.add(joinedTo.meshId);
      counters.joined++;
    } else if (seen.length > 0) {
      counters.ambiguous++;
      ambiguous.push({
        kind: 'ambiguousJoin',
        subject: { on: 'source', connector, objectType, externalId: object.externalId },
        scope: { in: 'flow', rule: rule.name },
        attribute: '',
        meshType: rule.meshType,
        details: { candidates: [...new Set(seen)], reason: `held back: ${reasons.join('; ')}`, rule: rule.name, dn: object.dn },
      });
    } else if (rule.provision) {
      const id = newMeshId();
      newObjects.set(id, {
        type: rule.meshType,
        link: { mesh_id: id, rule: rule.name, connector, object_type: objectType, external_id: object.externalId, attributes: object.attributes, updated_at: object.updatedAt },
      });
      newLinks.push({ externalId: object.externalId, meshId: id, how: 'provision' });
      affected.add(id);
      taken.add(id);
      counters.provisioned++;
      // A later row in this page with the same join value must see this object.
      rule.join.forEach((join, index) => {
        const key = joinKey(sourceValue(object.attributes, join.source));
        if (key === undefined) return;
        const map = candidatesByRule[index]!;
        map.set(key, [...(map.get(key) ?? []), id]);
      });
    }
  }
  await insertRuleLinks(q, connector, objectType, rule.name, newLinks);
  await insertConflicts(q, ambiguous);
  if (toDelete.size > 0) {
    const ids = [...toDelete];
    // Other sources that joined a deleted identity lose their link and contribute nothing more.
    const others = new Set((await linksOf(q, ids)).map((link) => link.meshId));
    await recordDeletedValues(ctx, q, ids);
    await deleteMeshObjects(q, ctx.seq, ids);
    counters.meshDeleted += toDelete.size;
    for (const id of others) affected.delete(id);
    for (const id of ids) affected.delete(id);
    // Groups (or anything with a reference attribute) that named a deleted identity drop it now.
    for (const id of await referrersOf(ctx, q, ids)) affected.add(id);
  }
  footprint.touch(affected);
  counters.recomputed += await resolve(q, [...affected], newObjects, footprint);
}
