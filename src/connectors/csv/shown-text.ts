/**
 * File content in messages, bounded: a config change can point a csv connector at any file it likes
 * (within the roots), so an error never echoes more of it than a few short, escaped names.
 */
const MAX_NAMES = 20;
const MAX_LENGTH = 40;

/** One name from a file: control characters escaped, at most MAX_LENGTH characters, quoted. */
export function shownName(text: string, max = MAX_LENGTH): string {
  const chars = [...text];
  const cut = chars.length > max ? chars.slice(0, max) : chars;
  const escaped = cut
    .map((c) => {
      const code = c.codePointAt(0)!;
      if (c === '"' || c === '\\') return `\\${c}`;
      if (c === '\t') return '\\t';
      if (c === '\n') return '\\n';
      if (c === '\r') return '\\r';
      if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029) return `\\u${code.toString(16).padStart(4, '0')}`;
      return c;
    })
    .join('');
  return `"${escaped}${chars.length > max ? '…' : ''}"`;
}

/** A header's names for "it has: …": at most MAX_NAMES, each bounded, with a count of the rest. */
export function shownNames(names: readonly string[]): string {
  const shown = names.slice(0, MAX_NAMES).map((name) => shownName(name));
  const rest = names.length - shown.length;
  return `${shown.join(', ')}${rest > 0 ? ` and ${rest} more` : ''} (${names.length} column${names.length === 1 ? '' : 's'})`;
}

/**
 * A CSV parser's message, bounded. csv-scan.ts never quotes a cell, but a parser that does ("…, value is
 * "<the field>"", as csv-parse did) would echo anything the file holds, so such a part is dropped.
 */
export function shownParserMessage(message: string): string {
  const cut = message.replace(/,? value is [\s\S]*$/, '');
  return shownName(cut, 200).slice(1, -1);
}
