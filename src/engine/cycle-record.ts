/**
 * One cycle's record: every stage writes what it did into it (outcomes, counts, held-back objects,
 * errors, the time it took), and the record becomes the cycle's result, its job row and its reports.
 */
import type { DriftEntry, GateTrip, PolicyViolation } from '../reports/types.js';
import type { GivenUpExport } from './export-attempts.js';
import type { ExportCounts } from './exporter.js';
import type { ImportOutcome } from './importer.js';
import type { HeldBackObject, ProjectionPlan } from './planner.js';
import type { SyncOutcome } from './sync.js';

export interface ConnectorFailure {
  readonly connector: string;
  readonly stage: 'import' | 'export' | 'open';
  readonly message: string;
}

export interface CycleRecord {
  readonly imports: ImportOutcome[];
  readonly syncs: SyncOutcome[];
  readonly plans: ProjectionPlan[];
  /** Objects the plans hold back (empty template attributes, ambiguous adoptions). */
  readonly heldBack: HeldBackObject[];
  readonly gates: GateTrip[];
  /** What the Policy documents found: new (held back or blocked) and existing (reported only). */
  readonly policyViolations: PolicyViolation[];
  /** Export counts per projection. */
  readonly exports: Map<string, ExportCounts>;
  /** Changes not sent because they failed `exportRetry.maxAttempts` cycles, with their last error. */
  readonly givenUp: GivenUpExport[];
  readonly failures: ConnectorFailure[];
  readonly drift: DriftEntry[];
  /** Targets with changes that a suspended Mesh or connector kept from being exported. */
  readonly suspended: string[];
  /** Milliseconds per stage. */
  readonly timings: Record<string, number>;
}

export function emptyRecord(): CycleRecord {
  return { imports: [], syncs: [], plans: [], heldBack: [], gates: [], policyViolations: [], exports: new Map(), givenUp: [], failures: [], drift: [], suspended: [], timings: {} };
}

/** Runs `work` and adds its duration to the record's timing for `stage`. */
export async function timed<T>(record: CycleRecord, stage: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    record.timings[stage] = (record.timings[stage] ?? 0) + Math.round(performance.now() - started);
  }
}
