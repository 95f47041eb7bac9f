/**
 * PostgreSQL through `pg`: a pool, values read by our OID parsers (postgres-types.ts), and imports
 * streamed: a whole read as one `COPY (SELECT …) TO STDOUT` (postgres-copy.ts; one statement, one
 * snapshot), a read with parameters (delta) through a server-side cursor in a read-only REPEATABLE READ
 * transaction (one consistent snapshot, fetched in batches — never one giant result).
 */
import pg from 'pg';
import type { Logger } from '../../shared/logger.js';
import { ConnectorError } from '../../shared/errors.js';
import type { ColumnInfo, QueryResult, ResultSet, SqlDialect, SqlExecutor, SqlParam, SqlValue, Statement } from './sql-dialect.js';
import { copyRows, type CopyClient } from './postgres-copy.js';
import { postgresConnectorError } from './postgres-errors.js';
import { postgresSyntax } from './postgres-syntax.js';
import { PG_TYPE_LOOKUP, SESSION_OPTIONS, parserFor, pgColumnInfo, type PgTypeRow } from './postgres-types.js';
import type { SqlSource } from './sql-spec.js';

export interface PostgresDialectConfig {
  readonly connector: string;
  /** Resolved (secret) connection string; never logged or put into a message. */
  readonly connectionString: string;
  readonly poolSize: number;
  readonly statementTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly log: Logger;
}

/** The part of a pg client (or pool) this dialect uses. */
interface PgQueryable {
  query(config: pg.QueryConfig<unknown[]> & { rowMode: 'array' }): Promise<pg.QueryArrayResult<unknown[]>>;
}

function toPgParam(value: SqlParam): unknown {
  return value instanceof Uint8Array ? Buffer.from(value) : value;
}

function toResult(result: pg.QueryArrayResult<unknown[]>): QueryResult {
  const columns = (result.fields ?? []).map((field) => field.name);
  const rows = result.rows ?? [];
  // The rows are ours: NULL → undefined in place, no copy (imports read hundreds of thousands).
  for (const row of rows) for (let i = 0; i < row.length; i++) if (row[i] === null) row[i] = undefined;
  return { columns, rows: rows as unknown as SqlValue[][], rowCount: result.rowCount ?? 0 };
}

async function run(target: PgQueryable, statement: Statement): Promise<QueryResult> {
  const result = await target.query({ text: statement.text, values: statement.params.map(toPgParam), rowMode: 'array' });
  return toResult(result);
}

/** Batches per FETCH round trip. */
const FETCH_PAGES = 10;

/** A connection that failed below SQL (network, server gone) is discarded, not returned to the pool. */
function isConnectionLevel(error: Error | undefined): boolean {
  if (!error) return false;
  const code = (error as { code?: unknown }).code;
  return typeof code !== 'string' || code.startsWith('08') || code.startsWith('57P') || /^E[A-Z]+$/.test(code);
}

interface BackendKey {
  readonly processID: number;
  readonly secretKey: number;
}

interface CancelConnection {
  connect(portOrPath: number | string, host?: string): void;
  cancel(processID: number, secretKey: number): void;
  on(event: string, listener: (...args: unknown[]) => void): void;
  end(): void;
}

/**
 * PostgreSQL's cancel request, on a connection of its own, for the statement the connection `key`
 * names is running (what pg's Client.cancel sends, without its deprecated active-query check).
 */
function cancelRequest(connectionString: string, key: BackendKey): void {
  const carrier = new pg.Client({ connectionString }) as unknown as { connection: CancelConnection; host: string; port: number };
  const connection = carrier.connection;
  connection.on('error', () => undefined);
  connection.on('connect', () => connection.cancel(key.processID, key.secretKey));
  if (carrier.host.startsWith('/')) connection.connect(`${carrier.host}/.s.PGSQL.${carrier.port}`);
  else connection.connect(carrier.port, carrier.host);
}

export function createPostgresDialect(config: PostgresDialectConfig): SqlDialect {
  const { connector, log } = config;
  let pool: pg.Pool;
  try {
    // pg parses the string only when it connects, and a URL error there carries the input: check it now.
    if (!/^postgres(ql)?:\/\//i.test(config.connectionString)) throw new Error('not a URL');
    new URL(config.connectionString);
    pool = new pg.Pool({
      connectionString: config.connectionString,
      max: config.poolSize,
      connectionTimeoutMillis: config.connectTimeoutMs,
      statement_timeout: config.statementTimeoutMs,
      application_name: 'identity-mesh',
      // UTC, ISO dates and hex bytea, as postgres-types.ts reads them (startup options: no extra round trip)
      options: SESSION_OPTIONS,
      types: { getTypeParser: ((oid: number) => parserFor(oid)) as never },
    });
  } catch {
    // The parser's message may quote the string, which can hold a password: say only what to fix.
    throw new ConnectorError(connector, 'ConnectionStringInvalid', 'connection.connectionString is not a valid PostgreSQL URL (postgres://user@host:port/database)');
  }
  pool.on('error', (error) => {
    log.warn({ event: 'sql-idle-client-error', code: (error as { code?: string }).code }, 'an idle database connection failed; it will be replaced');
  });

  const toConnectorError = (error: unknown, doing: string) => postgresConnectorError(connector, error, doing);

  /** A read without parameters (a full import): COPY, as psql \copy reads (postgres-copy.ts). */
  async function* copyStream(select: string, batchSize: number): AsyncIterable<ResultSet> {
    const client = await pool.connect();
    let finished = false;
    let failure: Error | undefined;
    try {
      const watch = {
        idleMs: config.statementTimeoutMs,
        cancel: () => cancelRequest(config.connectionString, client as unknown as BackendKey),
      };
      yield* copyRows(client as unknown as CopyClient, select, Math.max(1, Math.floor(batchSize)), Math.max(1, Math.floor(batchSize)) * FETCH_PAGES, watch);
      finished = true;
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
      // Failed or abandoned (the consumer stopped early), the connection may still be mid-COPY: discard it.
      client.release(finished ? undefined : (failure ?? new Error('COPY abandoned')));
    }
  }

  return {
    driver: 'postgres',
    syntax: postgresSyntax,

    query(statement) {
      return run(pool as unknown as PgQueryable, statement);
    },

    async *stream(statement: Statement, batchSize: number): AsyncIterable<ResultSet> {
      if (statement.params.length === 0) {
        yield* copyStream(statement.text, batchSize);
        return;
      }
      const client = await pool.connect();
      let finished = false;
      let failure: Error | undefined;
      // Fetch in larger pages than we hand out, and ask for the next page before handing out this one,
      // so the server and the network work while the consumer maps rows (bounded: two pages in memory).
      const fetchSize = Math.max(1, Math.floor(batchSize)) * FETCH_PAGES;
      const fetch = () => run(client as unknown as PgQueryable, { text: `FETCH FORWARD ${fetchSize} FROM imesh_import`, params: [] });
      let next: Promise<QueryResult> | undefined;
      try {
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        await client.query({ text: `DECLARE imesh_import NO SCROLL CURSOR FOR ${statement.text}`, values: statement.params.map(toPgParam) });
        next = fetch();
        while (next) {
          const page: QueryResult = await next;
          next = page.rows.length < fetchSize ? undefined : fetch();
          next?.catch(() => undefined); // awaited on the next turn; an abandoned one must not go unhandled
          for (let start = 0; start < page.rows.length; start += batchSize) {
            yield { columns: page.columns, rows: page.rows.slice(start, start + batchSize) };
          }
        }
        await client.query('COMMIT');
        finished = true;
      } catch (error) {
        failure = error instanceof Error ? error : new Error(String(error));
        throw error;
      } finally {
        // A failure, or an abandoned iteration (the consumer stopped early), lands here unfinished.
        if (!finished) {
          await next?.catch(() => undefined); // one statement at a time on a connection
          await client.query('ROLLBACK').catch(() => undefined);
        }
        client.release(isConnectionLevel(failure) ? failure : undefined);
      }
    },

    async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let failure: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await work({ query: (statement) => run(client as unknown as PgQueryable, statement) });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        failure = error instanceof Error ? error : new Error(String(error));
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release(isConnectionLevel(failure) ? failure : undefined);
      }
    },

    async describe(source: SqlSource): Promise<ColumnInfo[]> {
      const result = await pool.query({ text: postgresSyntax.describe(source), rowMode: 'array' });
      const oids = [...new Set(result.fields.map((f) => f.dataTypeID))];
      const types = await pool.query<PgTypeRow>({ text: PG_TYPE_LOOKUP, values: [oids] });
      const byOid = new Map(types.rows.map((row) => [Number(row.oid), row]));
      return result.fields.map((field) => pgColumnInfo(field.name, field.dataTypeID, byOid));
    },

    toConnectorError,

    async close() {
      await pool.end();
    },
  };
}
