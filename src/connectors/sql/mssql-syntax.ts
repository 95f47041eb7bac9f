/**
 * T-SQL statement text for the mssql dialect. Every statement this file can produce is pinned by golden
 * tests (test/connectors/sql/mssql-syntax.test.ts), checked against Microsoft's documented syntax:
 * - MERGE … WITH (HOLDLOCK): https://learn.microsoft.com/en-us/sql/t-sql/statements/merge-transact-sql
 *   (`MERGE [INTO] target [WITH (<merge_hint>)] [AS alias] USING … ON … WHEN MATCHED THEN UPDATE SET …
 *   WHEN NOT MATCHED [BY TARGET] THEN INSERT (…) VALUES (…);` — the statement must end with `;`).
 *   HOLDLOCK (serializable range locks on the target for the statement) closes the race between the
 *   match and the insert when two writers upsert the same new key.
 * - MIN_ACTIVE_ROWVERSION(): https://learn.microsoft.com/en-us/sql/t-sql/functions/min-active-rowversion-transact-sql
 *   (binary(8); the lowest rowversion still in an uncommitted transaction, or @@DBTS + 1: every row below
 *   it is committed, so reading `< signpost` skips nothing that is in flight).
 * - SYSUTCDATETIME(): https://learn.microsoft.com/en-us/sql/t-sql/functions/sysutcdatetime-transact-sql
 *   (datetime2(7), the server's clock in UTC).
 * - TOP (n): https://learn.microsoft.com/en-us/sql/t-sql/queries/top-transact-sql — `TOP (0)` returns the
 *   result's metadata and no rows. Imports are not paged with OFFSET/FETCH
 *   (https://learn.microsoft.com/en-us/sql/t-sql/queries/select-order-by-clause-transact-sql): one
 *   ordered SELECT is streamed by the driver with back-pressure, which reads every row exactly once.
 * Parameters are `@p1…@pn`, bound by the dialect with explicit types (sp_executesql on the wire).
 */
import { quoteTsql, type TableName } from './sql-identifiers.js';
import { sqlText } from './sql-text.js';
import type { KeyedSelectRequest, SelectRequest, SqlParam, SqlSyntax } from './sql-dialect.js';
import type { DeltaColumnType, SqlSource } from './sql-spec.js';

const q = quoteTsql;

const { table, from, list } = sqlText(q);

function params(from: number, count: number): string {
  return Array.from({ length: count }, (_, i) => `@p${from + i}`).join(', ');
}

/** The delta bounds are sent as text and converted by the server, so no precision is lost on the wire. */
function bound(type: DeltaColumnType, param: string): string {
  if (type === 'datetime') return `CAST(${param} AS datetime2(7))`;
  if (type === 'bigint') return `CAST(${param} AS bigint)`;
  return param; // rowversion and binary: bound as varbinary(8)
}

export const mssqlSyntax: SqlSyntax = {
  maxParams: 2_000, // SQL Server accepts at most 2,100 parameters per request
  quote: q,
  table,

  select({ source, columns, delta, orderBy }: SelectRequest): string {
    const select = columns === 'all' ? '*' : list(columns);
    let where = '';
    if (delta) {
      const column = q(delta.column);
      where = ` WHERE ${column} >= ${bound(delta.type, '@p1')} AND ${column} ${delta.upperInclusive ? '<=' : '<'} ${bound(delta.type, '@p2')}`;
    }
    return `SELECT ${select} FROM ${from(source)}${where} ORDER BY ${list(orderBy)}`;
  },

  signpost(type: DeltaColumnType, source: SqlSource, column: string): string {
    if (type === 'datetime') return 'SELECT SYSUTCDATETIME() AS signpost';
    if (type === 'rowversion') return 'SELECT MIN_ACTIVE_ROWVERSION() AS signpost';
    return `SELECT MAX(${q(column)}) AS signpost FROM ${from(source)}`;
  },

  // An IN list of parameters: SQL Server takes at most 2,100 per request, so the core sends chunks.
  keysPerSelect: 2_000,

  selectByKeys({ source, columns, key }: KeyedSelectRequest, count: number): string {
    return `SELECT ${columns === 'all' ? '*' : list(columns)} FROM ${from(source)} WHERE src.${q(key)} IN (${params(1, count)})`;
  },

  keyParams(keys: readonly string[]): SqlParam[] {
    return [...keys];
  },

  count(source: SqlSource): string {
    return `SELECT COUNT_BIG(*) AS n FROM ${from(source)}`;
  },

  describe(source: SqlSource): string {
    return `SELECT TOP (0) * FROM ${from(source)}`;
  },

  upsert(target: TableName, key: string, columns: readonly string[], rows: number): string {
    const all = [key, ...columns.filter((c) => c !== key)];
    const values = Array.from({ length: rows }, (_, r) => `(${params(r * all.length + 1, all.length)})`).join(', ');
    const updates = all.filter((c) => c !== key);
    const matched = updates.length === 0 ? '' : ` WHEN MATCHED THEN UPDATE SET ${updates.map((c) => `tgt.${q(c)} = src.${q(c)}`).join(', ')}`;
    return (
      `MERGE INTO ${table(target)} WITH (HOLDLOCK) AS tgt USING (VALUES ${values}) AS src (${list(all)}) ` +
      `ON tgt.${q(key)} = src.${q(key)}${matched} ` +
      `WHEN NOT MATCHED BY TARGET THEN INSERT (${list(all)}) VALUES (${all.map((c) => `src.${q(c)}`).join(', ')});`
    );
  },

  update(target: TableName, key: string, columns: readonly string[]): string {
    const sets = columns.map((c, i) => `${q(c)} = @p${i + 1}`).join(', ');
    return `UPDATE ${table(target)} SET ${sets} WHERE ${q(key)} = @p${columns.length + 1}`;
  },

  delete(target: TableName, key: string, count: number): string {
    return `DELETE FROM ${table(target)} WHERE ${q(key)} IN (${params(1, count)})`;
  },

  selectForUpdate(target: TableName, key: string, columns: readonly string[]): string {
    return `SELECT ${list([key, ...columns])} FROM ${table(target)} WITH (UPDLOCK, HOLDLOCK) WHERE ${q(key)} = @p1`;
  },

  version(): string {
    return "SELECT CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128)) AS version, @@VERSION AS description";
  },

  superuser(): string {
    return "SELECT CAST(ISNULL(IS_SRVROLEMEMBER('sysadmin'), 0) AS int) AS superuser, SUSER_SNAME() AS login";
  },
};
