/**
 * Which approval lets a gate's trip through: `--allow-deletes` (deletes, disables, the import guard),
 * `--allow-clears` (the attribute-clear gate) or `--allow-limits` (a Policy's limits).
 */
import { CLEAR_GATES, POLICY_GATES, type GateTrip } from './types.js';

export type Approval = 'deletes' | 'clears' | 'limits';

export function gateApproval(gate: GateTrip['gate']): Approval {
  return (CLEAR_GATES as readonly string[]).includes(gate) ? 'clears' : (POLICY_GATES as readonly string[]).includes(gate) ? 'limits' : 'deletes';
}

export function isClearGate(gate: GateTrip['gate']): boolean {
  return gateApproval(gate) === 'clears';
}

/** `--allow-deletes 3 --allow-clears 12`: the flags that would let every tripped gate through (each is per connector). */
export function approvalFlags(gates: readonly GateTrip[]): string {
  return (['deletes', 'clears', 'limits'] as const)
    .map((approval) => {
      const trips = gates.filter((g) => gateApproval(g.gate) === approval);
      return trips.length > 0 ? `--allow-${approval} ${Math.max(...trips.map((g) => g.count))}` : '';
    })
    .filter(Boolean)
    .join(' ');
}
