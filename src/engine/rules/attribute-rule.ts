/**
 * The `attributes:` kind of flow rule: each source object is an identity. The sync stage joins it to a
 * mesh object (or provisions one) through a source link (./attribute-join.ts); every linked source
 * object then contributes its rule's attribute flows, each at its confidence. Empty values contribute
 * nothing; reference attributes name source objects (ids or DNs) and contribute the mesh objects
 * linked to them.
 */
import type { AttributeFlowRule, CompiledConfig, MeshObjectType, Value } from '../../config/model.js';
import type { Queryable } from '../../store/db.js';
import { refreshStatistics } from '../../store/maintenance.js';
import { isoTimestamp } from '../../store/timestamps.js';
import type { CsObject } from '../connector-space.js';
import { PAGE_SIZE } from '../context.js';
import { linksByIdOrDn } from '../references.js';
import { changedPage, loadObjects } from '../tables/connector-space-objects.js';
import { linksOf } from '../tables/source-links.js';
import type { ProvenanceEntry } from '../mesh-object.js';
import { readProgress, writeProgress } from '../progress.js';
import { coerce, isEmpty, sortedUnique, sourceValue, toList } from '../values.js';
import { OverlappedPages } from '../overlapped-pages.js';
import { syncPage, type SyncCounters } from './attribute-join.js';
import { ruleDefinition, syncSince, type Contribution, type ContributionSource, type LinkedSource, type RuleKind } from './rule-kind.js';

export const attributeRule: RuleKind<'attributes'> = {
  kind: 'attributes',
  rank: (rule) => (rule.provision ? 0 : 1),
  namesLinkedObjects: (config, rule) => rule.attributes.some((flow) => config.mesh.objectTypes.get(rule.meshType)?.attributes.get(flow.mesh)?.type === 'reference'),
  contributions: attributeContributions,
  async sync(ctx, rule, everything, resolve) {
    const definition = ruleDefinition(ctx.config, rule);
    const since = syncSince(await readProgress(ctx.q, 'flow', rule.name), definition, everything);
    const counters: SyncCounters = { processed: 0, joined: 0, provisioned: 0, unlinked: 0, meshDeleted: 0, ambiguous: 0, recomputed: 0 };
    const caps = await ctx.capabilities(rule.source.connector, rule.source.objectType);
    const page = (after: string) => {
      const read = changedPage(ctx.q, rule.source.connector, rule.source.objectType, since, after, PAGE_SIZE);
      read.catch(() => undefined); // awaited below, unless a page before it failed
      return read;
    };
    // A page begins while the page before it commits, where the store allows it and what the rule's
    // values read (./overlapped-pages.ts) is all in the page's footprint.
    const pages = new OverlappedPages(ctx.atomically, overlapAllowed(ctx.config, rule) ? ctx.concurrently : undefined);
    let next = page('');
    const refreshMeshStatistics = () => refreshStatistics(ctx.q, ['mesh_object', 'mesh_key', 'source_link'], 1);
    let statistics: Promise<unknown> = Promise.resolve();
    try {
      for (;;) {
        const objects = await next;
        if (objects.length === 0) break;
        // The next page is read (the sync stage writes no connector-space rows) while this one is synced;
        // the page's writes are sent as they come, so the server writes while the rest of the page is computed.
        next = page(objects[objects.length - 1]!.externalId);
        const before = { ...counters };
        await pages.run(
          (q, footprint) => syncPage(ctx, q, rule, objects, caps.inactiveMeansDeleted, counters, resolve, footprint),
          () => Object.assign(counters, before),
        );
        // A first sync grows the mesh tables from nothing; the next page's lookups want statistics that
        // exist and are of the right order (each doubling), not exact ones. A store with a server takes
        // them beside the pages (its planner scales the last statistics to a table's size now, so a
        // page planned before they arrive is planned by one page's older density).
        if (ctx.concurrently) {
          statistics = statistics.then(refreshMeshStatistics);
          statistics.catch(() => undefined);
        } else {
          await refreshMeshStatistics();
        }
        counters.processed += objects.length;
        ctx.progress(`sync ${rule.name}`, counters.processed);
      }
    } catch (error) {
      await pages.finish().catch(() => undefined);
      await statistics.catch(() => undefined);
      throw error;
    }
    await pages.finish();
    await statistics;
    await ctx.atomically((q) => writeProgress(q, 'flow', rule.name, { seq: ctx.seq, definition }));
    return { rule: rule.name, ...counters };
  },
};

/**
 * Whether a page of this rule reads only what its footprint names: the values of its mesh type come
 * from attribute flows alone (no membership or role-mapping rule resolves that type) and none of them
 * names other mesh objects through their links (a reference resolves through links another page may
 * be writing).
 */
function overlapAllowed(config: CompiledConfig, rule: AttributeFlowRule): boolean {
  const type = config.mesh.objectTypes.get(rule.meshType);
  return config.flowRules.every((other) => {
    if (other.meshType !== rule.meshType) return true;
    if (other.kind !== 'attributes') return false;
    return other.attributes.every((flow) => type?.attributes.get(flow.mesh)?.type !== 'reference');
  });
}

function attributeContributions(config: CompiledConfig, rules: readonly AttributeFlowRule[]): ContributionSource {
  const byName = new Map(rules.map((rule) => [rule.name, rule]));
  return async (q, { objects, fresh }) => {
    const out = new Map<string, Contribution[]>();
    const stored = objects.filter((object) => !fresh.has(object.id)).map((object) => object.id);
    const links = [...(await linkedSources(q, stored)), ...[...fresh.values()].map((f) => f.link)];
    const references = await resolveReferences(q, referencesWanted(config, byName, links));
    const types = new Map(objects.map((object) => [object.id, object.type]));
    for (const link of links) {
      const rule = byName.get(link.rule);
      const meshType = types.get(link.mesh_id);
      const type = meshType === undefined ? undefined : config.mesh.objectTypes.get(meshType);
      if (!rule || !type || rule.meshType !== meshType) continue;
      const list = out.get(link.mesh_id) ?? [];
      list.push(...contribute(rule, type, link, references));
      out.set(link.mesh_id, list);
    }
    return out;
  };
}

/**
 * The live source objects linked to these mesh objects. Two index lookups rather than one join: a join
 * on the three-column key is planned badly whenever one table's statistics lag behind (measured: a
 * merge join on connector and object type alone, 140 s for one page of 5,000 after a bulk import).
 */
async function linkedSources(q: Queryable, meshIds: readonly string[]): Promise<LinkedSource[]> {
  const links = await linksOf(q, meshIds);
  const bySpace = new Map<string, { connector: string; objectType: string; ids: string[] }>();
  for (const link of links) {
    const key = `${link.connector}\u0000${link.objectType}`;
    const space = bySpace.get(key);
    if (space) space.ids.push(link.externalId);
    else bySpace.set(key, { connector: link.connector, objectType: link.objectType, ids: [link.externalId] });
  }
  const objects = new Map<string, Map<string, CsObject>>();
  for (const [key, space] of bySpace) objects.set(key, await loadObjects(q, space.connector, space.objectType, space.ids));
  const out: LinkedSource[] = [];
  for (const link of links) {
    const object = objects.get(`${link.connector}\u0000${link.objectType}`)?.get(link.externalId);
    if (object && !object.deleted) {
      out.push({ mesh_id: link.meshId, rule: link.rule, connector: link.connector, object_type: link.objectType, external_id: link.externalId, attributes: object.attributes, updated_at: object.updatedAt });
    }
  }
  return out;
}

/** The source references (member DNs or ids) that reference attributes of these links name, per connector. */
function referencesWanted(config: CompiledConfig, rules: ReadonlyMap<string, AttributeFlowRule>, links: readonly LinkedSource[]): Map<string, Set<string>> {
  const wanted = new Map<string, Set<string>>();
  for (const link of links) {
    const rule = rules.get(link.rule);
    const type = rule && config.mesh.objectTypes.get(rule.meshType);
    if (!rule || !type) continue;
    for (const flow of rule.attributes) {
      if (type.attributes.get(flow.mesh)?.type !== 'reference' || !flow.source) continue;
      let set = wanted.get(link.connector);
      if (!set) wanted.set(link.connector, (set = new Set()));
      for (const value of toList(sourceValue(link.attributes, flow.source))) set.add(String(value));
    }
  }
  return wanted;
}

/** Resolves source references (member DNs or ids) to mesh ids through the referenced objects' links. */
async function resolveReferences(q: Queryable, wanted: ReadonlyMap<string, ReadonlySet<string>>): Promise<Map<string, string>> {
  const resolved = new Map<string, string>();
  for (const [connector, values] of wanted) {
    for (const link of await linksByIdOrDn(q, connector, [...values])) {
      if (link.dn) resolved.set(`${connector}\u0000${link.dn}`, link.meshId);
      resolved.set(`${connector}\u0000${link.externalId.toLowerCase()}`, link.meshId);
    }
  }
  return resolved;
}

function contribute(rule: AttributeFlowRule, type: MeshObjectType, link: LinkedSource, references: ReadonlyMap<string, string>): Contribution[] {
  const at = isoTimestamp(link.updated_at);
  const out: Contribution[] = [];
  for (const flow of rule.attributes) {
    const attribute = type.attributes.get(flow.mesh);
    if (!attribute) continue;
    let raw: Value | undefined;
    if (flow.source !== undefined) raw = sourceValue(link.attributes, flow.source);
    else if (flow.template) {
      const rendered = flow.template.render((name) => sourceValue(link.attributes, name));
      raw = rendered.ok ? rendered.value : undefined;
    }
    if (isEmpty(raw)) continue;
    let value: Value | undefined;
    if (attribute.type === 'reference') {
      const ids = toList(raw)
        .map((item) => references.get(`${link.connector}\u0000${String(item).toLowerCase()}`))
        .filter((id): id is string => id !== undefined);
      value = attribute.multiValued ? (ids.length > 0 ? sortedUnique(ids) : undefined) : ids[0];
    } else {
      value = coerce(raw, attribute);
    }
    if (value === undefined) continue;
    const entry: ProvenanceEntry = { value, rule: rule.name, connector: link.connector, externalId: link.external_id, confidence: flow.confidence, at };
    out.push({ attribute: flow.mesh, entry });
  }
  return out;
}
