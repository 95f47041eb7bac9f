/**
 * The `drift` table: target attributes found different from what their projection wants, and what was
 * done about it (corrected, reported, pending).
 */
import type { Value } from '../../config/model.js';
import type { DriftEntry } from '../../reports/types.js';
import type { Queryable } from '../../store/db.js';

export type DriftAction = 'corrected' | 'reported' | 'pending';

export interface DriftRow {
  readonly projection: string;
  readonly connector: string;
  readonly object: string;
  readonly attribute: string;
  readonly desired: Value | null;
  readonly actual: Value | null;
  readonly action: DriftAction;
  readonly detected_at: Date | string;
}

/** Forgets corrected drift (of these target connectors only, when given). */
export async function forgetCorrected(q: Queryable, connectors?: readonly string[]): Promise<void> {
  if (connectors === undefined) await q.query(`DELETE FROM drift WHERE action = 'corrected'`);
  else await q.query(`DELETE FROM drift WHERE action = 'corrected' AND connector ${q.dialect.in('$1')}`, [connectors]);
}

/** Forgets a projection's drift: all of it, or that of these objects (the ones it compared again). */
export async function forgetDrift(q: Queryable, projection: string, objects?: readonly string[]): Promise<void> {
  if (objects === undefined) await q.query('DELETE FROM drift WHERE projection = $1', [projection]);
  else if (objects.length > 0) await q.query(`DELETE FROM drift WHERE projection = $1 AND object ${q.dialect.in('$2')}`, [projection, objects]);
}

/** Records drift in one statement. */
export async function recordDrift(q: Queryable, entries: readonly (DriftEntry & { readonly action: DriftAction })[]): Promise<void> {
  if (entries.length === 0) return;
  await q.query(
    `INSERT INTO drift (projection, connector, object, attribute, desired, actual, action)
     SELECT x.projection, x.connector, x.object, x.attribute, x.desired, x.actual, x.action
       FROM ${q.dialect.records('$1', { projection: 'text', connector: 'text', object: 'text', attribute: 'text', desired: 'jsonb', actual: 'jsonb', action: 'text' })} WHERE true
     ON CONFLICT (projection, object, attribute) DO UPDATE SET desired = EXCLUDED.desired, actual = EXCLUDED.actual, action = EXCLUDED.action, detected_at = ${q.dialect.now}`,
    [JSON.stringify(entries)],
  );
}

export async function loadDrift(q: Queryable): Promise<DriftRow[]> {
  return q.query<DriftRow>('SELECT projection, connector, object, attribute, desired, actual, action, detected_at FROM drift ORDER BY projection, object, attribute');
}
