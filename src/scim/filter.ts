/**
 * SCIM filters (RFC 7644 §3.4.2.2): parsed by `scim2-parse-filter`, evaluated here against a resource.
 * Operators: eq, ne, co, sw, ew, gt, ge, lt, le, pr; and, or, not; grouping; value paths
 * (`emails[type eq "work"]`) and sub-attribute paths (`emails.value`, `name.givenName`).
 *
 * Comparisons follow the RFC: strings case-insensitively except for caseExact attributes (`id`,
 * `externalId`, member values), timestamps chronologically, numbers and booleans by value.
 */
import { parse, type Filter } from 'scim2-parse-filter';
import { errorMessage } from '../shared/errors.js';
import { valuesAt } from './attributes.js';
import { checkFilter, checkFilterText } from './input-guard.js';
import { ScimError } from './scim-error.js';

export type ScimFilter = Filter;

/** Parses filter text; a filter that does not parse, or names a reserved attribute, is a 400 `invalidFilter`. */
export function parseScimFilter(text: string): ScimFilter {
  checkFilterText(text);
  let filter: Filter;
  try {
    filter = parse(text);
  } catch (error) {
    throw new ScimError(400, `the filter cannot be parsed: ${errorMessage(error)}`, 'invalidFilter');
  }
  checkFilter(filter);
  return filter;
}

/** A SCIM filter comparing an attribute with a string (RFC 7644 §3.4.2.2; the value is a JSON string). */
export function equalsFilter(attribute: string, value: string): string {
  return `${attribute} eq ${JSON.stringify(value)}`;
}

/** Attributes whose schema says `caseExact: true` (RFC 7643 §3.1 `id`, `externalId`; member ids). */
const CASE_EXACT = new Set(['id', 'externalid', 'members', 'members.value']);
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function ordered(op: string, a: number | string, e: number | string): boolean {
  switch (op) {
    case 'eq': return a === e;
    case 'ne': return a !== e;
    case 'gt': return a > e;
    case 'ge': return a >= e;
    case 'lt': return a < e;
    case 'le': return a <= e;
  }
  return false;
}

function compare(op: string, actual: unknown, expected: unknown, caseExact: boolean): boolean {
  if (typeof actual === 'string' && typeof expected === 'string') {
    // "If the attribute value is a date, … chronologically before/after" (RFC 7644 §3.4.2.2).
    if (op !== 'co' && op !== 'sw' && op !== 'ew' && DATE_TIME.test(actual) && DATE_TIME.test(expected)) {
      const a = Date.parse(actual);
      const e = Date.parse(expected);
      if (Number.isFinite(a) && Number.isFinite(e)) return ordered(op, a, e);
    }
    const a = caseExact ? actual : actual.toLowerCase();
    const e = caseExact ? expected : expected.toLowerCase();
    switch (op) {
      case 'co': return a.includes(e);
      case 'sw': return a.startsWith(e);
      case 'ew': return a.endsWith(e);
    }
    return ordered(op, a, e);
  }
  if (op === 'eq') return actual === expected;
  if (op === 'ne') return actual !== expected;
  return typeof actual === 'number' && typeof expected === 'number' && ordered(op, actual, expected);
}

/** Whether `resource` matches `filter`. */
export function matchesFilter(filter: ScimFilter, resource: Readonly<Record<string, unknown>>): boolean {
  switch (filter.op) {
    case 'and': return (filter as { filters: Filter[] }).filters.every((f) => matchesFilter(f, resource));
    case 'or': return (filter as { filters: Filter[] }).filters.some((f) => matchesFilter(f, resource));
    case 'not': return !matchesFilter((filter as { filter: Filter }).filter, resource);
    case '[]': {
      const { attrPath, valFilter } = filter as { attrPath: string; valFilter: Filter };
      return valuesAt(resource, attrPath, true).some((entry) => entry && typeof entry === 'object' && matchesFilter(valFilter, entry as Record<string, unknown>));
    }
    case 'pr': return valuesAt(resource, (filter as { attrPath: string }).attrPath).some((v) => v !== '' && v !== null);
    default: {
      const { op, attrPath, compValue } = filter as { op: string; attrPath: string; compValue: unknown };
      const values = valuesAt(resource, attrPath);
      const caseExact = CASE_EXACT.has(attrPath.toLowerCase());
      if (op === 'ne') return !values.some((v) => compare('eq', v, compValue, caseExact));
      return values.some((v) => compare(op, v, compValue, caseExact));
    }
  }
}

export type IndexedAttribute = 'id' | 'userName' | 'externalId' | 'displayName';
const INDEXED: Readonly<Record<string, IndexedAttribute>> = { id: 'id', username: 'userName', externalid: 'externalId', displayname: 'displayName' };

/**
 * An `eq` term on id, userName, externalId or displayName that every match must satisfy (the filter
 * itself, or one operand of a top-level `and`): lets a lookup use an index instead of a scan.
 */
export function indexedTerm(filter: ScimFilter): { attribute: IndexedAttribute; value: string } | undefined {
  const terms = filter.op === 'and' ? (filter as { filters: Filter[] }).filters : [filter];
  for (const term of terms) {
    if (term.op !== 'eq') continue;
    const { attrPath, compValue } = term as { attrPath: string; compValue: unknown };
    const attribute = Object.hasOwn(INDEXED, attrPath.toLowerCase()) ? INDEXED[attrPath.toLowerCase()] : undefined;
    if (attribute && typeof compValue === 'string') return { attribute, value: compValue };
  }
  return undefined;
}
