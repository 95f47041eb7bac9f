/**
 * The controller loop in-process, with a config directory (`imesh run --config DIR`) inside a Git
 * work tree, real CSV connectors and a PostgreSQL store schema: reports on the local reports branch,
 * working-tree edits applied, an invalid revision with nothing to fall back on, a restart that falls
 * back on the store's last applied revision, and a shutdown that stops further export batches.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { connectorOpener, publishReports } from '../../src/cli/runtime.js';
import { compileFromFiles, loadConfig } from '../../src/config/index.js';
import { directorySource } from '../../src/controller/config-sources.js';
import { Controller } from '../../src/controller/controller.js';
import { guardExports } from '../../src/controller/export-guard.js';
import { singleProcessLeader } from '../../src/controller/leader-election.js';
import { ControllerMetrics } from '../../src/controller/metrics.js';
import { localPublisher } from '../../src/controller/report-publisher.js';
import { loadSecretBindings } from '../../src/engine/secret-bindings.js';
import { configRevision } from '../../src/git/config-revision.js';
import type { IdentityConnector } from '../../src/connectors/sdk.js';
import type { ConnectorModel } from '../../src/config/model.js';
import { openStore } from '../../src/store/open-store.js';
import type { Db } from '../../src/store/db.js';
import { git, removeTempDirs, tryGit } from '../git/temp-repo.js';
import { dropSchema, makeWorld, rulesYaml, targetRows, waitFor, type World } from './process-harness.js';
import { quietLogger } from './quiet-logger.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
const schemas: string[] = [];
afterAll(async () => {
  for (const s of schemas) await dropSchema(inject('pgUrl'), s);
  removeTempDirs();
});

async function controllerFor(w: World, db: Db, lines: string[] = []): Promise<Controller> {
  const configDir = join(w.seed, 'config');
  const log = quietLogger(lines);
  const controller = new Controller({
    source: directorySource(configDir),
    publisher: localPublisher(async (reports, revision, files, message) => {
      const g = await configRevision(configDir);
      return publishReports(reports, { revision, ...(g.inGit ? { repoRoot: g.repoRoot } : {}) }, files, message);
    }),
    db,
    elector: singleProcessLeader(),
    metrics: new ControllerMetrics(),
    log,
    openConnector: (config) => connectorOpener(config, log, undefined, [dirname(w.hrFile), dirname(w.targetFile)]),
    loadConfig,
    compileFromFiles,
    pollIntervalMs: 200,
    port: 0,
    host: '127.0.0.1',
  });
  cleanups.push(async () => {
    await controller.stop();
    await controller.done();
  });
  await controller.start();
  return controller;
}

async function store(w: World): Promise<Db> {
  schemas.push(w.schema);
  const db = await openStore({ url: w.storeUrl, workDir: w.dir });
  cleanups.push(() => db.close());
  return db;
}

function localStatus(w: World): Record<string, unknown> | undefined {
  const text = tryGit(w.seed, 'show', 'identity-mesh/status:reports/status.json');
  return text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
}

describe('controller with --config DIR', () => {
  it('reconciles, commits reports to the local reports branch, and applies working-tree edits', async () => {
    const w = makeWorld(inject('pgUrl'), [['E1', 'Alice', 'eng']]);
    const db = await store(w);
    const controller = await controllerFor(w, db);
    await waitFor('the export', () => targetRows(w).byId.get('E1')?.display === 'Alice');
    const head = git(w.seed, 'rev-parse', 'HEAD').trim();
    await waitFor('status on the local reports branch', () => localStatus(w)?.lastAppliedRevision === head);
    expect(git(w.seed, 'status', '--porcelain')).toBe(''); // the work tree is untouched by reports

    writeFileSync(join(w.seed, 'config/rules.yaml'), rulesYaml({ hrFile: w.hrFile, targetFile: w.targetFile, display: 'Dr. {{name}}' }));
    await waitFor('the edited rule applied', () => targetRows(w).byId.get('E1')?.display === 'Dr. Alice');
    expect(controller.status()).toMatchObject({ appliedRevision: `${head}-dirty`, configInvalid: false, role: 'leader' });
  });

  it('binds the destinations of the revision it applies (issue 14: the controller on its branch is trusted)', async () => {
    const w = makeWorld(inject('pgUrl'), [['E1', 'Alice', 'eng']]);
    const pg = new URL(inject('pgUrl'));
    // A connector that sends a secret somewhere: the test server's catalog, read-only.
    writeFileSync(
      join(w.seed, 'config/catalog.yaml'),
      `apiVersion: identitymesh.dev/v1alpha1
kind: Connector
metadata: { name: catalog }
spec:
  type: sql
  connection: { driver: postgres, connectionString: "postgres://${decodeURIComponent(pg.username)}:{{secret:catalog-password}}@${pg.host}${pg.pathname}" }
  objectTypes:
    database: { table: pg_catalog.pg_database, externalIdColumn: datname, columnsToLoad: [datname] }
`,
    );
    git(w.seed, 'add', '-A');
    git(w.seed, 'commit', '-qm', 'a catalog connector');
    process.env.IMESH_SECRET_CATALOG_PASSWORD = 'not-needed-with-trust-auth';
    cleanups.push(async () => void delete process.env.IMESH_SECRET_CATALOG_PASSWORD);
    const db = await store(w);
    const lines: string[] = [];
    await controllerFor(w, db, lines);
    // Recorded before the cycle contacts anything; a busy machine gets a generous wait (no timing asserted).
    const reader = await openStore({ url: w.storeUrl, workDir: w.dir }); // its own connection: the controller's is busy
    cleanups.push(() => reader.close());
    const bindings = await waitFor('the binding', async () => {
      const found = await loadSecretBindings(reader);
      return found.length > 0 ? found : undefined;
    }, 120_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${lines.join('\n')}`);
    });
    expect(bindings.map(({ secret, destination, connector }) => ({ secret, destination, connector }))).toEqual([
      { secret: 'catalog-password', destination: `postgres://${pg.hostname}:${pg.port || 5432}${pg.pathname}`, connector: 'catalog' },
    ]);
    expect(bindings[0]!.revision).toBe(git(w.seed, 'rev-parse', 'HEAD').trim());
  });

  it('with no valid revision anywhere: publishes ConfigInvalid under the default reports branch and stays ready (reported, not unready)', async () => {
    const w = makeWorld(inject('pgUrl'), [['E1', 'Alice', 'eng']]);
    writeFileSync(join(w.seed, 'config/mesh.yaml'), 'apiVersion: identitymesh.dev/v1alpha1\nkind: Mesh\nmetadata: { name: x }\nspec: { objectTypes: 42 }\n');
    git(w.seed, 'commit', '-qam', 'broken mesh');
    const db = await store(w);
    const controller = await controllerFor(w, db);
    const status = await waitFor('ConfigInvalid on the reports branch', () => localStatus(w));
    const head = git(w.seed, 'rev-parse', 'HEAD').trim();
    expect(status).toMatchObject({ lastAppliedRevision: null, lastAttemptedRevision: head });
    const invalid = (status.conditions as { type: string; status: string; message: string }[]).find((c) => c.type === 'ConfigInvalid');
    expect(invalid?.status).toBe('True');
    expect(invalid?.message).toMatch(/mesh\.yaml:4:\d+: /);
    expect(controller.status()).toMatchObject({ configInvalid: true, appliedRevision: null });
    // DESIGN §8: reported (configInvalid), yet the replica serves: ready (the old contract said not ready).
    expect(controller.ready()).toBe(true);
    expect(targetRows(w).ids).toEqual([]);
  });

  it('after a restart whose newest revision is invalid, runs the last applied revision from the store', async () => {
    const w = makeWorld(inject('pgUrl'), [['E1', 'Alice', 'eng']]);
    const db = await store(w);
    const first = await controllerFor(w, db);
    await waitFor('the export', () => targetRows(w).ids.length === 1);
    const good = git(w.seed, 'rev-parse', 'HEAD').trim();
    await first.stop();
    await first.done();

    writeFileSync(join(w.seed, 'config/rules.yaml'), 'kind: FlowRule\n  bad: [indent\n');
    git(w.seed, 'commit', '-qam', 'broken rules');
    const bad = git(w.seed, 'rev-parse', 'HEAD').trim();
    writeFileSync(w.hrFile, 'id,name,dept\nE1,Alice,eng\nE2,Bob,ops\n');
    const lines: string[] = [];
    const second = await controllerFor(w, db, lines);
    await waitFor('the last good rules exporting new data', () => targetRows(w).byId.get('E2')?.display === 'Bob');
    expect(second.status()).toMatchObject({ appliedRevision: good, attemptedRevision: bad, configInvalid: true });
    expect(lines.join('')).toContain('revision-restored');
    const status = await waitFor('status with both revisions', () => {
      const s = localStatus(w);
      return s?.lastAttemptedRevision === bad ? s : undefined;
    });
    expect(status).toMatchObject({ lastAppliedRevision: good, lastAttemptedRevision: bad });
  });
});

describe('export guard', () => {
  it('lets the batch in flight finish and refuses the next one once mayExport turns false', async () => {
    let allowed = true;
    const calls: number[] = [];
    const fake = {
      capabilities: () => ({}),
      check: async () => ({}),
      fullImport: async function* () {},
      deltaImport: async function* () {},
      async export(_type: string, changes: readonly { id: string }[]) {
        calls.push(changes.length);
        allowed = false; // leadership is lost while this batch is being written
        return changes.map((c) => ({ id: c.id, ok: true }));
      },
      close: async () => undefined,
    } as unknown as IdentityConnector;
    const open = guardExports(async () => fake, () => allowed);
    const connector = await open({ name: 'target' } as ConnectorModel);
    const results = await connector.export('account', [{ id: 'a' }, { id: 'b' }] as never);
    expect(results).toHaveLength(2);
    await expect(connector.export('account', [{ id: 'c' }] as never)).rejects.toMatchObject({ code: 'ExportPaused', retryable: true });
    expect(calls).toEqual([2]);
  });
});


