import type { Dialect } from './dialect.js';

/**
 * One query interface over every store: PostgreSQL through `pg`, SQLite (the embedded store) through
 * better-sqlite3, and PGlite (embedded stores made before SQLite). The SQL is written once; where the
 * dialects differ, it says so through `dialect` (./dialect.ts).
 */
export interface Queryable {
  readonly dialect: Dialect;
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Several statements, no parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Optional: `INSERT INTO table (columns) VALUES <rows> <tail>` for many rows, each one array of
   * parameters in column order (SQLite: multi-row prepared statements, no JSON to build and take
   * apart). `tail` (ON CONFLICT …) takes no parameters. Stores without it take a set-based statement.
   */
  insertMany?(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[], tail?: string): Promise<void>;
  /**
   * Optional: inserts rows the caller knows conflict with no existing row (and not with each other),
   * by the store's bulk load (PostgreSQL: COPY FROM STDIN). Parameters as for insertMany.
   */
  copyRows?(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void>;
}

export interface TransactionOptions {
  /**
   * The work reads no result of its writes (INSERT, UPDATE, DELETE without RETURNING) and calls nothing
   * outside the store between them: a store that talks to a server may send each write and return at
   * once, so the work computes its next statement while the server runs the last. Statements still run
   * in the order given (a read sees the writes before it); a failed write fails the transaction, which
   * is rolled back, with that write's error. Stores without a server run each write as it comes.
   */
  readonly writeBehind?: boolean;
}

/** The technology behind a store: `imesh status` and `imesh check` name it. */
export type StoreTechnology = 'sqlite' | 'pglite' | 'postgres';

export interface Db extends Queryable {
  /** `embedded`: a local store that one writer process uses at a time (SQLite or PGlite). */
  readonly kind: 'embedded' | 'postgres';
  readonly technology: StoreTechnology;
  /** Human-readable location, never with credentials. */
  readonly location: string;
  transaction<T>(work: (tx: Queryable) => Promise<T>, options?: TransactionOptions): Promise<T>;
  close(): Promise<void>;
}

const TECHNOLOGY_NAMES: Readonly<Record<StoreTechnology, string>> = { sqlite: 'SQLite', pglite: 'PGlite', postgres: 'PostgreSQL' };

/** `.imesh/state (SQLite)`: where a store is and what it is, as status shows it. */
export function describeStore(db: Pick<Db, 'location' | 'technology'>): string {
  return `${db.location} (${TECHNOLOGY_NAMES[db.technology]})`;
}
