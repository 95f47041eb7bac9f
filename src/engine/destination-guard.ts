/**
 * Which connectors a read-only run (plan, check, reconcile --dry-run) must not contact: those that would
 * send a secret to a destination no trusted run has bound it to. A configuration change can add a connector or move one; only a trusted run (the reviewed,
 * merged revision) can make a secret follow it. Compare Argo CD, where an AppProject's `destinations`
 * (set by the operator, not the application's repository) limit where an Application may deploy:
 * https://argo-cd.readthedocs.io/en/stable/user-guide/projects/
 */
import type { SecretBinding, SecretUse } from './secret-bindings.js';

/** Connector → why it is not contacted: a secret of its would go to a destination it is not bound to. */
export function unboundConnectors(uses: readonly SecretUse[], bindings: readonly SecretBinding[]): Map<string, string> {
  const bound = new Set(bindings.map((b) => `${b.secret}\u0000${b.destination}`));
  const unbound = new Map<string, SecretUse[]>();
  for (const use of uses) {
    if (bound.has(`${use.secret}\u0000${use.destination}`)) continue;
    unbound.set(use.connector, [...(unbound.get(use.connector) ?? []), use]);
  }
  const skipped = new Map<string, string>();
  for (const [connector, list] of unbound) {
    const [first] = list;
    const more = list.length > 1 ? ` (and ${list.length - 1} more secret/destination pair${list.length > 2 ? 's' : ''})` : '';
    skipped.set(
      connector,
      `secret ${first!.secret} would be sent to ${first!.destination}, where no trusted run has sent it${more}; ` +
        'a reconcile of the merged revision (or --trust-destinations in a trusted context) binds it',
    );
  }
  return skipped;
}
