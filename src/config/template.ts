/**
 * Templates: literal text with `{{attribute | filter | …}}` expressions, compiled once per config
 * revision. Filters: `lower`, `upper`, `trim`, `default:"x"`, and for identity naming `replace:"a":"b"`,
 * `truncate:N`, `first:N`, `ascii`, `eq:attribute` / `eq:"text"` (true or false), and for lifecycles
 * `before`, `onOrBefore`, `after`, `onOrAfter` with a date bound (`onOrBefore:"today+14d"`: true or
 * false, comparing the value as a calendar date; see relative-date.ts). Arguments follow
 * the filter name after `:`, quoted text or (for `eq`) an attribute name. We keep our own parser rather
 * than liquidjs: its `truncate` appends "...", its `default` replaces `false`, a missing variable renders
 * "" unless strict, and `{{secret:…}}` is not its syntax — each would change this contract. `{{secret:NAME}}` is not an expression:
 * it stays in the output as written, for the secret resolver. Expressions read only the object's own
 * attributes: `__proto__`, `constructor` and `prototype` are refused as names.
 */
import { closest } from 'fastest-levenshtein';
import { ConfigError } from '../shared/errors.js';
import { isReservedName } from '../shared/own-property.js';
import type { CompiledTemplate, RenderResult, Scalar, Value } from './model.js';
import { DATE_TESTS, dateTestHolds, parseDateBound, todayUtc, type DateBound, type DateTest } from './relative-date.js';

type Filter =
  | { readonly kind: 'lower' | 'upper' | 'trim' | 'ascii' }
  | { readonly kind: 'default'; readonly value: string }
  | { readonly kind: 'replace'; readonly from: string; readonly to: string }
  | { readonly kind: 'truncate' | 'first'; readonly length: number }
  | { readonly kind: 'eq'; readonly attribute: string }
  | { readonly kind: 'eq'; readonly text: string }
  | { readonly kind: 'date'; readonly test: DateTest; readonly bound: DateBound };

interface Expression {
  readonly name: string;
  readonly filters: readonly Filter[];
}

type Part = string | Expression;

const FILTER_NAMES = ['lower', 'upper', 'trim', 'default', 'replace', 'truncate', 'first', 'ascii', 'eq', ...DATE_TESTS] as const;
const FILTER_LIST = 'lower, upper, trim, default:"x", replace:"a":"b", truncate:N, first:N, ascii, eq:attribute or eq:"x", before/onOrBefore/after/onOrAfter:"today+Nd"';
const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const SECRET = /^secret\s*:/;
/** How list values are joined when a template mixes them with text. */
const LIST_SEPARATOR = ';';

/** A template that does not parse; `offset` is the 0-based index in the template source. */
export class TemplateSyntaxError extends ConfigError {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super('TemplateSyntax', message);
    this.offset = offset;
  }
}

export function compileTemplate(source: string): CompiledTemplate {
  const parts = parse(source);
  const expressions = parts.filter((p): p is Expression => typeof p !== 'string');
  const attributes = [...new Set(expressions.flatMap((p) => [p.name, ...p.filters.flatMap((f) => (f.kind === 'eq' && 'attribute' in f ? [f.attribute] : []))]))];
  const single = parts.length === 1 && typeof parts[0] !== 'string' ? parts[0] : undefined;
  const usesToday = expressions.some((p) => p.filters.some((f) => f.kind === 'date' && f.bound.days !== undefined));
  return Object.freeze({
    source,
    attributes: Object.freeze(attributes),
    ...(usesToday ? { usesToday } : {}),
    // Rendered once per object and attribute: written as loops, with nothing built that is thrown away.
    render(lookup: (name: string) => Value | undefined, escape?: (value: string) => string): RenderResult {
      if (single) {
        const { value, absent } = evaluate(single, lookup);
        return value === undefined ? { ok: false, missing: [absent] } : { ok: true, value: escaped(value, escape) };
      }
      let missing: string[] | undefined;
      let text = '';
      for (const part of parts) {
        if (typeof part === 'string') {
          text += part;
          continue;
        }
        const { value, absent } = evaluate(part, lookup);
        if (value === undefined) {
          missing ??= [];
          if (!missing.includes(absent)) missing.push(absent);
        } else if (missing === undefined) {
          text += toText(escaped(value, escape));
        }
      }
      return missing ? { ok: false, missing } : { ok: true, value: text };
    },
  });
}

function evaluate(expression: Expression, lookup: (name: string) => Value | undefined): { value: Value | undefined; absent: string } {
  let value: Value | undefined = present(lookup(expression.name));
  let absent = expression.name;
  // An explicit default, even `default:""`, makes the attribute optional: it is never "missing".
  let defaulted: string | undefined;
  for (const filter of expression.filters) {
    if (filter.kind === 'default') {
      if (value === undefined) {
        value = present(filter.value);
        defaulted = filter.value;
      }
    } else if (value === undefined) {
      continue;
    } else if (filter.kind === 'date') {
      // True when a value is a date that passes; no value that is a date: missing (the object is held back).
      const today = todayUtc();
      const results = (Array.isArray(value) ? (value as readonly Scalar[]) : [value as Scalar]).map((v) => dateTestHolds(filter.test, v, filter.bound, today));
      value = results.every((r) => r === undefined) ? undefined : results.some((r) => r === true);
    } else if (filter.kind === 'eq') {
      const other = 'attribute' in filter ? present(lookup(filter.attribute)) : filter.text;
      if (other === undefined) {
        // The attribute compared with is missing: the object is held back unless a default follows.
        absent = (filter as { attribute: string }).attribute;
        value = undefined;
      } else {
        value = equalValues(value, other);
      }
    } else {
      value = present(mapScalars(value, (s) => applyText(filter, String(s))));
    }
  }
  return { value: present(value) ?? defaulted, absent };
}

function applyText(filter: Exclude<Filter, { kind: 'default' | 'eq' | 'date' }>, text: string): string {
  switch (filter.kind) {
    case 'lower':
      return text.toLowerCase();
    case 'upper':
      return text.toUpperCase();
    case 'trim':
      return text.trim();
    case 'ascii':
      return toAscii(text);
    case 'replace':
      return filter.from === '' ? text : text.split(filter.from).join(filter.to);
    case 'truncate':
    case 'first':
      // By characters (code points), never splitting a surrogate pair; no ellipsis.
      return Array.from(text).slice(0, filter.length).join('');
  }
}

/** Trimmed and case-insensitive, as joins compare; with a list on either side, any value matching counts. */
function equalValues(left: Value, right: Value): boolean {
  const norm = (s: Scalar) => String(s).trim().toLowerCase();
  const rights = new Set((Array.isArray(right) ? right : [right]).map(norm));
  return (Array.isArray(left) ? left : [left]).some((s) => rights.has(norm(s)));
}

/** Letters with no decomposition into an ASCII base letter plus marks. */
const ASCII_LETTERS: Readonly<Record<string, string>> = {
  ß: 'ss', ẞ: 'SS', Æ: 'AE', æ: 'ae', Œ: 'OE', œ: 'oe', Ø: 'O', ø: 'o', Ł: 'L', ł: 'l', Đ: 'D', đ: 'd',
  Ð: 'D', ð: 'd', Þ: 'Th', þ: 'th', Ħ: 'H', ħ: 'h', ı: 'i', Ŀ: 'L', ŀ: 'l', Ŧ: 'T', ŧ: 't', Ŋ: 'N', ŋ: 'n',
  ĸ: 'k', ſ: 's', Ə: 'E', ə: 'e', '\u2018': "'", '\u2019': "'", '\u201C': '"', '\u201D': '"', '\u2013': '-', '\u2014': '-',
};

/**
 * "Zoë Ångström" → "Zoe Angstrom": the table above, then NFKD with the combining marks removed;
 * a character with no ASCII form left after that is dropped (the result is always ASCII).
 */
function toAscii(text: string): string {
  let out = '';
  for (const char of text) out += ASCII_LETTERS[char] ?? char;
  return out
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\x00-\x7F]/g, '');
}

/** Absent, null, empty strings and empty lists are "missing"; empty entries drop out of lists. */
function present(value: Value | null | undefined): Value | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (Array.isArray(value)) {
    const kept = (value as readonly (Scalar | null)[]).filter((v): v is Scalar => v !== null && v !== '');
    return kept.length === 0 ? undefined : kept;
  }
  return value;
}

function mapScalars(value: Value, fn: (s: Scalar) => Scalar): Value {
  return Array.isArray(value) ? (value as readonly Scalar[]).map(fn) : fn(value as Scalar);
}

function escaped(value: Value, escape: ((value: string) => string) | undefined): Value {
  return escape ? mapScalars(value, (s) => escape(String(s))) : value;
}

function toText(value: Value): string {
  return Array.isArray(value) ? value.map(String).join(LIST_SEPARATOR) : String(value);
}

function parse(source: string): Part[] {
  const parts: Part[] = [];
  let literal = '';
  let i = 0;
  while (i < source.length) {
    const open = source.indexOf('{{', i);
    if (open < 0) {
      literal += source.slice(i);
      break;
    }
    literal += source.slice(i, open);
    const close = source.indexOf('}}', open + 2);
    if (close < 0) throw new TemplateSyntaxError(`unclosed "{{" in template "${source}"`, open);
    const inner = source.slice(open + 2, close);
    if (SECRET.test(inner.trim())) {
      literal += source.slice(open, close + 2);
    } else {
      if (literal) parts.push(literal);
      literal = '';
      parts.push(parseExpression(inner, source, open + 2));
    }
    i = close + 2;
  }
  if (literal) parts.push(literal);
  return parts;
}

function parseExpression(inner: string, source: string, offset: number): Expression {
  const segments = splitPipes(inner, source, offset);
  const [first, ...rest] = segments;
  const name = first?.text.trim() ?? '';
  if (name === '') throw new TemplateSyntaxError(`empty expression "{{${inner}}}" in template "${source}"`, offset);
  if (!NAME.test(name)) throw new TemplateSyntaxError(`"${name}" is not an attribute name in template "${source}"`, offset);
  if (isReservedName(name)) {
    throw new TemplateSyntaxError(`"${name}" is not an attribute name in template "${source}": __proto__, constructor and prototype are reserved (templates read only the object's own attributes)`, offset);
  }
  return { name, filters: rest.map((segment) => parseFilter(segment.text, source, segment.offset)) };
}

function parseFilter(text: string, source: string, offset: number): Filter {
  const trimmed = text.trim();
  const match = /^([A-Za-z]+)\s*(?::\s*(.*))?$/s.exec(trimmed);
  const name = match?.[1] ?? trimmed;
  const argument = match?.[2];
  const fail = (message: string): never => {
    throw new TemplateSyntaxError(`${message} in template "${source}"`, offset);
  };
  if (name === 'lower' || name === 'upper' || name === 'trim' || name === 'ascii') {
    if (argument !== undefined) fail(`filter "${name}" takes no argument`);
    return { kind: name };
  }
  if (name === 'default') {
    const value = argument === undefined ? undefined : parseQuoted(argument.trim());
    if (value === undefined) return fail('filter "default" needs a quoted value, e.g. default:"n/a",');
    return { kind: 'default', value };
  }
  if (name === 'replace') {
    const args = argument === undefined ? [] : splitArguments(argument);
    const [from, to] = args.map((a) => parseQuoted(a.trim()));
    if (args.length !== 2 || from === undefined || to === undefined) return fail('filter "replace" needs two quoted values, e.g. replace:" ":"."');
    if (from === '') fail('filter "replace" needs a non-empty text to replace');
    return { kind: 'replace', from: from!, to };
  }
  if (name === 'truncate' || name === 'first') {
    const length = argument === undefined || !/^\d{1,6}$/.test(argument.trim()) ? undefined : Number(argument.trim());
    if (length === undefined || length < 1) return fail(`filter "${name}" needs a number of characters, 1 or more, e.g. ${name}:${name === 'first' ? 1 : 20}`);
    return { kind: name, length: length! };
  }
  if ((DATE_TESTS as readonly string[]).includes(name)) {
    const text = argument === undefined ? undefined : parseQuoted(argument.trim());
    const bound = text === undefined ? undefined : parseDateBound(text);
    if (bound === undefined) return fail(`filter "${name}" needs a quoted date bound: "today", "today+14d", "today-30d" or a date such as "2026-04-01",`);
    return { kind: 'date', test: name as DateTest, bound: bound! };
  }
  if (name === 'eq') {
    const arg = argument?.trim() ?? '';
    const quoted = parseQuoted(arg);
    if (quoted !== undefined) return { kind: 'eq', text: quoted };
    if (!NAME.test(arg)) return fail('filter "eq" needs an attribute name or a quoted value, e.g. eq:workEmail or eq:"yes",');
    if (isReservedName(arg)) fail(`"${arg}" is not an attribute name: __proto__, constructor and prototype are reserved (templates read only the object's own attributes)`);
    return { kind: 'eq', attribute: arg };
  }
  const suggestion = name ? closest(name, [...FILTER_NAMES]) : undefined;
  const hint = suggestion && suggestion !== name ? ` (did you mean "${suggestion}"?)` : '';
  throw new TemplateSyntaxError(`unknown filter "${name}" in template "${source}"${hint}; filters are ${FILTER_LIST}`, offset);
}

/** Splits filter arguments on `:` outside quotes (`"a":"b"`). */
function splitArguments(text: string): string[] {
  const args: string[] = [];
  let start = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quote) {
      if (char === '\\') i++;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === ':') {
      args.push(text.slice(start, i));
      start = i + 1;
    }
  }
  args.push(text.slice(start));
  return args;
}

function parseQuoted(text: string): string | undefined {
  const quote = text[0];
  if ((quote !== '"' && quote !== "'") || text.length < 2 || text[text.length - 1] !== quote) return undefined;
  let out = '';
  for (let i = 1; i < text.length - 1; i++) {
    const char = text[i] as string;
    if (char === '\\' && i + 1 < text.length - 1) {
      out += text[++i];
    } else if (char === quote) {
      return undefined;
    } else {
      out += char;
    }
  }
  return out;
}

/** Splits on `|` outside quotes; offsets are relative to the whole template source. */
function splitPipes(inner: string, source: string, offset: number): { text: string; offset: number }[] {
  const segments: { text: string; offset: number }[] = [];
  let start = 0;
  let quote: string | undefined;
  for (let i = 0; i < inner.length; i++) {
    const char = inner[i];
    if (quote) {
      if (char === '\\') i++;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === '|') {
      segments.push({ text: inner.slice(start, i), offset: offset + start });
      start = i + 1;
    }
  }
  if (quote) throw new TemplateSyntaxError(`unterminated quote in template "${source}"`, offset + start);
  segments.push({ text: inner.slice(start), offset: offset + start });
  return segments;
}
