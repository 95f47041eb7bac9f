import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StoreError } from '../shared/errors.js';
import type { Db } from './db.js';
import { migrate } from './migrations.js';
import { openSqliteStore } from './sqlite-store.js';

export interface StoreOptions {
  /** `postgres://…`, `sqlite:PATH`, or undefined for the embedded store in `.imesh/state`. */
  url?: string;
  /** Working directory for the embedded store (`.imesh/state` below it). */
  workDir: string;
  /** Only open a store that exists (readers such as `imesh status`): never create one. */
  mustExist?: boolean;
}

/** The embedded store's file inside `.imesh/state`. */
export const EMBEDDED_STORE_FILE = 'store.db';

/**
 * `--store URL`, else `IMESH_STORE_URL`, else the embedded store in `.imesh/state`. A flag or variable
 * that is set but empty is an error: it is a missing CI secret far more often than a wish for a fresh
 * embedded store, and planning against an empty store would propose to create everything.
 */
export function storeUrlFrom(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (flag !== undefined) {
    if (flag.trim() === '') throw new StoreError('StoreUrlEmpty', '--store is empty; give a postgres://… URL, or leave the flag out for the embedded store in .imesh/state');
    return flag;
  }
  const value = env.IMESH_STORE_URL;
  if (value === undefined) return undefined;
  if (value.trim() === '') {
    throw new StoreError('StoreUrlEmpty', 'IMESH_STORE_URL is set but empty (a missing secret?); set it to postgres://…, or unset it to use the embedded store in .imesh/state');
  }
  return value;
}

export async function openStore(options: StoreOptions): Promise<Db> {
  const url = options.url;
  let db: Db;
  if (url === undefined || url === '') {
    db = await openDefaultEmbeddedStore(options.workDir, options.mustExist === true);
  } else if (url.startsWith('sqlite:')) {
    const file = resolve(options.workDir, url.slice('sqlite:'.length));
    db = await openSqliteStore(file, { displayPath: url, reader: options.mustExist === true });
  } else if (/^postgres(ql)?:\/\//.test(url)) {
    // Loaded only here (with pg), as PGlite below: a process on the SQLite store never loads either.
    const { openPostgresStore } = await import('./postgres-store.js');
    db = await openPostgresStore(url, options.mustExist ? { create: false } : {});
  } else {
    throw new StoreError('StoreConfig', `unsupported store URL (expected postgres://… or sqlite:PATH): ${url.replace(/\/\/[^@/]*@/, '//')}`);
  }
  try {
    await migrate(db);
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
  return db;
}

/**
 * `.imesh/state`: a PGlite data directory (PG_VERSION) made by an earlier version stays PGlite, so no
 * store loses its data; anything else is the SQLite store `.imesh/state/store.db`. Writers of either
 * take the same lock, `.imesh/state.lock`.
 */
async function openDefaultEmbeddedStore(workDir: string, mustExist: boolean): Promise<Db> {
  const dataDir = resolve(workDir, '.imesh/state');
  if (existsSync(join(dataDir, 'PG_VERSION'))) {
    const { openEmbeddedStore } = await import('./embedded-store.js');
    return openEmbeddedStore(dataDir, '.imesh/state');
  }
  const file = join(dataDir, EMBEDDED_STORE_FILE);
  if (mustExist && !existsSync(file)) {
    throw new StoreError('StoreMissing', `no store in .imesh/state under ${workDir} (nothing was applied from this directory; give --store postgres://… or run from the directory that holds .imesh/); nothing was created`);
  }
  return openSqliteStore(file, { displayPath: '.imesh/state', reader: mustExist, lockPath: `${dataDir}.lock` });
}
