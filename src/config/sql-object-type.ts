/**
 * The product documents' names for sql object type settings, resolved once: `importQuery` (a table
 * name or a SELECT) beside `table`/`query`, `deltaColumn` beside `watermarkColumn`, `long` for
 * `bigint`, and the columns an import reads (`columnsToLoad` plus the columns the type itself uses).
 * Shared by the config checks and the sql connector, so both read a setting the same way.
 */
import type { SqlObjectType } from './generated/connector.js';

/** Where an object type's rows come from, and which setting said so. */
export type SqlSourceSetting =
  | { readonly kind: 'table'; readonly text: string; readonly setting: 'table' | 'importQuery' }
  | { readonly kind: 'query'; readonly text: string; readonly setting: 'query' | 'importQuery' }
  | { readonly kind: 'none' }
  | { readonly kind: 'conflict'; readonly settings: readonly string[] };

/** `SELECT …` or `WITH …` (after comments) is a statement; anything else is a table name. */
export function looksLikeQuery(text: string): boolean {
  const start = text.trim().replace(/^(\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)*/, '');
  return /^(select|with)\b/i.test(start);
}

export function sqlSource(type: Pick<SqlObjectType, 'table' | 'query' | 'importQuery'>): SqlSourceSetting {
  const given = (['table', 'query', 'importQuery'] as const).filter((key) => type[key] !== undefined);
  if (given.length > 1) return { kind: 'conflict', settings: given };
  if (type.table !== undefined) return { kind: 'table', text: type.table, setting: 'table' };
  if (type.query !== undefined) return { kind: 'query', text: type.query, setting: 'query' };
  if (type.importQuery !== undefined) {
    return looksLikeQuery(type.importQuery)
      ? { kind: 'query', text: type.importQuery, setting: 'importQuery' }
      : { kind: 'table', text: type.importQuery.trim(), setting: 'importQuery' };
  }
  return { kind: 'none' };
}

/** The watermark column under either name; `conflict` when both are given and differ. */
export function sqlWatermarkColumn(type: Pick<SqlObjectType, 'watermarkColumn' | 'deltaColumn'>): string | undefined | { readonly conflict: readonly [string, string] } {
  const { watermarkColumn, deltaColumn } = type;
  if (watermarkColumn !== undefined && deltaColumn !== undefined && watermarkColumn !== deltaColumn) return { conflict: [watermarkColumn, deltaColumn] };
  return watermarkColumn ?? deltaColumn;
}

/** The watermark column when the settings agree (checks report a conflict separately). */
export function watermarkColumnOf(type: Pick<SqlObjectType, 'watermarkColumn' | 'deltaColumn'>): string | undefined {
  const column = sqlWatermarkColumn(type);
  return typeof column === 'string' ? column : undefined;
}

/**
 * The columns an import reads: every column (`all`) when `columnsToLoad` is left out or empty, else the
 * listed ones plus the external id, watermark, `isActiveColumn` and `softDeleteColumn` columns.
 */
export function sqlLoadedColumns(type: SqlObjectType): readonly string[] | 'all' {
  const listed = type.columnsToLoad;
  if (listed === undefined || listed.length === 0) return 'all';
  const always = [type.externalIdColumn, watermarkColumnOf(type), type.isActiveColumn, type.softDeleteColumn];
  return [...new Set([...listed, ...always.filter((c): c is string => c !== undefined)])];
}
