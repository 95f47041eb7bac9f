/**
 * The `watermark` table: where each connector's object type's last delta read ended, in the
 * connector's own terms (a change number, a timestamp, a cookie).
 */
import type { Queryable } from '../../store/db.js';

export async function readWatermark(q: Queryable, connector: string, objectType: string): Promise<string | null> {
  const rows = await q.query<{ value: string }>('SELECT value FROM watermark WHERE connector = $1 AND object_type = $2', [connector, objectType]);
  return rows[0]?.value ?? null;
}

export async function writeWatermark(q: Queryable, connector: string, objectType: string, value: string): Promise<void> {
  await q.query(
    `INSERT INTO watermark (connector, object_type, value) VALUES ($1, $2, $3)
     ON CONFLICT (connector, object_type) DO UPDATE SET value = EXCLUDED.value, updated_at = ${q.dialect.now}`,
    [connector, objectType, value],
  );
}

export async function loadWatermarks(q: Queryable): Promise<{ connector: string; object_type: string; value: string; updated_at: Date }[]> {
  return q.query<{ connector: string; object_type: string; value: string; updated_at: Date }>('SELECT connector, object_type, value, updated_at FROM watermark');
}
