import { resolve } from 'node:path';
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
}

/** `--store URL`, else `IMESH_STORE_URL`, else the embedded store in `.imesh/state`. */
export function storeUrlFrom(flag: string | undefined): string | undefined {
  return flag ?? (process.env.IMESH_STORE_URL || undefined);
}

export async function openStore(options: StoreOptions): Promise<Db> {
  const url = options.url;
  let db: Db;
  if (url === undefined || url === '') {
    db = await openEmbeddedStore(resolve(options.workDir, '.imesh/state'), '.imesh/state');
  } else if (/^postgres(ql)?:\/\//.test(url)) {
    db = await openPostgresStore(url);
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
