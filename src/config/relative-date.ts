/**
 * Dates compared with today, for HR-driven lifecycles ("provision 14 days before hireDate", "disable on
 * terminationDate"): a bound is `today`, `today+14d`, `today-30d` or a calendar date `2026-04-01`, and a
 * value is compared as a calendar date (YYYY-MM-DD; a time or zone suffix after it is ignored). Today is
 * the UTC date of the clock when the comparison runs. Used by scope conditions (`before`, `onOrBefore`,
 * `after`, `onOrAfter`) and by the template filters of the same names.
 */
import type { Scalar } from './model.js';

export type DateTest = 'before' | 'onOrBefore' | 'after' | 'onOrAfter';

export const DATE_TESTS: readonly DateTest[] = ['before', 'onOrBefore', 'after', 'onOrAfter'];

export interface DateBound {
  /** As written (`today+14d`). */
  readonly source: string;
  /** Days from today, or undefined for a calendar date. */
  readonly days?: number;
  /** A calendar date, YYYY-MM-DD. */
  readonly date?: string;
}

const BOUND = /^today(?:([+-])(\d{1,5})d)?$/;
const CALENDAR = /^(\d{4})-(\d{2})-(\d{2})(?:$|T|Z$|[+-]\d{2}:\d{2}$)/;

/** `today`, `today±Nd` or `YYYY-MM-DD`; undefined when the text is none of them. */
export function parseDateBound(text: string): DateBound | undefined {
  const trimmed = text.trim();
  const relative = BOUND.exec(trimmed);
  if (relative) return { source: trimmed, days: relative[1] === undefined ? 0 : (relative[1] === '-' ? -1 : 1) * Number(relative[2]) };
  const date = calendarDate(trimmed);
  return date !== undefined && date === trimmed ? { source: trimmed, date } : undefined;
}

/** The UTC calendar date of `now`. */
export function todayUtc(now: number = Date.now()): string {
  return new Date(now).toISOString().slice(0, 10);
}

/** The bound as a calendar date, for `today`. */
export function resolveBound(bound: DateBound, today: string): string {
  if (bound.date !== undefined) return bound.date;
  return new Date(Date.parse(`${today}T00:00:00.000Z`) + (bound.days ?? 0) * 86_400_000).toISOString().slice(0, 10);
}

/** A value's calendar date (YYYY-MM-DD, optionally followed by a time or zone), or undefined. */
export function calendarDate(value: Scalar): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = CALENDAR.exec(value.trim());
  if (!match) return undefined;
  const date = `${match[1]}-${match[2]}-${match[3]}`;
  // Refuse dates that do not exist (2026-02-30, 2026-13-01).
  const ms = Date.parse(`${date}T00:00:00.000Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === date ? date : undefined;
}

/** Whether a value's date passes the test against the bound; a value that is not a date never does. */
export function dateTestHolds(test: DateTest, value: Scalar, bound: DateBound, today: string): boolean | undefined {
  const date = calendarDate(value);
  if (date === undefined) return undefined;
  const limit = resolveBound(bound, today);
  switch (test) {
    case 'before':
      return date < limit;
    case 'onOrBefore':
      return date <= limit;
    case 'after':
      return date > limit;
    case 'onOrAfter':
      return date >= limit;
  }
}
