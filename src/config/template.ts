/**
 * Templates: literal text with `{{attribute | filter | …}}` expressions, compiled once per config
 * revision. Filters: `lower`, `upper`, `trim`, `default:"x"`. `{{secret:NAME}}` is not an expression:
 * it stays in the output as written, for the secret resolver. Expressions read only the object's own
 * attributes: `__proto__`, `constructor` and `prototype` are refused as names.
 */
import { closest } from 'fastest-levenshtein';
import { ConfigError } from '../shared/errors.js';
import { isReservedName } from '../shared/own-property.js';
import type { CompiledTemplate, RenderResult, Scalar, Value } from './model.js';

type Filter = { readonly kind: 'lower' | 'upper' | 'trim' } | { readonly kind: 'default'; readonly value: string };

interface Expression {
  readonly name: string;
  readonly filters: readonly Filter[];
}

type Part = string | Expression;

const FILTER_NAMES = ['lower', 'upper', 'trim', 'default'] as const;
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
  const attributes = [...new Set(parts.filter((p): p is Expression => typeof p !== 'string').map((p) => p.name))];
  const single = parts.length === 1 && typeof parts[0] !== 'string' ? parts[0] : undefined;
  return Object.freeze({
    source,
    attributes: Object.freeze(attributes),
    render(lookup: (name: string) => Value | undefined, escape?: (value: string) => string): RenderResult {
      const missing: string[] = [];
      const values = parts.map((part) => {
        if (typeof part === 'string') return part;
        const value = evaluate(part, lookup);
        if (value === undefined && !missing.includes(part.name)) missing.push(part.name);
        return value;
      });
      if (missing.length > 0) return { ok: false, missing };
      if (single) return { ok: true, value: escaped(values[0] as Value, escape) };
      const text = values
        .map((value, index) => (typeof parts[index] === 'string' ? (value as string) : toText(escaped(value as Value, escape))))
        .join('');
      return { ok: true, value: text };
    },
  });
}

function evaluate(expression: Expression, lookup: (name: string) => Value | undefined): Value | undefined {
  let value: Value | undefined = present(lookup(expression.name));
  // An explicit default, even `default:""`, makes the attribute optional: it is never "missing".
  let defaulted: string | undefined;
  for (const filter of expression.filters) {
    if (filter.kind === 'default') {
      if (value === undefined) {
        value = present(filter.value);
        defaulted = filter.value;
      }
    } else if (value !== undefined) {
      value = present(mapScalars(value, (s) => applyText(filter.kind, String(s))));
    }
  }
  return present(value) ?? defaulted;
}

function applyText(kind: 'lower' | 'upper' | 'trim', text: string): string {
  if (kind === 'lower') return text.toLowerCase();
  if (kind === 'upper') return text.toUpperCase();
  return text.trim();
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
  if (name === 'lower' || name === 'upper' || name === 'trim') {
    if (argument !== undefined) throw new TemplateSyntaxError(`filter "${name}" takes no argument in template "${source}"`, offset);
    return { kind: name };
  }
  if (name === 'default') {
    const value = argument === undefined ? undefined : parseQuoted(argument.trim());
    if (value === undefined) throw new TemplateSyntaxError(`filter "default" needs a quoted value, e.g. default:"n/a", in template "${source}"`, offset);
    return { kind: 'default', value };
  }
  const suggestion = name ? closest(name, [...FILTER_NAMES]) : undefined;
  const hint = suggestion && suggestion !== name ? ` (did you mean "${suggestion}"?)` : '';
  throw new TemplateSyntaxError(`unknown filter "${name}" in template "${source}"${hint}; filters are lower, upper, trim, default:"x"`, offset);
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
