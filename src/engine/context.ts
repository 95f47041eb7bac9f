import type { CompiledConfig, ConnectorModel } from '../config/model.js';
import type { IdentityConnector, ObjectTypeCapabilities } from '../connectors/sdk.js';
import type { Logger } from '../shared/logger.js';
import type { Queryable, TransactionOptions } from '../store/db.js';
import type { RunApprovals } from './approval-book.js';

export type CycleKind = 'full' | 'delta';
export type CycleMode = 'reconcile' | 'plan';
/** What started a run, as its job records it: a timetable, a new revision, a SCIM push, the operator API, the CLI. */
export type RunTrigger = 'schedule' | 'revision' | 'scim' | 'api' | 'cli';

/** Opens (and caches) the live connector for a connector definition. */
export type ConnectorOpener = (model: ConnectorModel) => Promise<IdentityConnector>;

/** What every stage of one cycle shares. Stages read the store only through `q`. */
export interface CycleContext {
  readonly config: CompiledConfig;
  readonly q: Queryable;
  /**
   * Runs `work` atomically: a transaction when reconciling, a savepoint inside the plan's transaction.
   * `writeBehind`: see TransactionOptions (a plan's savepoints wait for each write).
   */
  atomically<T>(work: (q: Queryable) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Reconcile on a store whose transactions run beside each other (PostgreSQL) only: a transaction that
   * does not wait its turn behind the others. Only work that checks what it reads against what runs
   * beside it uses it (./overlapped-pages.ts).
   */
  readonly concurrently?: <T>(work: (q: Queryable) => Promise<T>, options?: TransactionOptions) => Promise<T>;
  /** This cycle's change sequence number; every row it changes is stamped with it. */
  readonly seq: number;
  readonly cycleId: number;
  /** The config revision the cycle applies (value and export history record it). */
  readonly revision?: string | null;
  readonly kind: CycleKind;
  readonly mode: CycleMode;
  readonly allowDeletes?: number;
  /** The operator's pending approvals a tripped gate consults (reconcile runs only). */
  readonly approvals?: RunApprovals;
  /** `--allow-clears N`: the attribute-clear gate lets at most N objects per attribute and connector through. */
  readonly allowClears?: number;
  /** `--allow-limits N`: a Policy's limits let at most N objects per limit and connector through. */
  readonly allowLimits?: number;
  readonly log: Logger;
  connector(name: string): Promise<IdentityConnector>;
  capabilities(connector: string, objectType: string): Promise<ObjectTypeCapabilities>;
  /** Progress reporting for long stages (a TTY line or a JSON log line). */
  progress(stage: string, done: number, total?: number): void;
}

export const PAGE_SIZE = 5000;
