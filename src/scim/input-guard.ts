/**
 * What SCIM input is refused before anything else reads it (each a 400 with a SCIM error):
 * - keys and attribute paths naming `__proto__`, `constructor` or `prototype` (prototype pollution:
 *   scim-patch 0.8.3, the newest release, has advisories GHSA-9m6g-wc8r-q59c and GHSA-2mhw-wcx5-v3xj
 *   for exactly these paths);
 * - JSON nested deeper than any SCIM resource is (a 50,000-deep object overflowed the stack later on);
 * - text the store cannot hold: U+0000 (PostgreSQL text and jsonb refuse it) and lone UTF-16
 *   surrogates, in keys and values, in the URL's path segments and in filters.
 */
import type { Filter } from 'scim2-parse-filter';
import { RESERVED_NAMES } from '../shared/own-property.js';
import { ScimError } from './scim-error.js';

/**
 * Deep enough for every SCIM shape (an extension's complex attribute inside a multi-valued entry is 4
 * levels; a PATCH body adds 2), far below what would strain a recursive walk.
 */
export const MAX_SCIM_DEPTH = 32;

/** Names in an attribute path: quoted filter values removed, then split on everything a name cannot hold. */
function pathNames(path: string): string[] {
  return path.replace(/"(?:[^"\\]|\\.)*"/g, '""').split(/[^A-Za-z0-9_$-]+/);
}

export function namesReserved(path: string): string | undefined {
  return pathNames(path).find((name) => RESERVED_NAMES.has(name));
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string cannot be stored, or undefined when it can. */
function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'contains a NUL character (U+0000)';
  if (LONE_SURROGATE.test(text)) return 'contains a lone UTF-16 surrogate (not valid Unicode)';
  return undefined;
}

function describe(path: readonly (string | number)[]): string {
  return path.length === 0 ? 'the request body' : path.map((p) => (typeof p === 'number' ? `[${p}]` : p)).join('.').replace(/\.\[/g, '[');
}

/** Refuses a parsed JSON body that is too deep, names a reserved key, or holds text the store cannot keep. */
export function checkScimBody(body: unknown): void {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value: body, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (path.length > MAX_SCIM_DEPTH) {
      throw new ScimError(400, `the request body is nested deeper than ${MAX_SCIM_DEPTH} levels; no SCIM resource is`, 'invalidSyntax');
    }
    if (typeof value === 'string') {
      const problem = textProblem(value);
      if (problem) throw new ScimError(400, `${describe(path)} ${problem}`, 'invalidValue');
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => stack.push({ value: item, path: [...path, i] }));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        const problem = textProblem(key);
        if (problem) throw new ScimError(400, `a key in ${describe(path)} ${problem}`, 'invalidValue');
        const reserved = namesReserved(key);
        if (reserved) throw new ScimError(400, `${describe([...path, key])}: "${reserved}" is not an attribute name`, 'invalidValue');
        stack.push({ value: item, path: [...path, key] });
      }
    }
  }
}

/** Refuses a PATCH `path` that names a reserved attribute. */
export function checkScimPath(path: string): void {
  const reserved = namesReserved(path);
  if (reserved) throw new ScimError(400, `the path ${JSON.stringify(path)} names "${reserved}", which is not an attribute`, 'invalidPath');
}

/** Refuses filter text the store cannot compare with. */
export function checkFilterText(text: string): void {
  const problem = textProblem(text);
  if (problem) throw new ScimError(400, `the filter ${problem}`, 'invalidFilter');
}

/** Refuses a parsed filter whose attribute paths name a reserved attribute (`__proto__ pr`). */
export function checkFilter(filter: Filter): void {
  const stack: Filter[] = [filter];
  while (stack.length > 0) {
    const term = stack.pop()!;
    if ('filters' in term) stack.push(...term.filters);
    else if ('filter' in term) stack.push(term.filter);
    else {
      const reserved = namesReserved(term.attrPath);
      if (reserved) throw new ScimError(400, `the filter names "${reserved}", which is not an attribute`, 'invalidFilter');
      if ('valFilter' in term) stack.push(term.valFilter);
    }
  }
}

/** Refuses a URL path segment (a resource id) the store cannot look up. */
export function checkSegment(segment: string): void {
  const problem = textProblem(segment);
  if (problem) throw new ScimError(400, `the resource id ${problem}`, 'invalidValue');
}
