/**
 * Golden T-SQL: every statement the mssql dialect emits, pinned. Each shape was checked against
 * Microsoft's documented syntax (the links are in src/connectors/sql/mssql-syntax.ts):
 * - MERGE: `MERGE [INTO] <target> [WITH (<merge_hint>)] [[AS] alias] USING <table_source> [AS alias]
 *   ON <search_condition> [WHEN MATCHED THEN UPDATE SET …] [WHEN NOT MATCHED [BY TARGET] THEN INSERT
 *   (…) VALUES (…)] ;` — https://learn.microsoft.com/en-us/sql/t-sql/statements/merge-transact-sql
 *   (HOLDLOCK is a table_hint_limited; the terminating semicolon is required);
 * - MIN_ACTIVE_ROWVERSION() returns binary(8):
 *   https://learn.microsoft.com/en-us/sql/t-sql/functions/min-active-rowversion-transact-sql
 * - SYSUTCDATETIME() returns datetime2(7):
 *   https://learn.microsoft.com/en-us/sql/t-sql/functions/sysutcdatetime-transact-sql
 * - TOP (0): https://learn.microsoft.com/en-us/sql/t-sql/queries/top-transact-sql
 * - the import is one ordered SELECT streamed with back-pressure, not OFFSET/FETCH pages
 *   (https://learn.microsoft.com/en-us/sql/t-sql/queries/select-order-by-clause-transact-sql).
 */
import { describe, expect, it } from 'vitest';
import { mssqlSyntax as t } from '../../../src/connectors/sql/mssql-syntax.js';
import type { SqlSource } from '../../../src/connectors/sql/sql-spec.js';

const table: SqlSource = { kind: 'table', table: { schema: 'hr', name: 'employees' } };
const plain: SqlSource = { kind: 'table', table: { name: 'accounts' } };
const query: SqlSource = { kind: 'query', text: "SELECT e.id, e.name FROM hr.employees e WHERE e.dept = N'R&D'" };
const accounts = { schema: 'app', name: 'accounts' };

describe('T-SQL emitted by the mssql dialect', () => {
  it('full import: every row, ordered by the key', () => {
    expect(t.select({ source: table, columns: 'all', orderBy: ['employee_id'] })).toBe('SELECT * FROM [hr].[employees] AS src ORDER BY [employee_id]');
    expect(t.select({ source: plain, columns: ['employee_id', 'name', 'rv'], orderBy: ['employee_id'] })).toBe('SELECT [employee_id], [name], [rv] FROM [accounts] AS src ORDER BY [employee_id]');
    expect(t.select({ source: query, columns: 'all', orderBy: ['id'] })).toBe("SELECT * FROM (SELECT e.id, e.name FROM hr.employees e WHERE e.dept = N'R&D') AS src ORDER BY [id]");
  });

  it('delta import: bounds are parameters, converted by the server', () => {
    expect(t.select({ source: table, columns: 'all', delta: { column: 'rv', type: 'rowversion', upperInclusive: false }, orderBy: ['rv', 'employee_id'] })).toBe(
      'SELECT * FROM [hr].[employees] AS src WHERE [rv] >= @p1 AND [rv] < @p2 ORDER BY [rv], [employee_id]',
    );
    expect(t.select({ source: table, columns: 'all', delta: { column: 'modified_at', type: 'datetime', upperInclusive: true }, orderBy: ['modified_at', 'employee_id'] })).toBe(
      'SELECT * FROM [hr].[employees] AS src WHERE [modified_at] >= CAST(@p1 AS datetime2(7)) AND [modified_at] <= CAST(@p2 AS datetime2(7)) ORDER BY [modified_at], [employee_id]',
    );
    expect(t.select({ source: table, columns: 'all', delta: { column: 'version', type: 'bigint', upperInclusive: true }, orderBy: ['version', 'employee_id'] })).toBe(
      'SELECT * FROM [hr].[employees] AS src WHERE [version] >= CAST(@p1 AS bigint) AND [version] <= CAST(@p2 AS bigint) ORDER BY [version], [employee_id]',
    );
    expect(t.select({ source: table, columns: 'all', delta: { column: 'counter', type: 'binary', upperInclusive: true }, orderBy: ['counter', 'employee_id'] })).toBe(
      'SELECT * FROM [hr].[employees] AS src WHERE [counter] >= @p1 AND [counter] <= @p2 ORDER BY [counter], [employee_id]',
    );
  });

  it('signposts, read before the rows', () => {
    expect(t.signpost('rowversion', table, 'rv')).toBe('SELECT MIN_ACTIVE_ROWVERSION() AS signpost');
    expect(t.signpost('datetime', table, 'modified_at')).toBe('SELECT SYSUTCDATETIME() AS signpost');
    expect(t.signpost('bigint', table, 'version')).toBe('SELECT MAX([version]) AS signpost FROM [hr].[employees] AS src');
    // binary: an 8-byte counter (binary(8)) that is not a rowversion: its committed maximum, like bigint.
    expect(t.signpost('binary', table, 'counter')).toBe('SELECT MAX([counter]) AS signpost FROM [hr].[employees] AS src');
    expect(t.signpost('bigint', query, 'version')).toBe("SELECT MAX([version]) AS signpost FROM (SELECT e.id, e.name FROM hr.employees e WHERE e.dept = N'R&D') AS src");
  });

  it('check(): version, counts and column metadata', () => {
    expect(t.version()).toBe("SELECT CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128)) AS version, @@VERSION AS description");
    expect(t.count(table)).toBe('SELECT COUNT_BIG(*) AS n FROM [hr].[employees] AS src');
    expect(t.describe(table)).toBe('SELECT TOP (0) * FROM [hr].[employees] AS src');
    expect(t.describe(query)).toBe("SELECT TOP (0) * FROM (SELECT e.id, e.name FROM hr.employees e WHERE e.dept = N'R&D') AS src");
  });

  it('upsert: MERGE … WITH (HOLDLOCK), only the mapped columns updated', () => {
    expect(t.upsert(accounts, 'account_id', ['display_name', 'is_active'], 2)).toBe(
      'MERGE INTO [app].[accounts] WITH (HOLDLOCK) AS tgt USING (VALUES (@p1, @p2, @p3), (@p4, @p5, @p6)) AS src ([account_id], [display_name], [is_active]) ' +
        'ON tgt.[account_id] = src.[account_id] WHEN MATCHED THEN UPDATE SET tgt.[display_name] = src.[display_name], tgt.[is_active] = src.[is_active] ' +
        'WHEN NOT MATCHED BY TARGET THEN INSERT ([account_id], [display_name], [is_active]) VALUES (src.[account_id], src.[display_name], src.[is_active]);',
    );
    expect(t.upsert(accounts, 'account_id', [], 1)).toBe(
      'MERGE INTO [app].[accounts] WITH (HOLDLOCK) AS tgt USING (VALUES (@p1)) AS src ([account_id]) ON tgt.[account_id] = src.[account_id] ' +
        'WHEN NOT MATCHED BY TARGET THEN INSERT ([account_id]) VALUES (src.[account_id]);',
    );
  });

  it('update, delete, and the locked read for multi-valued add/remove', () => {
    expect(t.update(accounts, 'account_id', ['display_name', 'is_active'])).toBe('UPDATE [app].[accounts] SET [display_name] = @p1, [is_active] = @p2 WHERE [account_id] = @p3');
    expect(t.delete(accounts, 'account_id', 3)).toBe('DELETE FROM [app].[accounts] WHERE [account_id] IN (@p1, @p2, @p3)');
    expect(t.selectForUpdate(accounts, 'account_id', ['groups'])).toBe('SELECT [account_id], [groups] FROM [app].[accounts] WITH (UPDLOCK, HOLDLOCK) WHERE [account_id] = @p1');
  });

  it('read by key (confirming import): an IN list of parameters on the key, unordered', () => {
    expect(t.selectByKeys({ source: table, columns: 'all', key: 'employee_id' }, 3)).toBe('SELECT * FROM [hr].[employees] AS src WHERE src.[employee_id] IN (@p1, @p2, @p3)');
    expect(t.selectByKeys({ source: query, columns: ['id', 'name'], key: 'id' }, 1)).toBe("SELECT [id], [name] FROM (SELECT e.id, e.name FROM hr.employees e WHERE e.dept = N'R&D') AS src WHERE src.[id] IN (@p1)");
    expect(t.keyParams(['a', 'b'])).toEqual(['a', 'b']);
    expect(t.keysPerSelect).toBeLessThanOrEqual(t.maxParams);
  });

  it('quotes identifiers with brackets, doubling a closing bracket', () => {
    expect(t.quote('a]b')).toBe('[a]]b]');
    expect(t.table({ name: 'x' })).toBe('[x]');
  });

  it('stays within SQL Server\'s 2,100 parameters per request', () => {
    expect(t.maxParams).toBeLessThanOrEqual(2100);
  });
});
