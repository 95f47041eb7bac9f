/**
 * Export: send planned changes to a target in idempotent batches and record what happened. A failed
 * object is recorded and retried next cycle without holding back the rest.
 */
import { randomInt } from 'node:crypto';
import type { PasswordPolicy, ProjectionModel } from '../config/model.js';
import { envSecretResolver } from '../config/secrets.js';
import type { ExportChange, ExportResult } from '../connectors/sdk.js';
import { errorMessage, ImeshError } from '../shared/errors.js';
import type { Queryable } from '../store/db.js';
import type { CycleContext } from './context.js';
import { insertConflicts } from './tables/conflicts.js';
import type { PlannedChange, ProjectionPlan } from './planner.js';
import { historyStamp } from './history-stamp.js';
import { exportedValues } from './exported-values.js';
import { insertExportHistory, type ExportRecord } from './tables/export-history.js';
import type { HistoryStamp } from './tables/value-history.js';
import { saveTargetLinks, type LinkWrite, type TargetLink, type Written } from './target-links.js';

const BATCH = 2000;

export interface ExportCounts {
  created: number;
  updated: number;
  moved: number;
  enabled: number;
  disabled: number;
  deleted: number;
  failed: number;
  heldBack: number;
}

export function emptyCounts(): ExportCounts {
  return { created: 0, updated: 0, moved: 0, enabled: 0, disabled: 0, deleted: 0, failed: 0, heldBack: 0 };
}

/** Moves run before updates so an update addresses the object where it now lives. */
const ORDER: Record<ExportChange['op'], number> = { create: 0, move: 1, update: 2, enable: 3, disable: 4, delete: 5 };

/**
 * Exports a projection's plan; returns the external ids of the target objects it addressed, so that the
 * confirming import can read back exactly those.
 */
export async function exportPlan(ctx: CycleContext, plan: ProjectionPlan, counts: ExportCounts): Promise<Set<string>> {
  const touched = new Set<string>();
  const connector = await ctx.connector(plan.projection.target.connector);
  const ordered = [...plan.changes].sort((a, b) => ORDER[a.change.op] - ORDER[b.change.op]);
  const password = plan.projection.password;
  const outgoing = (batch: readonly PlannedChange[]): ExportChange[] =>
    batch.map((p) => (p.change.op === 'create' && password ? { ...p.change, password: initialPassword(password) } : p.change));
  const batches: PlannedChange[][] = [];
  for (let start = 0; start < ordered.length; start += BATCH) batches.push(ordered.slice(start, start + BATCH));
  const label = `export ${plan.projection.name}`;

  if (connector.beginExport) {
    // One session for the whole plan: the connector applies it at commit, and only then is anything
    // recorded as exported (a crash before the commit returns leaves the store as if nothing was sent).
    const session = connector.beginExport(plan.projection.target.objectType);
    let results: ExportResult[];
    try {
      for (const batch of batches) session.add(outgoing(batch));
      results = await session.commit();
    } catch (error) {
      session.abort();
      results = ordered.map((p) => failedResult(p, error));
    }
    const byId = resultsById(results);
    let done = 0;
    for (const batch of batches) {
      await ctx.atomically((q) => record(q, historyStamp(ctx), plan, batch, byId, counts, touched));
      ctx.progress(label, (done += batch.length), ordered.length);
    }
    return touched;
  }

  let done = 0;
  for (const batch of batches) {
    let results: ExportResult[];
    try {
      results = await connector.export(plan.projection.target.objectType, outgoing(batch));
    } catch (error) {
      results = batch.map((p) => failedResult(p, error));
    }
    const byId = resultsById(results);
    await ctx.atomically((q) => record(q, historyStamp(ctx), plan, batch, byId, counts, touched));
    ctx.progress(label, (done += batch.length), ordered.length);
  }
  return touched;
}

function failedResult(planned: PlannedChange, error: unknown): ExportResult {
  const code = error instanceof ImeshError ? error.code : 'ExportFailed';
  const retryable = error instanceof ImeshError ? error.retryable : true;
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

function resultsById(results: readonly ExportResult[]): ReadonlyMap<string, ExportResult> {
  return new Map(results.map((r) => [r.id, r]));
}

async function record(
  q: Queryable,
  stamp: HistoryStamp,
  plan: ProjectionPlan,
  batch: readonly PlannedChange[],
  byId: ReadonlyMap<string, ExportResult>,
  counts: ExportCounts,
  touched: Set<string>,
): Promise<void> {
  const links: LinkWrite[] = [];
  const history: ExportRecord[] = [];
  const succeeded: PlannedChange[] = [];
  const failures: { projection: string; mesh_id: string; item: string; op: string; code: string; message: string; retryable: boolean }[] = [];
  const held: Parameters<typeof insertConflicts>[1][number][] = [];
  const { projection } = plan;
  for (const planned of batch) {
    const result = byId.get(planned.change.id) ?? { id: planned.change.id, ok: false as const, error: { code: 'NoResult', message: 'the connector returned no result for this change', retryable: true } };
    const address = planned.change.op === 'create' ? ((result.ok ? result.externalId : undefined) ?? planned.change.key) : planned.change.externalId;
    if (address !== undefined) touched.add(address);
    history.push(exportRecord(projection, planned, result));
    if (!result.ok) {
      counts.failed++;
      failures.push({ projection: projection.name, mesh_id: planned.meshId, item: planned.item, op: planned.change.op, code: result.error.code, message: result.error.message, retryable: result.error.retryable });
      continue;
    }
    succeeded.push(planned);
    const link: TargetLink = planned.link ?? {
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
    };
    const change = planned.change;
    switch (change.op) {
      case 'create': {
        if (result.heldBack && !result.externalId) {
          counts.heldBack++;
          held.push({ kind: 'heldBack', subject: `${projection.name}/${planned.meshId}/${planned.item}`, attribute: '', mesh_type: projection.meshType, scope: `projection:${projection.name}`, details: { reason: result.heldBack, projection: projection.name, object: planned.object } });
          failures.push({ projection: projection.name, mesh_id: planned.meshId, item: planned.item, op: 'create', code: 'HeldBack', message: result.heldBack, retryable: true });
          continue;
        }
        counts.created++;
        const enableHeldBack = result.heldBack !== undefined && change.enabled === true;
        if (enableHeldBack) {
          held.push({ kind: 'heldBack', subject: `${projection.name}/${planned.meshId}/${planned.item}`, attribute: 'enabled', mesh_type: projection.meshType, scope: `projection:${projection.name}`, details: { reason: result.heldBack, projection: projection.name, object: planned.object } });
        }
        const written: Written = { attributes: change.attributes, enabled: change.enabled, ...(enableHeldBack ? { enableHeldBack } : {}) };
        links.push({ ...link, externalId: result.externalId ?? change.key ?? null, dn: result.dn ?? change.dn ?? null, state: change.enabled === false ? 'disabled' : 'active', how: 'created', written });
        break;
      }
      case 'update': {
        counts.updated++;
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
        links.push({ ...link, dn: result.dn ?? change.newDn });
        break;
      case 'enable':
      case 'disable': {
        const enabled = change.op === 'enable';
        if (enabled) counts.enabled++;
        else counts.disabled++;
        const desiredRemoval = planned.desired === undefined;
        links.push({ ...link, state: enabled ? 'active' : 'disabled', written: desiredRemoval ? link.written : { ...link.written, enabled } });
        break;
      }
      case 'delete':
        counts.deleted++;
        links.push({ ...link, state: 'deleted' });
        break;
    }
  }
  // Several changes (move then update) of one object in one batch: apply them in order to one link.
  const merged = new Map<string, LinkWrite>();
  for (const link of links) {
    const key = `${link.meshId}\u0000${link.item}`;
    const previous = merged.get(key);
    merged.set(key, previous ? { ...previous, ...link, dn: link.dn ?? previous.dn, written: { ...previous.written, ...link.written, attributes: { ...(previous.written.attributes ?? {}), ...(link.written.attributes ?? {}) } } } : link);
  }
  await saveTargetLinks(q, [...merged.values()]);
  const cleared = succeeded.map((p) => p.meshId);
  if (cleared.length > 0) await q.query(`DELETE FROM export_error WHERE projection = $1 AND mesh_id ${q.dialect.in('$2')}`, [projection.name, cleared]);
  if (failures.length > 0) {
    await q.query(
      `INSERT INTO export_error (projection, mesh_id, item, op, code, message, retryable)
       SELECT x.projection, x.mesh_id, x.item, x.op, x.code, x.message, x.retryable
         FROM ${q.dialect.records('$1', { projection: 'text', mesh_id: 'text', item: 'text', op: 'text', code: 'text', message: 'text', retryable: 'boolean' })} WHERE true
       ON CONFLICT (projection, mesh_id, item) DO UPDATE
         SET op = EXCLUDED.op, code = EXCLUDED.code, message = EXCLUDED.message, retryable = EXCLUDED.retryable,
             attempts = export_error.attempts + 1, at = ${q.dialect.now}`,
      [JSON.stringify(failures)],
    );
  }
  await insertConflicts(q, held);
  await insertExportHistory(q, stamp, history);
}

/** The history row of one exported change: what it wrote (never a password) and its result. */
function exportRecord(projection: ProjectionModel, planned: PlannedChange, result: ExportResult): ExportRecord {
  const outcome = !result.ok ? 'failed' : result.heldBack && planned.change.op === 'create' && !result.externalId ? 'heldBack' : 'ok';
  const error = !result.ok ? `${result.error.code}: ${result.error.message}` : outcome === 'heldBack' ? (result.heldBack ?? null) : null;
  return {
    projection: projection.name,
    meshId: planned.meshId,
    item: planned.item,
    connector: projection.target.connector,
    objectType: projection.target.objectType,
    object: planned.object,
    op: planned.change.op,
    attributes: exportedValues(planned.change),
    result: outcome,
    error,
  };
}
