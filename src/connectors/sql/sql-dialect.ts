/**
 * What the SQL connector core needs from a database, kysely-style: the core builds statements through
 * a dialect's `syntax` and runs them through the dialect, and never imports a vendor library. Each
 * dialect maps its driver's values to ours (NULL → undefined, bigint/numeric → string, timestamps →
 * ISO 8601 UTC, binary → hex, booleans → boolean, arrays → arrays) and its driver's errors to
 * ConnectorError, each in one place.
 */
import type { Scalar } from '../../config/model.js';
import type { ConnectorError, ConnectorErrorCode } from '../../shared/errors.js';
import type { TableName } from './sql-identifiers.js';
import type { DeltaColumnType, SqlDriver, SqlSource } from './sql-spec.js';

/** A value as read from a row, already mapped: NULL is undefined. */
export type SqlValue = Scalar | readonly Scalar[] | undefined;

/** A bound parameter. Byte strings are Uint8Array (rowversion); lists only for PostgreSQL array columns. */
export type SqlParam = string | number | boolean | null | Uint8Array | readonly string[];

export interface Statement {
  readonly text: string;
  readonly params: readonly SqlParam[];
}

export interface ResultSet {
  /** Column names, in select-list order. */
  readonly columns: readonly string[];
  /** Rows as arrays, in the order of `columns`. */
  readonly rows: readonly (readonly SqlValue[])[];
}

export interface QueryResult extends ResultSet {
  /** Rows written by an INSERT/UPDATE/DELETE/MERGE. */
  readonly rowCount: number;
}

/** How a column's type behaves for us (the database's own type name is kept for messages). */
export type ColumnKind = 'text' | 'boolean' | 'integer' | 'decimal' | 'float' | 'datetime' | 'date' | 'time' | 'binary' | 'rowversion' | 'other';

export interface ColumnInfo {
  readonly name: string;
  /** The database's name for the type (`timestamptz`, `datetime2`, `text[]` …). */
  readonly type: string;
  readonly kind: ColumnKind;
  /** A PostgreSQL array column: multi-valued attributes are written as arrays. */
  readonly array: boolean;
}

/** How a driver error is reported: our stable code, whether a retry can help, and what to check. */
export interface SqlErrorClass {
  readonly code: ConnectorErrorCode;
  readonly retryable: boolean;
  readonly hint?: string;
}

export interface SqlExecutor {
  query(statement: Statement): Promise<QueryResult>;
}

export interface SelectRequest {
  readonly source: SqlSource;
  readonly columns: readonly string[] | 'all';
  /** Delta bounds: parameter 1 is the lower bound (inclusive), parameter 2 the upper bound. */
  readonly delta?: { readonly column: string; readonly type: DeltaColumnType; readonly upperInclusive: boolean };
  readonly orderBy: readonly string[];
}

/** The rows of a source whose key is one of a list of keys (a confirming import's read-back). */
export interface KeyedSelectRequest {
  readonly source: SqlSource;
  readonly columns: readonly string[] | 'all';
  readonly key: string;
}

/** A column the embedded driver creates for `createTable`. */
export interface CreatedColumn {
  readonly name: string;
  readonly kind: 'text' | 'text[]' | 'boolean';
}

/**
 * Statement text for one dialect. Pure functions of configured (already validated) identifiers and
 * counts, so they can be checked as golden text. Parameters are numbered from 1 in the order the core
 * passes them.
 */
export interface SqlSyntax {
  /** Most parameters one statement may carry. */
  readonly maxParams: number;
  quote(identifier: string): string;
  table(table: TableName): string;
  /** Every row (or the delta window), ordered. */
  select(request: SelectRequest): string;
  /** The high-water mark before reading: the server clock, max(column), or MIN_ACTIVE_ROWVERSION(). */
  signpost(type: DeltaColumnType, source: SqlSource, column: string): string;
  /** Most keys one `selectByKeys` statement looks up. */
  readonly keysPerSelect: number;
  /** The rows whose key is one of `count` keys, bound as `keyParams` binds them (unordered). */
  selectByKeys(request: KeyedSelectRequest, count: number): string;
  /** The keys as `selectByKeys` takes them: one array parameter (PostgreSQL) or one parameter each. */
  keyParams(keys: readonly string[]): SqlParam[];
  count(source: SqlSource): string;
  /** Returns no rows; its result columns describe the source. */
  describe(source: SqlSource): string;
  /** Insert rows or update only the given columns of existing ones, keyed by `key`. */
  upsert(table: TableName, key: string, columns: readonly string[], rows: number): string;
  /** UPDATE … SET columns (params 1..n) WHERE key = param n+1. */
  update(table: TableName, key: string, columns: readonly string[]): string;
  /** DELETE the rows whose key is one of `count` parameters. */
  delete(table: TableName, key: string, count: number): string;
  /** SELECT key and columns of one row (param 1), locked for the rest of the transaction. */
  selectForUpdate(table: TableName, key: string, columns: readonly string[]): string;
  /** The server's product and version, one row, one column. */
  version(): string;
  /** One row: whether the connected login is a superuser (1/true or 0/false), and its name. */
  superuser(): string;
}

export interface SqlDialect {
  readonly driver: SqlDriver;
  readonly syntax: SqlSyntax;
  query(statement: Statement): Promise<QueryResult>;
  /** Streams a result in batches of about `batchSize` rows, without holding the whole result. */
  stream(statement: Statement, batchSize: number): AsyncIterable<ResultSet>;
  /** Runs `work` in a transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** The columns of a source (name, type), from a statement that returns no rows. */
  describe(source: SqlSource): Promise<ColumnInfo[]>;
  /** Maps a driver error to ConnectorError (the one place per dialect). `doing` says what failed. */
  toConnectorError(error: unknown, doing: string): ConnectorError;
  /** Embedded driver only: creates the table for `createTable`, or adds missing columns. */
  ensureTable?(table: TableName, key: string, columns: readonly CreatedColumn[]): Promise<void>;
  close(): Promise<void>;
}
