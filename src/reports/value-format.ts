/**
 * Compact, human-readable renderings of attribute values, counts, times and revisions, shared by the
 * Markdown and text renderers. Values are rendered as given: the engine never puts a secret into a
 * report, and every rendered document also passes through the process-wide secret redaction.
 */
import type { Scalar, Value } from '../config/model.js';

/** Longest string shown before it is cut with "…". */
const MAX_STRING = 80;
/** Items of a multi-valued value shown before "… +N more". */
const MAX_ITEMS = 5;

export type ValueStyle = 'text' | 'markdown';

/** `1234` → `1,234` (fixed locale, so output does not depend on the machine). */
export function count(n: number): string {
  // Whole numbers by hand: the first toLocaleString of a process loads the locale data (~20 ms of a start).
  if (!Number.isSafeInteger(n) || Object.is(n, -0)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n));
  let out = digits.slice(0, digits.length % 3 || 3);
  for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return n < 0 ? `-${out}` : out;
}

/** `1 conflict`, `3 conflicts`. */
export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count(n)} ${n === 1 ? singular : pluralForm}`;
}

function cut(text: string, max = MAX_STRING): string {
  const oneLine = text.replace(/\r\n|\r|\n/g, '⏎');
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

function scalarText(value: Scalar, style: ValueStyle): string {
  if (typeof value !== 'string') return String(value);
  if (style === 'text') return JSON.stringify(cut(value));
  return value === '' ? '""' : cut(value);
}

/** Wraps text in a Markdown code span that survives backticks and table pipes. */
export function mdCode(text: string): string {
  const body = text.replace(/\|/g, '\\|');
  const longest = Math.max(0, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = body.startsWith('`') || body.endsWith('`') || body.startsWith(' ') ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}

/** Escapes text placed in Markdown prose or a table cell, so names and messages render literally. */
export function mdText(text: string): string {
  return cut(text, 500).replace(/[\\`*_[\]<>|#~!]/g, (c) => `\\${c}`);
}

/**
 * One value, compactly: strings quoted in text (`"Alice"`), in a code span in Markdown; lists show
 * their first items then `… +N more`; nothing is `(none)`.
 */
export function formatValue(value: Value | null | undefined, style: ValueStyle): string {
  if (value === null || value === undefined) return style === 'text' ? '(none)' : '*(none)*';
  if (!Array.isArray(value)) {
    const text = scalarText(value as Scalar, style);
    return style === 'text' ? text : mdCode(text);
  }
  const list = value as readonly Scalar[];
  if (list.length === 0) return style === 'text' ? '[]' : '*(empty list)*';
  const shown = list.slice(0, MAX_ITEMS).map((v) => scalarText(v, style));
  const more = list.length > MAX_ITEMS ? ` … +${count(list.length - MAX_ITEMS)} more` : '';
  if (style === 'text') return `[${shown.join(', ')}${more ? `,${more}` : ''}]`;
  return `${shown.map(mdCode).join(', ')}${more}`;
}

function asList(value: Value | null | undefined): readonly Scalar[] | undefined {
  if (value === null || value === undefined) return [];
  return Array.isArray(value) ? (value as readonly Scalar[]) : undefined;
}

/**
 * A change of one attribute. Scalars: `"from" → "to"`. Lists (or a list and nothing): what was added
 * and removed, `+ "a", "b"; − "c" (3 → 4 values)`, so a 5,000-member group shows its two new members.
 */
export function formatChange(from: Value | null | undefined, to: Value | null | undefined, style: ValueStyle): string {
  const before = asList(from);
  const after = asList(to);
  const isListChange = before !== undefined && after !== undefined && (Array.isArray(from) || Array.isArray(to));
  if (!isListChange) return `${formatValue(from, style)} → ${formatValue(to, style)}`;
  const key = (v: Scalar): string => `${typeof v}:${String(v)}`;
  const beforeKeys = new Set(before.map(key));
  const afterKeys = new Set(after.map(key));
  const added = after.filter((v) => !beforeKeys.has(key(v)));
  const removed = before.filter((v) => !afterKeys.has(key(v)));
  const side = (sign: string, items: readonly Scalar[]): string => {
    const shown = items.slice(0, MAX_ITEMS).map((v) => (style === 'text' ? scalarText(v, style) : mdCode(scalarText(v, style))));
    const more = items.length > MAX_ITEMS ? ` … +${count(items.length - MAX_ITEMS)} more` : '';
    return `${sign} ${shown.join(', ')}${more}`;
  };
  const parts: string[] = [];
  if (added.length > 0) parts.push(side('+', added));
  if (removed.length > 0) parts.push(side('−', removed));
  if (parts.length === 0) parts.push('reordered');
  return `${parts.join('; ')} (${count(before.length)} → ${plural(after.length, 'value')})`;
}

/** `2024-05-01T10:00:00.123Z` → `2024-05-01 10:00:00Z`; anything else as given; nothing → `—`. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})$/.exec(iso);
  return match ? `${match[1]} ${match[2]}${match[3]}` : iso;
}

/** Duration between two ISO times: `850 ms`, `12.3 s`, `4 min 05 s`, `2 h 03 min`. */
export function formatDuration(startIso: string, endIso: string | null): string {
  if (!endIso) return '—';
  const ms = Date.parse(endIso) - Date.parse(startIso);
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** A commit sha (optionally `-dirty`) shortened to 12 hex digits; content hashes alike; else as given. */
export function shortRevision(revision: string | null | undefined): string {
  if (!revision) return '(none)';
  const match = /^([0-9a-f]{40}|[0-9a-f]{64})(-dirty)?$/.exec(revision);
  return match ? `${match[1]!.slice(0, 12)}${match[2] ?? ''}` : revision;
}

/** Non-zero counters of a `{ name: n }` record: `created 3, updated 1`. */
export function formatCounters(counters: Readonly<Record<string, number>>): string {
  return Object.entries(counters)
    .filter(([, n]) => n !== 0)
    .map(([name, n]) => `${name} ${count(n)}`)
    .join(', ');
}
