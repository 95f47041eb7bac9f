/**
 * Plan: desired target state (from the projector) against the observed state (the target's connector
 * space) → creates, attribute-level updates, moves, enables/disables, deletes, and drift.
 * Drift is an attribute where we already wrote the desired value and the target now differs.
 */
import { comparableDn } from '../config/dn.js';
import type { ProjectionModel } from '../config/model.js';
import type { AttributeChange, ExportChange, ObjectTypeCapabilities } from '../connectors/sdk.js';
import type { DriftEntry } from '../reports/types.js';
import type { Queryable } from '../store/db.js';
import type { CsObject } from './connector-space.js';
import { anyFailedExports, changeFingerprint, loadFailedExports, objectKey, retryDueIds, type GivenUpExport } from './export-attempts.js';
import { PAGE_SIZE, type CycleContext } from './context.js';
import { PlannedChanges, type PlannedChange } from './planned-changes.js';
import { joinAttributes, meshLabel, type MeshObject } from './mesh-object.js';
import { dateOfDefinition } from './date-dependence.js';
import { definitionHash, readProgress } from './progress.js';
import { meshReferenceNames, project, referenceAttributes, type DesiredObject } from './projector.js';
import { acceptedHeldBack, anyConflicts, subjectText, type ConflictSubject } from './tables/conflicts.js';
import { loadObjects, unmanagedObjects } from './tables/connector-space-objects.js';
import { changedSince, loadMeshObjects } from './tables/mesh-objects.js';
import { loadReferenceTargets, loadTargetLinks, managedAmong, withChangedTargets, type LinkWrite, type TargetLink } from './tables/target-links.js';
import { joinKey, sameValue, sourceValue, toList } from './values.js';
import { ownValue } from '../shared/own-property.js';

/** One planned change: plain data (a reconcile run keeps it in a scratch file, planned-changes.ts). */
export type { PlannedChange } from './planned-changes.js';

/** A projected object the plan holds back (an empty template attribute, an ambiguous adoption). */
export interface HeldBackObject {
  readonly kind: 'heldBack' | 'ambiguousJoin';
  readonly subject: ConflictSubject & { readonly on: 'projected' };
  readonly meshType: string;
  readonly projection: string;
  readonly reason: string;
  readonly details: Readonly<Record<string, unknown>>;
  /** An empty template attribute: the mesh attributes found empty. */
  readonly missing?: readonly string[];
  /** The live target object linked to it: it was projected before, so a value it was rendered from became empty. */
  readonly target?: { readonly externalId: string; readonly object: string };
  /** Held back already by an earlier run whose attribute-clear gate let it stand (clear-gate.ts): not counted again. */
  readonly accepted?: boolean;
}

export interface ProjectionPlan {
  readonly projection: ProjectionModel;
  readonly caps: ObjectTypeCapabilities;
  /** Listed in memory for a preview; a reconcile run's are in a scratch file, read a page at a time. */
  readonly changes: PlannedChanges;
  readonly drift: DriftEntry[];
  readonly definition: string;
  readonly evaluated: number;
  /** Labels of the target objects compared this cycle (their drift rows are rewritten); a full plan rewrites them all and lists none. */
  readonly compared: string[];
  readonly full: boolean;
  /** Projected objects held back this cycle (also handed over page by page, `PlanPage`). */
  readonly heldBack: HeldBackObject[];
  /** Planned only some mesh objects (`only`): a scoped run reaching a target outside its scope. */
  readonly partial: boolean;
  /** Changes withheld because they failed `exportRetry.maxAttempts` cycles (export-attempts.ts). */
  readonly givenUp: GivenUpExport[];
}

/**
 * What planning one page decided besides its changes, for the plan stage to apply to the store
 * (plan-decisions.ts) before the next projection is planned; planning itself only reads.
 */
export interface PlanPage {
  /** Target links to write: existing target objects adopted, links released (`onRemove: keep`). */
  readonly linkWrites: LinkWrite[];
  /** The page's projected objects held back; their conflicts replace the earlier ones of `reviewed`. */
  readonly heldBack: HeldBackObject[];
  /**
   * Projected items the page evaluated: their earlier held-back conflicts are settled. None are listed
   * when the projection had no such conflict as planning began (pages hold disjoint objects, so what an
   * earlier page records is never a later page's to settle).
   */
  readonly reviewed: ConflictSubject[];
  /** Objects whose failed export is moot: the plan sends them nothing now. */
  readonly settled: { meshId: string; item: string }[];
}

export interface PlanOptions {
  /** Plan every mesh object of the type, not only what changed since the projection's progress. */
  readonly everything: boolean;
  readonly extraIds?: readonly string[];
  /** Plan exactly these mesh objects (a scoped run reaching a target outside its scope): the plan is partial. */
  readonly only?: readonly string[];
  /** Keep the changes in a scratch file (a reconcile run) instead of listing them in memory (a preview). */
  readonly spill: boolean;
  /** Applies one page's decisions; awaited before the next page's are handed over. */
  readonly decide: (page: PlanPage) => Promise<void>;
}

let changeCounter = 0;
const nextId = () => `c${++changeCounter}`;

async function candidates(ctx: CycleContext, projection: ProjectionModel, since: number, extra: readonly string[]): Promise<string[]> {
  const q = ctx.q;
  const { connector, objectType } = projection.target;
  const retries = await retryDueIds(q, projection.name, ctx.config.mesh.exportRetry.maxAttempts);
  return [
    ...new Set([
      ...(await changedSince(q, projection.meshType, since)),
      ...(await withChangedTargets(q, projection.name, connector, objectType, since)),
      ...retries,
      ...extra,
    ]),
  ].sort();
}

/** Unlinked target objects by normalised join value, for adopting existing objects before creating. */
async function adoptionIndex(q: Queryable, projection: ProjectionModel): Promise<Map<string, Map<string, string[]>>> {
  const index = new Map<string, Map<string, string[]>>();
  if (projection.join.length === 0) return index;
  const rows = await unmanagedObjects(q, projection.target.connector, projection.target.objectType);
  for (const join of projection.join) {
    const byValue = new Map<string, string[]>();
    for (const row of rows) {
      for (const value of toList(sourceValue(row.attributes, join.target))) {
        const key = joinKey(value);
        if (key === undefined) continue;
        byValue.set(key, [...(byValue.get(key) ?? []), row.externalId]);
      }
    }
    index.set(join.target, byValue);
  }
  return index;
}

/**
 * Keys of referenced objects this projection would create but has not yet (a manager created in the same
 * pass as the worker that reports to them): in a table or file the key is the projection's own key
 * template, so a reference can name the row before it exists, instead of staying empty until the
 * referencing object changes again. Directories and server-assigned ids are left to resolve once linked.
 */
async function plannedKeys(q: Queryable, projection: ProjectionModel, caps: ObjectTypeCapabilities, referenceTypes: ReadonlySet<string>, meshIds: readonly string[]): Promise<Map<string, string>> {
  const keys = new Map<string, string>();
  if (caps.addressing !== 'key' || projection.forEach !== undefined || meshIds.length === 0) return keys;
  for (const object of (await loadMeshObjects(q, meshIds, false)).values()) {
    if (object.type !== projection.meshType) continue;
    for (const entry of project(projection, object, caps, referenceTypes, () => undefined)) {
      if (entry.kind === 'present' && entry.desired.key !== undefined) keys.set(object.id, entry.desired.key);
    }
  }
  return keys;
}

/**
 * Plans one projection. By default its candidates are what changed since its progress (everything when
 * `everything`, or its definition changed). `only` plans exactly those mesh objects instead (a scoped run
 * reaching a target outside its scope): the plan is partial, so its progress must not advance.
 */
export async function planProjection(ctx: CycleContext, projection: ProjectionModel, options: PlanOptions): Promise<ProjectionPlan> {
  const { everything, extraIds = [], only } = options;
  const caps = await ctx.capabilities(projection.target.connector, projection.target.objectType);
  const definition = definitionHash({ projection, caps, ...dateOfDefinition(projection) });
  const progress = await readProgress(ctx.q, 'projection', projection.name);
  const since = everything || !progress || progress.definition !== definition ? -1 : progress.seq;
  const ids = only ? [...new Set([...only, ...extraIds])].sort() : await candidates(ctx, projection, since, extraIds);
  const plan: ProjectionPlan = { projection, caps, changes: new PlannedChanges(options.spill), drift: [], definition, evaluated: ids.length, compared: [], full: only === undefined && since === -1, heldBack: [], partial: only !== undefined, givenUp: [] };
  // Mesh attribute names (what templates read and what references resolve from), not target names.
  const referenceTypes = meshReferenceNames(projection, ctx.config.mesh.objectTypes);
  const keyAttributes = joinAttributes(ctx.config);
  // Planning records no failed export (only settles them): with none now, no page needs to look for its own.
  const failedExports = await anyFailedExports(ctx.q, projection.name);
  const settlesConflicts = await anyConflicts(ctx.q, ['heldBack', 'ambiguousJoin'], { in: 'projection', projection: projection.name });
  const comparison: Comparison = { references: referenceAttributes(projection, ctx.config.mesh.objectTypes), insensitive: caps.caseInsensitiveNames ?? false };
  let adoption: Map<string, Map<string, string[]>> | undefined;
  const claimed = new Set<string>();
  const projected = (meshId: string, item: string) => ({ on: 'projected', projection: projection.name, meshId, item }) as const;
  const readPage = async (page: readonly string[]) => {
    const objects = await loadMeshObjects(ctx.q, page, false);
    const links = await loadTargetLinks(ctx.q, projection.name, page);
    const observed = await loadObjects(ctx.q, projection.target.connector, projection.target.objectType, links.map((l) => l.externalId).filter((id): id is string => id !== null));
    return { objects, links, observed };
  };
  // Planning writes none of what a page reads, so the next page is read while this one is planned: on a
  // PostgreSQL store the reads run on another connection of the pool, beside the planning CPU.
  let nextRead = ids.length > 0 ? readPage(ids.slice(0, PAGE_SIZE)) : undefined;
  for (let start = 0; start < ids.length; start += PAGE_SIZE) {
    const page = ids.slice(start, start + PAGE_SIZE);
    const decided: PlanPage = { linkWrites: [], heldBack: [], reviewed: [], settled: [] };
    const planned: PlannedChange[] = [];
    {
      const q = ctx.q;
      const { objects, links, observed } = await nextRead!;
      const following = ids.slice(start + PAGE_SIZE, start + 2 * PAGE_SIZE);
      nextRead = following.length > 0 ? readPage(following) : undefined;
      // A read that fails after planning stopped early is not awaited: its error is the loop's to raise or not.
      nextRead?.catch(() => undefined);
      const refIds = new Set<string>();
      for (const object of objects.values()) for (const name of referenceTypes) for (const id of toList(ownValue(object.attributes, name))) refIds.add(String(id));
      const refs = await loadReferenceTargets(q, projection.target.connector, [...refIds]);
      const pending = await plannedKeys(q, projection, caps, referenceTypes, [...refIds].filter((id) => !refs.has(id)));
      const mapReference = (id: string) => {
        const target = refs.get(id);
        return (caps.addressing === 'dn' ? target?.dn : target?.externalId) ?? pending.get(id);
      };
      const linksByObject = new Map<string, TargetLink[]>();
      for (const link of links) {
        const list = linksByObject.get(link.meshId);
        if (list) list.push(link);
        else linksByObject.set(link.meshId, [link]);
      }

      // Each object's evaluation, in the order the objects are iterated again below.
      const evaluations: ReturnType<typeof project>[] = [];
      const keysToCheck: string[] = [];
      for (const object of objects.values()) {
        const evaluation = project(projection, object, caps, referenceTypes, mapReference);
        evaluations.push(evaluation);
        const objectLinks = linksByObject.get(object.id);
        for (const e of evaluation) if (e.kind === 'present' && e.desired.key && !objectLinks?.some((l) => l.item === e.item)) keysToCheck.push(e.desired.key);
      }
      const byKey = await loadObjects(q, projection.target.connector, projection.target.objectType, keysToCheck);
      // Whether a link holds a key matters only for the target objects found by it (adoptByKey).
      const linkedKeys = await managedAmong(q, projection.target.connector, projection.target.objectType, [...byKey.keys()]);

      const adopted = decided.linkWrites;
      const held = decided.heldBack;
      const subjects = decided.reviewed;
      let index = 0;
      for (const object of objects.values()) {
        const objectLinks = linksByObject.get(object.id) ?? NO_LINKS;
        const evaluation = evaluations[index++]!;
        if (settlesConflicts) for (const link of objectLinks) subjects.push(projected(object.id, link.item));
        // The items evaluated, for the links left without one (only looked for when the object has links).
        const items = objectLinks.length > 0 ? new Set<string>() : undefined;
        for (const entry of evaluation) {
          items?.add(entry.item);
          const subject = projected(object.id, entry.item);
          if (settlesConflicts) subjects.push(subject);
          if (entry.kind === 'held') {
            const link = objectLinks.find((l) => l.item === entry.item && l.state !== 'released' && l.state !== 'deleted');
            const current = link?.externalId ? observed.get(link.externalId) : undefined;
            const target = current && !current.deleted ? { externalId: current.externalId, object: current.dn ?? current.externalId } : undefined;
            held.push({ kind: 'heldBack', subject, meshType: object.type, projection: projection.name, reason: entry.reason, missing: entry.missing, ...(target ? { target } : {}), details: { reason: entry.reason, missing: entry.missing, projection: projection.name, object: describeMesh(object, keyAttributes) } });
            continue;
          }
          let link = objectLinks.find((l) => l.item === entry.item && l.state !== 'released');
          let current = link?.externalId ? observed.get(link.externalId) : undefined;
          if (!link) {
            // Adopting by a join may read the store; by key it needs only what the page read.
            const found = projection.join.length > 0 ? await adopt(entry.desired, object) : adoptByKey(entry.desired);
            if (found) {
              link = { projection: projection.name, meshId: object.id, item: entry.item, connector: projection.target.connector, objectType: projection.target.objectType, externalId: found.externalId, dn: found.dn, state: 'active', how: found.how, written: {} };
              adopted.push(link);
              current = found;
            }
          }
          diffOne(plan, comparison, planned, object, entry.desired, link, current && !current.deleted ? current : undefined);
        }
        for (const link of objectLinks) {
          if (items!.has(link.item) || link.state === 'deleted' || link.state === 'released') continue;
          const current = link.externalId ? observed.get(link.externalId) : undefined;
          removeOne(plan, planned, object, link, current && !current.deleted ? current : undefined, adopted);
        }
      }

      async function adopt(desired: DesiredObject, object: MeshObject): Promise<(CsObject & { how: string }) | undefined> {
        if (projection.join.length > 0) {
          adoption ??= await adoptionIndex(q, projection);
          for (const join of projection.join) {
            const key = joinKey(object.attributes[join.mesh]);
            if (key === undefined) continue;
            const matches = (adoption.get(join.target)?.get(key) ?? []).filter((id) => !claimed.has(id));
            if (matches.length === 1) {
              claimed.add(matches[0]!);
              const found = await loadObjects(q, projection.target.connector, projection.target.objectType, matches);
              const cs = found.get(matches[0]!);
              if (cs && !cs.deleted) return { ...cs, how: `adopted:${join.target}` };
            } else if (matches.length > 1) {
              const reason = `${matches.length} target objects match ${join.target} = "${key}"; none adopted`;
              held.push({ kind: 'ambiguousJoin', subject: projected(object.id, desired.item), meshType: object.type, projection: projection.name, reason, details: { reason, candidates: matches, projection: projection.name } });
              return undefined;
            }
          }
        }
        return adoptByKey(desired);
      }

      function adoptByKey(desired: DesiredObject): (CsObject & { how: string }) | undefined {
        if (desired.key && !linkedKeys.has(desired.key) && !claimed.has(desired.key)) {
          const cs = byKey.get(desired.key);
          if (cs && !cs.deleted) {
            claimed.add(desired.key);
            return { ...cs, how: 'adopted:key' };
          }
        }
        return undefined;
      }
      await markAccepted(q, held);
    }
    const sent = failedExports ? await withholdGivenUp(ctx, plan, page, planned, decided.settled) : planned;
    plan.changes.add(withFingerprints(sent));
    plan.heldBack.push(...decided.heldBack);
    await options.decide(decided);
    ctx.progress(`plan ${projection.name}`, Math.min(start + PAGE_SIZE, ids.length), ids.length);
  }
  return plan;
}

/**
 * Marks the page's held-back objects that an earlier run's attribute-clear gate let stand (their
 * conflict says `accepted`), keeping the mark in the conflict this plan records.
 */
async function markAccepted(q: Queryable, held: HeldBackObject[]): Promise<void> {
  const subjects = held.filter((h) => h.target !== undefined).map((h) => h.subject);
  if (subjects.length === 0) return;
  const accepted = await acceptedHeldBack(q, subjects);
  for (let i = 0; i < held.length; i++) {
    const h = held[i]!;
    if (h.kind === 'heldBack' && accepted.has(subjectText(h.subject))) held[i] = { ...h, accepted: true, details: { ...h.details, accepted: true } };
  }
}

/**
 * The page's objects with a failed export: a change that failed `maxAttempts` cycles is withheld while
 * it would write the same (its fingerprint); one the plan no longer sends anything for is settled.
 */
async function withholdGivenUp(ctx: CycleContext, plan: ProjectionPlan, page: readonly string[], changesOfPage: PlannedChange[], settled: PlanPage['settled']): Promise<PlannedChange[]> {
  const failed = await loadFailedExports(ctx.q, plan.projection.name, page);
  if (failed.size === 0) return changesOfPage;
  const planned = new Map<string, PlannedChange[]>();
  for (const change of changesOfPage) {
    const key = objectKey(change.meshId, change.item);
    planned.set(key, [...(planned.get(key) ?? []), change]);
  }
  const withheld = new Set<string>();
  for (const [key, failure] of failed) {
    const changes = planned.get(key);
    if (!changes) {
      settled.push({ meshId: failure.meshId, item: failure.item });
      continue;
    }
    if (failure.attempts < ctx.config.mesh.exportRetry.maxAttempts || failure.changeHash !== changeFingerprint(changes.map((c) => c.change))) continue;
    withheld.add(key);
    const { projection } = plan;
    plan.givenUp.push({ projection: projection.name, connector: projection.target.connector, meshId: failure.meshId, object: failure.object ?? changes[0]!.object, op: failure.op, code: failure.code, message: failure.message, attempts: failure.attempts });
  }
  if (withheld.size === 0) return changesOfPage;
  return changesOfPage.filter((c) => !withheld.has(objectKey(c.meshId, c.item)));
}

/**
 * An object's changes follow one another in a page (move, update, enable or disable): those of an object
 * with several carry the fingerprint of them all, since the export reads them back one operation at a
 * time. An object's single change is its own fingerprint, computed only if its export fails.
 */
function withFingerprints(changes: PlannedChange[]): PlannedChange[] {
  for (let i = 0; i < changes.length; ) {
    let end = i + 1;
    while (end < changes.length && changes[end]!.meshId === changes[i]!.meshId && changes[end]!.item === changes[i]!.item) end++;
    if (end - i > 1) {
      const fingerprint = changeFingerprint(changes.slice(i, end).map((c) => c.change));
      for (let k = i; k < end; k++) changes[k] = { ...changes[k]!, fingerprint };
    }
    i = end;
  }
  return changes;
}

function describeMesh(object: MeshObject, keys: ReadonlyMap<string, ReadonlySet<string>> = new Map()): string {
  return meshLabel(object.type, object.id, object.attributes, keys);
}

function label(link: TargetLink | undefined, desired: DesiredObject | undefined, object: MeshObject): string {
  return link?.dn ?? desired?.dn ?? desired?.key ?? link?.externalId ?? describeMesh(object);
}

/** What diffOne compares by, the same for every object of a plan. */
interface Comparison {
  /** The projection's reference attributes (referenceAttributes). */
  readonly references: ReadonlySet<string>;
  /** The target compares attribute names case-insensitively. */
  readonly insensitive: boolean;
}

/** An empty list of links, shared by the objects that have none. */
const NO_LINKS: readonly TargetLink[] = [];

function diffOne(plan: ProjectionPlan, comparison: Comparison, planned: PlannedChange[], object: MeshObject, desired: DesiredObject, link: TargetLink | undefined, current: CsObject | undefined): void {
  const { projection, caps } = plan;
  if (!current) {
    // The common case of a first cycle: built in one go rather than spread from `base` below.
    const change: ExportChange = { id: nextId(), op: 'create', dn: desired.dn, key: desired.key, attributes: desired.attributes, enabled: desired.enabled };
    const shown = desired.dn ?? desired.key ?? describeMesh(object);
    if (desired.unresolved === undefined && link === undefined) planned.push({ projection: projection.name, meshId: object.id, item: desired.item, object: shown, change });
    else planned.push({ projection: projection.name, meshId: object.id, item: desired.item, ...(desired.unresolved ? { unresolved: desired.unresolved } : {}), ...(link ? { link } : {}), object: shown, change });
    return;
  }
  const base = { projection: projection.name, meshId: object.id, item: desired.item, ...(desired.unresolved ? { unresolved: desired.unresolved } : {}), ...(link ? { link } : {}) };
  const objectLabel = current.dn ?? current.externalId;
  if (!plan.full) plan.compared.push(objectLabel);
  if (desired.key !== undefined && desired.key !== current.externalId) {
    return; // keys are anchors: a changed key template does not rename existing rows
  }
  if (desired.dn && current.dn && comparableDn(desired.dn) !== comparableDn(current.dn)) {
    planned.push({ ...base, object: objectLabel, change: { id: nextId(), op: 'move', externalId: current.externalId, dn: current.dn, newDn: desired.dn } });
  }
  const written = link?.written ?? {};
  const changes: Record<string, AttributeChange> = {};
  const { insensitive, references } = comparison;
  for (const attribute of projection.attributes) {
    if (attribute.name === caps.keyAttribute) continue;
    const want = desired.attributes[attribute.name];
    const have = sourceValue(current.attributes, attribute.name);
    if (references.has(attribute.name)) {
      const haveSet = new Set(toList(have).map((v) => comparableDn(String(v))));
      const wantList = toList(want).map(String);
      const wantSet = new Set(wantList.map(comparableDn));
      const add = wantList.filter((v) => !haveSet.has(comparableDn(v)));
      const previously = toList(written.attributes?.[attribute.name]).map(String);
      const remove = previously.filter((v) => !wantSet.has(comparableDn(v)) && haveSet.has(comparableDn(v)));
      if (add.length > 0 || remove.length > 0) changes[attribute.name] = { from: have, to: want, add, remove };
      continue;
    }
    if (sameValue(want, have, insensitive && attribute.name.toLowerCase() === 'dn')) continue;
    const wroteIt = written.attributes !== undefined && attribute.name in written.attributes && sameValue(written.attributes[attribute.name], want);
    if (wroteIt) {
      plan.drift.push({ projection: projection.name, connector: projection.target.connector, object: objectLabel, attribute: attribute.name, desired: want ?? null, actual: have ?? null, action: projection.drift === 'enforce' ? 'pending' : 'reported' });
      if (projection.drift === 'report') continue;
    }
    changes[attribute.name] = { from: have, to: want };
  }
  if (Object.keys(changes).length > 0) {
    planned.push({ ...base, object: objectLabel, change: { id: nextId(), op: 'update', externalId: current.externalId, dn: current.dn ?? undefined, attributes: changes } });
  }
  if (desired.enabled !== undefined && caps.canDisable && current.enabled !== null && current.enabled !== desired.enabled) {
    if (desired.enabled && written.enableHeldBack) return;
    const wroteIt = written.enabled === desired.enabled;
    if (wroteIt) {
      plan.drift.push({ projection: projection.name, connector: projection.target.connector, object: objectLabel, attribute: 'enabled', desired: desired.enabled, actual: current.enabled, action: projection.drift === 'enforce' ? 'pending' : 'reported' });
      if (projection.drift === 'report') return;
    }
    planned.push({ ...base, object: objectLabel, change: { id: nextId(), op: desired.enabled ? 'enable' : 'disable', externalId: current.externalId, dn: current.dn ?? undefined } });
  }
}

function removeOne(plan: ProjectionPlan, planned: PlannedChange[], object: MeshObject, link: TargetLink, current: CsObject | undefined, releases: LinkWrite[]): void {
  const { projection, caps } = plan;
  const base = { projection: projection.name, meshId: object.id, item: link.item, link, removal: true as const, object: label(link, undefined, object) };
  if (!current || !link.externalId) return;
  switch (projection.onRemove) {
    case 'keep':
      releases.push({ ...link, state: 'released' });
      return;
    case 'delete':
      planned.push({ ...base, change: { id: nextId(), op: 'delete', externalId: link.externalId, dn: current.dn ?? undefined } });
      return;
    case 'disable':
      if (caps.canDisable && current.enabled !== false) {
        planned.push({ ...base, change: { id: nextId(), op: 'disable', externalId: link.externalId, dn: current.dn ?? undefined } });
      }
      return;
  }
}
