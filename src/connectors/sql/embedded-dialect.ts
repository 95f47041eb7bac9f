/**
 * The embedded driver: a PGlite database (PostgreSQL compiled to WebAssembly) in a data directory,
 * for laptops, tests and small shops. Same SQL and value mapping as the postgres dialect.
 *
 * PGlite is one backend in this process, so this dialect serialises its work: an import holds the
 * database from its first to its last batch (a server-side cursor in a REPEATABLE READ transaction, so
 * memory stays bounded), and exports, checks and other imports wait for it.
 *
 * `createTable: true` (this driver only): before the first export the table is created as
 * `externalIdColumn text PRIMARY KEY` plus one column per exported attribute — `boolean` for
 * `isActiveColumn`, `text[]` for a multi-valued value, `text` otherwise — and a later export that
 * brings a new attribute adds its column (`ALTER TABLE … ADD COLUMN`). Until then an import of the
 * missing table reads as empty. Columns are never dropped or retyped.
 *
 * A data directory is opened once per process (connectors that name the same `path` share it) and
 * locked against other processes with a `<path>.lock` file holding the pid, as the embedded store does:
 * two PGlite instances on one directory would corrupt it.
 */
import { dirname, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { ConnectorError } from '../../shared/errors.js';
import { acquirePidLock } from '../../shared/pid-lock.js';
import { makePrivateDir, makeTreePrivate } from '../../shared/private-files.js';
import type { Logger } from '../../shared/logger.js';
import type { ColumnInfo, CreatedColumn, QueryResult, ResultSet, SqlDialect, SqlExecutor, SqlParam, SqlValue, Statement } from './sql-dialect.js';
import { quotePg, type TableName } from './sql-identifiers.js';
import { postgresConnectorError } from './postgres-errors.js';
import { postgresSyntax } from './postgres-syntax.js';
import { PG_PARSERS, PG_TYPE_LOOKUP, SESSION_SETUP, pgColumnInfo, type PgTypeRow } from './postgres-types.js';
import type { SqlSource } from './sql-spec.js';

export interface EmbeddedDialectConfig {
  readonly connector: string;
  /** Absolute data directory. */
  readonly dataDir: string;
  /** As configured, for messages. */
  readonly displayPath: string;
  readonly log: Logger;
}

interface PgliteLike {
  query<T>(text: string, params?: unknown[], options?: { rowMode?: 'array' | 'object'; parsers?: typeof PG_PARSERS }): Promise<{ rows: T[]; fields: { name: string; dataTypeID: number }[]; affectedRows?: number }>;
  exec(text: string): Promise<unknown>;
  close(): Promise<void>;
}

/** One holder at a time: PGlite is a single backend, and a cursor spans many calls. */
class Mutex {
  #tail: Promise<void> = Promise.resolve();
  async acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const previous = this.#tail;
    this.#tail = previous.then(() => next);
    await previous;
    return release;
  }
}

function toParam(value: SqlParam): unknown {
  return value instanceof Uint8Array ? new Uint8Array(value) : value;
}

async function run(db: PgliteLike, statement: Statement): Promise<QueryResult> {
  // Parsers per query: PGlite replaces parsers given at start-up for array types with its own.
  const result = await db.query<unknown[]>(statement.text, statement.params.map(toParam), { rowMode: 'array', parsers: PG_PARSERS });
  for (const row of result.rows) for (let i = 0; i < row.length; i++) if (row[i] === null) row[i] = undefined;
  return { columns: result.fields.map((f) => f.name), rows: result.rows as SqlValue[][], rowCount: result.affectedRows ?? 0 };
}

const COLUMN_TYPES: Readonly<Record<CreatedColumn['kind'], string>> = { text: 'text', 'text[]': 'text[]', boolean: 'boolean' };

/** Takes `<dataDir>.lock` for this process; a live holder is an error, a dead one's lock is stale. */
function lockDirectory(connector: string, dataDir: string, displayPath: string): () => void {
  const lockPath = `${dataDir}.lock`;
  makePrivateDir(dirname(lockPath));
  const lock = acquirePidLock(lockPath);
  if (lock.ok) return lock.release;
  if (lock.holder !== undefined) {
    throw new ConnectorError(connector, 'DatabaseInUse', `the embedded database ${displayPath} is in use by pid ${lock.holder}; stop that process first`);
  }
  throw new ConnectorError(connector, 'DatabaseInUse', `cannot lock the embedded database ${displayPath}`);
}

interface OpenDatabase {
  readonly dialect: SqlDialect;
  refs: number;
}

/** Open data directories in this process, shared by every connector that names them. */
const openDatabases = new Map<string, OpenDatabase>();

export async function createEmbeddedDialect(config: EmbeddedDialectConfig): Promise<SqlDialect> {
  const key = resolve(config.dataDir);
  let shared = openDatabases.get(key);
  if (!shared) {
    // The lock is taken now, so a directory held by another process is refused when the connector
    // opens; PGlite itself starts on first use (below).
    shared = { dialect: openDialect({ ...config, dataDir: key }), refs: 0 };
    openDatabases.set(key, shared);
  }
  const entry = shared;
  const base = entry.dialect;
  entry.refs++;
  let closed = false;
  return {
    ...base,
    toConnectorError: (error, doing) => postgresConnectorError(config.connector, error, doing),
    async close() {
      if (closed) return;
      closed = true;
      if (--entry.refs > 0) return;
      openDatabases.delete(key);
      await base.close();
    },
  };
}

async function startPglite(config: EmbeddedDialectConfig): Promise<PgliteLike> {
  try {
    makePrivateDir(config.dataDir, { own: true });
    // Small shared buffers: several PGlite instances may share this process (see src/store/embedded-store.ts).
    const db = (await PGlite.create(config.dataDir, { relaxedDurability: false, postgresqlconf: ['shared_buffers = 16MB'] })) as unknown as PgliteLike;
    makeTreePrivate(config.dataDir);
    await db.exec(SESSION_SETUP);
    return db;
  } catch (error) {
    throw new ConnectorError(config.connector, 'ConnectionFailed', `cannot open the embedded database at ${config.displayPath}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * The database starts on first use, not when the connector opens: a cycle with nothing to read from
 * or write to this connector (a delta cycle of a target read only on full cycles) never pays for
 * starting PostgreSQL in WebAssembly (about half a second and 100 MB).
 */
function openDialect(config: EmbeddedDialectConfig): SqlDialect {
  const { connector } = config;
  const release = lockDirectory(connector, config.dataDir, config.displayPath);
  let starting: Promise<PgliteLike> | undefined;
  const database = (): Promise<PgliteLike> => (starting ??= startPglite(config));
  const mutex = new Mutex();
  const exclusive = async <T>(work: () => Promise<T>): Promise<T> => {
    const release = await mutex.acquire();
    try {
      return await work();
    } finally {
      release();
    }
  };
  const table = (name: TableName) => postgresSyntax.table(name);

  return {
    driver: 'embedded',
    syntax: postgresSyntax,

    query(statement) {
      return exclusive(async () => run(await database(), statement));
    },

    async *stream(statement: Statement, batchSize: number): AsyncIterable<ResultSet> {
      const db = await database();
      const release = await mutex.acquire();
      let finished = false;
      try {
        await db.exec('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        await db.query(`DECLARE imesh_import NO SCROLL CURSOR FOR ${statement.text}`, statement.params.map(toParam));
        for (;;) {
          const page = await run(db, { text: `FETCH FORWARD ${Math.max(1, Math.floor(batchSize))} FROM imesh_import`, params: [] });
          if (page.rows.length === 0) break;
          yield page;
          if (page.rows.length < batchSize) break;
        }
        await db.exec('COMMIT');
        finished = true;
      } finally {
        if (!finished) await db.exec('ROLLBACK').catch(() => undefined);
        release();
      }
    },

    transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      return exclusive(async () => {
        const db = await database();
        await db.exec('BEGIN');
        try {
          const result = await work({ query: (statement) => run(db, statement) });
          await db.exec('COMMIT');
          return result;
        } catch (error) {
          await db.exec('ROLLBACK').catch(() => undefined);
          throw error;
        }
      });
    },

    describe(source: SqlSource): Promise<ColumnInfo[]> {
      return exclusive(async () => {
        const db = await database();
        const result = await db.query<unknown[]>(postgresSyntax.describe(source), [], { rowMode: 'array' });
        const oids = [...new Set(result.fields.map((f) => f.dataTypeID))];
        const types = await db.query<PgTypeRow>(PG_TYPE_LOOKUP, [oids], { parsers: PG_PARSERS });
        const byOid = new Map(types.rows.map((row) => [Number(row.oid), row]));
        return result.fields.map((field) => pgColumnInfo(field.name, field.dataTypeID, byOid));
      });
    },

    ensureTable(target: TableName, key: string, columns: readonly CreatedColumn[]): Promise<void> {
      const q = quotePg;
      const definitions = columns.filter((c) => c.name !== key).map((c) => `${q(c.name)} ${COLUMN_TYPES[c.kind]}`);
      const statements = [
        ...(target.schema ? [`CREATE SCHEMA IF NOT EXISTS ${q(target.schema)}`] : []),
        `CREATE TABLE IF NOT EXISTS ${table(target)} (${[`${q(key)} text PRIMARY KEY`, ...definitions].join(', ')})`,
        ...definitions.map((definition) => `ALTER TABLE ${table(target)} ADD COLUMN IF NOT EXISTS ${definition}`),
      ];
      return exclusive(async () => {
        const db = await database();
        for (const text of statements) await db.exec(text);
      });
    },

    toConnectorError(error: unknown, doing: string) {
      return postgresConnectorError(connector, error, doing);
    },

    async close() {
      try {
        const db = starting && (await starting.catch(() => undefined));
        if (db) {
          await exclusive(() => db.close());
          makeTreePrivate(config.dataDir);
        }
      } finally {
        release();
      }
    },
  };
}
