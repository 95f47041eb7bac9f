/**
 * The `policy_report` table: each Policy's existing invariant violations on one target, as its last
 * whole check of the target found them, under a hash of the invariants checked. Delta runs report these
 * rather than reading the whole target; full runs (and a changed definition) check again.
 */
import type { PolicyViolation } from '../../reports/types.js';
import type { Queryable } from '../../store/db.js';

export async function readPolicyReport(q: Queryable, policy: string, connector: string, objectType: string, definition: string): Promise<PolicyViolation[] | undefined> {
  const rows = await q.query<{ definition: string; violations: PolicyViolation[] | string }>(
    'SELECT definition, violations FROM policy_report WHERE policy = $1 AND connector = $2 AND object_type = $3',
    [policy, connector, objectType],
  );
  const row = rows[0];
  if (!row || row.definition !== definition) return undefined;
  return typeof row.violations === 'string' ? (JSON.parse(row.violations) as PolicyViolation[]) : row.violations;
}

export async function writePolicyReport(q: Queryable, policy: string, connector: string, objectType: string, definition: string, violations: readonly PolicyViolation[]): Promise<void> {
  await q.query(
    `INSERT INTO policy_report (policy, connector, object_type, definition, violations) VALUES ($1, $2, $3, $4, ${q.dialect.json('$5')})
     ON CONFLICT (policy, connector, object_type) DO UPDATE SET definition = EXCLUDED.definition, violations = EXCLUDED.violations, checked_at = ${q.dialect.now}`,
    [policy, connector, objectType, definition, JSON.stringify(violations)],
  );
}

/** Drops the reports of every Policy and target not in `kept`. */
export async function prunePolicyReports(q: Queryable, kept: readonly { readonly policy: string; readonly connector: string; readonly object_type: string }[]): Promise<void> {
  await q.query(
    `DELETE FROM policy_report WHERE NOT EXISTS (SELECT 1 FROM ${q.dialect.records('$1', { policy: 'text', connector: 'text', object_type: 'text' }, 'k')}
       WHERE k.policy = policy_report.policy AND k.connector = policy_report.connector AND k.object_type = policy_report.object_type)`,
    [JSON.stringify(kept)],
  );
}
