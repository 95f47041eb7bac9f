/**
 * Report data, as the engine produces it and as `schemas/*.report.schema.json` describe it.
 * Renderers turn these into JSON and Markdown; the JSON form is exactly these objects.
 */
import type { Value } from '../config/model.js';

export interface Condition {
  readonly type: string; // Ready, Reconciling, Stalled, ConfigInvalid, DeleteThresholdExceeded, ImportGuardTripped, ExportFailed …
  readonly status: 'True' | 'False';
  readonly reason: string;
  readonly message: string;
  readonly lastTransitionTime?: string;
}

export interface ObjectTypeStatus {
  readonly count: number;
  readonly watermark: string | null;
  readonly lastImport: string | null;
  readonly lastExport: string | null;
  /** When the type was last read whole (a complete import); left out when it never was. */
  readonly lastWholeRead?: string | null;
}

export interface ConnectorStatus {
  readonly name: string;
  readonly type: string;
  readonly health: 'Healthy' | 'Degraded' | 'Failed' | 'Unknown';
  /** Why `health` is what it is (CamelCase), with a message; left out while it is Unknown. */
  readonly healthReason?: string;
  readonly healthMessage?: string;
  /** When `health` last changed (not rewritten by runs that leave it as it was). */
  readonly healthLastTransitionTime?: string;
  readonly conditions: readonly Condition[];
  readonly objectTypes: Readonly<Record<string, ObjectTypeStatus>>;
  /** Objects in the target's scope that no mesh object projects to. */
  readonly unmanaged?: number;
  /** For a projection target: its `spec.driftCheck` (`every-cycle`, `full-only` or a duration). */
  readonly driftCheck?: string;
  readonly lastError?: string;
  /**
   * Exports to this target given up after `exportRetry.maxAttempts` cycles (at most 100, oldest first):
   * not sent again until their desired state changes or `imesh reconcile --retry-failed`.
   */
  readonly givenUpExports?: readonly GivenUpExportStatus[];
}

export interface GivenUpExportStatus {
  readonly projection: string;
  /** The target object's label (DN, key or external id), or the mesh object's. */
  readonly object: string;
  readonly op: string;
  readonly code: string;
  readonly message: string;
  readonly attempts: number;
  /** When it last failed. */
  readonly lastAttempt: string;
}

export interface CycleSummary {
  readonly id: number;
  readonly kind: 'full' | 'delta';
  readonly mode: 'reconcile' | 'plan';
  readonly result: 'succeeded' | 'failed' | 'blocked' | 'running' | 'interrupted';
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly revision: string | null;
  /**
   * Counters by group (a connector, projection or stage name) and counter name. The export outcome
   * counters `created`, `updated`, `moved`, `enabled`, `disabled`, `deleted` and `failed`, summed over
   * all groups, name the reports commit (`reports: … — 3 created, 1 updated`), and a cycle with any
   * export besides `failed` is report-worthy even when nothing else in status changed.
   */
  readonly counts: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

export interface StatusReport {
  readonly generatedAt: string;
  readonly mesh: string;
  readonly revision: string | null;
  readonly lastAppliedRevision: string | null;
  readonly lastAttemptedRevision: string | null;
  readonly conditions: readonly Condition[];
  readonly connectors: readonly ConnectorStatus[];
  readonly lastCycle: CycleSummary | null;
  readonly cycles: readonly CycleSummary[];
  readonly pendingExports: number;
  readonly meshObjects: Readonly<Record<string, number>>;
  /** What the Policy documents found in the last run: `new` (held back or blocked) and `existing` (reported only). */
  readonly policyViolations?: readonly PolicyViolation[];
  /** Approvals still waiting for a run, and those the run that wrote this status used (the audit trail in Git). */
  readonly approvals?: readonly ApprovalRecord[];
  /** `imesh status --format json` only: the store read (never with credentials). */
  readonly store?: string;
  /** `imesh status --server URL --format json` only: the controller asked (never with credentials). */
  readonly server?: string;
}

export interface DriftEntry {
  readonly projection: string;
  readonly connector: string;
  readonly object: string;
  readonly attribute: string;
  readonly desired: Value | null;
  readonly actual: Value | null;
  readonly action: 'corrected' | 'reported' | 'pending';
  readonly detectedAt?: string;
}

export interface DriftReport {
  readonly generatedAt: string;
  readonly revision: string | null;
  readonly drift: readonly DriftEntry[];
}

export interface ConflictEntry {
  readonly kind: 'attribute' | 'ambiguousJoin' | 'heldBack';
  readonly meshType: string;
  readonly object: string;
  readonly attribute?: string;
  readonly values?: readonly { readonly value: Value | null; readonly rule: string; readonly connector: string; readonly externalId: string; readonly confidence: number }[];
  readonly winner?: { readonly value: Value | null; readonly rule: string };
  readonly reason: string;
  readonly firstSeen?: string;
  /** In a plan: whether the conflict is there already (`existing`) or the plan would add it (`new`). */
  readonly status?: 'new' | 'existing';
}

export interface ConflictsReport {
  readonly generatedAt: string;
  readonly revision: string | null;
  readonly conflicts: readonly ConflictEntry[];
}

export interface PlanChange {
  readonly op: 'create' | 'update' | 'move' | 'enable' | 'disable' | 'delete';
  readonly object: string;
  readonly dn?: string;
  readonly newDn?: string;
  readonly attributes?: Readonly<Record<string, { readonly from: Value | null; readonly to: Value | null }>>;
}

export interface PlanProjection {
  readonly name: string;
  readonly connector: string;
  readonly objectType: string;
  readonly creates: number;
  readonly updates: number;
  readonly moves: number;
  readonly enables: number;
  readonly disables: number;
  readonly deletes: number;
  readonly changes: readonly PlanChange[];
  /** A safety gate on the target connector would block these changes: a reconcile holds them back. */
  readonly heldBack?: boolean;
}

/** A connector the plan could not read (or open): what depends on it is missing from the plan. */
export interface PlanFailure {
  readonly connector: string;
  readonly stage: 'import' | 'export' | 'open';
  readonly message: string;
}

/**
 * An object a tripped safety gate holds back: `import` (the import guard: a deletion or disable a
 * source read would make), `export` (the delete gate: a delete or disable to a target), `clear` (the
 * attribute-clear gate), `limit` (a Policy's limit: the changes it counted, with their operation).
 * Identified by the connector's object type and external id (a create's: the DN or key it would get).
 */
export interface HeldObject {
  readonly gate: 'import' | 'export' | 'clear' | 'limit';
  readonly objectType: string;
  readonly externalId: string;
  readonly op: 'delete' | 'disable' | 'clear' | 'create' | 'update' | 'move';
  /** For people: DN, key or external id. */
  readonly object: string;
}

/**
 * An operator's approval of one connector's held-back objects (POST /api/v1/connectors/{name}/approvals),
 * as status.json, jobs and the API show it: who, when, why, what it was bound to and what it let through.
 */
export interface ApprovalRecord {
  readonly id: number;
  readonly connector: string;
  readonly allowDeletes: number;
  readonly allowClears: number | null;
  /** Changes a Policy's limits hold back that it may let through, or null. */
  readonly allowLimits: number | null;
  readonly reason: string;
  /** The API token's name. */
  readonly approvedBy: string;
  readonly approvedAt: string;
  readonly expiresAt: string;
  /** pending (waiting for a run whose gate it covers), applied, refused (the held-back set differed), expired, superseded (a newer one replaced it). */
  readonly state: 'pending' | 'applied' | 'refused' | 'expired' | 'superseded';
  /** The objects held back when it was given: only these may pass. */
  readonly objects: readonly HeldObject[];
  /** The run (job id) that used it. */
  readonly jobId: number | null;
  readonly decidedAt: string | null;
  readonly letThrough: readonly HeldObject[];
  readonly note: string | null;
}

/** The gates that count deletions and disables (and imports that would cause them): `--allow-deletes` approves them. */
export const DELETE_GATES = ['maxDeletes', 'maxDeletePercent', 'importGuard'] as const;
/** The gates that count objects losing an attribute: `--allow-clears` approves them. */
export const CLEAR_GATES = ['maxClears', 'maxClearPercent'] as const;
/** A `kind: Policy` limit: `--allow-limits` approves it. */
export const POLICY_GATES = ['policyLimit'] as const;

export interface GateTrip {
  readonly connector: string;
  readonly gate: (typeof DELETE_GATES)[number] | (typeof CLEAR_GATES)[number] | (typeof POLICY_GATES)[number];
  /** Policy limits: the Policy's name. */
  readonly policy?: string;
  readonly count: number;
  readonly limit: number;
  readonly objectType?: string;
  /** Clear gates: the attribute that would be emptied. */
  readonly attribute?: string;
  /** Clear gates: some of the objects that would lose it (target DN or key). */
  readonly objects?: readonly string[];
  readonly message?: string;
}

/**
 * What a `kind: Policy` found: a limit one run would pass (its connector's exports are blocked), or an
 * invariant objects would break. `new`: this run would cause it (the objects are held back, exit 3);
 * `existing`: the target's objects already break it (reported, never blocking).
 */
export interface PolicyViolation {
  readonly policy: string;
  readonly kind: 'limit' | 'invariant';
  readonly connector: string;
  readonly objectType: string;
  /** What was required, for people: `updates: at most 2% (3 of 150)`, `sAMAccountName: at most 20 characters`. */
  readonly rule: string;
  readonly message: string;
  /** How many objects. */
  readonly count: number;
  /** Up to 50 of them (target DN or key, or the mesh object when it has none yet). */
  readonly objects: readonly string[];
  readonly status: 'new' | 'existing';
}

/** A connector a plan did not contact (its secret would go to an unbound destination). */
export interface PlanSkipped {
  readonly connector: string;
  /** Names the secret and the destination, never a value. */
  readonly reason: string;
  /** Flow rules reading it (not synced: its objects were not read). */
  readonly flowRules: readonly string[];
  /** Projections writing to it (not planned). */
  readonly projections: readonly string[];
}

export interface PlanReport {
  readonly revision: string | null;
  readonly projections: readonly PlanProjection[];
  readonly conflicts: readonly ConflictEntry[];
  readonly gates: readonly GateTrip[];
  /** Things the reader must know before trusting the plan (an empty store facing populated targets). */
  readonly warnings?: readonly string[];
  /** Connectors that failed: the plan is incomplete (exit 1). */
  readonly failures?: readonly PlanFailure[];
  /** Existing conflicts the plan would resolve. */
  readonly resolvedConflicts?: number;
  /**
   * When an import guard would trip: the further changes the guarded imports would cause, which a
   * reconcile holds back until they are approved (`--allow-deletes`). Not in `projections`.
   */
  readonly heldBack?: readonly PlanProjection[];
  /** What the Policy documents found: `new` violations block (exit 3), `existing` ones are only reported. */
  readonly policyViolations?: readonly PolicyViolation[];
  /** Connectors not contacted; empty when every connector was read. */
  readonly skipped: readonly PlanSkipped[];
}
