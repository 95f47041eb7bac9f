/**
 * One reconcile cycle: import → sync → plan → gates → export → confirming import. `plan` mode runs the
 * same stages inside one transaction that is rolled back, so a preview (even of an unmerged config)
 * never changes the store, and never writes to a target.
 */
import type { CompiledConfig, ConnectorModel } from '../config/model.js';
import type { IdentityConnector, ObjectTypeCapabilities } from '../connectors/sdk.js';
import type { DriftEntry, GateTrip } from '../reports/types.js';
import { errorMessage } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { Db, Queryable } from '../store/db.js';
import { refreshStatistics, vacuumGrownTables } from '../store/maintenance.js';
import type { ConnectorOpener, CycleContext, CycleKind, CycleMode, RunTrigger } from './context.js';
import { emptyCounts, exportPlan, type ExportCounts } from './exporter.js';
import { evaluateGates } from './gates.js';
import { confirmObjects, importObjectType, lastWholeRead, type ImportOutcome } from './importer.js';
import { ensureMeshKeys } from './mesh-store.js';
import { planProjection, type ProjectionPlan } from './planner.js';
import { writeProgress } from './progress.js';
import { referenceAttributes } from './projector.js';
import { changedThisRun, covers, runScope, type RunScope } from './run-scope.js';
import { ruleOrder, syncRule, type SyncOutcome } from './sync.js';

export interface CycleOptions {
  readonly kind: CycleKind;
  readonly mode: CycleMode;
  readonly revision: string | null;
  readonly allowDeletes?: number;
  readonly openConnector: ConnectorOpener;
  readonly log: Logger;
  readonly progress?: (stage: string, done: number, total?: number) => void;
  /** Asked before each export batch; false stops exporting (leader lost its lock, shutdown). */
  readonly mayExport?: () => boolean;
  /** Plan mode: reads the store as the plan left it, before the rollback (the conflicts it would leave). */
  readonly beforeRollback?: (q: Queryable) => Promise<void>;
  /**
   * No other process writes the store now (the controller's leader lock; the embedded store's pid lock
   * always guarantees it): cycles an earlier process left `running` (it was killed) become
   * `interrupted` when this reconcile starts. Default: true for the embedded store only.
   */
  readonly soleWriter?: boolean;
  /**
   * Connectors not to contact, with the reason (plan: a secret would go to an unbound destination).
   * They are not imported, rules reading them are not synced (their objects were not read, so nothing
   * is concluded from their absence), and projections to them are not planned.
   */
  readonly skipped?: ReadonlyMap<string, string>;
  /**
   * The connectors this run covers (run-scope.ts); none: the whole mesh. Gates, provenance, conflicts
   * and reports work as in a whole-mesh run, on what the scope reads and changes.
   */
  readonly scope?: RunScope;
  /** What started the run, recorded with it (the job's `triggeredBy`). */
  readonly trigger?: RunTrigger;
}

export interface SkippedConnector {
  readonly connector: string;
  readonly reason: string;
  /** Flow rules that read it: not synced this run. */
  readonly flowRules: readonly string[];
  /** Projections that write to it: not planned this run. */
  readonly projections: readonly string[];
}

export interface ConnectorFailure {
  readonly connector: string;
  readonly stage: 'import' | 'export' | 'open';
  readonly message: string;
}

export interface CycleResult {
  readonly cycleId: number;
  readonly seq: number;
  readonly kind: CycleKind;
  readonly mode: CycleMode;
  /** The connectors the run covered, sorted; null for a whole-mesh run. */
  readonly scope: readonly string[] | null;
  readonly result: 'succeeded' | 'failed' | 'blocked';
  readonly imports: readonly ImportOutcome[];
  readonly syncs: readonly SyncOutcome[];
  readonly plans: readonly ProjectionPlan[];
  readonly gates: readonly GateTrip[];
  readonly exports: ReadonlyMap<string, ExportCounts>;
  readonly failures: readonly ConnectorFailure[];
  readonly drift: readonly DriftEntry[];
  readonly suspended: readonly string[];
  readonly skipped: readonly SkippedConnector[];
  /** Milliseconds spent per stage (import, sync, plan, export, confirm), for logs and benchmarks. */
  readonly timings: Readonly<Record<string, number>>;
}

class Rollback extends Error {
  constructor(readonly value: CycleResult) {
    super('plan rollback');
  }
}

export async function runCycle(db: Db, config: CompiledConfig, options: CycleOptions): Promise<CycleResult> {
  if (options.scope) runScope(config, options.scope);
  if (options.mode === 'reconcile') {
    const outcome = await execute(db, config, options, db, (work) => db.transaction(work));
    const started = performance.now();
    const vacuumed = await vacuumGrownTables(db);
    if (vacuumed.length === 0) return outcome;
    options.log.debug({ event: 'vacuum', tables: vacuumed }, 'vacuumed the store tables that grew');
    return { ...outcome, timings: { ...outcome.timings, maintenance: Math.round(performance.now() - started) } };
  }
  try {
    await db.transaction(async (tx) => {
      let savepoint = 0;
      const atomically = async <T>(work: (q: Queryable) => Promise<T>): Promise<T> => {
        const name = `sp${++savepoint}`;
        await tx.query(`SAVEPOINT ${name}`);
        try {
          const result = await work(tx);
          await tx.query(`RELEASE SAVEPOINT ${name}`);
          return result;
        } catch (error) {
          await tx.query(`ROLLBACK TO SAVEPOINT ${name}`);
          throw error;
        }
      };
      const outcome = await execute(db, config, options, tx, atomically);
      await options.beforeRollback?.(tx);
      throw new Rollback(outcome);
    });
  } catch (error) {
    if (error instanceof Rollback) return error.value;
    throw error;
  }
  throw new Error('unreachable');
}

async function execute(
  db: Db,
  config: CompiledConfig,
  options: CycleOptions,
  q: Queryable,
  atomically: <T>(work: (q: Queryable) => Promise<T>) => Promise<T>,
): Promise<CycleResult> {
  const startedAt = performance.now();
  const scopeList = options.scope ? [...options.scope].sort() : null;
  const seq = await q.dialect.nextval(q, 'change_seq');
  if (options.mode === 'reconcile' && (options.soleWriter ?? db.kind === 'embedded')) {
    const interrupted = await q.query<{ id: string }>(
      `UPDATE cycle SET result = 'interrupted', error = coalesce(error, 'the process running it stopped before it finished') WHERE result = 'running' RETURNING CAST(id AS text) AS id`,
    );
    if (interrupted.length > 0) options.log.warn({ event: 'cycles-interrupted', cycles: interrupted.map((r) => Number(r.id)) }, `marked ${interrupted.length} cycle(s) left running by a stopped process as interrupted`);
  }
  // A plan preview is no cycle: it takes no id (a rolled-back insert would still use one up, leaving
  // gaps in the job ids the dashboard and the API list). Its id is 0.
  const cycleId =
    options.mode === 'plan'
      ? 0
      : await insertCycle(q, options.kind, options.mode, options.revision, scopeList, options.trigger ?? null);
  const opened = new Map<string, Promise<IdentityConnector>>();
  const capabilityCache = new Map<string, ObjectTypeCapabilities>();
  const connectorModel = (name: string): ConnectorModel => {
    const model = config.connectors.get(name);
    if (!model) throw new Error(`connector "${name}" is not defined`);
    return model;
  };
  const ctx: CycleContext = {
    config,
    q,
    atomically,
    seq,
    cycleId,
    kind: options.kind,
    mode: options.mode,
    allowDeletes: options.allowDeletes,
    log: options.log,
    connector(name) {
      let connector = opened.get(name);
      if (!connector) opened.set(name, (connector = options.openConnector(connectorModel(name))));
      return connector;
    },
    async capabilities(name, type) {
      const key = `${name}\u0000${type}`;
      let caps = capabilityCache.get(key);
      if (!caps) capabilityCache.set(key, (caps = (await ctx.connector(name)).capabilities(type)));
      return caps;
    },
    progress: options.progress ?? (() => undefined),
  };

  const failures: ConnectorFailure[] = [];
  const failed = new Set<string>();
  const imports: ImportOutcome[] = [];
  const gates: GateTrip[] = [];
  const syncs: SyncOutcome[] = [];
  const plans: ProjectionPlan[] = [];
  const exports = new Map<string, ExportCounts>();
  const drift: DriftEntry[] = [];
  const suspended: string[] = [];
  const driftReadsSkipped: { connector: string; objectType: string }[] = [];
  const timings: Record<string, number> = {};
  const timed = async <T>(stage: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      timings[stage] = (timings[stage] ?? 0) + Math.round(performance.now() - started);
    }
  };
  try {
    await atomically((tx) => ensureMeshKeys(tx, config));

    // Import every declared object type (a type left out of the connector is not imported, so a declared
    // one is): those a rule reads or a projection writes first, then the rest, so a rule added later needs
    // no full re-import and status counts what the connector holds.
    const wanted = new Map<string, Set<string>>();
    const want = (connector: string, type: string) => wanted.set(connector, (wanted.get(connector) ?? new Set()).add(type));
    for (const rule of config.flowRules) want(rule.source.connector, rule.source.objectType);
    for (const projection of config.projections) want(projection.target.connector, projection.target.objectType);
    for (const [name, model] of config.connectors) for (const type of model.objectTypes) want(name, type);
    const skipped = options.skipped ?? new Map<string, string>();
    // A projection target no rule reads, without change tracking, is read whole per its driftCheck.
    const readByRules = new Set(config.flowRules.map((rule) => `${rule.source.connector}\u0000${rule.source.objectType}`));
    const targets = new Set(config.projections.map((p) => `${p.target.connector}\u0000${p.target.objectType}`));
    const scope = options.scope;
    for (const [connector, types] of wanted) {
      if (skipped.has(connector) || !covers(scope, connector)) continue;
      for (const type of types) {
        try {
          const key = `${connector}\u0000${type}`;
          if (options.kind === 'delta' && targets.has(key) && !readByRules.has(key) && !(await driftReadDue(ctx, connectorModel(connector), type))) {
            driftReadsSkipped.push({ connector, objectType: type });
            continue;
          }
          const outcome = await timed('import', () => importObjectType(ctx, connector, type, options.kind === 'full'));
          imports.push(outcome);
          if (outcome.guard) {
            gates.push(outcome.guard);
            failed.add(connector);
          }
        } catch (error) {
          failures.push({ connector, stage: 'import', message: errorMessage(error) });
          failed.add(connector);
          options.log.error({ event: 'import-failed', connector, objectType: type, error: errorMessage(error) }, 'import failed');
          break;
        }
      }
    }

    if (driftReadsSkipped.length > 0) options.log.debug({ event: 'drift-read-skipped', objectTypes: driftReadsSkipped }, 'targets without change tracking not read whole this cycle (driftCheck)');
    await timed('statistics', () => refreshStatistics(q));

    // Sync. Rules whose source import failed still run on what was staged before.
    const newLinks = new Set<string>();
    const readable = ruleOrder(config.flowRules).filter((rule) => !skipped.has(rule.source.connector) && covers(scope, rule.source.connector));
    for (const rule of readable) {
      const outcome = await timed('sync', () => syncRule(ctx, rule, options.kind === 'full'));
      syncs.push(outcome);
      if (outcome.joined + outcome.provisioned > 0) newLinks.add(rule.source.connector);
    }
    // A group synced before its new members were linked resolves them now.
    for (const rule of readable) {
      const type = config.mesh.objectTypes.get(rule.meshType);
      const hasReferences = rule.membership !== undefined || rule.attributes.some((a) => type?.attributes.get(a.mesh)?.type === 'reference');
      if (hasReferences && newLinks.has(rule.source.connector)) syncs.push(await timed('sync', () => syncRule(ctx, rule, true)));
    }

    // Corrected drift is reported once, then cleared by the next run that covers its target: a scoped
    // run leaves the other targets' records to their own runs.
    if (options.mode === 'reconcile') {
      await atomically((tx) =>
        scope === undefined
          ? tx.query(`DELETE FROM drift WHERE action = 'corrected'`)
          : tx.query(`DELETE FROM drift WHERE action = 'corrected' AND connector ${tx.dialect.in('$1')}`, [[...scope]]),
      );
    }
    await timed('statistics', () => refreshStatistics(q));

    // Projections without reference attributes first, so that references resolve to created objects.
    const waves = [
      config.projections.filter((p) => referenceAttributes(p, config.mesh.objectTypes).size === 0),
      config.projections.filter((p) => referenceAttributes(p, config.mesh.objectTypes).size > 0),
    ];
    const created = new Set<string>();
    // Projections to a target outside the scope plan only the mesh objects this run changed: partial
    // plans, after which the projection's progress stays where it was (its own run, or a whole-mesh
    // one, still sees everything else since then).
    const partial = new Set<string>();
    // The mesh objects this run changed, per mesh type: sync is over, so every projection of a type sees the same set.
    const touchedByType = new Map<string, Promise<string[]>>();
    // Confirming imports stamp their rows with a change number after this cycle's: the flow rules have
    // already synced this cycle (their progress is `seq`), so a row stamped `seq` would never reach a
    // rule that reads the target back (a table that is both target and source) until a full cycle.
    // Projections record `confirmSeq` as their progress, so what they just wrote is not re-planned.
    const confirmSeq = options.mode === 'reconcile' ? await q.dialect.nextval(q, 'change_seq') : seq;
    const confirmCtx: CycleContext = { ...ctx, seq: confirmSeq };
    for (const wave of waves) {
      const wavePlans: ProjectionPlan[] = [];
      for (const projection of wave) {
        if (failed.has(projection.target.connector) || skipped.has(projection.target.connector)) continue;
        const extra = created.has(projection.target.connector) ? await everyLinkedOrTyped(q, projection.meshType) : [];
        if (covers(scope, projection.target.connector)) {
          wavePlans.push(await timed('plan', () => planProjection(ctx, projection, options.kind === 'full', extra)));
          continue;
        }
        let touchedIds = touchedByType.get(projection.meshType);
        if (!touchedIds) touchedByType.set(projection.meshType, (touchedIds = changedThisRun(q, projection.meshType, seq)));
        const touched = await touchedIds;
        if (touched.length === 0 && extra.length === 0) continue; // nothing for it: the target is not opened
        partial.add(projection.name);
        wavePlans.push(await timed('plan', () => planProjection(ctx, projection, false, extra, touched)));
      }
      plans.push(...wavePlans);
      const trips = await evaluateGates(ctx, q, wavePlans);
      gates.push(...trips);
      const blocked = new Set(trips.map((t) => t.connector));
      for (const plan of wavePlans) drift.push(...plan.drift);
      if (options.mode !== 'reconcile') continue;

      // What each export addressed, per connector and object type: read back by key where the
      // connector can (`readObjects`), otherwise by the type's usual import.
      const exportedTo = new Map<string, Map<string, Set<string>>>();
      for (const plan of wavePlans) {
        const { connector, objectType } = plan.projection.target;
        const model = connectorModel(connector);
        const paused = config.mesh.suspend || model.suspend;
        if (paused && plan.changes.length > 0 && !suspended.includes(connector)) suspended.push(connector);
        const counts = exports.get(plan.projection.name) ?? emptyCounts();
        exports.set(plan.projection.name, counts);
        if (blocked.has(connector) || paused || (options.mayExport && !options.mayExport())) continue;
        if (plan.changes.length > 0) {
          let touched: Set<string>;
          try {
            touched = await timed('export', () => exportPlan(ctx, plan, counts));
          } catch (error) {
            failures.push({ connector, stage: 'export', message: errorMessage(error) });
            failed.add(connector);
            continue;
          }
          const byType = exportedTo.get(connector) ?? new Map<string, Set<string>>();
          exportedTo.set(connector, byType);
          const ids = byType.get(objectType) ?? new Set<string>();
          byType.set(objectType, ids);
          for (const id of touched) ids.add(id);
          if (counts.created > 0) created.add(connector);
        }
        await atomically(async (tx) => {
          await recordDrift(tx, plan, counts.failed === 0 ? 'corrected' : 'pending');
          if (!partial.has(plan.projection.name)) await writeProgress(tx, 'projection', plan.projection.name, { seq: confirmSeq, definition: plan.definition });
        });
      }
      // Confirming import: the observed state now shows what we wrote.
      for (const [connector, types] of exportedTo) {
        for (const [type, ids] of types) {
          try {
            const byKey = (await ctx.connector(connector)).readObjects !== undefined;
            const outcome = await timed('confirm', () => (byKey ? confirmObjects(confirmCtx, connector, type, [...ids]) : importObjectType(confirmCtx, connector, type, false)));
            if (outcome.guard) gates.push(outcome.guard);
          } catch (error) {
            failures.push({ connector, stage: 'import', message: `confirming import: ${errorMessage(error)}` });
          }
        }
      }
      if (exportedTo.size > 0) await timed('statistics', () => refreshStatistics(q));
    }
  } finally {
    for (const connector of opened.values()) await connector.then((c) => c.close()).catch(() => undefined);
  }

  const exportFailures = [...exports.values()].reduce((n, c) => n + c.failed, 0);
  const result: CycleResult['result'] = gates.length > 0 ? 'blocked' : failures.length > 0 || exportFailures > 0 ? 'failed' : 'succeeded';
  const skippedList = [...(options.skipped ?? new Map<string, string>())].map(([connector, reason]) => ({
    connector,
    reason,
    flowRules: config.flowRules.filter((r) => r.source.connector === connector).map((r) => r.name),
    projections: config.projections.filter((p) => p.target.connector === connector).map((p) => p.name),
  }));
  const outcome: CycleResult = { cycleId, seq, kind: options.kind, mode: options.mode, scope: scopeList, result, imports, syncs, plans, gates, exports, failures, drift, suspended, skipped: skippedList, timings };
  options.log.info({ event: 'cycle', cycleId, kind: options.kind, mode: options.mode, ...(scopeList ? { scope: scopeList } : {}), result, durationMs: Math.round(performance.now() - startedAt), timings }, 'cycle finished');
  if (options.mode === 'reconcile') await q.query(`UPDATE cycle SET result = $2, finished_at = ${q.dialect.now}, counts = ${q.dialect.json('$3')}, error = $4, type_counts = ${q.dialect.json('$5')} WHERE id = $1`, [
    cycleId,
    result,
    JSON.stringify(cycleCounts(outcome, config)),
    failures.length > 0 ? failures.map((f) => `${f.connector}: ${f.message}`).join('\n') : null,
    JSON.stringify(objectTypeCounts(outcome, config)),
  ]);
  void db;
  return outcome;
}

/**
 * Whether a delta cycle reads a target type whole for drift (only asked for types no rule reads). A type
 * with change tracking always is: its delta read costs what changed. One without follows its
 * connector's `driftCheck`; a type never read whole is read, so existing objects are adopted first.
 */
async function driftReadDue(ctx: CycleContext, model: ConnectorModel, objectType: string): Promise<boolean> {
  if ((await ctx.capabilities(model.name, objectType)).delta) return true;
  const policy = model.driftCheck ?? { kind: 'full-only' };
  if (policy.kind === 'every-cycle') return true;
  const last = await lastWholeRead(ctx.q, model.name, objectType);
  if (last === null) return true;
  if (policy.kind === 'full-only') return false;
  return Date.now() - last.getTime() >= policy.ms;
}

async function everyLinkedOrTyped(q: Queryable, meshType: string): Promise<string[]> {
  const rows = await q.query<{ id: string }>('SELECT id FROM mesh_object WHERE mesh_type = $1 AND NOT deleted', [meshType]);
  return rows.map((r) => r.id);
}

/**
 * A reconcile cycle's row; its id is the job id. The first cycle of a waiting sync request's scope and
 * of at least its kind takes the request's reserved id (src/controller/api/jobs.ts): on PostgreSQL a
 * trigger does it (migrations 2, 7 and 8, so replicas sharing a store agree); on SQLite, the single
 * writer does it here. A connector's run never takes a request for everything, nor the reverse.
 */
async function insertCycle(q: Queryable, kind: CycleKind, mode: string, revision: string | null | undefined, scope: readonly string[] | null, trigger: RunTrigger | null): Promise<number> {
  if (q.dialect.name === 'postgres') {
    const rows = await q.query<{ id: string }>(`INSERT INTO cycle (kind, mode, revision, result, scope, trigger) VALUES ($1, $2, $3, 'running', $4, $5) RETURNING CAST(id AS text) AS id`, [kind, mode, revision, scope, trigger]);
    return Number(rows[0]?.id);
  }
  const claimed = mode !== 'reconcile' ? [] : await q.query<{ id: number }>(
    `UPDATE job_request SET state = 'started', started_at = ${q.dialect.now} WHERE state = 'queued' AND (kind = 'delta' OR $1 = 'full') AND scope_key = $2 RETURNING id`,
    [kind, scope === null ? '*' : scope.join(',')],
  );
  const id = claimed[0]?.id ?? (await q.dialect.nextval(q, 'cycle_id_seq'));
  await q.query(`INSERT INTO cycle (id, kind, mode, revision, result, scope, trigger) VALUES ($1, $2, $3, $4, 'running', $5, $6)`, [id, kind, mode, revision, scope, trigger]);
  return id;
}

async function recordDrift(q: Queryable, plan: ProjectionPlan, enforced: 'corrected' | 'pending'): Promise<void> {
  const name = plan.projection.name;
  if (plan.full) await q.query('DELETE FROM drift WHERE projection = $1', [name]);
  else if (plan.compared.length > 0) await q.query(`DELETE FROM drift WHERE projection = $1 AND object ${q.dialect.in('$2')}`, [name, plan.compared]);
  if (plan.drift.length === 0) return;
  const rows = plan.drift.map((d) => ({ ...d, action: d.action === 'pending' ? enforced : d.action }));
  await q.query(
    `INSERT INTO drift (projection, connector, object, attribute, desired, actual, action)
     SELECT x.projection, x.connector, x.object, x.attribute, x.desired, x.actual, x.action
       FROM ${q.dialect.records('$1', { projection: 'text', connector: 'text', object: 'text', attribute: 'text', desired: 'jsonb', actual: 'jsonb', action: 'text' })} WHERE true
     ON CONFLICT (projection, object, attribute) DO UPDATE SET desired = EXCLUDED.desired, actual = EXCLUDED.actual, action = EXCLUDED.action, detected_at = ${q.dialect.now}`,
    [JSON.stringify(rows)],
  );
}

export const OBJECT_TYPE_COUNTERS = ['created', 'updated', 'moved', 'disabled', 'deleted', 'failed'] as const;

/** Export counts per target object type (`user.created`, `group.updated`), as a job shows them. */
export function objectTypeCounts(outcome: CycleResult, config: CompiledConfig): Record<string, Record<(typeof OBJECT_TYPE_COUNTERS)[number], number>> {
  const counts: Record<string, Record<(typeof OBJECT_TYPE_COUNTERS)[number], number>> = {};
  for (const [name, exported] of outcome.exports) {
    const type = config.projections.find((p) => p.name === name)?.target.objectType;
    if (type === undefined) continue;
    const bucket = (counts[type] ??= { created: 0, updated: 0, moved: 0, disabled: 0, deleted: 0, failed: 0 });
    for (const key of OBJECT_TYPE_COUNTERS) bucket[key] += exported[key];
  }
  return counts;
}

/** Per-connector counts of one cycle, as a job shows them. */
export function cycleCounts(outcome: CycleResult, config: CompiledConfig): Record<string, Record<string, number>> {
  const counts: Record<string, Record<string, number>> = {};
  const bucket = (connector: string) => (counts[connector] ??= {});
  const add = (connector: string, key: string, n: number) => {
    if (n === 0) return;
    const b = bucket(connector);
    b[key] = (b[key] ?? 0) + n;
  };
  for (const i of outcome.imports) {
    bucket(i.connector);
    add(i.connector, 'imported', i.changed);
    add(i.connector, 'read', i.read);
    add(i.connector, 'deletedInSource', i.deleted);
    add(i.connector, 'heldBack', i.heldBack ?? 0);
  }
  for (const [projection, c] of outcome.exports) {
    const connector = config.projections.find((p) => p.name === projection)?.target.connector ?? projection;
    add(connector, 'created', c.created);
    add(connector, 'updated', c.updated);
    add(connector, 'moved', c.moved);
    add(connector, 'enabled', c.enabled);
    add(connector, 'disabled', c.disabled);
    add(connector, 'deleted', c.deleted);
    add(connector, 'failed', c.failed);
    add(connector, 'heldBack', c.heldBack);
  }
  for (const f of outcome.failures) add(f.connector, 'errors', 1);
  for (const s of outcome.syncs) {
    const connector = config.flowRules.find((r) => r.name === s.rule)?.source.connector;
    if (!connector) continue;
    add(connector, 'conflicts', s.ambiguous);
    add(connector, 'provisioned', s.provisioned);
    add(connector, 'joined', s.joined);
  }
  return counts;
}
