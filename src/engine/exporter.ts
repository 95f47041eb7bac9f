/**
 * Export: send planned changes to a target in idempotent batches and record what happened. Changes that
 * failed retryably are sent again inside the cycle after a growing delay (Mesh `spec.exportRetry`); a
 * change that still fails is recorded (export-attempts.ts) without holding back the rest.
 */
import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PasswordPolicy, ProjectionModel } from '../config/model.js';
import { envSecretResolver } from '../config/secrets.js';
import type { ExportChange, ExportResult } from '../connectors/sdk.js';
import { errorCode, errorMessage, errorRetryable, ImeshError } from '../shared/errors.js';
import type { Queryable } from '../store/db.js';
import type { CycleContext } from './context.js';
import { changeFingerprint, clearFailedExports, objectKey, recordFailedExports, type FailureRow } from './export-attempts.js';
import { insertConflicts, type NewConflict } from './tables/conflicts.js';
import type { PlannedChange, ProjectionPlan } from './planner.js';
import { historyStamp } from './history-stamp.js';
import { exportedValues } from './exported-values.js';
import { insertExportHistory, insertReleasedCreations, type ExportRecord } from './tables/export-history.js';
import type { HistoryStamp } from './tables/value-history.js';
import { heldTargets, saveTargetLinks, type LinkWrite, type TargetLink, type Written } from './tables/target-links.js';

/** Changes sent to a connector, then recorded, together (CycleOptions.exportBatch). */
export const EXPORT_BATCH = 2000;

export interface ExportCounts {
  created: number;
  updated: number;
  moved: number;
  enabled: number;
  disabled: number;
  deleted: number;
  failed: number;
  heldBack: number;
  /** Changes sent again inside the cycle after a retryable failure (each retry counts). */
  retried: number;
  /** Changes not sent: given up after `exportRetry.maxAttempts` cycles. */
  givenUp: number;
}

export function emptyCounts(): ExportCounts {
  return { created: 0, updated: 0, moved: 0, enabled: 0, disabled: 0, deleted: 0, failed: 0, heldBack: 0, retried: 0, givenUp: 0 };
}

/** The longest delay between two tries inside a cycle. */
const MAX_RETRY_DELAY_MS = 30_000;

/** The delay before retry number `retry` (1, 2, …) inside a cycle: the backoff, doubling per retry. */
export function retryDelay(backoffMs: number, retry: number): number {
  return Math.min(MAX_RETRY_DELAY_MS, backoffMs * 2 ** (retry - 1));
}

const PAUSED = 'ExportPaused';
/** The code of a failure the connector did not classify (it threw something other than an ImeshError). */
const UNCLASSIFIED = 'ExportFailed';

/**
 * Whether a retry inside this cycle may fix a failed change: the connector called the failure retryable,
 * exports were not stopped, and the change is no create — a create whose outcome is unknown (a timeout)
 * is never sent twice: the next cycle reads the target first and adopts what the first try created.
 */
function retryNow(planned: PlannedChange, result: ExportResult | undefined): boolean {
  if (result === undefined || result.ok || planned.change.op === 'create') return false;
  return result.error.retryable && result.error.code !== PAUSED && result.error.code !== UNCLASSIFIED;
}

/**
 * Exports a projection's plan, reading its changes back a page at a time in export order (creates, moves,
 * updates, enables, disables, deletes: planned-changes.ts); returns the external ids of the target objects
 * it addressed, so that the confirming import can read back exactly those. `mayRetry` is asked before
 * each retry inside the cycle; `batchSize` changes are sent and recorded together.
 */
export async function exportPlan(ctx: CycleContext, plan: ProjectionPlan, counts: ExportCounts, mayRetry: () => boolean = () => true, batchSize = EXPORT_BATCH): Promise<Set<string>> {
  const touched = new Set<string>();
  const connector = await ctx.connector(plan.projection.target.connector);
  const type = plan.projection.target.objectType;
  const password = plan.projection.password;
  const outgoing = (batch: readonly PlannedChange[]): ExportChange[] =>
    batch.map((p) => (p.change.op === 'create' && password ? { ...p.change, password: initialPassword(password) } : p.change));
  const total = plan.changes.size;
  const label = `export ${plan.projection.name}`;
  const retry = { ...ctx.config.mesh.exportRetry, mayRetry };
  const batchesOf = (page: readonly PlannedChange[]) => slices(page, batchSize);
  // Into a target type no link addressed as the export starts (a first cycle), a link it saves can meet
  // only one an earlier batch of it saved: only those target objects are looked for among other links
  // (saveTargetLinks releases the stale one). Null: all are.
  const linked = (await heldTargets(ctx.q, plan.projection.target.connector, type)) ? null : new Set<string>();
  let done = 0;
  // Records commit one at a time, in batch order. A batch's record is built (and, without a session, the
  // next batch sent) while the last one's transaction runs; at most that one is in flight. A record that
  // failed fails the export at the next batch (nothing more is recorded) or at the end.
  let recording: Promise<void> | undefined;
  const recordBatch = async (batch: readonly PlannedChange[], byId: ReadonlyMap<string, ExportResult>) => {
    const built = batchRecord(historyStamp(ctx), plan, batch, byId, counts, touched, linked);
    await recording;
    // Recording only writes (links, failures, conflicts, history): each statement is sent as it is built.
    recording = ctx.atomically((q) => writeRecord(q, built), { writeBehind: true }).then(() => ctx.progress(label, (done += batch.length), total));
    // Handled where it is awaited: at the next batch, at the end, or on the way out of a failure.
    recording.catch(() => undefined);
  };
  const recorded = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      const result = await work();
      await recording;
      return result;
    } catch (error) {
      await recording?.catch(() => undefined);
      throw error;
    }
  };

  if (connector.beginExport) {
    // One session for the whole plan: the connector applies it at commit, and only then is anything
    // recorded as exported (a crash before the commit returns leaves the store as if nothing was sent).
    const send = async (pages: () => AsyncIterable<readonly PlannedChange[]>): Promise<ExportResult[]> => {
      const session = connector.beginExport!(type);
      const sent: PlannedChange[] = [];
      try {
        for await (const page of pages()) for (const batch of batchesOf(page)) await session.add(outgoing(batch));
        return await session.commit();
      } catch (error) {
        session.abort();
        for await (const page of pages()) sent.push(...page);
        return sent.map((p) => failedResult(p, error));
      }
    };
    const byId = await sendWithRetries(send, () => plan.changes.pages(), retry, counts);
    return recorded(async () => {
      for await (const page of plan.changes.pages()) for (const batch of batchesOf(page)) await recordBatch(batch, byId);
      return touched;
    });
  }

  const send = async (pages: () => AsyncIterable<readonly PlannedChange[]>): Promise<ExportResult[]> => {
    const changes: PlannedChange[] = [];
    for await (const page of pages()) changes.push(...page);
    try {
      return await connector.export(type, outgoing(changes));
    } catch (error) {
      return changes.map((p) => failedResult(p, error));
    }
  };
  // The next batch goes to the target while the last one is recorded: the target's server and the store's
  // work at the same time. A failed record stops the export once the send beside it returns.
  // Crash window: a crash (or a failed record) can leave two batches sent but not recorded, where sending
  // only after the last record committed left one. The next cycle treats them as it treats one: its import
  // reads what the target now holds, and the planner adopts an unlinked target object by key or through
  // the projection's join instead of creating it again (planner.ts `adopt`); other changes are planned
  // again from the observed state.
  return recorded(async () => {
    for await (const page of plan.changes.pages()) {
      for (const batch of batchesOf(page)) await recordBatch(batch, await sendWithRetries(send, () => once(batch), retry, counts));
    }
    return touched;
  });
}

function slices<T>(list: readonly T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let start = 0; start < list.length; start += size) batches.push(list.slice(start, start + size));
  return batches;
}

async function* once<T>(value: T): AsyncGenerator<T> {
  yield value;
}

/**
 * Sends changes (read from `pages`, which can be read again), then those that failed retryably again
 * after the backoff (doubling), at most `retries` times and only while `mayRetry` says so. The latest
 * result of each change wins. Retried changes keep their order (creates before moves before updates);
 * only they are held in memory.
 */
async function sendWithRetries(
  send: (pages: () => AsyncIterable<readonly PlannedChange[]>) => Promise<ExportResult[]>,
  pages: () => AsyncIterable<readonly PlannedChange[]>,
  retry: { readonly retries: number; readonly backoffMs: number; readonly mayRetry: () => boolean },
  counts: ExportCounts,
): Promise<Map<string, ExportResult>> {
  const byId = new Map<string, ExportResult>();
  for (const result of await send(pages)) byId.set(result.id, result);
  for (let attempt = 1; attempt <= retry.retries; attempt++) {
    if (!someRetryable(byId.values())) break;
    const again: PlannedChange[] = [];
    for await (const page of pages()) for (const p of page) if (retryNow(p, byId.get(p.change.id))) again.push(p);
    if (again.length === 0 || !retry.mayRetry()) break;
    await sleep(retryDelay(retry.backoffMs, attempt));
    if (!retry.mayRetry()) break;
    counts.retried += again.length;
    for (const result of await send(() => once(again))) byId.set(result.id, result);
  }
  return byId;
}

function someRetryable(results: Iterable<ExportResult>): boolean {
  for (const r of results) if (!r.ok && r.error.retryable) return true;
  return false;
}

/** The fingerprint of the object's planned changes (export-attempts.ts): the planner's when it has several. */
function fingerprintOf(planned: PlannedChange): string {
  return planned.fingerprint ?? changeFingerprint([planned.change]);
}

function failedResult(planned: PlannedChange, error: unknown): ExportResult {
  const code = errorCode(error, UNCLASSIFIED);
  const retryable = errorRetryable(error, true);
  return { id: planned.change.id, ok: false, error: { code, message: errorMessage(error), retryable } };
}

/**
 * The projection's initial password for a create: its secret (resolved now, never stored or planned) or
 * a generated one with a character of each class, so that directory complexity rules accept it.
 */
function initialPassword(policy: PasswordPolicy): string {
  if (policy.initial) return envSecretResolver().resolve(`{{secret:${policy.initial.secret}}}`);
  const classes = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnopqrstuvwxyz', '23456789', '!#%+-=?@_'];
  const all = classes.join('');
  const chars = classes.map((c) => c[randomInt(c.length)]!);
  while (chars.length < Math.max(policy.length, classes.length)) chars.push(all[randomInt(all.length)]!);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}

/** What recording one batch writes, built before its transaction starts. */
interface BatchRecord {
  readonly stamp: HistoryStamp | null;
  readonly projection: string;
  readonly links: readonly LinkWrite[];
  /** Links no other link can hold the target object of (not looked for). */
  readonly unheld: ReadonlySet<LinkWrite>;
  /** Mesh objects whose changes succeeded: their failed exports are cleared. */
  readonly succeeded: readonly string[];
  readonly failures: readonly FailureRow[];
  readonly held: readonly NewConflict[];
  readonly history: readonly ExportRecord[];
}

/**
 * Counts the batch's results, adds the target objects it addressed to `touched`, and builds its record.
 * `linked`: the target objects the export's earlier batches linked, when no other link held one as it
 * started (the batch adds its own); null when any link may hold any.
 */
function batchRecord(
  stamp: HistoryStamp | null,
  plan: ProjectionPlan,
  batch: readonly PlannedChange[],
  byId: ReadonlyMap<string, ExportResult>,
  counts: ExportCounts,
  touched: Set<string>,
  linked: Set<string> | null,
): BatchRecord {
  const { projection } = plan;
  const links: LinkWrite[] = [];
  const history: ExportRecord[] = [];
  const succeeded: PlannedChange[] = [];
  // One row per object (a move and an update of one object may both fail): the last failure stands.
  const failures = new Map<string, FailureRow>();
  const fail = (planned: PlannedChange, op: string, error: { code: string; message: string; retryable: boolean }) =>
    failures.set(objectKey(planned.meshId, planned.item), { projection: projection.name, mesh_id: planned.meshId, item: planned.item, op, code: error.code, message: error.message, retryable: error.retryable, change_hash: fingerprintOf(planned), object: planned.object });
  const held: NewConflict[] = [];
  for (const planned of batch) {
    const result = byId.get(planned.change.id) ?? { id: planned.change.id, ok: false as const, error: { code: 'NoResult', message: 'the connector returned no result for this change', retryable: true } };
    const address = planned.change.op === 'create' ? ((result.ok ? result.externalId : undefined) ?? planned.change.key) : planned.change.externalId;
    if (address !== undefined) touched.add(address);
    // A new link keeps the create that made it (the run); any other export is a history row.
    const createsLink = stamp !== null && planned.link === undefined && planned.change.op === 'create' && result.ok && !(result.heldBack && !result.externalId);
    if (stamp && !createsLink) history.push(exportRecord(projection, planned, result));
    if (!result.ok) {
      counts.failed++;
      fail(planned, planned.change.op, result.error);
      continue;
    }
    succeeded.push(planned);
    const change = planned.change;
    if (change.op === 'create' && result.heldBack && !result.externalId) {
      counts.heldBack++;
      held.push(heldBackConflict(projection, planned, '', result.heldBack));
      fail(planned, 'create', { code: 'HeldBack', message: result.heldBack, retryable: true });
      continue;
    }
    switch (change.op) {
      case 'create': {
        counts.created++;
        const enableHeldBack = result.heldBack !== undefined && change.enabled === true;
        if (enableHeldBack) held.push(heldBackConflict(projection, planned, 'enabled', result.heldBack));
        const written: Written = enableHeldBack ? { attributes: change.attributes, enabled: change.enabled, enableHeldBack } : { attributes: change.attributes, enabled: change.enabled };
        const externalId = result.externalId ?? change.key ?? null;
        const dn = result.dn ?? change.dn ?? null;
        const state = change.enabled === false ? 'disabled' : 'active';
        if (planned.link === undefined) {
          // A new link (most of a first export): built as one object, without spreading a default one.
          const name = projection.name;
          const { meshId, item } = planned;
          const { connector, objectType } = projection.target;
          links.push({ projection: name, meshId, item, connector, objectType, externalId, dn, state, how: 'created', written, createdCycle: createsLink ? stamp.cycleId : null });
        } else {
          links.push({ ...planned.link, externalId, dn, state, how: 'created', written });
        }
        break;
      }
      case 'update': {
        counts.updated++;
        const link = linkOf(projection, planned);
        const attributes = { ...(link.written.attributes ?? {}) };
        for (const [name, value] of Object.entries(change.attributes)) {
          if (value.to === undefined) delete attributes[name];
          else attributes[name] = value.to;
        }
        links.push({ ...link, written: { ...link.written, attributes } });
        break;
      }
      case 'move':
        counts.moved++;
        links.push({ ...linkOf(projection, planned), dn: result.dn ?? change.newDn });
        break;
      case 'enable':
      case 'disable': {
        const enabled = change.op === 'enable';
        if (enabled) counts.enabled++;
        else counts.disabled++;
        const desiredRemoval = planned.removal === true;
        const link = linkOf(projection, planned);
        links.push({ ...link, state: enabled ? 'active' : 'disabled', written: desiredRemoval ? link.written : { ...link.written, enabled } });
        break;
      }
      case 'delete':
        counts.deleted++;
        links.push({ ...linkOf(projection, planned), state: 'deleted' });
        break;
    }
  }
  // Several changes (move then update) of one object in one batch: apply them in order to one link.
  const merged = new Map<string, LinkWrite>();
  for (const link of links) {
    // An object's own link (item '') is keyed by its mesh id alone: no key string is built for it.
    const key = link.item === '' ? link.meshId : `${link.meshId}\u0000${link.item}`;
    const previous = merged.get(key);
    if (previous === undefined) merged.set(key, link);
    else merged.set(key, { ...previous, ...link, dn: link.dn ?? previous.dn, written: { ...previous.written, ...link.written, attributes: { ...(previous.written.attributes ?? {}), ...(link.written.attributes ?? {}) } } });
  }
  const saved = [...merged.values()];
  const unheld = new Set<LinkWrite>();
  if (linked) {
    const target = projection.target;
    for (const link of saved) {
      if (link.externalId !== null && link.connector === target.connector && link.objectType === target.objectType && !linked.has(link.externalId)) unheld.add(link);
    }
    for (const link of saved) if (link.externalId !== null) linked.add(link.externalId);
  }
  return { stamp, projection: projection.name, links: saved, unheld, succeeded: succeeded.map((p) => p.meshId), failures: [...failures.values()], held, history };
}

async function writeRecord(q: Queryable, record: BatchRecord): Promise<void> {
  const { stamp } = record;
  const released = await saveTargetLinks(q, record.links, (link) => !record.unheld.has(link));
  if (stamp) await insertReleasedCreations(q, released);
  await clearFailedExports(q, record.projection, record.succeeded);
  await recordFailedExports(q, record.failures, PAUSED);
  await insertConflicts(q, record.held);
  if (stamp) await insertExportHistory(q, stamp, record.history);
}

/** The object's link, or a new one that addresses no target object yet. */
function linkOf(projection: ProjectionModel, planned: PlannedChange): TargetLink {
  return (
    planned.link ?? {
      projection: projection.name,
      meshId: planned.meshId,
      item: planned.item,
      connector: projection.target.connector,
      objectType: projection.target.objectType,
      externalId: null,
      dn: null,
      state: 'active',
      how: 'created',
      written: {},
    }
  );
}

/** A `heldBack` conflict of a create: the whole object (attribute '') or its enable ('enabled'). */
function heldBackConflict(projection: ProjectionModel, planned: PlannedChange, attribute: '' | 'enabled', reason: string): NewConflict {
  return {
    kind: 'heldBack',
    subject: { on: 'projected', projection: projection.name, meshId: planned.meshId, item: planned.item },
    scope: { in: 'projection', projection: projection.name },
    attribute,
    meshType: projection.meshType,
    details: { reason, projection: projection.name, object: planned.object },
  };
}

/** The history row of one exported change: what it wrote (never a password) and its result. */
function exportRecord(projection: ProjectionModel, planned: PlannedChange, result: ExportResult): ExportRecord {
  const outcome = !result.ok ? 'failed' : result.heldBack && planned.change.op === 'create' && !result.externalId ? 'heldBack' : 'ok';
  const error = !result.ok ? `${result.error.code}: ${result.error.message}` : outcome === 'heldBack' ? (result.heldBack ?? null) : null;
  return {
    projection: projection.name,
    meshId: planned.meshId,
    item: planned.item,
    object: planned.object,
    op: planned.change.op,
    attributes: exportedValues(planned.change),
    result: outcome,
    error,
  };
}
