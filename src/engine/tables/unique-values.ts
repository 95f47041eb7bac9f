/**
 * The `unique_value` and `unique_value_index` tables: the values a Policy keeps unique (`unique: true`)
 * held by a target's live objects, keyed by value, so a run asks "does another object already hold this
 * value" for the values it gives only. `unique_value_index` records, per attribute, the change number up
 * to which the values reflect the connector space (policies/unique-index.ts keeps them caught up).
 */
import type { Queryable } from '../../store/db.js';
import { sha1 } from '../values.js';

/** Keys longer than this are kept as their hash: a btree entry has a size limit, and only equality is asked. */
const LONGEST_KEY = 200;

const stored = (key: string): string => (key.length > LONGEST_KEY ? `#sha1:${sha1(key)}` : key);

export async function indexedSeq(q: Queryable, connector: string, objectType: string, attribute: string): Promise<number | undefined> {
  const rows = await q.query<{ seq: string }>(
    'SELECT CAST(indexed_seq AS text) AS seq FROM unique_value_index WHERE connector = $1 AND object_type = $2 AND attribute = $3',
    [connector, objectType, attribute],
  );
  return rows[0] ? Number(rows[0].seq) : undefined;
}

export async function setIndexedSeq(q: Queryable, connector: string, objectType: string, attribute: string, seq: number): Promise<void> {
  await q.query(
    `INSERT INTO unique_value_index (connector, object_type, attribute, indexed_seq) VALUES ($1, $2, $3, $4)
     ON CONFLICT (connector, object_type, attribute) DO UPDATE SET indexed_seq = EXCLUDED.indexed_seq`,
    [connector, objectType, attribute, seq],
  );
}

/**
 * Drops the values and catch-up marks of every indexed attribute not in `kept`. Found through the small
 * `unique_value_index` table, so a run pays for what it forgets, never for the values it keeps.
 */
export async function pruneUniqueValues(q: Queryable, kept: readonly { readonly connector: string; readonly object_type: string; readonly attribute: string }[]): Promise<void> {
  const stale = await q.query<{ connector: string; object_type: string; attribute: string }>(
    `SELECT i.connector, i.object_type, i.attribute FROM unique_value_index i
     WHERE NOT EXISTS (SELECT 1 FROM ${q.dialect.records('$1', { connector: 'text', object_type: 'text', attribute: 'text' }, 'k')}
                       WHERE k.connector = i.connector AND k.object_type = i.object_type AND k.attribute = i.attribute)`,
    [JSON.stringify(kept)],
  );
  for (const { connector, object_type, attribute } of stale) {
    await q.query('DELETE FROM unique_value WHERE connector = $1 AND object_type = $2 AND attribute = $3', [connector, object_type, attribute]);
    await q.query('DELETE FROM unique_value_index WHERE connector = $1 AND object_type = $2 AND attribute = $3', [connector, object_type, attribute]);
  }
}

/** The objects' values of the attribute become `values` (none for a deleted object). */
export async function replaceValues(
  q: Queryable,
  connector: string,
  objectType: string,
  attribute: string,
  externalIds: readonly string[],
  values: readonly { readonly externalId: string; readonly key: string }[],
): Promise<void> {
  if (externalIds.length === 0) return;
  await q.query(`DELETE FROM unique_value WHERE connector = $1 AND object_type = $2 AND attribute = $3 AND external_id ${q.dialect.in('$4')}`, [connector, objectType, attribute, [...externalIds]]);
  if (values.length === 0) return;
  await q.query(
    `INSERT INTO unique_value (connector, object_type, attribute, value_key, external_id)
     SELECT $1, $2, $3, x.value_key, x.external_id FROM ${q.dialect.records('$4', { value_key: 'text', external_id: 'text' })} WHERE true
     ON CONFLICT DO NOTHING`,
    [connector, objectType, attribute, JSON.stringify(values.map((v) => ({ value_key: stored(v.key), external_id: v.externalId })))],
  );
}

/** The objects holding each of these values (normalised keys, as `uniqueKeys` gives them). */
export async function holdersOf(q: Queryable, connector: string, objectType: string, attribute: string, keys: readonly string[]): Promise<Map<string, string[]>> {
  const holders = new Map<string, string[]>();
  if (keys.length === 0) return holders;
  const byStored = new Map<string, string[]>();
  for (const key of new Set(keys)) byStored.set(stored(key), [...(byStored.get(stored(key)) ?? []), key]);
  const rows = await q.query<{ value_key: string; external_id: string }>(
    `SELECT value_key, external_id FROM unique_value WHERE connector = $1 AND object_type = $2 AND attribute = $3 AND value_key ${q.dialect.in('$4')} ORDER BY external_id`,
    [connector, objectType, attribute, [...byStored.keys()]],
  );
  for (const row of rows) for (const key of byStored.get(row.value_key) ?? []) holders.set(key, [...(holders.get(key) ?? []), row.external_id]);
  return holders;
}
