/**
 * Import: stream a connector's objects into its connector space, full or delta, in one atomic unit per
 * object type (the watermark commits with the data it covers). Unchanged objects (same hash) cost
 * nothing further. A complete read sweeps what it did not see. The import guard refuses a read that
 * would delete more than the safety thresholds allow: nothing of it is kept, and the watermark stays.
 */
import type { ImportBatch, RejectedObject, StagedObject } from '../connectors/sdk.js';
import type { GateTrip, HeldObject } from '../reports/types.js';
import type { Queryable } from '../store/db.js';
import { withRefusal, type Judgement } from './approval-book.js';
import { staged, type CsFingerprint, type StageRow } from './connector-space.js';
import { countLive, loadFingerprints, loadFingerprintsFor, loadObjects, markDeleted, upsertObjects } from './tables/connector-space-objects.js';
import { removedByUs } from './tables/target-links.js';
import { loadWatermarks, readWatermark, writeWatermark } from './tables/watermarks.js';
import { lastWholeRead, loadWholeReads, recordWholeRead } from './tables/whole-reads.js';
import type { CycleContext } from './context.js';
import { clearHolds, replaceHolds } from './gate-holds.js';
import { approveHint } from './gates.js';
import { nulProblem, recordRejections } from './import-rejections.js';
import { readAhead } from './read-ahead.js';

export interface ImportOutcome {
  readonly connector: string;
  readonly objectType: string;
  readonly mode: 'full' | 'delta';
  /** The object type had never been read whole before (a first sync), as opposed to read whole by request or for want of a change log. */
  readonly first: boolean;
  readonly read: number;
  readonly changed: number;
  readonly deleted: number;
  readonly watermark: string | null;
  readonly guard?: GateTrip;
  /** Objects held back at import (rejected by the connector, or holding a NUL character). */
  readonly heldBack?: number;
}

const STAGE_ROWS = 5000;

class GuardTripped extends Error {
  constructor(
    readonly trip: GateTrip,
    readonly held: readonly HeldObject[],
    readonly judgement: Judgement | undefined,
  ) {
    super(trip.message);
  }
}

/** Where a type's imports stand: its watermark and when it was last read whole (null: never). */
export interface ImportState {
  readonly watermark: string | null;
  readonly wholeRead: Date | null;
  /** The connector's change token taken before that whole read (IdentityConnector.changeToken), if any. */
  readonly changeToken: string | null;
}

/**
 * Every type's import state, read at once before a cycle's imports start: an import waiting for the
 * store's writer then needs no store read to start reading its source (only its own import changes it).
 */
export async function importStates(q: Queryable): Promise<Map<string, ImportState>> {
  const states = new Map<string, { watermark: string | null; wholeRead: Date | null; changeToken: string | null }>();
  const state = (connector: string, type: string) => {
    const key = importKey(connector, type);
    let found = states.get(key);
    if (!found) states.set(key, (found = { watermark: null, wholeRead: null, changeToken: null }));
    return found;
  };
  for (const row of await loadWatermarks(q)) state(row.connector, row.object_type).watermark = row.value;
  for (const row of await loadWholeReads(q)) Object.assign(state(row.connector, row.object_type), { wholeRead: new Date(row.read_at), changeToken: row.change_token });
  return states;
}

export const importKey = (connector: string, objectType: string): string => `${connector}\u0000${objectType}`;

/**
 * Imports one object type. `state` is its import state when the caller read it beforehand
 * (importStates); otherwise it is read here.
 */
export async function importObjectType(ctx: CycleContext, connectorName: string, objectType: string, wantFull: boolean, state?: ImportState): Promise<ImportOutcome> {
  const connector = await ctx.connector(connectorName);
  const caps = await ctx.capabilities(connectorName, objectType);
  const previous = state ? state.watermark : await readWatermark(ctx.q, connectorName, objectType);
  const full = wantFull || !caps.delta || previous === null;
  const lastRead = state ? state.wholeRead && { readAt: state.wholeRead, changeToken: state.changeToken } : await lastWholeRead(ctx.q, connectorName, objectType);
  const first = lastRead === null;
  const started = Date.now();
  // A type without a change log whose connector says cheaply whether a whole read would return the same
  // (a csv file's hash) is not read on a delta cycle when that is so. Taken before the read starts, so a
  // change made while the source is read shows at the next cycle.
  const changeToken = !caps.delta && connector.changeToken ? await connector.changeToken(objectType) : null;
  if (!wantFull && changeToken !== null && changeToken === lastRead?.changeToken) {
    ctx.log.info({ event: 'import', connector: connectorName, objectType, mode: 'unchanged', read: 0, changed: 0, deleted: 0, ms: Date.now() - started }, 'unchanged since its last whole read; not read');
    return { connector: connectorName, objectType, mode: 'delta', first, read: 0, changed: 0, deleted: 0, watermark: previous };
  }
  let approved: Judgement | undefined;
  // The source starts reading now, while this import may still wait for the store's writer (another
  // connector's import holds it): it reads ahead up to READ_AHEAD_OBJECTS (read-ahead.ts).
  const source = readAhead(full ? connector.fullImport(objectType) : connector.deltaImport(objectType, previous ?? ''), batchSize, READ_AHEAD_OBJECTS);
  try {
    const outcome = await ctx.atomically(async (q) => {
      const known = full ? await loadFingerprints(q, connectorName, objectType) : null;
      // A delta read's objects whose liveness (not deleted) it changed, with what it was before: the
      // import guard's base, the live count before this import, is the count after its writes less
      // these. Counted only when the guard has drops to judge: a count is a pass over the type's rows.
      const flipped = known ? undefined : new Map<string, boolean>();
      const seen = new Set<string>();
      // Objects this read deletes, or disables where inactive means deleted (the import guard's count).
      const dropped = new Map<string, HeldObject['op']>();
      const rejected: RejectedObject[] = [];
      let complete = full;
      let watermark: string | null = null;
      let changed = 0;
      // Connector pages are small; staging several per statement keeps the store's round trips down.
      let pending: StageRow[] = [];
      // One store write in flight while the connector reads on: a server store and the source then work
      // at the same time as this process hashes. Writes stay in order; a failed one surfaces at the next.
      let writing: Promise<void> = Promise.resolve();
      // Whether an object was read twice (a delta overlap window, a query returning a key twice).
      let repeated = false;
      const flush = async () => {
        // An object read twice is staged once, as last read.
        const unique = repeated ? [...new Map(pending.map((row) => [row.object.externalId, row])).values()] : pending;
        pending = [];
        await writing;
        // A full read into an empty connector space, no key read twice yet: nothing to conflict with.
        const fresh = known !== null && known.size === 0 && !repeated;
        writing = upsertObjects(q, connectorName, objectType, ctx.seq, unique, { fresh });
        writing.catch(() => undefined);
        changed += unique.length;
      };
      // Delta reads compare against the store in chunks of STAGE_ROWS rather than per connector page.
      let unread: StagedObject[] = [];
      const consume = async (objects: readonly StagedObject[]) => {
        // One statement at a time on a connection: a delta read waits for the write in flight.
        const fingerprints: Map<string, CsFingerprint> = known ?? (await writing.then(() => loadFingerprintsFor(q, connectorName, objectType, objects.map((o) => o.externalId))));
        for (const object of objects) {
          if (seen.size === seen.add(object.externalId).size) repeated = true;
          const row: StageRow = object.deleted ? { object, hash: 'deleted' } : staged(object);
          const nul = mayHoldNul(object, row) ? nulProblem(object) : undefined;
          if (nul) {
            rejected.push({ externalId: object.externalId, reason: nul });
            continue;
          }
          const hash = row.hash;
          const before = fingerprints.get(object.externalId);
          if (before && before.hash === hash && before.deleted === (object.deleted ?? false)) continue;
          if (!before && object.deleted) continue; // a tombstone for something we never saw
          if (before && !before.deleted) {
            const goesInactive = caps.inactiveMeansDeleted && object.enabled === false && before.enabled !== false;
            if (object.deleted || goesInactive) dropped.set(object.externalId, object.deleted ? 'delete' : 'disable');
          }
          if (flipped) noteLiveness(flipped, object.externalId, before, !object.deleted);
          pending.push(row);
        }
        if (pending.length >= STAGE_ROWS) await flush();
        ctx.progress(`import ${connectorName}/${objectType}`, seen.size);
      };
      for await (const batch of source) {
        if (batch.complete) complete = true;
        if (batch.watermark !== undefined) watermark = batch.watermark;
        for (const object of batch.rejected ?? []) {
          seen.add(object.externalId); // held back: kept as staged, not swept
          rejected.push(object);
        }
        if (known) {
          await consume(batch.objects);
          continue;
        }
        unread.push(...batch.objects);
        if (unread.length >= STAGE_ROWS) {
          await consume(unread);
          unread = [];
        }
      }
      if (unread.length > 0) await consume(unread);
      await flush();
      await writing;
      let swept: string[] = [];
      if (complete) {
        const all = known ?? (await loadFingerprints(q, connectorName, objectType));
        swept = [...all].filter(([id, fp]) => !fp.deleted && !seen.has(id)).map(([id]) => id);
      }
      for (const id of swept) dropped.set(id, 'delete');
      const unexpected = await notCausedByUs(q, connectorName, objectType, [...dropped.keys()]);
      const liveBefore = unexpected.length === 0 ? 0 : known ? countLiveIn(known) : (await countLive(q, connectorName, objectType)) - netLiveness(flipped!);
      const trip = guardTrip(ctx, connectorName, objectType, liveBefore, unexpected.length, complete && seen.size === 0);
      if (trip) {
        const labels = await loadObjects(q, connectorName, objectType, unexpected);
        const held = unexpected.map((id): HeldObject => ({ gate: 'import', objectType, externalId: id, op: dropped.get(id) ?? 'delete', object: labels.get(id)?.dn ?? id }));
        const judgement = ctx.approvals?.judge(connectorName, held);
        if (!judgement?.pass) throw new GuardTripped({ ...trip, message: withRefusal(trip.message ?? '', judgement) }, held, judgement);
        approved = judgement;
      }
      if (ctx.mode === 'reconcile') await clearHolds(q, connectorName, 'import', objectType, complete ? undefined : [...seen]);
      await markDeleted(q, connectorName, objectType, ctx.seq, swept);
      await recordRejections(ctx, q, connectorName, objectType, rejected, [...seen], complete);
      if (complete) await recordWholeRead(q, connectorName, objectType, changeToken);
      if (watermark !== null) await writeWatermark(q, connectorName, objectType, watermark);
      ctx.log.info({ event: 'import', connector: connectorName, objectType, mode: full ? 'full' : 'delta', read: seen.size, changed, deleted: dropped.size, ms: Date.now() - started }, 'import finished');
      return { connector: connectorName, objectType, mode: full ? 'full' : 'delta', first, read: seen.size, changed: changed + swept.length, deleted: dropped.size, watermark: watermark ?? previous, ...(rejected.length > 0 ? { heldBack: rejected.length } : {}) } satisfies ImportOutcome;
    });
    if (approved) ctx.approvals?.record(approved);
    return outcome;
  } catch (error) {
    if (!(error instanceof GuardTripped)) throw error;
    if (error.judgement) ctx.approvals?.record(error.judgement);
    if (ctx.mode === 'reconcile') await ctx.atomically((q) => replaceHolds(q, connectorName, 'import', [objectType], error.held, ctx.cycleId));
    ctx.log.warn({ event: 'import-guard', connector: connectorName, objectType, count: error.trip.count, limit: error.trip.limit }, error.trip.message ?? 'import guard tripped');
    return { connector: connectorName, objectType, mode: full ? 'full' : 'delta', first, read: 0, changed: 0, deleted: 0, watermark: previous, guard: error.trip };
  } finally {
    await source.return();
  }
}

/** Objects a connector may have read ahead of the store per import (a few stage statements' worth). */
const READ_AHEAD_OBJECTS = 2 * STAGE_ROWS;
const batchSize = (batch: ImportBatch): number => Math.max(1, batch.objects.length + (batch.rejected?.length ?? 0));

/**
 * Confirming import by key: reads back only the objects just exported (`readObjects`), stages those
 * that differ from the connector space, and marks those the system no longer has as deleted. The cost
 * is the export's, not the target's size; no watermark moves and nothing else is swept.
 */
export async function confirmObjects(ctx: CycleContext, connectorName: string, objectType: string, externalIds: readonly string[]): Promise<ImportOutcome> {
  const connector = await ctx.connector(connectorName);
  if (!connector.readObjects) throw new Error(`${connectorName} cannot read objects by key`);
  const started = Date.now();
  // The target is read on while what it returned is staged (and while this waits for the store's
  // writer): a page or so ahead, in order; a read error surfaces after the objects read before it.
  const source = readAhead(connector.readObjects(objectType, externalIds), batchSize, READ_AHEAD_OBJECTS);
  try {
    return await ctx.atomically(async (q) => {
      const seen = new Set<string>();
      let changed = 0;
      let pending: StagedObject[] = [];
      // One store write in flight while the next objects are hashed (as the import does); writes stay
      // in order, and a failed one surfaces before the next statement.
      let writing: Promise<void> = Promise.resolve();
      const stage = async () => {
        const staging = pending.map((object): StageRow => (object.deleted ? { object, hash: 'deleted' } : staged(object)));
        pending = [];
        await writing;
        const fingerprints = await loadFingerprintsFor(q, connectorName, objectType, staging.map((row) => row.object.externalId));
        const rows = staging.filter(({ object, hash }) => {
          const before = fingerprints.get(object.externalId);
          if (before && before.hash === hash && before.deleted === (object.deleted ?? false)) return false;
          return before !== undefined || !object.deleted;
        });
        // None of these objects is in the connector space yet (the exports of a first cycle): the
        // store's bulk load may take them.
        writing = upsertObjects(q, connectorName, objectType, ctx.seq, rows, { fresh: fingerprints.size === 0 });
        writing.catch(() => undefined);
        changed += rows.length;
      };
      try {
        for await (const batch of source) {
          for (const object of batch.objects) {
            if (seen.has(object.externalId)) continue;
            seen.add(object.externalId);
            pending.push(object);
          }
          if (pending.length >= STAGE_ROWS) await stage();
        }
        if (pending.length > 0) await stage();
      } catch (error) {
        // The transaction is rolled back once the write in flight has ended.
        await writing.catch(() => undefined);
        throw error;
      }
      await writing;
      const gone = externalIds.filter((id) => !seen.has(id));
      await markDeleted(q, connectorName, objectType, ctx.seq, gone);
      ctx.log.info({ event: 'import', connector: connectorName, objectType, mode: 'by-key', read: seen.size, changed, ms: Date.now() - started }, 'confirming import finished');
      return { connector: connectorName, objectType, mode: 'delta' as const, first: false, read: seen.size, changed, deleted: 0, watermark: null };
    });
  } finally {
    await source.return();
  }
}

/**
 * Whether nulProblem need look at the object: a NUL in an attribute name or string value shows in its
 * canonical JSON as \u0000 (a false alarm, a source text holding a backslash and "u0000", only costs
 * the full check).
 */
function mayHoldNul(object: StagedObject, row: StageRow): boolean {
  return row.attributes === undefined || row.attributes.includes('\\u0000') || object.externalId.includes('\0') || (object.dn?.includes('\0') ?? false);
}

/** Records that an object staged now is `live` (not deleted): `flipped` keeps those whose liveness differs from before the import. */
function noteLiveness(flipped: Map<string, boolean>, externalId: string, before: CsFingerprint | undefined, live: boolean): void {
  // A first change is judged against the store; a later one (the key read again) against the first's
  // `before`, which is what the store held before the import.
  const was = flipped.get(externalId) ?? (before !== undefined && !before.deleted);
  if (live === was) flipped.delete(externalId);
  else flipped.set(externalId, was);
}

/** How the flipped objects changed the live count: one more for each that came alive, one less for each that went. */
function netLiveness(flipped: ReadonlyMap<string, boolean>): number {
  let net = 0;
  for (const was of flipped.values()) net += was ? -1 : 1;
  return net;
}

function countLiveIn(fingerprints: ReadonlyMap<string, CsFingerprint>): number {
  let live = 0;
  for (const fingerprint of fingerprints.values()) if (!fingerprint.deleted) live++;
  return live;
}

/** The ids among `ids` whose deletion our own exports did not cause (deleted or disabled rows of a table we also read are expected). */
async function notCausedByUs(q: Queryable, connector: string, objectType: string, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const ours = await removedByUs(q, connector, objectType, ids);
  return ids.filter((id) => !ours.has(id)).sort();
}

function guardTrip(ctx: CycleContext, connector: string, objectType: string, liveBefore: number, drops: number, empty: boolean): GateTrip | undefined {
  if (liveBefore === 0 || drops === 0) return undefined;
  if (ctx.allowDeletes !== undefined && drops <= ctx.allowDeletes) return undefined;
  const { maxDeletes, maxDeletePercent } = ctx.config.mesh.safety;
  const percent = (drops / liveBefore) * 100;
  const where = `${connector}/${objectType}`;
  if (empty) {
    return { connector, objectType, gate: 'importGuard', count: drops, limit: 0, message: `${where}: a full import returned nothing where the connector space holds ${liveBefore} objects; nothing was deleted (check the source; if this is intended, ${approveHint(connector, drops)})` };
  }
  if (drops > maxDeletes) {
    return { connector, objectType, gate: 'importGuard', count: drops, limit: maxDeletes, message: `${where}: the import would delete ${drops} of ${liveBefore} objects, more than safety.maxDeletes (${maxDeletes}); nothing was deleted (if this is intended, ${approveHint(connector, drops)})` };
  }
  if (percent > maxDeletePercent) {
    return { connector, objectType, gate: 'importGuard', count: drops, limit: Math.floor((maxDeletePercent / 100) * liveBefore), message: `${where}: the import would delete ${drops} of ${liveBefore} objects (${percent.toFixed(1)}%), more than safety.maxDeletePercent (${maxDeletePercent}%); nothing was deleted (if this is intended, ${approveHint(connector, drops)})` };
  }
  return undefined;
}
