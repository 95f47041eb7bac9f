/**
 * The `sql` connector's options, compiled once per config revision into an immutable, validated form.
 * Contradictions and unsafe identifiers are rejected here, before any connection is made, with a
 * message that names the setting.
 */
import { ConfigError } from '../../shared/errors.js';
import { identifierProblem, parseTableName, type TableName } from './sql-identifiers.js';
import { looksLikeQuery, sqlSource, sqlWatermarkColumn } from '../../config/sql-object-type.js';

import type { SqlConnection, SqlConnectorSpec, SqlObjectType } from '../../config/generated/connector.js';

/** The spec as the schema describes it (schemas/connector.schema.json, defaults applied). */
export type SqlSpec = SqlConnectorSpec;
export type SqlConnectionSpec = SqlConnection;

export type SqlDriver = SqlConnection['driver'];
/** The watermark kinds after aliases (`long` is `bigint`). */
export type DeltaColumnType = Exclude<NonNullable<SqlObjectType['deltaColumnType']>, 'long'>;

export type SqlSource = { readonly kind: 'table'; readonly table: TableName } | { readonly kind: 'query'; readonly text: string };

export interface WatermarkOptions {
  readonly column: string;
  readonly type: DeltaColumnType;
  readonly overlapSeconds: number;
}

export interface SqlObjectTypeOptions {
  readonly name: string;
  readonly source: SqlSource;
  readonly key: string;
  /** Explicit column list (always with key, watermark, active and soft-delete columns), or every column. */
  readonly columns: readonly string[] | 'all';
  readonly watermark?: WatermarkOptions;
  readonly isActiveColumn?: string;
  readonly softDelete?: { readonly column: string; readonly value: string | number | boolean };
  readonly separator: string;
  readonly createTable: boolean;
  /** Rows per import batch (`pageSize`, default 1000). */
  readonly batchSize: number;
}

export interface SqlConnectionOptions {
  readonly driver: SqlDriver;
  readonly connectionString?: string;
  readonly path?: string;
  /** mssql: undefined leaves the connection string's setting (default true). */
  readonly encrypt?: boolean;
  readonly trustServerCertificate?: boolean;
  readonly poolSize: number;
  readonly statementTimeoutMs: number;
  readonly connectTimeoutMs: number;
}

export interface SqlOptions {
  readonly connection: SqlConnectionOptions;
  readonly objectTypes: ReadonlyMap<string, SqlObjectTypeOptions>;
}


/**
 * Compiles the spec the schema validated (and the config checks passed) into run-time options. What the
 * schema cannot say is still refused here, naming the setting: unsafe identifiers, queries that are not
 * one read-only SELECT, settings a driver cannot honour.
 */
export function compileSqlOptions(connector: string, spec: SqlConnectorSpec): SqlOptions {
  const fail = (key: string, message: string): never => {
    throw new ConfigError('SqlOptionInvalid', `${connector}: spec.${key}: ${message}`);
  };
  const connection = spec.connection;
  const driver = connection.driver;
  if (driver === 'embedded') {
    if (connection.path === undefined || connection.path === '') return fail('connection.path', 'is required with driver: embedded');
  } else if (connection.connectionString === undefined || connection.connectionString === '') {
    return fail('connection.connectionString', `is required with driver: ${driver}`);
  }
  const positive = (key: string, value: unknown, fallback: number): number => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !(value > 0)) return fail(`connection.${key}`, 'must be a positive number');
    return value;
  };
  const options: SqlConnectionOptions = {
    driver,
    connectionString: connection.connectionString,
    path: connection.path,
    encrypt: connection.encrypt,
    trustServerCertificate: connection.trustServerCertificate,
    poolSize: Math.floor(positive('poolSize', connection.poolSize, 4)),
    statementTimeoutMs: Math.round(positive('statementTimeoutSeconds', connection.statementTimeoutSeconds, 300) * 1000),
    connectTimeoutMs: Math.round(positive('connectTimeoutSeconds', connection.connectTimeoutSeconds, 15) * 1000),
  };
  if (Object.keys(spec.objectTypes).length === 0) return fail('objectTypes', 'declare at least one object type');
  const objectTypes = new Map<string, SqlObjectTypeOptions>();
  for (const [name, raw] of Object.entries(spec.objectTypes)) {
    if (raw !== undefined) objectTypes.set(name, compileObjectType(driver, name, raw, fail));
  }
  return { connection: options, objectTypes };
}

type ColumnSetting = 'externalIdColumn' | 'isActiveColumn' | 'softDeleteColumn' | 'watermarkColumn' | 'deltaColumn';

function compileObjectType(driver: SqlDriver, name: string, raw: SqlObjectType, fail: (key: string, message: string) => never): SqlObjectTypeOptions {
  const at = `objectTypes.${name}`;
  const column = (key: ColumnSetting, required: boolean): string | undefined => {
    const value = raw[key];
    if (value === undefined && !required) return undefined;
    const problem = identifierProblem(value);
    if (problem) return fail(`${at}.${key}`, `${JSON.stringify(value ?? null)} is not a valid column name: ${problem}`);
    return value;
  };

  let source: SqlSource;
  const given = sqlSource(raw);
  if (given.kind === 'conflict') return fail(at, `give one of table, query and importQuery, not ${given.settings.join(' and ')}`);
  if (given.kind === 'none') return fail(at, 'give a table, a query or an importQuery');
  if (given.kind === 'table') {
    const table = parseTableName(given.text);
    if (typeof table === 'string') return fail(`${at}.${given.setting}`, `${JSON.stringify(given.text)} is not a valid table name: ${table}`);
    source = { kind: 'table', table };
  } else {
    source = { kind: 'query', text: compileQuery(driver, given.text, (message) => fail(`${at}.${given.setting}`, message)) };
  }

  const key = column('externalIdColumn', true)!;
  const isActiveColumn = column('isActiveColumn', false);
  const softDeleteColumn = column('softDeleteColumn', false);
  const watermarkSetting = sqlWatermarkColumn(raw);
  if (typeof watermarkSetting === 'object') return fail(`${at}.deltaColumn`, `and watermarkColumn name the same setting with different columns; keep one`);
  const watermarkColumn = column(raw.watermarkColumn !== undefined ? 'watermarkColumn' : 'deltaColumn', false);

  let softDelete: SqlObjectTypeOptions['softDelete'];
  if (softDeleteColumn !== undefined) {
    // Default `true`: a soft-delete flag column marks deleted rows with true.
    softDelete = { column: softDeleteColumn, value: raw.softDeleteValue ?? true };
  } else if (raw.softDeleteValue !== undefined) {
    return fail(`${at}.softDeleteValue`, 'needs softDeleteColumn');
  }

  let watermark: WatermarkOptions | undefined;
  if (watermarkColumn !== undefined) {
    const given = raw.deltaColumnType ?? 'datetime';
    const type: DeltaColumnType = given === 'long' ? 'bigint' : given;
    if (type === 'rowversion' && driver !== 'mssql') {
      return fail(`${at}.deltaColumnType`, `rowversion is a SQL Server type; with driver: ${driver} use datetime, bigint, or binary (an 8-byte counter in a bytea column)`);
    }
    const overlap = raw.overlapSeconds ?? 5;
    if (!(overlap >= 0)) return fail(`${at}.overlapSeconds`, 'must be a number of seconds, 0 or more');
    watermark = { column: watermarkColumn, type, overlapSeconds: overlap };
  }
  // Without watermarkColumn, deltaColumnType and overlapSeconds (which carry schema defaults) do nothing.

  let columns: readonly string[] | 'all' = 'all';
  // Left out or [] = every column (SELECT *).
  if (raw.columnsToLoad !== undefined) {
    const list: string[] = [];
    raw.columnsToLoad.forEach((item, index) => {
      const problem = identifierProblem(item);
      if (problem) fail(`${at}.columnsToLoad[${index}]`, `${JSON.stringify(item)} is not a valid column name: ${problem}`);
      list.push(item);
    });
    if (list.length > 0) {
      for (const always of [key, watermarkColumn, isActiveColumn, softDeleteColumn]) if (always !== undefined) list.push(always);
      columns = [...new Set(list)];
    }
  }

  const separator = raw.multiValueSeparator ?? ';';
  if (separator.length === 0) return fail(`${at}.multiValueSeparator`, 'must be a non-empty string');

  const createTable = raw.createTable === true;
  if (createTable && driver !== 'embedded') return fail(`${at}.createTable`, `is only available with driver: embedded (a ${driver} table must exist)`);
  if (createTable && source.kind !== 'table') return fail(`${at}.createTable`, 'needs a table, not a query');

  const batchSize = raw.pageSize ?? 1000;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) return fail(`${at}.pageSize`, 'must be a whole number from 1 to 100000');

  return { name, source, key, columns, watermark, isActiveColumn, softDelete, separator, createTable, batchSize };
}

/**
 * A configured query is read-only and is wrapped as a subquery (`SELECT … FROM (query) AS src`), never
 * concatenated with values. One statement only; a trailing semicolon is dropped.
 */
function compileQuery(driver: SqlDriver, raw: unknown, fail: (message: string) => never): string {
  if (typeof raw !== 'string' || raw.trim() === '') return fail('must be a SELECT statement');
  const text = raw.trim().replace(/;\s*$/, '');
  const start = text.replace(/^(\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)*/, '');
  if (!looksLikeQuery(text)) return fail('must be a read-only SELECT statement');
  if (/^with\b/i.test(start) && driver === 'mssql') return fail('SQL Server does not allow a WITH (CTE) query as a subquery: use a view, or a SELECT with derived tables');
  if (text.includes(';')) return fail('must be a single statement (no ";")');
  return text;
}
