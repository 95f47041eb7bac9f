/**
 * /metrics names and series as alert rules need them, and the shipped PrometheusRule checked against
 * what the registry renders.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/index.js';
import { ControllerMetrics } from '../../src/controller/metrics.js';
import type { ReconcileOnceResult } from '../../src/controller/reconcile-once.js';
import type { CycleResult } from '../../src/engine/cycle.js';

async function quickstartMetrics(): Promise<string> {
  const { config } = await loadConfig(resolve('samples/quickstart'));
  const metrics = new ControllerMetrics();
  metrics.declareConnectors(config!);
  return metrics.render();
}

const names = (text: string): Set<string> => new Set(text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.replace(/[{ ].*$/, '')));

describe('controller metrics', () => {
  it('uses the standard process_* and nodejs_* names', async () => {
    const text = await quickstartMetrics();
    const all = names(text);
    expect(all).toContain('process_cpu_seconds_total');
    expect(all).toContain('process_resident_memory_bytes');
    expect(all).toContain('nodejs_heap_size_used_bytes');
    expect(text).not.toContain('imesh_process_');
  });

  it('has every per-connector series from the start: last_success 0 for a connector that never succeeded', async () => {
    const text = await quickstartMetrics();
    for (const connector of ['hr', 'badges', 'apps', 'phonebook']) {
      expect(text).toContain(`imesh_connector_last_success_timestamp_seconds{connector="${connector}"} 0`);
      expect(text).toContain(`imesh_connector_up{connector="${connector}"} 0`);
      for (const gate of ['maxDeletes', 'maxDeletePercent', 'importGuard']) expect(text).toContain(`imesh_safety_gate_trips_total{connector="${connector}",gate="${gate}"} 0`);
      expect(text).toContain(`imesh_objects_exported_total{connector="${connector}",operation="failed"} 0`);
    }
    expect(text).toContain('imesh_cycles_total{kind="delta",result="failed"} 0');
  });

  it('imesh_connector_up: 1 after a run that read the connector, 0 after one that failed it; a scoped run speaks only for what it covered', async () => {
    const { config } = await loadConfig(resolve('samples/quickstart'));
    const metrics = new ControllerMetrics();
    metrics.declareConnectors(config!);
    const outcome: CycleResult = {
      cycleId: 1, seq: 1, kind: 'delta', mode: 'reconcile', scope: null, result: 'failed', imports: [], syncs: [], plans: [], heldBack: [], gates: [], policyViolations: [],
      exports: new Map(), givenUp: [], failures: [{ connector: 'badges', stage: 'import', message: 'unreadable' }], drift: [], suspended: [], skipped: [], timings: {}, approvals: [],
    };
    const finished = (o: CycleResult) => metrics.cycleFinished({ outcome: o, drift: { drift: [] }, conflicts: { conflicts: [] } } as unknown as ReconcileOnceResult, config!, 1, 1_000_000);
    finished(outcome);
    let text = await metrics.render();
    for (const connector of ['hr', 'apps', 'phonebook']) expect(text).toContain(`imesh_connector_up{connector="${connector}"} 1`);
    expect(text).toContain('imesh_connector_up{connector="badges"} 0');
    expect(text).toContain('imesh_connector_last_success_timestamp_seconds{connector="badges"} 0');

    // A run of badges alone that now succeeds brings it up; hr's series are not touched by it.
    finished({ ...outcome, scope: ['badges'], result: 'succeeded', failures: [] });
    text = await metrics.render();
    expect(text).toContain('imesh_connector_up{connector="badges"} 1');
    expect(text).toContain('imesh_connector_last_success_timestamp_seconds{connector="badges"} 1000');
    finished({ ...outcome, scope: ['hr'], failures: [{ connector: 'hr', stage: 'open', message: 'x' }] });
    text = await metrics.render();
    expect(text).toContain('imesh_connector_up{connector="hr"} 0');
    expect(text).toContain('imesh_connector_up{connector="badges"} 1');
  });

  it('the shipped PrometheusRule alerts only on metrics the controller serves', async () => {
    const rule = parse(readFileSync(resolve('deploy/kubernetes/monitoring/prometheus-rule.yaml'), 'utf8')) as {
      kind: string;
      spec: { groups: { rules: { alert: string; expr: string }[] }[] };
    };
    expect(rule.kind).toBe('PrometheusRule');
    const served = names(await quickstartMetrics());
    const rules = rule.spec.groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert)).toEqual(['IdentityMeshConfigInvalid', 'IdentityMeshConnectorStale', 'IdentityMeshSafetyGateTripped', 'IdentityMeshNoLeader']);
    for (const r of rules) {
      const used = [...r.expr.matchAll(/\b(imesh_[a-z_]+)/g)].map((m) => m[1]!);
      expect(used.length, r.alert).toBeGreaterThan(0);
      for (const name of used) expect(served, `${r.alert}: ${name}`).toContain(name);
    }
  });
});
