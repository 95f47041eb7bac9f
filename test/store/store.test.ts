import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { openEmbeddedStore } from '../../src/store/embedded-store.js';
import { latestVersion, migrate } from '../../src/store/migrations.js';
import { openStore } from '../../src/store/open-store.js';
import { openPostgresStore } from '../../src/store/postgres-store.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { Db } from '../../src/store/db.js';
import { tableColumns } from '../engine/test-store.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'imesh-store-test-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('the embedded store', () => {
  it('migrates, and a second process gets a clear "in use" error instead of corrupting it', async () => {
    const dir = tempDir();
    const db = await openStore({ workDir: dir });
    try {
      expect(db.technology).toBe('sqlite');
      const rows = await db.query<{ n: number }>('SELECT CAST(max(version) AS integer) AS n FROM schema_migrations');
      expect(rows[0]?.n).toBe(latestVersion);
      const child = spawnSync(
        process.execPath,
        ['--input-type=module', '-e', `import { openStore } from '${join(process.cwd(), 'dist/store/open-store.js')}'; try { await openStore({ workDir: '${dir}' }); console.log('opened'); } catch (e) { console.log(e.message); }`],
        { encoding: 'utf8' },
      );
      expect(child.stdout.trim()).toBe(`.imesh/state is in use by pid ${process.pid}; use --store postgres://… for concurrent access`);
    } finally {
      await db.close();
    }
    const again = await openStore({ workDir: dir });
    await again.close();
  });

  it.each([
    ['SQLite', (dir: string) => openSqliteStore(join(dir, 'store.db'))],
    ['PGlite', (dir: string) => openEmbeddedStore(join(dir, 'state'))],
  ])('refuses a store written by a newer version (%s)', async (_kind, open) => {
    const dir = tempDir();
    const db = await open(dir);
    try {
      await migrate(db);
      await db.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [latestVersion + 1, 'from the future']);
      await expect(migrate(db)).rejects.toThrow(/written by a newer Identity Mesh \(schema version \d+; this build knows up to \d+\)/);
    } finally {
      await db.close();
    }
  });

  it('lets readers (status, explain) open while a writer holds it, and they see what it committed', async () => {
    const dir = tempDir();
    const writer = await openStore({ workDir: dir });
    try {
      await writer.query(`INSERT INTO meta (key, value) VALUES ('probe', '"written"')`);
      const child = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `import { openStore } from '${join(process.cwd(), 'dist/store/open-store.js')}'; const db = await openStore({ workDir: '${dir}', mustExist: true }); console.log(JSON.stringify(await db.query("SELECT value FROM meta WHERE key = 'probe'"))); await db.close();`,
        ],
        { encoding: 'utf8' },
      );
      expect(child.stderr).toBe('');
      expect(JSON.parse(child.stdout)).toEqual([{ value: 'written' }]);
    } finally {
      await writer.close();
    }
    await expect(openStore({ workDir: tempDir(), mustExist: true })).rejects.toThrow(/no store in \.imesh\/state .*nothing was created/);
  });

  it('keeps an existing PGlite store in .imesh/state on PGlite, with its data', async () => {
    const dir = tempDir();
    const old = await openEmbeddedStore(join(dir, '.imesh/state'));
    await migrate(old);
    await old.query(`INSERT INTO meta (key, value) VALUES ('kept', '"yes"')`);
    await old.close();
    const db = await openStore({ workDir: dir });
    try {
      expect(db.technology).toBe('pglite');
      expect(await db.query('SELECT value FROM meta WHERE key = $1', ['kept'])).toEqual([{ value: 'yes' }]);
    } finally {
      await db.close();
    }
  });

  it('keeps its file, log and folder private to the user', async () => {
    const dir = tempDir();
    const db = await openStore({ workDir: dir });
    try {
      await db.query(`INSERT INTO meta (key, value) VALUES ('k', '1')`);
      expect(statSync(join(dir, '.imesh/state')).mode & 0o777).toBe(0o700);
      for (const file of ['store.db', 'store.db-wal']) expect(statSync(join(dir, '.imesh/state', file)).mode & 0o777).toBe(0o600);
    } finally {
      await db.close();
    }
  });
});

describe('one schema on every store', () => {
  it('has the same tables and columns on SQLite, PGlite and PostgreSQL', async () => {
    const dir = tempDir();
    const schema = `imesh_shape_${process.pid}`;
    const url = new URL(inject('pgUrl'));
    url.searchParams.set('schema', schema);
    const stores: Db[] = [await openSqliteStore(join(dir, 'store.db')), await openEmbeddedStore(join(dir, 'state')), await openPostgresStore(url.toString())];
    try {
      const shapes = [];
      for (const db of stores) {
        await migrate(db);
        const shape: Record<string, string[]> = {};
        for (const table of TABLES) shape[table] = await tableColumns(db, table);
        shapes.push(shape);
      }
      expect(Object.values(shapes[0]!).every((columns) => columns.length > 0)).toBe(true);
      expect(shapes[1]).toEqual(shapes[0]);
      expect(shapes[2]).toEqual(shapes[0]);
    } finally {
      await stores[2]!.query(`DROP SCHEMA ${schema} CASCADE`);
      for (const db of stores) await db.close();
    }
  });
});

const TABLES = [
  'cs_object', 'mesh_object', 'mesh_key', 'source_link', 'target_link', 'watermark', 'progress', 'cycle', 'conflict', 'drift',
  'export_error', 'meta', 'job_request', 'scim_inbox', 'secret_binding', 'whole_read', 'schema_migrations',
  'value_history', 'value_history_v12', 'export_history',
];

describe('upgrading a store with history (migration 18)', () => {
  it('keeps the changes and exports recorded before, on SQLite and PostgreSQL', async () => {
    const dir = tempDir();
    const schema = `imesh_upgrade_${process.pid}`;
    const url = new URL(inject('pgUrl'));
    url.searchParams.set('schema', schema);
    const stores: Db[] = [await openSqliteStore(join(dir, 'store.db')), await openPostgresStore(url.toString())];
    try {
      for (const db of stores) {
        await migrate(db, 17);
        const json = (param: string) => db.dialect.json(param);
        await db.query(`INSERT INTO mesh_object (id, mesh_type, attributes, changed_seq) VALUES ('m1', 'person', ${json('$1')}, 3)`, [JSON.stringify({ title: 'Engineer' })]);
        await db.query(
          `INSERT INTO value_history (mesh_id, mesh_type, seq, cycle_id, revision, sources, changes) VALUES ('m1', 'person', 3, 7, 'abc', ${json('$1')}, ${json('$2')})`,
          [JSON.stringify([['hr-to-person', 'hr', 'E1']]), JSON.stringify({ title: ['Engineer', 0, 80] })],
        );
        await db.query(
          `INSERT INTO export_history (projection, mesh_id, connector, object_type, object, op, attributes, result, seq, cycle_id, revision)
           VALUES ('person-to-apps', 'm1', 'apps', 'account', 'E1', 'create', ${json('$1')}, 'ok', 3, 7, 'abc')`,
          [JSON.stringify({ title: 'Engineer' })],
        );
        await migrate(db);
        expect(await db.query('SELECT mesh_id, seq, cycle_id, revision, sources, changes FROM value_history_v12')).toEqual([
          { mesh_id: 'm1', seq: db.dialect.name === 'sqlite' ? 3 : '3', cycle_id: db.dialect.name === 'sqlite' ? 7 : '7', revision: 'abc', sources: [['hr-to-person', 'hr', 'E1']], changes: { title: ['Engineer', 0, 80] } },
        ]);
        expect(await db.query('SELECT connector, object_type, object, op, attributes, result FROM export_history')).toEqual([
          { connector: 'apps', object_type: 'account', object: 'E1', op: 'create', attributes: { title: 'Engineer' }, result: 'ok' },
        ]);
        expect(await db.query('SELECT created_cycle, value_since FROM mesh_object')).toEqual([{ created_cycle: null, value_since: null }]);
        expect(await db.query('SELECT mesh_id FROM value_history')).toEqual([]);
      }
    } finally {
      await stores[1]!.query(`DROP SCHEMA ${schema} CASCADE`);
      for (const db of stores) await db.close();
    }
  });
});

/** A PostgreSQL store of the test server in a schema of its own (`imesh_store_<name>_<pid>`), dropped afterwards. */
async function inOwnSchema(name: string, work: (db: Db, schema: string) => Promise<void>): Promise<void> {
  const schema = `imesh_store_${name}_${process.pid}`;
  const url = new URL(inject('pgUrl'));
  url.searchParams.set('schema', schema);
  const db = await openPostgresStore(url.toString());
  try {
    await work(db, schema);
  } finally {
    await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await db.close();
  }
}

describe('the PostgreSQL store', () => {
  it('keeps its tables in the schema named on the URL and never prints the password', async () => {
    await inOwnSchema('tables', async (db, schema) => {
      await migrate(db);
      await migrate(db);
      const rows = await db.query<{ n: number }>(`SELECT CAST(count(*) AS integer) AS n FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'mesh_object'`, [schema]);
      expect(rows[0]?.n).toBe(1);
      const tx = await db.transaction(async (q) => (await q.query<{ one: number }>('SELECT 1 AS one'))[0]?.one);
      expect(tx).toBe(1);
    });
    const bad = 'postgres://someone:s3cret-pass@127.0.0.1:1/nowhere';
    await expect(openPostgresStore(bad)).rejects.toThrow(/cannot reach the store at postgres:\/\/someone@127\.0\.0\.1:1\/nowhere/);
    await openPostgresStore(bad).catch((error: Error) => expect(error.message).not.toContain('s3cret-pass'));
  });

  it('matches a list parameter\'s texts exactly, whatever they hold', async () => {
    const texts = ['plain', 'with "quotes"', 'back\\slash', 'comma, and {braces}', 'NULL', '', ' spaced ', 'Zoë 名前', "it's"];
    await inOwnSchema('lists', async (db) => {
      for (const list of [texts, texts.slice(0, 1), texts.filter((t) => !t.includes('"') && !t.includes('\\')), [], [1, 2]]) {
        const rows = await db.query<{ v: string }>('SELECT v FROM unnest($1::text[]) WITH ORDINALITY AS t(v, n) ORDER BY n', [list]);
        expect(rows.map((r) => r.v)).toEqual(list.map(String));
        const kept = await db.query<{ v: string }>('SELECT v FROM unnest($1::text[]) AS t(v) WHERE v = ANY($2) ORDER BY v', [texts, list]);
        expect(kept.map((r) => r.v).sort()).toEqual(texts.filter((t) => list.map(String).includes(t)).sort());
      }
    });
  });

  it('bulk-loads rows (COPY) with their data sent at once, also behind; a refused COPY fails its transaction and leaves the connection usable', async () => {
    await inOwnSchema('copy', async (db) => {
      await db.exec('CREATE TABLE item (id integer PRIMARY KEY, name text NOT NULL, doc jsonb)');
      const seen = await db.transaction(
        async (q) => {
          await q.copyRows!('item', ['id', 'name', 'doc'], [[1, 'tab\there', { a: 'new\nline' }], [2, 'back\\slash', null]]);
          await q.query('UPDATE item SET name = $1 WHERE id = 2', ['two']);
          return q.query<{ id: number; name: string; doc: unknown }>('SELECT id, name, doc FROM item ORDER BY id');
        },
        { writeBehind: true },
      );
      expect(seen).toEqual([{ id: 1, name: 'tab\there', doc: { a: 'new\nline' } }, { id: 2, name: 'two', doc: null }]);
      // A COPY into no table, and a COPY that breaks a key: each fails its transaction with the server's error.
      await expect(db.transaction(async (q) => q.copyRows!('missing', ['id'], [[1]]))).rejects.toMatchObject({ code: '42P01' });
      await expect(db.transaction(async (q) => q.copyRows!('item', ['id', 'name'], [[1, 'again']]), { writeBehind: true })).rejects.toMatchObject({ code: '23505' });
      // The pool's connections still answer in step.
      for (let i = 0; i < 6; i++) expect(await db.transaction(async (q) => q.query<{ n: number }>('SELECT count(*)::int AS n FROM item'))).toEqual([{ n: 2 }]);
    });
  });

  it('bulk-loads a batch larger than its first buffer, multi-byte text split across CopyData messages included, exactly as given', async () => {
    await inOwnSchema('copybig', async (db) => {
      await db.exec('CREATE TABLE item (id integer PRIMARY KEY, name text, active boolean, doc jsonb)');
      // About 1.5 MB of COPY text: the buffer grows several times and the 64 KB messages cut through
      // characters of two, three and four bytes.
      const rows = Array.from({ length: 6000 }, (_, i) => [i, i % 7 === 0 ? null : `Zoë 日本 🙂 ${'x'.repeat(i % 13)}\t\\${i}\n`, i % 2 === 0, { n: i, note: `Ünïcode ${'🙂'.repeat(i % 5)} back\\slash`, list: ['a\tb', null] }]);
      await db.transaction((q) => q.copyRows!('item', ['id', 'name', 'active', 'doc'], rows));
      const back = await db.query<{ id: number; name: string | null; active: boolean; doc: unknown }>('SELECT id, name, active, doc FROM item ORDER BY id');
      expect(back.map((r) => [r.id, r.name, r.active, r.doc])).toEqual(rows);
    });
  });

  it('sends a transaction\'s writes behind when asked: later reads see them, and a failed write rolls it all back with its own error', async () => {
    await inOwnSchema('behind', async (db) => {
      await db.exec('CREATE TABLE item (id integer PRIMARY KEY, name text NOT NULL)');
      const seen = await db.transaction(
        async (q) => {
          await q.query('INSERT INTO item (id, name) VALUES (1, $1)', ['one']);
          await q.query('UPDATE item SET name = $1 WHERE id = 1', ['uno']);
          await q.query('INSERT INTO item (id, name) VALUES (2, $1)', ['two']);
          return q.query<{ id: number; name: string }>('SELECT id, name FROM item ORDER BY id');
        },
        { writeBehind: true },
      );
      expect(seen).toEqual([{ id: 1, name: 'uno' }, { id: 2, name: 'two' }]);

      let afterFailure = 'not reached';
      const failed = db.transaction(
        async (q) => {
          await q.query('INSERT INTO item (id, name) VALUES (3, $1)', ['three']);
          await q.query('INSERT INTO item (id, name) VALUES (1, $1)', ['duplicate']); // answered at once; fails on the server
          await q.query('DELETE FROM item WHERE id = 2');
          afterFailure = 'computed';
          return q.query('SELECT id FROM item');
        },
        { writeBehind: true },
      );
      await expect(failed).rejects.toMatchObject({ code: '23505' });
      expect(afterFailure).toBe('computed');
      expect(await db.query('SELECT id, name FROM item ORDER BY id')).toEqual([{ id: 1, name: 'uno' }, { id: 2, name: 'two' }]);

      // A failure the work only learns of at its end is still the transaction's.
      await expect(
        db.transaction(async (q) => void (await q.query('INSERT INTO item (id, name) VALUES (2, $1)', ['again'])), { writeBehind: true }),
      ).rejects.toMatchObject({ code: '23505' });
      expect(await db.query('SELECT count(*)::int AS n FROM item')).toEqual([{ n: 2 }]);
    });
  });
});
