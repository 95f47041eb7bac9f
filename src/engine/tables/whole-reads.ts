/**
 * The `whole_read` table: when each connector's object type was last read whole (what `driftCheck`
 * intervals count from), and the connector's change token taken just before that read, if it gives one.
 */
import type { Queryable } from '../../store/db.js';

export async function recordWholeRead(q: Queryable, connector: string, objectType: string, changeToken: string | null = null): Promise<void> {
  await q.query(
    `INSERT INTO whole_read (connector, object_type, change_token) VALUES ($1, $2, $3)
     ON CONFLICT (connector, object_type) DO UPDATE SET read_at = ${q.dialect.now}, change_token = EXCLUDED.change_token`,
    [connector, objectType, changeToken],
  );
}

/** When the type was last read whole and the change token of that read, or null when it never was. */
export async function lastWholeRead(q: Queryable, connector: string, objectType: string): Promise<{ readAt: Date; changeToken: string | null } | null> {
  const rows = await q.query<{ read_at: Date | string; change_token: string | null }>('SELECT read_at, change_token FROM whole_read WHERE connector = $1 AND object_type = $2', [connector, objectType]);
  return rows[0] ? { readAt: new Date(rows[0].read_at), changeToken: rows[0].change_token } : null;
}

export async function loadWholeReads(q: Queryable): Promise<{ connector: string; object_type: string; read_at: Date; change_token: string | null }[]> {
  return q.query<{ connector: string; object_type: string; read_at: Date; change_token: string | null }>('SELECT connector, object_type, read_at, change_token FROM whole_read');
}
