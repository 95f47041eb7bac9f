/**
 * The statement pieces every dialect's syntax writes the same way, up to its identifier quoting:
 * a (schema-qualified) table, a source as a FROM item aliased `src`, and a column list.
 */
import type { TableName } from './sql-identifiers.js';
import type { SqlSource } from './sql-spec.js';

export interface SqlText {
  table(name: TableName): string;
  from(source: SqlSource): string;
  list(columns: readonly string[]): string;
}

export function sqlText(quote: (identifier: string) => string): SqlText {
  const table = (name: TableName): string => (name.schema ? `${quote(name.schema)}.${quote(name.name)}` : quote(name.name));
  return {
    table,
    from: (source) => (source.kind === 'table' ? `${table(source.table)} AS src` : `(${source.text}) AS src`),
    list: (columns) => columns.map(quote).join(', '),
  };
}
