/**
 * The embedded store: one SQLite file (better-sqlite3), by default `.imesh/state/store.db`.
 *
 * - WAL journal: readers (`imesh status`, `imesh explain`) open it while a writer (a reconcile, the
 *   controller) runs, and see the last committed cycle. Writers still take a pid lock beside the file,
 *   so a second writer gets a clear StoreLocked error instead of waiting on SQLite's lock.
 * - `synchronous = FULL`: a cycle's commit records changes already made in other systems (accounts
 *   created, groups changed); with NORMAL a power cut could lose the last commits and the next cycle
 *   would act on a past that did not happen. In WAL mode FULL costs one fsync of the log per commit,
 *   and the engine commits once per page of work, not per row.
 * - The file, its `-wal` and `-shm` companions and its folder are private (../shared/private-files.ts).
 *
 * better-sqlite3 is synchronous; the interface stays async (the engine awaits). A transaction holds
 * the connection: queries made outside it wait until it ends, as on the other stores.
 */
import { chmodSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from '../shared/errors.js';
import { makePrivateDir, PRIVATE_FILE_MODE } from '../shared/private-files.js';
import { lockStore } from './store-lock.js';
import type { Db, Queryable } from './db.js';
import { sqliteDialect } from './dialect.js';

export interface SqliteStoreOptions {
  /** Shown in messages instead of the path. */
  readonly displayPath?: string;
  /**
   * A reader (`imesh status`, `explain`): takes no writer lock, so it opens while a writer runs, and
   * never creates the file.
   */
  readonly reader?: boolean;
  /** The writers' pid lock; default beside the file (`<file>.lock`). */
  readonly lockPath?: string;
}

const BUSY_TIMEOUT_MS = 5_000;
const STATEMENT_CACHE = 500;
/** Rows per multi-row INSERT (insertMany): 50 × a dozen columns stays far below SQLite's parameter limit. */
const INSERT_ROWS = 50;

export async function openSqliteStore(file: string, options: SqliteStoreOptions = {}): Promise<Db> {
  const displayPath = options.displayPath ?? file;
  if (options.reader && !existsSync(file)) {
    throw new StoreError('StoreMissing', `no store at ${displayPath}; nothing was created`);
  }
  makePrivateDir(dirname(file));
  const release = options.reader ? () => undefined : lockStore(options.lockPath ?? `${file}.lock`, displayPath);
  let sqlite: Database.Database;
  try {
    sqlite = new Database(file, { fileMustExist: options.reader === true });
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
    makeFilesPrivate(file);
  } catch (error) {
    release();
    throw new StoreError('StoreOpenFailed', `cannot open the embedded store at ${displayPath}: ${openFailure(error)}`, { cause: error });
  }
  const connection = new Connection(sqlite);
  let closed = false;
  return {
    kind: 'embedded',
    technology: 'sqlite',
    location: displayPath,
    dialect: sqliteDialect,
    query: (sql, params) => connection.outside(() => connection.run(sql, params)),
    exec: (sql) => connection.outside(() => connection.exec(sql)),
    insertMany: (table, columns, rows, tail) => connection.outside(() => connection.insertMany(table, columns, rows, tail)),
    transaction: (work) => connection.transaction(work),
    async close() {
      if (closed) return;
      closed = true;
      try {
        await connection.idle();
        // What SQLite recommends before a connection closes: ANALYZE what the queries it ran would gain from.
        if (!options.reader) sqlite.pragma('optimize');
        sqlite.close();
        makeFilesPrivate(file);
      } finally {
        release();
      }
    },
  };
}

class Connection {
  private readonly statements = new Map<string, Database.Statement>();
  /** Resolves when the transaction in progress (if any) ends. */
  private busy: Promise<unknown> = Promise.resolve();

  constructor(private readonly sqlite: Database.Database) {}

  /** Runs `work` once no transaction holds the connection. */
  async outside<T>(work: () => T): Promise<T> {
    await this.busy;
    return work();
  }

  async idle(): Promise<void> {
    await this.busy.catch(() => undefined);
  }

  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    const previous = this.busy;
    let done!: () => void;
    this.busy = new Promise<void>((resolve) => (done = resolve));
    await previous.catch(() => undefined);
    const tx: Queryable = {
      dialect: sqliteDialect,
      query: async (sql, params) => this.run(sql, params),
      exec: async (sql) => this.exec(sql),
      insertMany: async (table, columns, rows, tail) => this.insertMany(table, columns, rows, tail),
    };
    try {
      this.sqlite.exec('BEGIN IMMEDIATE');
      try {
        const result = await work(tx);
        this.sqlite.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.sqlite.inTransaction) this.sqlite.exec('ROLLBACK');
        throw error;
      }
    } finally {
      done();
    }
  }

  exec(sql: string): void {
    this.sqlite.exec(sql);
  }

  run<T>(sql: string, params: readonly unknown[] = []): T[] {
    const statement = this.prepare(sql);
    const bound = params.length === 0 ? [] : [bindings(params)];
    if (!statement.reader) {
      statement.run(...bound);
      return [];
    }
    const rows = statement.all(...bound) as Record<string, unknown>[];
    const decode = decoders(statement);
    if (decode.length > 0) for (const row of rows) for (const [name, convert] of decode) row[name] = convert(row[name]);
    return rows as T[];
  }

  /**
   * Rows in statements of INSERT_ROWS rows, bound by position: per row, about half the cost of a
   * statement each (the rest, fewer than INSERT_ROWS, one statement each).
   */
  insertMany(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[], tail = ''): void {
    const one = `(${columns.map(() => '?').join(', ')})`;
    const text = (count: number) => `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array.from({ length: count }, () => one).join(', ')} ${tail}`;
    const bound: unknown[] = [];
    let start = 0;
    if (rows.length >= INSERT_ROWS) {
      const many = this.prepare(text(INSERT_ROWS));
      for (; start + INSERT_ROWS <= rows.length; start += INSERT_ROWS) {
        bound.length = 0;
        for (let r = start; r < start + INSERT_ROWS; r++) for (const value of rows[r]!) bound.push(bindable(value));
        many.run(bound);
      }
    }
    if (start < rows.length) {
      const single = this.prepare(text(1));
      for (; start < rows.length; start++) single.run(rows[start]!.map(bindable));
    }
  }

  private prepare(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.sqlite.prepare(sql);
      if (this.statements.size >= STATEMENT_CACHE) this.statements.clear();
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

/** `$1` … `$n` as better-sqlite3 binds them; lists and objects as JSON text, booleans as 0/1. */
function bindings(params: readonly unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  params.forEach((value, index) => {
    out[index + 1] = bindable(value);
  });
  return out;
}

function bindable(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && !Buffer.isBuffer(value)) return JSON.stringify(value);
  return value;
}

type Decoder = readonly [string, (value: unknown) => unknown];
const decoderCache = new WeakMap<Database.Statement, Decoder[]>();

/**
 * Columns read straight from a table come back as their declared type says: `jsonb` and `text[]`
 * parsed, `boolean` as true/false. (SQLite stores JSON as text and booleans as 0/1.)
 */
function decoders(statement: Database.Statement): Decoder[] {
  let decode = decoderCache.get(statement);
  if (decode === undefined) {
    decode = [];
    for (const column of statement.columns()) {
      const type = column.type?.toLowerCase();
      if (type === 'jsonb' || type === 'text[]') decode.push([column.name, parseJson]);
      else if (type === 'boolean') decode.push([column.name, toBoolean]);
    }
    decoderCache.set(statement, decode);
  }
  return decode;
}

const parseJson = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value);
const toBoolean = (value: unknown) => (value === null || value === undefined ? null : value === 1 || value === 1n || value === true);

/** Installed with --ignore-scripts, better-sqlite3 has no native addon: say how to get one. */
function openFailure(error: unknown): string {
  const message = (error as Error).message;
  if (!/bindings file|better_sqlite3\.node|NODE_MODULE_VERSION/.test(message)) return message;
  return `the SQLite addon (better-sqlite3) is missing or built for another Node.js (installed with --ignore-scripts?): run \`npm rebuild better-sqlite3\` where imesh is installed (add --global for a global install), or use --store postgres://… (${message.split('\n')[0]})`;
}

function makeFilesPrivate(file: string): void {
  for (const path of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      chmodSync(path, PRIVATE_FILE_MODE);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

