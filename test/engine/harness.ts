/**
 * Engine test harness: a config compiled from inline YAML, a store (./test-store.ts) in a temp folder, and
 * in-memory systems standing in for the connectors.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileFromFiles } from '../../src/config/index.js';
import type { CompiledConfig } from '../../src/config/model.js';
import type { IdentityConnector } from '../../src/connectors/sdk.js';
import { runCycle, type CycleResult } from '../../src/engine/cycle.js';
import { logger } from '../../src/shared/logger.js';
import type { Db } from '../../src/store/db.js';
import { appended, csvConnector as csvConnectorDocument, flowRule, HR_INFLOWS, HR_PERSON, mesh, pick, projection, type Spec } from '../fixtures/config-yaml.js';
import { openTestStore } from './test-store.js';

export async function compile(yaml: string): Promise<CompiledConfig> {
  const dir = mkdtempSync(join(tmpdir(), 'imesh-config-'));
  const { config, problems } = await compileFromFiles(dir, [{ path: 'config.yaml', content: yaml }]);
  if (!config) throw new Error(`config invalid:\n${problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message}`).join('\n')}`);
  return config;
}

export interface Harness {
  db: Db;
  config: CompiledConfig;
  connectors: Record<string, IdentityConnector>;
  /** Connectors the cycles opened, in order, once per cycle each (a scoped run opens only what it needs). */
  opened: string[];
  /** `db`: the store the cycle writes through (a wrapper of `db` that observes it); `exportBatch`: CycleOptions.exportBatch. */
  cycle(options?: { full?: boolean; plan?: boolean; allowDeletes?: number; scope?: readonly string[]; now?: () => number; retryFailed?: boolean; importConcurrency?: number; exportBatch?: number; db?: Db }): Promise<CycleResult>;
  close(): Promise<void>;
}

export async function harness(yaml: string, connectors: Record<string, IdentityConnector>): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'imesh-store-'));
  const db = await openTestStore(dir);
  const h: Harness = {
    db,
    config: await compile(yaml),
    connectors,
    opened: [],
    cycle: (options = {}) =>
      runCycle(options.db ?? db, h.config, {
        kind: options.full ? 'full' : 'delta',
        mode: options.plan ? 'plan' : 'reconcile',
        revision: 'test',
        allowDeletes: options.allowDeletes,
        ...(options.retryFailed ? { retryFailed: true } : {}),
        ...(options.importConcurrency !== undefined ? { importConcurrency: options.importConcurrency } : {}),
        ...(options.exportBatch !== undefined ? { exportBatch: options.exportBatch } : {}),
        ...(options.scope ? { scope: new Set(options.scope) } : {}),
        ...(options.now ? { now: options.now } : {}),
        log: logger(),
        openConnector: async (model) => {
          h.opened.push(model.name);
          const connector = connectors[model.name];
          if (!connector) throw new Error(`no test connector for ${model.name}`);
          return { ...connector, close: async () => undefined };
        },
      }),
    async close() {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}

/** The HR person's Mesh; tests append further documents, each starting with `---`. */
export const MESH = mesh({ person: HR_PERSON }, { safety: { maxDeletes: 5, maxDeletePercent: 50 } });

/** A csv connector definition, as a document to append; the harness replaces it with an in-memory system. */
export function csvConnector(name: string, type: string, idColumn: string, extra: Spec = {}): string {
  return appended(csvConnectorDocument(name, { [type]: { file: `/tmp/imesh-test-${name}.csv`, externalIdColumn: idColumn, ...extra } }));
}

/**
 * hr users provision people (joined on employee id), projected to apps accounts with their email and
 * department and disabled on removal; `before` adds keys before the projection's attributes (a scope).
 */
export function hrToApps(before?: Spec): string {
  return (
    MESH +
    csvConnector('hr', 'user', 'employee_id', { isActiveColumn: 'active' }) +
    csvConnector('apps', 'account', 'account_id', { isActiveColumn: 'is_active' }) +
    appended(
      flowRule('hr-to-person', {
        source: 'hr/user',
        join: { employee_id: 'employeeId' },
        provision: true,
        attributes: { ...pick(HR_INFLOWS, 'employeeId', 'firstName', 'lastName', 'displayName', 'email', 'department'), active: ['active', 100] },
      }),
      projection('person-to-apps', {
        target: 'apps/account',
        before,
        attributes: { account_id: '{{employeeId}}', email: '{{email}}', department: '{{department}}' },
        after: { enabled: '{{active}}', onRemove: 'disable' },
      }),
    )
  );
}

/** A flow rule of `connector/user` into `person`, joined on employeeId; `attributes` as indented YAML. */
export const userFlow = (name: string, connector: string, idColumn: string, attributes: string, provision: boolean) => `
---
apiVersion: identitymesh.dev/v1alpha1
kind: FlowRule
metadata: { name: ${name} }
spec:
  source: { connector: ${connector}, objectType: user }
  meshType: person
  join: [ { source: ${idColumn}, mesh: employeeId } ]
  provision: ${provision}
  attributes:
${attributes}
`;
