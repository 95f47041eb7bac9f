/**
 * The store the engine tests run on. The engine suite runs on every store the project ships: as its
 * own test files on the embedded SQLite store (the default), and again through wrapper files that pick
 * another store before the suite's tests run: on-postgres.test.ts (the whole suite, real PostgreSQL)
 * and on-pglite.test.ts (a representative part, on PGlite stores made before SQLite).
 */
import { join } from 'node:path';
import pg from 'pg';
import type { Db } from '../../src/store/db.js';
import { openEmbeddedStore } from '../../src/store/embedded-store.js';
import { migrate } from '../../src/store/migrations.js';
import { openPostgresStore } from '../../src/store/postgres-store.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';

export type TestStoreKind = 'sqlite' | 'pglite' | 'postgres';

let chosen: { readonly kind: TestStoreKind; readonly pgUrl?: string } = { kind: 'sqlite' };
let schemas = 0;

/** Called by a wrapper test file before the suite it imports runs. */
export function useTestStore(kind: TestStoreKind, pgUrl?: string): void {
  if (kind === 'postgres' && !pgUrl) throw new Error('a PostgreSQL test store needs the pgUrl of the test server');
  chosen = { kind, ...(pgUrl ? { pgUrl } : {}) };
}

export function testStoreKind(): TestStoreKind {
  return chosen.kind;
}

/** A new, migrated store of the chosen kind in (or for) the temp folder `dir`; closing a PostgreSQL one drops its schema. */
export async function openTestStore(dir: string): Promise<Db> {
  let db: Db;
  if (chosen.kind === 'sqlite') db = await openSqliteStore(join(dir, 'store.db'));
  else if (chosen.kind === 'pglite') db = await openEmbeddedStore(join(dir, 'state'));
  else {
    const schema = `imesh_engine_${process.pid}_${++schemas}`;
    const url = new URL(chosen.pgUrl!);
    url.searchParams.set('schema', schema);
    const opened = await openPostgresStore(url.toString());
    db = {
      ...opened,
      async close() {
        await opened.close();
        const admin = new pg.Client({ connectionString: chosen.pgUrl });
        await admin.connect();
        try {
          await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        } finally {
          await admin.end();
        }
      },
    };
  }
  await migrate(db);
  return db;
}

/** A table's column names, sorted, on any store. */
export async function tableColumns(db: Db, table: string): Promise<string[]> {
  const rows =
    db.dialect.name === 'sqlite'
      ? await db.query<{ name: string }>('SELECT name FROM pragma_table_info($1) ORDER BY name', [table])
      : await db.query<{ name: string }>('SELECT column_name AS name FROM information_schema.columns WHERE table_name = $1 AND table_schema = current_schema() ORDER BY column_name', [table]);
  return rows.map((r) => r.name);
}
