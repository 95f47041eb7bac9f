/**
 * The `conflict` table: attribute conflicts, ambiguous joins and objects held back at import or export.
 */
import type { Queryable } from '../../store/db.js';

export interface ConflictRow {
  readonly kind: string;
  readonly subject: string;
  readonly attribute: string;
  readonly mesh_type: string;
  readonly scope: string;
  readonly details: unknown;
}

export async function insertConflicts(q: Queryable, rows: readonly ConflictRow[]): Promise<void> {
  if (rows.length === 0) return;
  await q.query(
    `INSERT INTO conflict (kind, subject, attribute, mesh_type, scope, details)
     SELECT x.kind, x.subject, x.attribute, x.mesh_type, x.scope, x.details
       FROM ${q.dialect.records('$1', { kind: 'text', subject: 'text', attribute: 'text', mesh_type: 'text', scope: 'text', details: 'jsonb' })} WHERE true
     ON CONFLICT (kind, subject, attribute) DO UPDATE SET details = EXCLUDED.details, scope = EXCLUDED.scope, last_seen = ${q.dialect.now}`,
    [JSON.stringify(rows)],
  );
}
