/**
 * JSON renderings of the reports: exactly the typed objects of `types.ts`, 2-space indent, trailing
 * newline, keys in a stable order (declared order for known fields, then any extra fields sorted;
 * keys of records such as `objectTypes` sorted). Drift and conflict entries are sets, so they are
 * sorted too: the same state always renders to the same bytes, and Git diffs stay small.
 */
import { redact } from '../shared/logger.js';
import type { ConflictEntry, ConflictsReport, DriftEntry, DriftReport, PlanReport, StatusReport } from './types.js';

type Shape =
  | { readonly object: readonly string[]; readonly fields?: Readonly<Record<string, Shape>> }
  | { readonly record: Shape | null }
  | { readonly array: Shape | null };

const condition: Shape = { object: ['type', 'status', 'reason', 'message', 'lastTransitionTime'] };
const cycle: Shape = {
  object: ['id', 'kind', 'mode', 'result', 'startedAt', 'finishedAt', 'revision', 'counts'],
  fields: { counts: { record: { record: null } } },
};
const conflict: Shape = {
  object: ['kind', 'status', 'meshType', 'object', 'attribute', 'values', 'winner', 'reason', 'firstSeen'],
  fields: {
    values: { array: { object: ['value', 'rule', 'connector', 'externalId', 'confidence'] } },
    winner: { object: ['value', 'rule'] },
  },
};

const statusShape: Shape = {
  object: ['generatedAt', 'mesh', 'revision', 'lastAppliedRevision', 'lastAttemptedRevision', 'conditions', 'connectors', 'lastCycle', 'cycles', 'pendingExports', 'meshObjects'],
  fields: {
    conditions: { array: condition },
    connectors: {
      array: {
        object: ['name', 'type', 'health', 'conditions', 'objectTypes', 'unmanaged', 'driftCheck', 'lastError'],
        fields: {
          conditions: { array: condition },
          objectTypes: { record: { object: ['count', 'watermark', 'lastImport', 'lastExport', 'lastWholeRead'] } },
        },
      },
    },
    lastCycle: cycle,
    cycles: { array: cycle },
    meshObjects: { record: null },
  },
};

const driftShape: Shape = {
  object: ['generatedAt', 'revision', 'drift'],
  fields: { drift: { array: { object: ['projection', 'connector', 'object', 'attribute', 'desired', 'actual', 'action', 'detectedAt'] } } },
};

const conflictsShape: Shape = {
  object: ['generatedAt', 'revision', 'conflicts'],
  fields: { conflicts: { array: conflict } },
};

const planProjection: Shape = {
  object: ['name', 'connector', 'objectType', 'heldBack', 'creates', 'updates', 'moves', 'enables', 'disables', 'deletes', 'changes'],
  fields: {
    changes: {
      array: {
        object: ['op', 'object', 'dn', 'newDn', 'attributes'],
        fields: { attributes: { record: { object: ['from', 'to'] } } },
      },
    },
  },
};

const planShape: Shape = {
  object: ['revision', 'projections', 'conflicts', 'gates', 'skipped', 'warnings', 'failures', 'heldBack', 'resolvedConflicts'],
  fields: {
    failures: { array: { object: ['connector', 'stage', 'message'] } },
    projections: { array: planProjection },
    heldBack: { array: planProjection },
    conflicts: { array: conflict },
    gates: { array: { object: ['connector', 'objectType', 'gate', 'count', 'limit', 'message'] } },
    skipped: { array: { object: ['connector', 'reason', 'flowRules', 'projections'] } },
  },
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Rebuilds `value` with its keys in the order `shape` gives (unknown keys sorted, after known ones). */
function ordered(value: unknown, shape: Shape | null): unknown {
  if (Array.isArray(value)) return value.map((item) => ordered(item, shape !== null && 'array' in shape ? shape.array : null));
  if (!isPlainObject(value)) return value;
  // No prototype: an attribute named `__proto__` is data, not a prototype switch.
  const out = Object.create(null) as Record<string, unknown>;
  if (shape !== null && 'object' in shape) {
    for (const key of shape.object) {
      if (value[key] !== undefined) out[key] = ordered(value[key], shape.fields?.[key] ?? null);
    }
    for (const key of Object.keys(value).sort()) {
      if (!(key in out) && value[key] !== undefined) out[key] = ordered(value[key], null);
    }
    return out;
  }
  const inner = shape !== null && 'record' in shape ? shape.record : null;
  for (const key of Object.keys(value).sort()) {
    if (value[key] !== undefined) out[key] = ordered(value[key], inner);
  }
  return out;
}

function stringify(value: unknown, shape: Shape): string {
  return redact(`${JSON.stringify(ordered(value, shape), null, 2)}\n`);
}

const text = (s: string | undefined): string => s ?? '';
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Drift entries in report order: by projection, object, attribute. */
export function sortDrift(entries: readonly DriftEntry[]): DriftEntry[] {
  return [...entries].sort(
    (a, b) => compare(a.projection, b.projection) || compare(a.connector, b.connector) || compare(a.object, b.object) || compare(a.attribute, b.attribute),
  );
}

const KIND_ORDER: Readonly<Record<ConflictEntry['kind'], number>> = { attribute: 0, ambiguousJoin: 1, heldBack: 2 };

/** Conflicts in report order: by kind, mesh type, object, attribute, reason. */
export function sortConflicts(entries: readonly ConflictEntry[]): ConflictEntry[] {
  return [...entries].sort(
    (a, b) =>
      (KIND_ORDER[a.kind] ?? 9) - (KIND_ORDER[b.kind] ?? 9) ||
      compare(a.meshType, b.meshType) ||
      compare(a.object, b.object) ||
      compare(text(a.attribute), text(b.attribute)) ||
      compare(a.reason, b.reason),
  );
}

export function renderStatusJson(report: StatusReport): string {
  return stringify(report, statusShape);
}

export function renderDriftJson(report: DriftReport): string {
  return stringify({ ...report, drift: sortDrift(report.drift) }, driftShape);
}

export function renderConflictsJson(report: ConflictsReport): string {
  return stringify({ ...report, conflicts: sortConflicts(report.conflicts) }, conflictsShape);
}

/** The plan as `imesh plan --format json` prints it; projections and changes keep the engine's order. */
export function renderPlanJson(plan: PlanReport): string {
  return stringify({ ...plan, conflicts: sortConflicts(plan.conflicts) }, planShape);
}
