/**
 * The `approval` table: an operator's "let these held-back objects of one connector through, once"
 * (POST /api/v1/connectors/{name}/approvals). An approval is bound to what the connector's gates held
 * back when it was given (gate_hold): `allowDeletes` must cover every held deletion and disable,
 * `allowClears` every held attribute clear, `allowLimits` every change a Policy's limits hold back, all
 * or nothing as `--allow-deletes`. A newer approval for
 * the same connector supersedes a pending one; one not used within APPROVAL_TTL_MS expires.
 * approval-book.ts judges a run's gates with the pending ones and settles them here.
 */
import type { ApprovalRecord, HeldObject } from '../reports/types.js';
import { ApprovalError } from '../shared/errors.js';
import type { Queryable } from '../store/db.js';
import { isoTimestamp, isoTimestampOrNull } from '../store/timestamps.js';
import { listHolds } from './gate-holds.js';

export const APPROVAL_TTL_MS = 24 * 60 * 60 * 1000;

export interface ApprovalInput {
  readonly connector: string;
  readonly allowDeletes: number;
  readonly allowClears?: number;
  readonly allowLimits?: number;
  readonly reason: string;
  /** The API token's name. */
  readonly approvedBy: string;
  /** Milliseconds since the epoch (the process's clock, injectable). */
  readonly now: number;
}

interface ApprovalRow {
  id: string | number;
  connector: string;
  allow_deletes: number;
  allow_clears: number | null;
  allow_limits: number | null;
  reason: string;
  approved_by: string;
  approved_at: Date | string;
  expires_at: Date | string;
  objects: HeldObject[];
  state: ApprovalRecord['state'];
  cycle_id: string | number | null;
  decided_at: Date | string | null;
  let_through: HeldObject[] | null;
  note: string | null;
}

const COLUMNS = 'CAST(id AS text) AS id, connector, allow_deletes, allow_clears, allow_limits, reason, approved_by, approved_at, expires_at, objects, state, CAST(cycle_id AS text) AS cycle_id, decided_at, let_through, note';

function toRecord(row: ApprovalRow): ApprovalRecord {
  return {
    id: Number(row.id),
    connector: row.connector,
    allowDeletes: row.allow_deletes,
    allowClears: row.allow_clears,
    allowLimits: row.allow_limits,
    reason: row.reason,
    approvedBy: row.approved_by,
    approvedAt: isoTimestamp(row.approved_at),
    expiresAt: isoTimestamp(row.expires_at),
    state: row.state,
    objects: row.objects,
    jobId: row.cycle_id === null ? null : Number(row.cycle_id),
    decidedAt: isoTimestampOrNull(row.decided_at),
    letThrough: row.let_through ?? [],
    note: row.note,
  };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Records an approval bound to what the connector's gates hold back now, superseding a pending one.
 * Refused (ApprovalError) when nothing is held back, or when an allowance is smaller than what is held
 * back of its kind (a gate lets all or nothing through). Run it in a transaction.
 */
export async function giveApproval(q: Queryable, input: ApprovalInput): Promise<{ approval: ApprovalRecord; superseded: number[] }> {
  const held = (await listHolds(q, input.connector)).map(({ gate, objectType, externalId, op, object }): HeldObject => ({ gate, objectType, externalId, op, object }));
  if (held.length === 0) {
    throw new ApprovalError('NothingPending', `${input.connector}: no safety gate holds anything back (the last runs that judged its gates let everything through); there is nothing to approve`);
  }
  const clears = held.filter((h) => h.gate === 'clear').length;
  const limited = held.filter((h) => h.gate === 'limit').length;
  const removals = held.length - clears - limited;
  if (removals > 0 && input.allowDeletes < removals) {
    throw new ApprovalError(
      'AllowanceTooSmall',
      `${input.connector}: its gates hold back ${removals} deletions and disables, more than allowDeletes ${input.allowDeletes}; a gate lets all or none through, so approve at least ${removals} (see GET /api/v1/connectors/${input.connector}/approvals for the objects)`,
    );
  }
  if (clears > 0 && input.allowClears === undefined) {
    throw new ApprovalError('AllowanceMissing', `${input.connector}: the attribute-clear gate holds back ${plural(clears, 'clear')}; send allowClears (at least ${clears}) to approve them`);
  }
  if (clears > 0 && input.allowClears !== undefined && input.allowClears < clears) {
    throw new ApprovalError('AllowanceTooSmall', `${input.connector}: the attribute-clear gate holds back ${plural(clears, 'clear')}, more than allowClears ${input.allowClears}; approve at least ${clears}`);
  }
  if (limited > 0 && input.allowLimits === undefined) {
    throw new ApprovalError('AllowanceMissing', `${input.connector}: a Policy's limits hold back ${plural(limited, 'change')}; send allowLimits (at least ${limited}) to approve them`);
  }
  if (limited > 0 && input.allowLimits !== undefined && input.allowLimits < limited) {
    throw new ApprovalError('AllowanceTooSmall', `${input.connector}: a Policy's limits hold back ${plural(limited, 'change')}, more than allowLimits ${input.allowLimits}; approve at least ${limited}`);
  }
  const at = new Date(input.now).toISOString();
  const superseded = await q.query<{ id: string }>(
    `UPDATE approval SET state = 'superseded', decided_at = $2, note = 'a newer approval replaced it' WHERE connector = $1 AND state = 'pending' RETURNING CAST(id AS text) AS id`,
    [input.connector, at],
  );
  const rows = await q.query<ApprovalRow>(
    `INSERT INTO approval (connector, allow_deletes, allow_clears, allow_limits, reason, approved_by, approved_at, expires_at, objects)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, ${q.dialect.json('$9')}) RETURNING ${COLUMNS}`,
    [input.connector, input.allowDeletes, input.allowClears ?? null, input.allowLimits ?? null, input.reason, input.approvedBy, at, new Date(input.now + APPROVAL_TTL_MS).toISOString(), JSON.stringify(held)],
  );
  const row = rows[0];
  if (!row) throw new Error('recording the approval returned no row');
  return { approval: toRecord(row), superseded: superseded.map((r) => Number(r.id)) };
}

/** A connector's approvals, newest first. */
export async function listApprovals(q: Queryable, connector: string, limit: number, offset: number): Promise<{ items: ApprovalRecord[]; total: number }> {
  const rows = await q.query<ApprovalRow>(`SELECT ${COLUMNS} FROM approval WHERE connector = $1 ORDER BY id DESC LIMIT $2 OFFSET $3`, [connector, limit, offset]);
  const total = await q.query<{ n: number }>('SELECT CAST(count(*) AS integer) AS n FROM approval WHERE connector = $1', [connector]);
  return { items: rows.map(toRecord), total: total[0]?.n ?? 0 };
}

/** Pending approvals past their expiry become `expired`; returns them. */
export async function expireApprovals(q: Queryable, now: number): Promise<ApprovalRecord[]> {
  const at = new Date(now).toISOString();
  const rows = await q.query<ApprovalRow>(
    `UPDATE approval SET state = 'expired', decided_at = $1, note = 'not used within 24 hours' WHERE state = 'pending' AND expires_at <= $1 RETURNING ${COLUMNS}`,
    [at],
  );
  return rows.map(toRecord);
}

/** The approvals waiting for a run, oldest first. */
export async function pendingApprovals(q: Queryable): Promise<ApprovalRecord[]> {
  return (await q.query<ApprovalRow>(`SELECT ${COLUMNS} FROM approval WHERE state = 'pending' ORDER BY id`)).map(toRecord);
}

/** The approvals these runs used (jobs show them), by run. */
export async function approvalsOfRuns(q: Queryable, cycleIds: readonly number[]): Promise<Map<number, ApprovalRecord[]>> {
  const byRun = new Map<number, ApprovalRecord[]>();
  if (cycleIds.length === 0) return byRun;
  const rows = await q.query<ApprovalRow>(`SELECT ${COLUMNS} FROM approval WHERE cycle_id ${q.dialect.in('$1')} ORDER BY id`, [[...cycleIds]]);
  for (const record of rows.map(toRecord)) byRun.set(record.jobId!, [...(byRun.get(record.jobId!) ?? []), record]);
  return byRun;
}

export interface ApprovalDecision {
  readonly id: number;
  readonly state: 'applied' | 'refused';
  readonly letThrough: readonly HeldObject[];
  readonly note: string | null;
}

/** Records what a run did with the approvals it judged. */
export async function settleApprovals(q: Queryable, cycleId: number, now: number, decisions: readonly ApprovalDecision[]): Promise<ApprovalRecord[]> {
  const settled: ApprovalRecord[] = [];
  const at = new Date(now).toISOString();
  for (const d of decisions) {
    const rows = await q.query<ApprovalRow>(
      // A newer approval may have superseded it while the run was using it: the run's use is what happened.
      `UPDATE approval SET state = $2, cycle_id = $3, decided_at = $4, let_through = ${q.dialect.json('$5')}, note = $6 WHERE id = $1 AND state IN ('pending', 'superseded') RETURNING ${COLUMNS}`,
      [d.id, d.state, cycleId, at, JSON.stringify(d.letThrough), d.note],
    );
    if (rows[0]) settled.push(toRecord(rows[0]));
  }
  return settled;
}
