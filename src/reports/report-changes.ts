/**
 * "Did anything report-worthy change?" — compares freshly rendered report files with the previous
 * ones while ignoring volatile fields, so the caller skips a commit when only clocks moved.
 *
 * Volatile fields (by file; `[]` is every array element, `*` every key):
 * - `status.json`: `generatedAt`; `conditions[].lastTransitionTime`;
 *   `connectors[].conditions[].lastTransitionTime`; `connectors[].objectTypes.*.watermark`,
 *   `.lastImport`, `.lastExport`, `.lastWholeRead` (a watermark advances every delta cycle, data or not);
 *   `lastCycle.id`, `.kind`, `.mode`, `.startedAt`, `.finishedAt`, `.counts` (its `result` and
 *   `revision` do count); `cycles` (the rolling history shifts every cycle).
 * - `drift.json`: `generatedAt`, `drift[].detectedAt`.
 * - `conflicts.json`: `generatedAt`, `conflicts[].firstSeen`.
 * - any other `*.json`: `generatedAt`.
 * Everything else is report-worthy: revisions, conditions (type, status, reason, message), health,
 * counts, unmanaged, errors, pending exports, mesh object counts, every drift and conflict entry.
 * And a cycle that exported anything (`lastCycle.counts` has a non-zero `created`, `updated`, `moved`,
 * `enabled`, `disabled` or `deleted`) is report-worthy even if the state it left looks the same.
 *
 * A Markdown file with a JSON sibling (`status.md` next to `status.json`) is rendered from it, so it
 * is not compared on its own; any other file must be byte-identical.
 */
import { exportedAnything } from './export-counts.js';
import type { CycleSummary } from './types.js';

export const VOLATILE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  'status.json': [
    'generatedAt',
    'conditions[].lastTransitionTime',
    'connectors[].conditions[].lastTransitionTime',
    'connectors[].objectTypes.*.watermark',
    'connectors[].objectTypes.*.lastImport',
    'connectors[].objectTypes.*.lastExport',
    'connectors[].objectTypes.*.lastWholeRead',
    'lastCycle.id',
    'lastCycle.kind',
    'lastCycle.mode',
    'lastCycle.startedAt',
    'lastCycle.finishedAt',
    'lastCycle.counts',
    'cycles',
  ],
  'drift.json': ['generatedAt', 'drift[].detectedAt'],
  'conflicts.json': ['generatedAt', 'conflicts[].firstSeen'],
};

const DEFAULT_VOLATILE = ['generatedAt'];

type Segment = { readonly key: string; readonly each: boolean };

function parsePath(path: string): Segment[] {
  return path.split('.').map((part) => (part.endsWith('[]') ? { key: part.slice(0, -2), each: true } : { key: part, each: false }));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deletes the field at `segments` in place (the value is a private parse, never shared). */
function remove(value: unknown, segments: readonly Segment[]): void {
  if (!isObject(value) || segments.length === 0) return;
  const [head, ...rest] = segments as [Segment, ...Segment[]];
  const targets = head.key === '*' ? Object.keys(value) : [head.key];
  for (const key of targets) {
    if (!(key in value)) continue;
    if (rest.length === 0 && !head.each) {
      delete value[key];
      continue;
    }
    const child = value[key];
    const children = head.each ? (Array.isArray(child) ? child : []) : [child];
    for (const c of children) {
      if (rest.length === 0) continue;
      remove(c, rest);
    }
  }
}

/** JSON with object keys sorted, so key order never counts as a change. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function parse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function sameJson(name: string, before: string, after: string): boolean {
  const a = parse(before);
  const b = parse(after);
  if (!a.ok || !b.ok) return before === after;
  for (const path of VOLATILE_FIELDS[name] ?? DEFAULT_VOLATILE) {
    const segments = parsePath(path);
    remove(a.value, segments);
    remove(b.value, segments);
  }
  return canonical(a.value) === canonical(b.value);
}

function cycleExported(statusJson: string | undefined): boolean {
  if (statusJson === undefined) return false;
  const parsed = parse(statusJson);
  if (!parsed.ok || !isObject(parsed.value)) return false;
  return exportedAnything(parsed.value.lastCycle as CycleSummary | null | undefined);
}

/**
 * True when `next` differs from `previous` only in volatile fields (or not at all): the caller can
 * skip the commit. False when there is no previous set, the file names differ, or anything
 * report-worthy changed.
 */
export function onlyVolatileChanges(previous: Readonly<Record<string, string>> | null | undefined, next: Readonly<Record<string, string>>): boolean {
  if (!previous) return false;
  const names = Object.keys(next).sort();
  const before = Object.keys(previous).sort();
  if (names.length !== before.length || names.some((n, i) => n !== before[i])) return false;
  if (cycleExported(next['status.json'])) return false;
  for (const name of names) {
    const a = previous[name]!;
    const b = next[name]!;
    if (a === b) continue;
    if (name.endsWith('.md') && `${name.slice(0, -3)}.json` in next) continue;
    if (name.endsWith('.json') ? !sameJson(name, a, b) : true) return false;
  }
  return true;
}
