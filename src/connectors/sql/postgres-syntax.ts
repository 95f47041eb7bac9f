/**
 * PostgreSQL statement text, shared by the postgres (pg) and embedded (PGlite) dialects: PGlite is
 * PostgreSQL compiled to WebAssembly, so one syntax serves both.
 */
import { quotePg, type TableName } from './sql-identifiers.js';
import { sqlText } from './sql-text.js';
import type { KeyedSelectRequest, SelectRequest, SqlParam, SqlSyntax } from './sql-dialect.js';
import type { DeltaColumnType, SqlSource } from './sql-spec.js';

const q = quotePg;

const { table, from, list } = sqlText(q);

function placeholders(from: number, count: number): string {
  return Array.from({ length: count }, (_, i) => `$${from + i}`).join(', ');
}

/**
 * `($1, $2), ($3, $4), …`: `rows` rows of `width` placeholders. An export sends batch after batch of the
 * same shape, so the text is built once per shape (a few shapes per run; the cache is bounded anyway).
 */
const rowLists = new Map<string, string>();
const ROW_LISTS = 64;

function rowPlaceholders(width: number, rows: number): string {
  const shape = `${width}x${rows}`;
  let text = rowLists.get(shape);
  if (text === undefined) {
    text = Array.from({ length: rows }, (_, r) => `(${placeholders(r * width + 1, width)})`).join(', ');
    if (rowLists.size >= ROW_LISTS) rowLists.clear();
    rowLists.set(shape, text);
  }
  return text;
}

export const postgresSyntax: SqlSyntax = {
  maxParams: 32_000, // the protocol allows 65,535; keep well below
  quote: q,
  table,

  select({ source, columns, delta, orderBy }: SelectRequest): string {
    const select = columns === 'all' ? '*' : list(columns);
    let where = '';
    if (delta) {
      const column = q(delta.column);
      where = ` WHERE ${column} >= $1 AND ${column} ${delta.upperInclusive ? '<=' : '<'} $2`;
    }
    return `SELECT ${select} FROM ${from(source)}${where} ORDER BY ${list(orderBy)}`;
  },

  signpost(type: DeltaColumnType, source: SqlSource, column: string): string {
    // datetime: the server's clock, so client clock skew cannot skip rows; bigint: the committed maximum.
    if (type === 'datetime') return 'SELECT now() AS signpost';
    // max(bytea) exists only from PostgreSQL 18; bytea sorts byte by byte, so the greatest row serves.
    if (type === 'binary') return `SELECT ${q(column)} AS signpost FROM ${from(source)} WHERE ${q(column)} IS NOT NULL ORDER BY ${q(column)} DESC LIMIT 1`;
    return `SELECT max(${q(column)}) AS signpost FROM ${from(source)}`;
  },

  // One array parameter, whatever the count: the server infers its element type from the key column.
  keysPerSelect: 10_000,

  selectByKeys({ source, columns, key }: KeyedSelectRequest): string {
    return `SELECT ${columns === 'all' ? '*' : list(columns)} FROM ${from(source)} WHERE src.${q(key)} = ANY($1)`;
  },

  keyParams(keys: readonly string[]): SqlParam[] {
    return [keys];
  },

  count(source: SqlSource): string {
    return `SELECT count(*) AS n FROM ${from(source)}`;
  },

  describe(source: SqlSource): string {
    return `SELECT * FROM ${from(source)} WHERE false`;
  },

  upsert(target: TableName, key: string, columns: readonly string[], rows: number): string {
    const all = [key, ...columns.filter((c) => c !== key)];
    const values = rowPlaceholders(all.length, rows);
    const updates = all.filter((c) => c !== key);
    const onConflict = updates.length === 0 ? 'DO NOTHING' : `DO UPDATE SET ${updates.map((c) => `${q(c)} = EXCLUDED.${q(c)}`).join(', ')}`;
    return `INSERT INTO ${table(target)} (${list(all)}) VALUES ${values} ON CONFLICT (${q(key)}) ${onConflict}`;
  },

  update(target: TableName, key: string, columns: readonly string[]): string {
    const sets = columns.map((c, i) => `${q(c)} = $${i + 1}`).join(', ');
    return `UPDATE ${table(target)} SET ${sets} WHERE ${q(key)} = $${columns.length + 1}`;
  },

  delete(target: TableName, key: string, count: number): string {
    return `DELETE FROM ${table(target)} WHERE ${q(key)} IN (${placeholders(1, count)})`;
  },

  selectForUpdate(target: TableName, key: string, columns: readonly string[]): string {
    return `SELECT ${list([key, ...columns])} FROM ${table(target)} WHERE ${q(key)} = $1 FOR UPDATE`;
  },

  version(): string {
    return 'SELECT version() AS version';
  },

  superuser(): string {
    return 'SELECT rolsuper AS superuser, current_user AS login FROM pg_roles WHERE rolname = current_user';
  },
};
