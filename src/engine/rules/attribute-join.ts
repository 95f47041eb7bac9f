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
import { deleteMeshObjects, lookupKeys } from '../mesh-store.js';
import { recordDeletedValues } from '../value-changes.js';
import { insertConflicts, type ConflictRow } from '../tables/conflicts.js';
import { joinKey, sourceValue } from '../values.js';
import type { FreshObject, Resolve, SyncOutcome } from './rule-kind.js';

export type SyncCounters = { -readonly [K in Exclude<keyof SyncOutcome, 'rule'>]: SyncOutcome[K] };

/** Live mesh objects whose reference attributes name any of these mesh ids. */
async function referrersOf(ctx: CycleContext, q: Queryable, ids: readonly string[]): Promise<string[]> {
  const found = new Set<string>();
  for (const [typeName, type] of ctx.config.mesh.objectTypes) {
    for (const attribute of type.attributes.values()) {
      if (attribute.type !== 'reference') continue;
      const rows = await q.query<{ id: string }>(
        q.dialect.name === 'sqlite'
          ? `SELECT id FROM mesh_object WHERE mesh_type = $1 AND NOT deleted
               AND EXISTS (SELECT 1 FROM json_each(attributes -> $2) AS v WHERE v.value IN (SELECT value FROM json_each($3)))`
          : `SELECT id FROM mesh_object WHERE mesh_type = $1 AND NOT deleted AND (attributes -> $2) ?| $3::text[]`,
        [typeName, attribute.name, ids],
      );
      for (const row of rows) found.add(row.id);
    }
  }
  return [...found];
}

export async function syncPage(
  ctx: CycleContext,
  q: Queryable,
  rule: AttributeFlowRule,
  objects: readonly CsObject[],
  inactiveMeansDeleted: boolean,
  counters: SyncCounters,
  resolve: Resolve,
): Promise<void> {
  const { connector, objectType } = rule.source;
  const links = new Map(
    (
      await q.query<{ external_id: string; mesh_id: string; how: string }>(
        `SELECT external_id, mesh_id, how FROM source_link WHERE connector = $1 AND object_type = $2 AND rule = $3 AND external_id ${q.dialect.in('$4')}`,
        [connector, objectType, rule.name, objects.map((o) => o.externalId)],
      )
    ).map((row) => [row.external_id, row]),
  );

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
        if (link.how === 'provision') toDelete.add(link.mesh_id);
        else affected.add(link.mesh_id);
      }
      continue;
    }
    if (link) affected.add(link.mesh_id);
    else pending.push(object);
  }
  const subjects = objects.map((o) => `${connector}/${objectType}/${o.externalId}`);
  await q.query(`DELETE FROM conflict WHERE kind = 'ambiguousJoin' AND subject ${q.dialect.in('$1')}`, [subjects]);
  if (unlink.length > 0) {
    await q.query(`DELETE FROM source_link WHERE connector = $1 AND object_type = $2 AND rule = $3 AND external_id ${q.dialect.in('$4')}`, [connector, objectType, rule.name, unlink]);
  }

  // Join candidates for every rule, looked up once for the page.
  const candidatesByRule = await Promise.all(
    rule.join.map(async (join) => {
      const keys = pending.map((o) => joinKey(sourceValue(o.attributes, join.source))).filter((k): k is string => k !== undefined);
      return lookupKeys(q, rule.meshType, join.mesh, [...new Set(keys)]);
    }),
  );
  const allCandidates = [...new Set(candidatesByRule.flatMap((map) => [...map.values()].flat()))];
  const taken = new Set(
    (
      await q.query<{ mesh_id: string }>(
        `SELECT DISTINCT mesh_id FROM source_link WHERE connector = $1 AND object_type = $2 AND mesh_id ${q.dialect.in('$3')}`,
        [connector, objectType, allCandidates],
      )
    ).map((row) => row.mesh_id),
  );
  const deletedMesh = new Set(
    (await q.query<{ id: string }>(`SELECT id FROM mesh_object WHERE id ${q.dialect.in('$1')} AND deleted`, [allCandidates])).map((row) => row.id),
  );

  const newLinks: { external_id: string; mesh_id: string; how: string }[] = [];
  const newObjects = new Map<string, FreshObject>();
  const ambiguous: ConflictRow[] = [];
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
      newLinks.push({ external_id: object.externalId, mesh_id: joinedTo.meshId, how: joinedTo.how });
      taken.add(joinedTo.meshId);
      affected.add(joinedTo.meshId);
      counters.joined++;
    } else if (seen.length > 0) {
      counters.ambiguous++;
      ambiguous.push({
        kind: 'ambiguousJoin',
        subject: `${connector}/${objectType}/${object.externalId}`,
        attribute: '',
        mesh_type: rule.meshType,
        scope: `flow:${rule.name}`,
        details: { candidates: [...new Set(seen)], reason: `held back: ${reasons.join('; ')}`, rule: rule.name, dn: object.dn },
      });
    } else if (rule.provision) {
      const id = newMeshId();
      newObjects.set(id, {
        type: rule.meshType,
        link: { mesh_id: id, rule: rule.name, connector, object_type: objectType, external_id: object.externalId, attributes: object.attributes, updated_at: object.updatedAt },
      });
      newLinks.push({ external_id: object.externalId, mesh_id: id, how: 'provision' });
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
  if (newLinks.length > 0) {
    await q.query(
      `INSERT INTO source_link (connector, object_type, external_id, rule, mesh_id, how)
       SELECT $1, $2, x.external_id, $3, x.mesh_id, x.how FROM ${q.dialect.records('$4', { external_id: 'text', mesh_id: 'text', how: 'text' })}`,
      [connector, objectType, rule.name, JSON.stringify(newLinks)],
    );
  }
  await insertConflicts(q, ambiguous);
  if (toDelete.size > 0) {
    const ids = [...toDelete];
    // Other sources that joined a deleted identity lose their link and contribute nothing more.
    const others = await q.query<{ mesh_id: string }>(`SELECT DISTINCT mesh_id FROM source_link WHERE mesh_id ${q.dialect.in('$1')}`, [ids]);
    await recordDeletedValues(ctx, q, ids);
    await deleteMeshObjects(q, ctx.seq, ids);
    counters.meshDeleted += toDelete.size;
    for (const row of others) affected.delete(row.mesh_id);
    for (const id of ids) affected.delete(id);
    // Groups (or anything with a reference attribute) that named a deleted identity drop it now.
    for (const id of await referrersOf(ctx, q, ids)) affected.add(id);
  }
  counters.recomputed += await resolve(q, [...affected], newObjects);
}
