import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StoreError } from '../shared/errors.js';
import type { Db } from './db.js';
import { openEmbeddedStore } from './embedded-store.js';
import { migrate } from './migrations.js';
import { openPostgresStore } from './postgres-store.js';

export interface StoreOptions {
  /** `postgres://…`, or undefined for the embedded store. */
  url?: string;
  /** Working directory for the embedded store (`.imesh/state` below it). */
  workDir: string;
  /** Only open a store that exists (readers such as `imesh status`): never create one. */
  mustExist?: boolean;
}

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
    const dataDir = resolve(options.workDir, '.imesh/state');
    if (options.mustExist && !existsSync(join(dataDir, 'PG_VERSION'))) {
      throw new StoreError('StoreMissing', `no store in .imesh/state under ${options.workDir} (nothing was applied from this directory; give --store postgres://… or run from the directory that holds .imesh/); nothing was created`);
    }
    db = await openEmbeddedStore(dataDir, '.imesh/state');
  } else if (/^postgres(ql)?:\/\//.test(url)) {
    db = await openPostgresStore(url, options.mustExist ? { create: false } : {});
  } else {
    throw new StoreError('StoreConfig', `unsupported store URL (expected postgres://…): ${url.replace(/\/\/[^@/]*@/, '//')}`);
  }
  try {
    await migrate(db);
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
  return db;
}
