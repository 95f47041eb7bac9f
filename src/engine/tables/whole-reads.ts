/**
 * The `whole_read` table: when each connector's object type was last read whole (what `driftCheck`
 * intervals count from).
 */
import type { Queryable } from '../../store/db.js';

export async function recordWholeRead(q: Queryable, connector: string, objectType: string): Promise<void> {
  await q.query(
    `INSERT INTO whole_read (connector, object_type) VALUES ($1, $2)
     ON CONFLICT (connector, object_type) DO UPDATE SET read_at = ${q.dialect.now}`,
    [connector, objectType],
  );
}

/** When the type was last read whole, or null when it never was. */
export async function lastWholeRead(q: Queryable, connector: string, objectType: string): Promise<Date | null> {
  const rows = await q.query<{ read_at: Date | string }>('SELECT read_at FROM whole_read WHERE connector = $1 AND object_type = $2', [connector, objectType]);
  return rows[0] ? new Date(rows[0].read_at) : null;
}

export async function loadWholeReads(q: Queryable): Promise<{ connector: string; object_type: string; read_at: Date }[]> {
  return q.query<{ connector: string; object_type: string; read_at: Date }>('SELECT connector, object_type, read_at FROM whole_read');
}
