/**
 * The subset of OData `$filter` (Microsoft Graph) the Graph emulator understands: `attr op 'value'` with
 * eq, ne, gt, ge, lt, le, sw, co, `attr pr`, joined by `and` / `or`, with parentheses. Timestamps
 * compare as instants. (SCIM filters — Okta's `search`/`filter` are SCIM filter expressions — go through
 * src/scim/filter.ts instead.)
 */
export type Lookup = (attribute: string) => unknown;
export type Predicate = (lookup: Lookup) => boolean;

type Token = { kind: 'word' | 'string' | 'open' | 'close'; text: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ kind: c === '(' ? 'open' : 'close', text: c });
      i++;
    } else if (c === '"' || c === "'") {
      // OData quotes strings with '…'; "…" is read the same way.
      let j = i + 1;
      let value = '';
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\\' && j + 1 < text.length) j++;
        value += text[j];
        j++;
      }
      if (j >= text.length) throw new SyntaxError(`unterminated string in filter: ${text}`);
      tokens.push({ kind: 'string', text: value });
      i = j + 1;
    } else {
      let j = i;
      while (j < text.length && !/[\s()"']/.test(text[j]!)) j++;
      tokens.push({ kind: 'word', text: text.slice(i, j) });
      i = j;
    }
  }
  return tokens;
}

const OPS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'sw', 'co']);
const ISO = /^\d{4}-\d{2}-\d{2}T/;

function compare(actual: unknown, op: string, expected: string | number | boolean): boolean {
  if (actual === undefined || actual === null) return op === 'ne';
  if (typeof expected === 'string' && typeof actual === 'string' && ISO.test(expected) && ISO.test(actual)) {
    const a = Date.parse(actual);
    const b = Date.parse(expected);
    return op === 'eq' ? a === b : op === 'ne' ? a !== b : op === 'gt' ? a > b : op === 'ge' ? a >= b : op === 'lt' ? a < b : op === 'le' ? a <= b : false;
  }
  const a = typeof actual === 'string' ? actual.toLowerCase() : actual;
  const b = typeof expected === 'string' ? expected.toLowerCase() : expected;
  switch (op) {
    case 'eq':
      return a === b;
    case 'ne':
      return a !== b;
    case 'sw':
      return typeof a === 'string' && typeof b === 'string' && a.startsWith(b);
    case 'co':
      return typeof a === 'string' && typeof b === 'string' && a.includes(b);
    case 'gt':
      return (a as string) > (b as string);
    case 'ge':
      return (a as string) >= (b as string);
    case 'lt':
      return (a as string) < (b as string);
    case 'le':
      return (a as string) <= (b as string);
    default:
      return false;
  }
}

export function parseFilter(text: string): Predicate {
  const tokens = tokenize(text);
  let position = 0;
  const peek = () => tokens[position];
  const take = () => tokens[position++];

  function expression(): Predicate {
    let left = conjunction();
    while (peek()?.kind === 'word' && peek()!.text.toLowerCase() === 'or') {
      take();
      const right = conjunction();
      const l = left;
      left = (lookup) => l(lookup) || right(lookup);
    }
    return left;
  }
  function conjunction(): Predicate {
    let left = factor();
    while (peek()?.kind === 'word' && peek()!.text.toLowerCase() === 'and') {
      take();
      const right = factor();
      const l = left;
      left = (lookup) => l(lookup) && right(lookup);
    }
    return left;
  }
  function factor(): Predicate {
    const token = take();
    if (!token) throw new SyntaxError(`filter ends early: ${text}`);
    if (token.kind === 'open') {
      const inner = expression();
      if (take()?.kind !== 'close') throw new SyntaxError(`missing ) in filter: ${text}`);
      return inner;
    }
    if (token.kind !== 'word') throw new SyntaxError(`expected an attribute in filter: ${text}`);
    const attribute = token.text;
    const op = take();
    if (!op || op.kind !== 'word') throw new SyntaxError(`expected an operator after ${attribute}: ${text}`);
    const operator = op.text.toLowerCase();
    if (operator === 'pr') return (lookup) => lookup(attribute) !== undefined && lookup(attribute) !== null;
    if (!OPS.has(operator)) throw new SyntaxError(`unsupported operator ${op.text}: ${text}`);
    const value = take();
    if (!value) throw new SyntaxError(`expected a value after ${attribute} ${op.text}: ${text}`);
    const expected: string | number | boolean =
      value.kind === 'string' ? value.text : value.text === 'true' ? true : value.text === 'false' ? false : Number.isFinite(Number(value.text)) ? Number(value.text) : value.text;
    return (lookup) => compare(lookup(attribute), operator, expected);
  }

  const predicate = expression();
  if (position < tokens.length) throw new SyntaxError(`unexpected "${tokens[position]!.text}" in filter: ${text}`);
  return predicate;
}

/** Resolves a dotted attribute path (`profile.department`, `type.id`) in an object. */
export function pathLookup(object: unknown): Lookup {
  return (attribute) => {
    let value: unknown = object;
    for (const part of attribute.split('.')) {
      if (!value || typeof value !== 'object') return undefined;
      value = (value as Record<string, unknown>)[part];
    }
    return value;
  };
}
