/**
 * The sql conformance suite against the embedded driver (PGlite), plus what only it does: createTable.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedDialect } from '../../../src/connectors/sql/embedded-dialect.js';
import { SqlConnector } from '../../../src/connectors/sql/sql-connector.js';
import { compileSqlOptions } from '../../../src/connectors/sql/sql-spec.js';
import type { SqlDialect } from '../../../src/connectors/sql/sql-dialect.js';
import { connectorFactory } from '../../../src/connectors/registry.js';
import { collect, describeSqlConformance, objectsOf } from './conformance.js';
import { testContext } from './test-context.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'imesh-embedded-'));
  dirs.push(dir);
  return dir;
}

/** One PGlite database per file; fixtures and connectors share its dialect (one backend per directory). */
async function openEmbedded() {
  const dir = tempDir();
  const context = testContext({ name: 'apps', spec: {} });
  const dialect = await createEmbeddedDialect({ connector: 'apps', dataDir: dir, displayPath: '.imesh/apps', log: context.log });
  await dialect.query({ text: 'CREATE SCHEMA conf', params: [] });
  const shared: SqlDialect = { ...dialect, close: async () => undefined };
  return { dir, dialect, shared };
}

describeSqlConformance('embedded (PGlite)', async () => {
  const { dialect, shared } = await openEmbedded();
  return {
    driver: 'embedded' as const,
    schema: 'conf',
    async sql(text: string, params: unknown[] = []) {
      await dialect.query({ text, params: params as never });
    },
    async connector(objectTypes: Record<string, unknown>) {
      const spec = { type: 'sql', connection: { driver: 'embedded', path: '.imesh/apps' }, objectTypes };
      const context = testContext({ name: 'apps', spec });
      return new SqlConnector(context, compileSqlOptions('apps', context.model.spec), shared);
    },
    close: () => dialect.close(),
  };
});

describe('embedded driver: createTable and the real factory', () => {
  let workDir: string;
  beforeAll(() => {
    workDir = tempDir();
  });

  it('opens through the registry with path relative to the working directory, creates the table on first export and adds columns later', async () => {
    const spec = {
      type: 'sql',
      connection: { driver: 'embedded', path: '.imesh/apps' },
      objectTypes: { account: { table: 'app.accounts', externalIdColumn: 'account_id', isActiveColumn: 'is_active', createTable: true } },
    };
    const context = testContext({ name: 'apps', spec, workDir });
    const connector = await connectorFactory('sql')(context);
    try {
      // Before the first export the table does not exist: an import reads it as empty, check() warns.
      expect(await collect(connector.fullImport('account'))).toEqual([{ objects: [], complete: true }]);
      const check = await connector.check();
      expect(check).toMatchObject({ ok: true, objectTypes: { account: { count: 0 } } });
      expect(check.warnings?.join()).toMatch(/createTable/);

      const first = await connector.export('account', [
        { id: '1', op: 'create', key: 'A1', attributes: { account_id: 'A1', display_name: 'Ada', roles: ['admin', 'dev'] }, enabled: true },
        { id: '2', op: 'create', key: 'A2', attributes: { account_id: 'A2', display_name: 'Bob', roles: [] }, enabled: false },
      ]);
      expect(first.every((r) => r.ok)).toBe(true);
      const second = await connector.export('account', [{ id: '3', op: 'update', externalId: 'A1', attributes: { title: { to: 'Engineer' } } }, { id: '4', op: 'disable', externalId: 'A1' }]);
      expect(second.every((r) => r.ok)).toBe(true);

      const all = objectsOf(await collect(connector.fullImport('account')));
      expect(all.get('A1')).toMatchObject({ enabled: false, attributes: { account_id: 'A1', display_name: 'Ada', roles: ['admin', 'dev'], title: 'Engineer', is_active: false } });
      expect(all.get('A2')).toMatchObject({ enabled: false, attributes: { display_name: 'Bob' } });
    } finally {
      await connector.close();
    }

    // The data is in the directory under the working directory, and survives a reopen.
    const reopened = await connectorFactory('sql')(testContext({ name: 'apps', spec, workDir }));
    try {
      expect((await reopened.check()).objectTypes.account).toEqual({ count: 2 });
    } finally {
      await reopened.close();
    }
  });

  it('connectors naming the same path share one database; another live process holding it is refused', async () => {
    const dir = tempDir();
    const spec = { type: 'sql', connection: { driver: 'embedded', path: 'shared' }, objectTypes: { t: { table: 'items', externalIdColumn: 'id', createTable: true } } };
    const a = await connectorFactory('sql')(testContext({ name: 'a', spec, workDir: dir }));
    const b = await connectorFactory('sql')(testContext({ name: 'b', spec, workDir: dir }));
    expect((await a.export('t', [{ id: '1', op: 'create', key: 'X', attributes: { id: 'X', note: 'from a' } }]))[0]!.ok).toBe(true);
    await a.close();
    expect([...objectsOf(await collect(b.fullImport('t'))).keys()]).toEqual(['X']); // still open for b
    await b.close();

    const { writeFileSync, existsSync } = await import('node:fs');
    expect(existsSync(join(dir, 'shared.lock'))).toBe(false); // released
    writeFileSync(join(dir, 'shared.lock'), String(process.ppid)); // a live process holds it
    await expect(connectorFactory('sql')(testContext({ name: 'c', spec, workDir: dir }))).rejects.toMatchObject({ code: 'DatabaseInUse', message: expect.stringMatching(/shared is in use by pid/) });
    writeFileSync(join(dir, 'shared.lock'), '999999999'); // a dead one: stale, taken over
    const c = await connectorFactory('sql')(testContext({ name: 'c', spec, workDir: dir }));
    expect((await c.check()).objectTypes.t).toEqual({ count: 1 });
    await c.close();
  });

  it('createTable is refused for server drivers and for queries', () => {
    expect(() => compileSqlOptions('x', { type: 'sql', connection: { driver: 'postgres', connectionString: 'postgres://h/db' }, objectTypes: { t: { table: 't', externalIdColumn: 'id', createTable: true } } })).toThrow(/only available with driver: embedded/);
    expect(() => compileSqlOptions('x', { type: 'sql', connection: { driver: 'embedded', path: 'p' }, objectTypes: { t: { query: 'SELECT 1 AS id', externalIdColumn: 'id', createTable: true } } })).toThrow(/needs a table/);
  });
});
