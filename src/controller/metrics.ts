/**
 * Prometheus metrics for `/metrics` (prom-client, a private registry). What an operator alerts on:
 * cycles failing or blocked, no successful cycle for a connector in a while, gates tripping, the
 * config being invalid (`imesh_config_invalid` 1 — an invalid revision must never look healthy),
 * drift and conflicts growing, report pushes failing, no leader.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CompiledConfig } from '../config/model.js';
import type { CycleKind } from '../engine/context.js';
import { CLEAR_GATES, DELETE_GATES, POLICY_GATES } from '../reports/types.js';
import type { ReconcileOnceResult } from './reconcile-once.js';
import type { WebhookResult } from './webhook.js';

const EXPORT_OPS = ['created', 'updated', 'moved', 'enabled', 'disabled', 'deleted', 'failed', 'heldBack'] as const;

export class ControllerMetrics {
  readonly registry = new Registry();
  private readonly cycles = new Counter({ name: 'imesh_cycles_total', help: 'Reconcile cycles by kind and result (succeeded, failed, blocked, error).', labelNames: ['kind', 'result'], registers: [this.registry] });
  private readonly duration = new Histogram({
    name: 'imesh_cycle_duration_seconds',
    help: 'Wall-clock duration of reconcile cycles.',
    labelNames: ['kind'],
    buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
    registers: [this.registry],
  });
  private readonly running = new Gauge({ name: 'imesh_cycle_running', help: '1 while a cycle runs.', registers: [this.registry] });
  private readonly imported = new Counter({ name: 'imesh_objects_imported_total', help: 'Connector-space objects that changed on import, per connector.', labelNames: ['connector'], registers: [this.registry] });
  private readonly exported = new Counter({ name: 'imesh_objects_exported_total', help: 'Objects written to targets, per connector and operation.', labelNames: ['connector', 'operation'], registers: [this.registry] });
  private readonly drift = new Gauge({ name: 'imesh_drift_entries', help: 'Drift entries after the last cycle, per connector and action (corrected, reported, pending).', labelNames: ['connector', 'action'], registers: [this.registry] });
  private readonly conflicts = new Gauge({ name: 'imesh_conflicts', help: 'Open conflicts after the last cycle, per kind (attribute, ambiguousJoin, heldBack).', labelNames: ['kind'], registers: [this.registry] });
  private readonly up = new Gauge({
    name: 'imesh_connector_up',
    help: '1 when the last run that involved this connector read and wrote it without a connector failure (a tripped gate does not count), 0 when it failed or before its first success.',
    labelNames: ['connector'],
    registers: [this.registry],
  });
  private readonly lastSuccess = new Gauge({ name: 'imesh_connector_last_success_timestamp_seconds', help: 'When a cycle last finished without failure or gate for this connector (Unix time).', labelNames: ['connector'], registers: [this.registry] });
  private readonly lastCycleSuccess = new Gauge({ name: 'imesh_last_successful_cycle_timestamp_seconds', help: 'When the last cycle that succeeded finished (Unix time).', registers: [this.registry] });
  private readonly gates = new Counter({ name: 'imesh_safety_gate_trips_total', help: 'Safety gate trips, per connector and gate.', labelNames: ['connector', 'gate'], registers: [this.registry] });
  private readonly configInfo = new Gauge({ name: 'imesh_config_revision_info', help: 'The config revisions: applied (running) and attempted (newest fetched); value 1.', labelNames: ['applied', 'attempted'], registers: [this.registry] });
  private readonly configInvalid = new Gauge({ name: 'imesh_config_invalid', help: '1 when the newest revision is invalid and the last good one keeps running (condition ConfigInvalid).', registers: [this.registry] });
  private readonly configProblems = new Gauge({ name: 'imesh_config_problems', help: 'Validation problems in the newest revision.', registers: [this.registry] });
  private readonly leader = new Gauge({ name: 'imesh_leader', help: '1 when this replica holds the leader lock and reconciles; 0 on standby.', registers: [this.registry] });
  private readonly pushFailures = new Counter({ name: 'imesh_reports_push_failures_total', help: 'Failed pushes of the reports branch (reconciliation continues; reported as ReportsPushFailed).', registers: [this.registry] });
  private readonly fetchFailures = new Counter({ name: 'imesh_git_fetch_failures_total', help: 'Failed fetches of the config repository.', registers: [this.registry] });
  private readonly webhooks = new Counter({ name: 'imesh_webhook_requests_total', help: 'Webhook deliveries by result (github, gitlab, unsigned, bad-signature, bad-token).', labelNames: ['result'], registers: [this.registry] });

  private readonly declared = new Set<string>();

  constructor() {
    // The standard names (process_cpu_seconds_total, nodejs_heap_size_used_bytes …) that dashboards
    // and alert rules for Node.js services expect.
    collectDefaultMetrics({ register: this.registry });
    this.configInvalid.set(0);
    this.leader.set(0);
    this.running.set(0);
    for (const kind of ['delta', 'full']) for (const result of ['succeeded', 'failed', 'blocked', 'error']) this.cycles.inc({ kind, result }, 0);
  }

  /**
   * Creates every labelled series of the config's connectors at 0 before anything happens, so alert
   * rules see them: a connector that never succeeded has `last_success` 0 (the staleness alert fires),
   * and `increase()` over a gate's counter works from its first trip.
   */
  declareConnectors(config: CompiledConfig): void {
    for (const name of config.connectors.keys()) {
      if (this.declared.has(name)) continue;
      this.declared.add(name);
      this.lastSuccess.set({ connector: name }, 0);
      this.up.set({ connector: name }, 0);
      for (const gate of [...DELETE_GATES, ...CLEAR_GATES, ...POLICY_GATES]) this.gates.inc({ connector: name, gate }, 0);
      this.imported.inc({ connector: name }, 0);
      for (const operation of EXPORT_OPS) this.exported.inc({ connector: name, operation }, 0);
    }
  }

  cycleStarted(): void {
    this.running.set(1);
  }

  cycleErrored(kind: CycleKind, seconds: number): void {
    this.running.set(0);
    this.cycles.inc({ kind, result: 'error' });
    this.duration.observe({ kind }, seconds);
  }

  cycleFinished(result: ReconcileOnceResult, config: CompiledConfig, seconds: number, at = Date.now()): void {
    const { outcome } = result;
    this.declareConnectors(config);
    this.running.set(0);
    this.cycles.inc({ kind: outcome.kind, result: outcome.result });
    this.duration.observe({ kind: outcome.kind }, seconds);
    for (const i of outcome.imports) if (i.changed > 0) this.imported.inc({ connector: i.connector }, i.changed);
    for (const [projection, counts] of outcome.exports) {
      const connector = config.projections.find((p) => p.name === projection)?.target.connector ?? projection;
      for (const op of EXPORT_OPS) if (counts[op] > 0) this.exported.inc({ connector, operation: op }, counts[op]);
    }
    for (const gate of outcome.gates) this.gates.inc({ connector: gate.connector, gate: gate.gate });

    this.drift.reset();
    const drift = new Map<string, number>();
    for (const d of result.drift.drift) drift.set(`${d.connector}\u0000${d.action}`, (drift.get(`${d.connector}\u0000${d.action}`) ?? 0) + 1);
    for (const [key, n] of drift) {
      const [connector, action] = key.split('\u0000') as [string, string];
      this.drift.set({ connector, action }, n);
    }
    this.conflicts.reset();
    for (const kind of ['attribute', 'ambiguousJoin', 'heldBack']) this.conflicts.set({ kind }, 0);
    for (const c of result.conflicts.conflicts) this.conflicts.inc({ kind: c.kind });

    const troubled = new Set([...outcome.failures.map((f) => f.connector), ...outcome.gates.map((g) => g.connector)]);
    for (const [projection, counts] of outcome.exports) {
      if (counts.failed > 0) troubled.add(config.projections.find((p) => p.name === projection)?.target.connector ?? projection);
    }
    // A scoped run speaks only for the connectors it covered and the targets it reached.
    const involved = outcome.scope ? new Set([...outcome.scope, ...outcome.plans.map((p) => p.projection.target.connector)]) : new Set(config.connectors.keys());
    const broken = new Set(outcome.failures.map((f) => f.connector));
    for (const name of involved) {
      if (!config.connectors.has(name)) continue;
      this.up.set({ connector: name }, broken.has(name) ? 0 : 1);
      if (!troubled.has(name)) this.lastSuccess.set({ connector: name }, at / 1000);
    }
    if (outcome.result === 'succeeded') this.lastCycleSuccess.set(at / 1000);
  }

  config(applied: string | null, attempted: string | null, problems: number): void {
    this.configInfo.reset();
    this.configInfo.set({ applied: applied ?? '', attempted: attempted ?? '' }, 1);
    this.configInvalid.set(problems > 0 ? 1 : 0);
    this.configProblems.set(problems);
  }

  setLeader(leader: boolean): void {
    this.leader.set(leader ? 1 : 0);
  }

  reportsPushFailed(): void {
    this.pushFailures.inc();
  }

  gitFetchFailed(): void {
    this.fetchFailures.inc();
  }

  webhook(result: WebhookResult): void {
    this.webhooks.inc({ result });
  }

  contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
