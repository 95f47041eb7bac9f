/** Which approval lets a gate's trip through: `--allow-deletes` (deletes, disables, import guard) or `--allow-clears`. */
import { CLEAR_GATES, type GateTrip } from './types.js';

export function isClearGate(gate: GateTrip['gate']): boolean {
  return (CLEAR_GATES as readonly string[]).includes(gate);
}

/** `--allow-deletes 3 --allow-clears 12`: the flags that would let every tripped gate through (both are per connector). */
export function approvalFlags(gates: readonly GateTrip[]): string {
  const needed = (trips: readonly GateTrip[]) => Math.max(0, ...trips.map((g) => g.count));
  const deletes = gates.filter((g) => !isClearGate(g.gate));
  const clears = gates.filter((g) => isClearGate(g.gate));
  return [...(deletes.length > 0 ? [`--allow-deletes ${needed(deletes)}`] : []), ...(clears.length > 0 ? [`--allow-clears ${needed(clears)}`] : [])].join(' ');
}
