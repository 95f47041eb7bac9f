/**
 * Planner statistics and dead-row cleanup for the store's tables.
 *
 * The embedded store (PGlite) runs PostgreSQL in single-user mode: there is no autovacuum, and its
 * cumulative statistics (`pg_stat_user_tables`) are not maintained, so nothing would ever ANALYZE or
 * VACUUM it. Without statistics the planner guesses, and on 100,000 rows it guesses badly (measured: a
 * sync page read sorted the whole connector space through the wrong index, 15x slower). A PostgreSQL
 * server's autovacuum does run, but only some time after a bulk change, while a cycle reads what it just
 * wrote at once. So the engine refreshes statistics itself between stages, for tables that grew.
 *
 * "Grew" is judged from the table's size on disk against `pg_class.relpages`, the size recorded at the
 * last ANALYZE or VACUUM. That works inside a transaction (a `plan` preview) and needs no statistics
 * collector. Updates grow a table too (every new row version takes space until VACUUM frees the old).
 *
 * The SQLite store needs neither: its planner chooses by the indexes without statistics (the engine's
 * queries are index lookups and key-ordered pages), it reuses freed pages without VACUUM, and it runs
 * `PRAGMA optimize` (which ANALYZEs what its queries would gain from) when it closes.
 *
 * Every store prunes the value and export history older than `Mesh.spec.history.retain` after each
 * reconcile cycle (pruneHistory).
 */
import { pruneExportHistory } from '../engine/tables/export-history.js';
import { pruneValueHistory } from '../engine/tables/value-history.js';
import type { Db, Queryable } from './db.js';

/** The engine's tables that bulk work changes. */
export const BULK_TABLES = ['cs_object', 'mesh_object', 'mesh_key', 'source_link', 'target_link'] as const;
export type BulkTable = (typeof BULK_TABLES)[number];

/**
 * The history tables: appended to in bulk and pruned, but never read by planner estimates (each read
 * is one object's rows by index), so never ANALYZEd between stages; on PGlite they are vacuumed after
 * a cycle like the others, so pruned rows' space is reused.
 */
export const HISTORY_TABLES = ['value_history', 'export_history'] as const;

/**
 * Tables smaller than this (8 kB pages) are left alone. Kept small on purpose: a join between an
 * analysed table and one never analysed is where the planner goes worst (it trusts default
 * selectivities on one side), so statistics should exist as soon as a table holds real data.
 */
const MIN_PAGES = 8;
/** ANALYZE when the table has grown by this fraction since its statistics were taken. */
const GROWTH = 0.2;

interface TableSize {
  readonly table: string;
  /** Its size now, in pages. */
  readonly pages: number;
  /** Its size when its statistics were last taken (`pg_class.relpages`). */
  readonly analyzed: number;
  /** Its size after its last VACUUM by vacuumGrownTables (kept in `meta`), or 0. */
  readonly vacuumed: number;
}

async function tableSizes(q: Queryable, tables: readonly string[]): Promise<TableSize[]> {
  return q.query<TableSize>(
    `SELECT t.name AS table,
            (pg_relation_size(c.oid) / current_setting('block_size')::int)::int AS pages,
            c.relpages AS analyzed,
            coalesce((m.value ->> 'pages')::int, 0) AS vacuumed
       FROM unnest($1::text[]) AS t(name)
       JOIN pg_class c ON c.oid = to_regclass(t.name)
       LEFT JOIN meta m ON m.key = 'vacuum:' || t.name`,
    [tables],
  );
}

const grownSince = (pages: number, before: number, growth: number) => pages >= MIN_PAGES && pages > before * (1 + growth);

/**
 * ANALYZEs the tables that grew by more than `growth` (a fraction) since their statistics were taken;
 * returns their names.
 */
export async function refreshStatistics(q: Queryable, tables: readonly BulkTable[] = BULK_TABLES, growth = GROWTH): Promise<string[]> {
  if (q.dialect.name === 'sqlite') return [];
  const grown = (await tableSizes(q, tables)).filter((t) => grownSince(t.pages, t.analyzed, growth)).map((t) => t.table);
  for (const table of grown) await q.query(`ANALYZE ${table}`);
  return grown;
}

/**
 * The embedded store's stand-in for autovacuum: VACUUM (ANALYZE) the tables that grew by a fifth since
 * they were last vacuumed, so the space of old row versions is reused instead of the files growing every
 * cycle. VACUUM cannot run inside a transaction, so this runs after a reconcile cycle, never during a
 * `plan`. A PostgreSQL server has its own autovacuum.
 */
export async function vacuumGrownTables(db: Db, tables: readonly string[] = [...BULK_TABLES, ...HISTORY_TABLES]): Promise<string[]> {
  if (db.technology !== 'pglite') return [];
  const grown = (await tableSizes(db, tables)).filter((t) => grownSince(t.pages, t.vacuumed, GROWTH)).map((t) => t.table);
  for (const table of grown) {
    await db.exec(`VACUUM (ANALYZE) ${table}`);
    await db.query(
      `INSERT INTO meta (key, value)
       VALUES ('vacuum:' || $1, jsonb_build_object('pages', pg_relation_size(to_regclass($1)) / current_setting('block_size')::int, 'at', now()))
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
      [table],
    );
  }
  return grown;
}

export interface PrunedHistory {
  readonly values: number;
  readonly exports: number;
}

/** Deletes the value and export history written more than `retainMs` before `now`. */
export async function pruneHistory(q: Queryable, retainMs: number, now: number = Date.now()): Promise<PrunedHistory> {
  const cutoff = new Date(now - retainMs).toISOString();
  return { values: await pruneValueHistory(q, cutoff), exports: await pruneExportHistory(q, cutoff) };
}
