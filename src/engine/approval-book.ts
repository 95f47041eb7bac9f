/**
 * A run's pending approvals (approvals.ts), consulted by a tripped gate: the import guard of a source,
 * the delete gate of a target (and the attribute-clear gate and a Policy's limits, through the same call). An approval lets a
 * tripped gate's objects through when every one of them was held back when it was given and there are
 * no more than its allowance (all or nothing, as `--allow-deletes`); otherwise the gate blocks as
 * before and says why. Either way the approval is used: the run records it as applied or refused.
 * A gate that does not trip never consults it, so it waits for the run that needs it, or expires.
 */
import type { ApprovalRecord, HeldObject } from '../reports/types.js';
import type { Queryable } from '../store/db.js';
import { expireApprovals, pendingApprovals, settleApprovals, type ApprovalDecision } from './approvals.js';
import { heldKey } from './gate-holds.js';

export type Judgement =
  | { readonly approval: ApprovalRecord; readonly pass: true; readonly held: readonly HeldObject[] }
  | { readonly approval: ApprovalRecord; readonly pass: false; readonly why: string };

const SHOWN = 5;

export class RunApprovals {
  readonly #byConnector: Map<string, ApprovalRecord>;
  readonly #decisions = new Map<number, { letThrough: HeldObject[]; refusals: string[] }>();

  private constructor(
    pending: readonly ApprovalRecord[],
    /** Pending approvals that expired as the run started. */
    readonly expired: readonly ApprovalRecord[],
  ) {
    this.#byConnector = new Map(pending.map((a) => [a.connector, a]));
  }

  /** Expires the stale approvals (at `now`, the run's clock) and loads the pending ones. */
  static async load(q: Queryable, now: number): Promise<RunApprovals> {
    const expired = await expireApprovals(q, now);
    return new RunApprovals(await pendingApprovals(q), expired);
  }

  /** A tripped gate of `connector` holds back `held`: whether its pending approval lets them through. */
  judge(connector: string, held: readonly HeldObject[]): Judgement | undefined {
    const approval = this.#byConnector.get(connector);
    if (!approval) return undefined;
    const approved = new Set(approval.objects.map(heldKey));
    const strangers = held.filter((h) => !approved.has(heldKey(h)));
    if (strangers.length > 0) {
      const names = strangers.slice(0, SHOWN).map((h) => h.object).join(', ');
      return { approval, pass: false, why: `${strangers.length} of the ${held.length} held back ${strangers.length === 1 ? 'was' : 'were'} not held back when approval #${approval.id} was given (${names}${strangers.length > SHOWN ? ', …' : ''}); approve again` };
    }
    const clears = held.filter((h) => h.gate === 'clear').length;
    const limited = held.filter((h) => h.gate === 'limit').length;
    const removals = held.length - clears - limited;
    if (removals > approval.allowDeletes) return { approval, pass: false, why: `${removals} pending, more than approval #${approval.id}'s allowDeletes ${approval.allowDeletes}` };
    if (clears > (approval.allowClears ?? 0)) return { approval, pass: false, why: `${clears} clears pending, more than approval #${approval.id}'s allowClears ${approval.allowClears ?? 0}` };
    if (limited > (approval.allowLimits ?? 0)) return { approval, pass: false, why: `${limited} changes over a Policy's limits pending, more than approval #${approval.id}'s allowLimits ${approval.allowLimits ?? 0}` };
    return { approval, pass: true, held };
  }

  /** Records a judgement once what it decided took effect (the import committed, the exports may start). */
  record(judgement: Judgement): void {
    const decision = this.#decisions.get(judgement.approval.id) ?? { letThrough: [], refusals: [] };
    this.#decisions.set(judgement.approval.id, decision);
    if (judgement.pass) decision.letThrough.push(...judgement.held);
    else decision.refusals.push(judgement.why);
  }

  /** What the run did with the approvals it consulted. */
  decisions(): ApprovalDecision[] {
    return [...this.#decisions].map(([id, d]) => ({
      id,
      state: d.refusals.length > 0 ? 'refused' : 'applied',
      letThrough: d.letThrough,
      note: d.refusals.length > 0 ? d.refusals.join('; ') : null,
    }));
  }

  /** Records the decisions against the run (its job id); returns the approvals settled. */
  async settle(q: Queryable, cycleId: number, now: number): Promise<ApprovalRecord[]> {
    return settleApprovals(q, cycleId, now, this.decisions());
  }
}

/** A gate's message with why an approval did not let its objects through. */
export function withRefusal(message: string, judgement: Judgement | undefined): string {
  return judgement && !judgement.pass ? `${message}; approval #${judgement.approval.id} was not applied: ${judgement.why}` : message;
}
