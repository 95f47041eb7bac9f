/**
 * The `gate_hold` table: the objects a tripped safety gate holds back, per connector, gate and object
 * type. A gate judged again rewrites its rows (what it holds back now); an approval is bound to them.
 */
import type { HeldObject } from '../reports/types.js';
import type { Queryable } from '../store/db.js';
import { isoTimestampOrNull } from '../store/timestamps.js';

export type HoldGate = HeldObject['gate'];

export interface HeldRow extends HeldObject {
  readonly connector: string;
  /** The run that held it back last. */
  readonly jobId: number;
  readonly since: string | null;
}

/** A key naming one held object of a connector (gate, type, id and op: a disable is not a delete). */
export const heldKey = (o: Pick<HeldObject, 'gate' | 'objectType' | 'externalId' | 'op'>): string => `${o.gate}\u0000${o.objectType}\u0000${o.externalId}\u0000${o.op}`;

/**
 * What the gate holds back now for these object types of the connector: the rows of those types are
 * replaced by `held` (none: the gate let everything through, or nothing was pending). Rows held back
 * before keep their `since`.
 */
export async function replaceHolds(q: Queryable, connector: string, gate: HoldGate, objectTypes: readonly string[], held: readonly HeldObject[], cycleId: number): Promise<void> {
  const keep = held.map((h) => ({ object_type: h.objectType, external_id: h.externalId }));
  await q.query(
    `DELETE FROM gate_hold WHERE connector = $1 AND gate = $2 AND object_type ${q.dialect.in('$3')}
        AND NOT EXISTS (SELECT 1 FROM ${q.dialect.records('$4', { object_type: 'text', external_id: 'text' })} WHERE x.object_type = gate_hold.object_type AND x.external_id = gate_hold.external_id)`,
    [connector, gate, [...objectTypes], JSON.stringify(keep)],
  );
  await addHolds(q, connector, held, cycleId);
}

/** Records held-back objects without forgetting others (a partial plan saw only some of the type). */
export async function addHolds(q: Queryable, connector: string, held: readonly HeldObject[], cycleId: number): Promise<void> {
  if (held.length === 0) return;
  const rows = held.map((h) => ({ connector, gate: h.gate, object_type: h.objectType, external_id: h.externalId, op: h.op, object: h.object, cycle_id: cycleId }));
  await q.query(
    `INSERT INTO gate_hold (connector, gate, object_type, external_id, op, object, cycle_id)
     SELECT x.connector, x.gate, x.object_type, x.external_id, x.op, x.object, x.cycle_id
       FROM ${q.dialect.records('$1', { connector: 'text', gate: 'text', object_type: 'text', external_id: 'text', op: 'text', object: 'text', cycle_id: 'bigint' })} WHERE true
     ON CONFLICT (connector, gate, object_type, external_id) DO UPDATE SET op = EXCLUDED.op, object = EXCLUDED.object, cycle_id = EXCLUDED.cycle_id`,
    [JSON.stringify(rows)],
  );
}

/** Forgets held objects of a type: all of them, or those with these external ids (read again, so no longer pending). */
export async function clearHolds(q: Queryable, connector: string, gate: HoldGate, objectType: string, externalIds?: readonly string[]): Promise<void> {
  if (externalIds === undefined) {
    await q.query('DELETE FROM gate_hold WHERE connector = $1 AND gate = $2 AND object_type = $3', [connector, gate, objectType]);
    return;
  }
  if (externalIds.length === 0) return;
  await q.query(`DELETE FROM gate_hold WHERE connector = $1 AND gate = $2 AND object_type = $3 AND external_id ${q.dialect.in('$4')}`, [connector, gate, objectType, [...externalIds]]);
}

/** What the connector's gates hold back now, in a stable order. */
export async function listHolds(q: Queryable, connector: string): Promise<HeldRow[]> {
  const rows = await q.query<{ connector: string; gate: HoldGate; object_type: string; external_id: string; op: HeldObject['op']; object: string; cycle_id: string | number; since: Date | string }>(
    'SELECT connector, gate, object_type, external_id, op, object, CAST(cycle_id AS text) AS cycle_id, since FROM gate_hold WHERE connector = $1 ORDER BY gate, object_type, object, external_id',
    [connector],
  );
  return rows.map((r) => ({ connector: r.connector, gate: r.gate, objectType: r.object_type, externalId: r.external_id, op: r.op, object: r.object, jobId: Number(r.cycle_id), since: isoTimestampOrNull(r.since) }));
}

/** How many objects each connector's gates hold back now. */
export async function countHolds(q: Queryable): Promise<Map<string, number>> {
  const rows = await q.query<{ connector: string; n: number }>('SELECT connector, CAST(count(*) AS integer) AS n FROM gate_hold GROUP BY connector');
  return new Map(rows.map((r) => [r.connector, r.n]));
}
