/**
 * The few places where the store's two SQL dialects differ, as small helpers the engine's SQL is
 * written with (`q.dialect`). Everything else the engine writes is SQL both PostgreSQL (server, and
 * PGlite for existing embedded stores) and SQLite (the embedded store) accept: `$1` parameters,
 * `ON CONFLICT … DO UPDATE … EXCLUDED.`, `RETURNING`, `->`/`->>` on JSON, `CAST(x AS integer)`,
 * `count(*) FILTER (WHERE …)`, `IS DISTINCT FROM`.
 *
 * Parameters are plain JavaScript values on both: a list parameter is an array (PostgreSQL binds it as
 * an array; the SQLite store sends it as JSON text and reads it back with `json_each`).
 */
import type { Queryable } from './db.js';

/**
 * A record field's type. `jsonb` is parsed into the server's binary form; `json` is kept as written (a
 * column of type json: checked, not parsed, about a sixth of jsonb's cost per value — for columns only
 * ever read whole, such as provenance).
 */
export type RecordType = 'text' | 'json' | 'jsonb' | 'boolean' | 'bigint' | 'integer';

export interface Dialect {
  readonly name: 'postgres' | 'sqlite';
  /** The current time, as a timestamp column holds it. */
  readonly now: string;
  /** `column <in(param)>`: the column is one of a list parameter's values. */
  in(param: string): string;
  /** The time `seconds` (a number, not a parameter) before now. */
  ago(seconds: number): string;
  /** A JSON parameter stored in a JSON column. */
  json(param: string): string;
  /** A text parameter stored in a JSON column as a JSON string. */
  jsonString(param: string): string;
  /** A JSON column holding a JSON string, read as text. */
  jsonText(column: string): string;
  /** A timestamptz column as the ISO 8601 text `toISOString` writes (read without a Date in between). */
  isoTime(column: string): string;
  /**
   * A FROM item (aliased `alias`) of the rows of a parameter holding a JSON array of objects, with these
   * fields as columns. A statement that INSERTs … SELECTs from it and has an ON CONFLICT clause must give
   * the SELECT a WHERE clause (SQLite's parser needs one; `WHERE true` does).
   */
  records(param: string, columns: Readonly<Record<string, RecordType>>, alias?: string): string;
  /** The next value of a counter (a PostgreSQL sequence; a row of `sequence` on SQLite). */
  nextval(q: Queryable, sequence: string): Promise<number>;
  /**
   * `table` read through `index` (SQLite's INDEXED BY), for a read whose planner would choose worse
   * without knowing the parameters' values. Absent on PostgreSQL, whose planner weighs them.
   */
  readonly indexedBy?: (table: string, index: string) => string;
}

export const postgresDialect: Dialect = {
  name: 'postgres',
  now: 'now()',
  in: (param) => `= ANY(${param})`,
  ago: (seconds) => `(now() - interval '${Number(seconds)} seconds')`,
  json: (param) => `${param}::jsonb`,
  jsonString: (param) => `to_jsonb(${param}::text)`,
  jsonText: (column) => `(${column} #>> '{}')`,
  isoTime: (column) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
  // The parameter is read as json, not jsonb, and a jsonb field's text is parsed on its own: parsing
  // the whole page into one jsonb value first and taking its fields apart cost the server about a
  // quarter more per written row (a 100,000-object first cycle writes ~700,000 rows this way).
  records: (param, columns, alias = 'x') =>
    `(SELECT ${Object.entries(columns)
      .map(([name, type]) => (type === 'jsonb' ? `r.${name}::jsonb AS ${name}` : `r.${name}`))
      .join(', ')} FROM json_to_recordset(${param}::json) AS r(${Object.entries(columns)
      .map(([name, type]) => `${name} ${type === 'jsonb' ? 'json' : type}`)
      .join(', ')})) AS ${alias}`,
  async nextval(q, sequence) {
    const rows = await q.query<{ n: string }>('SELECT nextval($1)::text AS n', [sequence]);
    return Number(rows[0]?.n);
  },
};

/** ISO 8601 with milliseconds, as `new Date().toISOString()` writes it: text that sorts as time. */
const SQLITE_NOW = `strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`;

export const sqliteDialect: Dialect = {
  name: 'sqlite',
  now: SQLITE_NOW,
  in: (param) => `IN (SELECT value FROM json_each(${param}))`,
  ago: (seconds) => `strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-${Number(seconds)} seconds')`,
  json: (param) => `json(${param})`,
  jsonString: (param) => `json_quote(CAST(${param} AS text))`,
  jsonText: (column) => `(${column} ->> '$')`,
  // Written as that text already (SQLITE_NOW, or the writer's toISOString).
  isoTime: (column) => column,
  records: (param, columns, alias = 'x') =>
    `(SELECT ${Object.entries(columns)
      .map(([name, type]) => `value ${type === 'jsonb' || type === 'json' ? '->' : '->>'} '$.${name}' AS ${name}`)
      .join(', ')} FROM json_each(${param})) AS ${alias}`,
  async nextval(q, sequence) {
    const rows = await q.query<{ n: number }>('UPDATE sequence SET value = value + 1 WHERE name = $1 RETURNING value AS n', [sequence]);
    if (rows[0] === undefined) throw new Error(`the store has no sequence "${sequence}"`);
    return Number(rows[0].n);
  },
  indexedBy: (table, index) => `${table} INDEXED BY ${index}`,
};
