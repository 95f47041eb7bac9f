import pg from 'pg';
import { StoreError } from '../shared/errors.js';
import type { Db, Queryable, TransactionOptions } from './db.js';
import { postgresDialect } from './dialect.js';
import { copyIn } from './postgres-copy-in.js';

/** Strips credentials from a PostgreSQL URL for messages. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    parsed.username = parsed.username ? parsed.username : '';
    return `${parsed.protocol}//${parsed.username ? parsed.username + '@' : ''}${parsed.host}${parsed.pathname}`;
  } catch {
    return 'postgres://…';
  }
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The PostgreSQL store. Tables live in one schema (default `imesh`, or `?schema=NAME` on the URL),
 * so a shared database stays tidy and tests can isolate themselves.
 */
export async function openPostgresStore(url: string, options: { readonly create?: boolean } = {}): Promise<Db> {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? 'imesh';
  parsed.searchParams.delete('schema');
  if (!IDENTIFIER.test(schema)) {
    throw new StoreError('StoreConfig', `store schema "${schema}" is not a plain lower-case identifier`);
  }
  const location = describeUrl(url) + (schema === 'imesh' ? '' : `?schema=${schema}`);
  // The schema is set at connection start-up (`options`), not by a query on connect that the pool's first
  // query would run beside on the same client.
  const pool = new pg.Pool({ connectionString: parsed.toString(), max: 4, options: `-c search_path="${schema}"` });
  let missing = false;
  pool.on('error', () => undefined); // idle-client errors surface on the next query instead
  try {
    const client = await pool.connect();
    try {
      if (options.create === false) {
        const found = await client.query<{ table: string | null }>(`SELECT to_regclass($1) AS table`, [`"${schema}".schema_migrations`]);
        if (!found.rows[0]?.table) missing = true;
      } else try {
        await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      } catch (error) {
        // Two replicas creating the schema at once: IF NOT EXISTS can still lose the race (23505).
        if ((error as { code?: string }).code !== '23505' && (error as { code?: string }).code !== '42P06') throw error;
      }
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    if (error instanceof StoreError) throw error;
    throw new StoreError('StoreUnreachable', `cannot reach the store at ${location}: ${(error as Error).message}`, {
      cause: error,
      retryable: true,
    });
  }
  if (missing) {
    await pool.end().catch(() => undefined);
    throw new StoreError('StoreMissing', `no Identity Mesh store at ${location} (schema "${schema}" holds none); nothing was created`);
  }
  const on = (client: pg.Pool | pg.PoolClient): Queryable => ({
    dialect: postgresDialect,
    async query<T>(sql: string, params: readonly unknown[] = []) {
      const result = await client.query(sql, params.some(Array.isArray) ? params.map(arrayLiteral) : (params as unknown[]));
      return result.rows as T[];
    },
    async exec(sql: string) {
      await client.query(sql);
    },
  });
  /**
   * A transaction's one connection takes one statement at a time: callers that overlap reads (the
   * planner reads its next page while it plans) wait their turn here instead of relying on pg's own
   * queue, which node-postgres deprecates.
   */
  const inTurn = (client: pg.PoolClient): Queryable => {
    const direct = on(client);
    let last: Promise<unknown> = Promise.resolve();
    const turn = <T>(run: () => Promise<T>): Promise<T> => {
      const next = last.then(run, run);
      last = next.catch(() => undefined);
      return next;
    };
    return {
      dialect: postgresDialect,
      query: <T>(sql: string, params?: readonly unknown[]) => turn(() => direct.query<T>(sql, params)),
      exec: (sql: string) => turn(() => direct.exec(sql)),
      copyRows: (table, columns, rows) => turn(() => copyIn(client, table, columns, rows)),
    };
  };
  return {
    kind: 'postgres',
    technology: 'postgres',
    location,
    ...on(pool),
    async transaction<T>(work: (tx: Queryable) => Promise<T>, options: TransactionOptions = {}) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const tx = inTurn(client);
        const result = options.writeBehind ? await writingBehind(tx, work) : await work(tx);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/**
 * A list of texts as the array literal pg would send for it (`{"a","b"}`), written in one join: pg
 * escapes it element by element, which for the engine's pages of ids (thousands per statement) was a
 * visible part of a cycle's CPU. A list holding anything else, or a text with a quote or a backslash
 * (which the literal would have to escape), is left to pg.
 */
function arrayLiteral(param: unknown): unknown {
  if (!Array.isArray(param)) return param;
  for (const value of param) if (typeof value !== 'string' || value.includes('"') || value.includes('\\')) return param;
  return param.length === 0 ? '{}' : `{"${param.join('","')}"}`;
}

/** A write whose result nobody reads: sent without waiting for it (TransactionOptions.writeBehind). */
const PLAIN_WRITE = /^\s*(?:INSERT|UPDATE|DELETE)\b/i;
const RETURNING = /\bRETURNING\b/i;

/**
 * Runs `work` on `tx` (one statement at a time, in order) without waiting for its plain writes: each is
 * queued and answered at once with no rows. Once a statement fails, the server runs nothing more in the
 * transaction, so every later statement, and the work, fail with that first error.
 */
async function writingBehind<T>(tx: Queryable, work: (tx: Queryable) => Promise<T>): Promise<T> {
  let failure: { readonly error: unknown } | undefined;
  const sent: Promise<unknown>[] = [];
  const firstError = (error: unknown): never => {
    failure ??= { error };
    throw failure.error;
  };
  const behind: { -readonly [K in keyof Queryable]: Queryable[K] } = {
    dialect: tx.dialect,
    query<R>(sql: string, params?: readonly unknown[]): Promise<R[]> {
      if (failure) return Promise.reject(failure.error);
      const running = tx.query<R>(sql, params).catch(firstError);
      if (!PLAIN_WRITE.test(sql) || RETURNING.test(sql)) return running;
      sent.push(running.catch(() => undefined));
      return Promise.resolve([]);
    },
    exec: (sql) => (failure ? Promise.reject(failure.error) : tx.exec(sql).catch(firstError)),
  };
  const copy = tx.copyRows?.bind(tx);
  if (copy) {
    behind.copyRows = (table, columns, rows) => {
      if (failure) return Promise.reject(failure.error);
      sent.push(copy(table, columns, rows).catch(firstError).catch(() => undefined));
      return Promise.resolve();
    };
  }
  let result: T;
  try {
    result = await work(behind);
  } catch (error) {
    // The rollback waits for the writes still queued on the connection.
    await Promise.all(sent);
    throw failure?.error ?? error;
  }
  await Promise.all(sent);
  if (failure) throw failure.error;
  return result;
}
