import { dirname } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { StoreError } from '../shared/errors.js';
import { makePrivateDir, makeTreePrivate } from '../shared/private-files.js';
import { lockStore } from './store-lock.js';
import type { Db, Queryable } from './db.js';
import { postgresDialect } from './dialect.js';

/**
 * The embedded store made before SQLite: real PostgreSQL compiled to WASM (PGlite) in a data directory.
 * Stores that exist stay on it (./open-store.ts); new embedded stores are SQLite (./sqlite-store.ts). It is
 * single-process, so it takes a lock file beside the directory; a second process gets a clear error.
 */
export async function openEmbeddedStore(dataDir: string, displayPath = dataDir): Promise<Db> {
  makePrivateDir(dirname(dataDir));
  const release = lockStore(`${dataDir}.lock`, displayPath);
  let pglite: PGlite;
  try {
    // The store keeps PostgreSQL's default buffer cache (measured: 32 MB made a 100,000-identity cycle
    // 15% slower); embedded connector databases use less (src/connectors/sql/embedded-dialect.ts).
    makePrivateDir(dataDir, { own: true });
    pglite = await PGlite.create(dataDir, { relaxedDurability: false, postgresqlconf: ['shared_buffers = 128MB'] });
    makeTreePrivate(dataDir);
  } catch (error) {
    release();
    throw new StoreError('StoreOpenFailed', `cannot open the embedded store at ${displayPath}: ${(error as Error).message}`, { cause: error });
  }
  const queryable = (target: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    dialect: postgresDialect,
    async query<T>(sql: string, params: readonly unknown[] = []) {
      const result = await target.query<T>(sql, params as unknown[]);
      return result.rows;
    },
    async exec(sql: string) {
      await target.exec(sql);
    },
  });
  const base = queryable(pglite);
  return {
    kind: 'embedded',
    technology: 'pglite',
    location: displayPath,
    ...base,
    transaction: (work) => pglite.transaction((tx) => work(queryable(tx))),
    async close() {
      try {
        await pglite.close();
        makeTreePrivate(dataDir);
      } finally {
        release();
      }
    },
  };
}

