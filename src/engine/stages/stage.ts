/**
 * What the stages of one cycle share. A run stage runs once per cycle (import, sync); the projection
 * stages run once per wave of projections (plan, gate, export, confirm), in that order, so one object's
 * way from import to export reads in the order of `CYCLE_STAGES` and `WAVE_STAGES` (../cycle.ts).
 */
import type { CompiledConfig, ProjectionModel } from '../../config/model.js';
import type { CycleContext } from '../context.js';
import type { CycleRecord } from '../cycle-record.js';
import type { ProjectionPlan } from '../planner.js';
import type { RunScope } from '../run-scope.js';

export interface CycleRun {
  readonly ctx: CycleContext;
  readonly config: CompiledConfig;
  readonly record: CycleRecord;
  /** The connectors this run covers; none: the whole mesh. */
  readonly scope: RunScope | undefined;
  /** Connectors not contacted this run, with the reason. */
  readonly skipped: ReadonlyMap<string, string>;
  /** Asked before each export: false stops exporting (leader lost its lock, shutdown). */
  readonly mayExport: () => boolean;
  /** Connectors whose import failed or was refused, or whose export failed: nothing more goes to them. */
  readonly failed: Set<string>;
  /** Targets an earlier wave created objects in: a later wave plans every object of its type for them. */
  readonly created: Set<string>;
  /**
   * Projections planned only for what this run changed (a target outside a scoped run): their progress
   * marker stays where it was.
   */
  readonly partial: Set<string>;
  /** The mesh objects this run changed, per mesh type, read once after sync. */
  readonly touchedByType: Map<string, Promise<string[]>>;
  /**
   * The context confirming imports write with: their rows carry a change number after this cycle's, which
   * projections record as their progress, so what they just wrote is not planned again.
   */
  readonly confirmCtx: CycleContext;
  /** Connectors whose imports run at once (stages/import-stage.ts). */
  readonly importConcurrency: number;
  /** Changes sent to a target, then recorded, together (../exporter.ts). */
  readonly exportBatch: number;
  /** `--retry-failed`: failed exports of the projections planned are sent again now, counted afresh. */
  readonly retryFailed: boolean;
}

/** Projections planned, gated, exported and confirmed together. */
export interface Wave {
  readonly projections: readonly ProjectionModel[];
  readonly plans: ProjectionPlan[];
  /** Target connectors a gate blocks for this wave. */
  readonly blocked: Set<string>;
  /** What each export addressed, per connector and object type (external ids), for the confirming import. */
  readonly exportedTo: Map<string, Map<string, Set<string>>>;
}

export interface CycleStage {
  readonly name: string;
  run(run: CycleRun): Promise<void>;
}

export interface WaveStage {
  readonly name: string;
  run(run: CycleRun, wave: Wave): Promise<void>;
}
