/**
 * SQL Server through `mssql` (tedious). Statements come from mssql-syntax.ts; every value is a typed
 * parameter (`@p1…`, sent as sp_executesql); imports stream rows with back-pressure; values map as:
 * bigint → string, decimal/numeric/money → string (tedious reads them as JavaScript numbers, so digits
 * beyond 15–17 significant ones are already lost on the wire), datetime2/datetimeoffset → ISO 8601 UTC
 * with 7 fractional digits, datetime → 3 digits, date → YYYY-MM-DD, binary/varbinary/rowversion → hex,
 * bit → boolean, NULL → absent.
 *
 * SQL Server has not been run against here: this dialect is covered by golden statements and by a TDS
 * protocol test against a minimal responder (see src/connectors/sql/README.md).
 */
import mssql, { type ColumnMetadata, type ConnectionPool, type PoolConfig, type Request } from 'mssql';
import { ConnectorError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { ColumnInfo, ColumnKind, QueryResult, ResultSet, SqlDialect, SqlExecutor, SqlParam, SqlValue, Statement } from './sql-dialect.js';
import { mssqlConnectorError } from './mssql-errors.js';
import { mssqlSyntax } from './mssql-syntax.js';
import type { SqlSource } from './sql-spec.js';

export interface MssqlDialectConfig {
  readonly connector: string;
  /** Resolved (secret) connection string; never logged or put into a message. */
  readonly connectionString: string;
  /** From the spec; undefined leaves the connection string's setting (default true). */
  readonly encrypt?: boolean;
  readonly trustServerCertificate?: boolean;
  readonly poolSize: number;
  readonly statementTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly log: Logger;
}

const BOOLEAN_WORDS: Readonly<Record<string, boolean>> = { true: true, yes: true, '1': true, false: false, no: false, '0': false };

/** `mssql://user:password@host:port/database?encrypt=true&trustServerCertificate=false`. */
function parseMssqlUrl(text: string): PoolConfig {
  const url = new URL(text);
  const options: Record<string, unknown> = {};
  const config: PoolConfig = {
    server: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    database: decodeURIComponent(url.pathname.replace(/^\//, '')) || undefined,
    user: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    options,
  };
  for (const [key, value] of url.searchParams) {
    const word = BOOLEAN_WORDS[value.toLowerCase()];
    if (key === 'encrypt' || key === 'trustServerCertificate') options[key] = word ?? value;
    else if (key === 'instanceName') options.instanceName = value;
  }
  return config;
}

/** ADO-style (`Server=…;Database=…;User Id=…;Password=…`) or a `mssql://` / `sqlserver://` URL. */
export function parseMssqlConnectionString(connector: string, text: string): PoolConfig {
  try {
    const config = /^(mssql|sqlserver):\/\//i.test(text) ? parseMssqlUrl(text) : mssql.ConnectionPool.parseConnectionString(text);
    if (!config.server) throw new Error('no server');
    return config;
  } catch {
    // The parser's message may quote the string, which can hold a password: say only what to fix.
    throw new ConnectorError(connector, 'ConnectionStringInvalid', 'connection.connectionString is not a valid SQL Server connection string (Server=host,port;Database=…;User Id=…;Password=… or mssql://user@host:port/database)');
  }
}

function bind(request: Request, params: readonly SqlParam[]): Request {
  params.forEach((value, index) => {
    const name = `p${index + 1}`;
    if (value === null) request.input(name, mssql.NVarChar(4000), null);
    else if (typeof value === 'string') request.input(name, value.length > 4000 ? mssql.NVarChar(mssql.MAX) : mssql.NVarChar(4000), value);
    else if (typeof value === 'boolean') request.input(name, mssql.Bit, value);
    else if (typeof value === 'number') {
      const type = !Number.isInteger(value) ? mssql.Float : Math.abs(value) <= 2_147_483_647 ? mssql.Int : mssql.BigInt;
      request.input(name, type, value);
    } else if (value instanceof Uint8Array) request.input(name, mssql.VarBinary(value.length > 8000 ? mssql.MAX : 8000), Buffer.from(value));
    else throw new TypeError('SQL Server has no array columns: multi-valued values are joined before binding');
  });
  return request;
}

function declaration(column: ColumnMetadata): string {
  return column.type?.declaration ?? 'unknown';
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** tedious keeps sub-millisecond digits of datetime2/time in `nanosecondsDelta` (seconds, < 0.001). */
function fraction(date: Date, digits: number): string {
  const ms = pad(date.getUTCMilliseconds(), 3);
  if (digits <= 3) return ms;
  const delta = (date as Date & { nanosecondsDelta?: number }).nanosecondsDelta ?? 0;
  return ms + pad(Math.round(delta * 1e7), 4);
}

function mapValue(value: unknown, column: ColumnMetadata | undefined): SqlValue {
  if (value === null || value === undefined) return undefined;
  const type = column ? declaration(column) : '';
  if (value instanceof Date) {
    if (type === 'date') return value.toISOString().slice(0, 10);
    const precise = type === 'datetime2' || type === 'datetimeoffset' || type === 'time';
    if (type === 'time') return `${value.toISOString().slice(11, 19)}.${fraction(value, 7)}`;
    return `${value.toISOString().slice(0, 19)}.${fraction(value, precise ? 7 : 3)}Z`;
  }
  if (Buffer.isBuffer(value)) return value.toString('hex');
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && (type === 'decimal' || type === 'numeric' || type === 'money' || type === 'smallmoney')) return String(value);
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}

function kindOf(column: ColumnMetadata): ColumnKind {
  switch (declaration(column)) {
    case 'bit':
      return 'boolean';
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'bigint':
      return 'integer';
    case 'decimal':
    case 'numeric':
    case 'money':
    case 'smallmoney':
      return 'decimal';
    case 'float':
    case 'real':
      return 'float';
    case 'datetime2':
    case 'datetime':
    case 'smalldatetime':
    case 'datetimeoffset':
      return 'datetime';
    case 'date':
      return 'date';
    case 'time':
      return 'time';
    case 'binary':
      // rowversion travels as binary(8) (user type TIMESTAMP); mssql does not expose the user type.
      return column.length === 8 ? 'rowversion' : 'binary';
    case 'varbinary':
    case 'image':
      return 'binary';
    case 'char':
    case 'nchar':
    case 'varchar':
    case 'nvarchar':
    case 'text':
    case 'ntext':
    case 'xml':
    case 'uniqueidentifier':
      return 'text';
    default:
      return 'other';
  }
}

function typeName(column: ColumnMetadata): string {
  const name = declaration(column);
  if (name === 'binary' && column.length === 8) return 'binary(8)/rowversion';
  if (['binary', 'varbinary', 'char', 'nchar', 'varchar', 'nvarchar'].includes(name)) {
    if (column.length > 8000 || column.length < 0) return `${name}(max)`;
    // the driver reports lengths in bytes; n(var)char holds two bytes per character
    return `${name}(${name.startsWith('n') ? column.length / 2 : column.length})`;
  }
  return name;
}

function toResult(rows: unknown[][], columns: readonly ColumnMetadata[], rowCount: number): QueryResult {
  return {
    columns: columns.map((c) => c.name),
    rows: rows.map((row) => row.map((value, i) => mapValue(value, columns[i]))),
    rowCount,
  };
}

async function run(request: Request, statement: Statement): Promise<QueryResult> {
  request.arrayRowMode = true;
  const result = await bind(request, statement.params).query(statement.text);
  const rows = (result.recordset ?? []) as unknown[][];
  const columns = result.columns?.[0] ?? [];
  return toResult(rows, columns, result.rowsAffected.reduce((a, b) => a + b, 0));
}

export function createMssqlDialect(config: MssqlDialectConfig): SqlDialect {
  const { connector, log } = config;
  const parsed = parseMssqlConnectionString(connector, config.connectionString);
  const options = { ...(parsed.options ?? {}) };
  if (config.encrypt !== undefined) options.encrypt = config.encrypt;
  if (config.trustServerCertificate !== undefined) options.trustServerCertificate = config.trustServerCertificate;
  options.encrypt ??= true;
  options.trustServerCertificate ??= false;
  if (options.encrypt === false) log.warn({ event: 'sql-tls-off' }, 'SQL Server connection without TLS (encrypt: false)');
  if (options.trustServerCertificate === true) log.warn({ event: 'sql-tls-unverified' }, 'SQL Server certificate is not verified (trustServerCertificate: true)');
  const poolConfig: PoolConfig = {
    ...parsed,
    connectionTimeout: config.connectTimeoutMs,
    requestTimeout: config.statementTimeoutMs,
    arrayRowMode: true,
    validateConnection: 'socket',
    pool: { max: config.poolSize, min: 0 },
    options: { ...options, appName: 'identity-mesh', useUTC: true },
  };
  const pool: ConnectionPool = new mssql.ConnectionPool(poolConfig);
  pool.on('error', (error) => {
    log.warn({ event: 'sql-pool-error', code: (error as { code?: string }).code }, 'a SQL Server connection failed; it will be replaced');
  });
  let connecting: Promise<ConnectionPool> | undefined;
  const ready = (): Promise<ConnectionPool> => {
    connecting ??= pool.connect().catch((error: unknown) => {
      connecting = undefined;
      throw error;
    });
    return connecting;
  };

  return {
    driver: 'mssql',
    syntax: mssqlSyntax,

    async query(statement) {
      return run((await ready()).request(), statement);
    },

    async *stream(statement: Statement, batchSize: number): AsyncIterable<ResultSet> {
      const request = bind((await ready()).request(), statement.params);
      request.arrayRowMode = true;
      let columns: ColumnMetadata[] = [];
      request.on('recordset', (metadata) => {
        columns = metadata;
      });
      const rows = request.toReadableStream({ highWaterMark: batchSize });
      request.query(statement.text, () => undefined); // failures reach the stream as its error
      let batch: unknown[][] = [];
      for await (const row of rows) {
        batch.push(row as unknown[]);
        if (batch.length >= batchSize) {
          yield toResult(batch, columns, 0);
          batch = [];
        }
      }
      if (batch.length > 0) yield toResult(batch, columns, 0);
    },

    async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      const transaction = new mssql.Transaction(await ready());
      await transaction.begin();
      try {
        const result = await work({ query: (statement) => run(new mssql.Request(transaction), statement) });
        await transaction.commit();
        return result;
      } catch (error) {
        await transaction.rollback().catch(() => undefined);
        throw error;
      }
    },

    async describe(source: SqlSource): Promise<ColumnInfo[]> {
      const request = (await ready()).request();
      request.arrayRowMode = true;
      const result = await request.query(mssqlSyntax.describe(source));
      return (result.columns?.[0] ?? []).map((column) => ({ name: column.name, type: typeName(column), kind: kindOf(column), array: false }));
    },

    toConnectorError(error: unknown, doing: string) {
      return mssqlConnectorError(connector, error, doing);
    },

    async close() {
      await pool.close();
    },
  };
}
