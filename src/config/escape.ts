/**
 * Escaping of values placed into LDAP strings: RFC 4514 for DN attribute values, RFC 4515 for filter
 * assertion values. Templates apply these to substituted values only, never to literal text.
 */

const DN_SPECIAL = new Set(['"', '+', ',', ';', '<', '>', '\\', '=']);

function hexByte(code: number): string {
  return '\\' + code.toString(16).padStart(2, '0');
}

function hexUtf8(char: string): string {
  return [...Buffer.from(char, 'utf8')].map(hexByte).join('');
}

/** Escapes one attribute value for a DN (RFC 4514 §2.4), e.g. `Smith, John` → `Smith\, John`. */
export function escapeDnValue(value: string): string {
  const chars = [...value];
  return chars
    .map((char, index) => {
      const code = char.codePointAt(0) ?? 0;
      if (code < 0x20 || code === 0x7f) return hexUtf8(char);
      if (DN_SPECIAL.has(char)) return '\\' + char;
      if (index === 0 && (char === ' ' || char === '#')) return '\\' + char;
      if (index === chars.length - 1 && char === ' ') return '\\' + char;
      return char;
    })
    .join('');
}

/** Reverses escapeDnValue (and any RFC 4514 escaping): `\,` → `,`, `\2c` → `,`. */
export function unescapeDnValue(escaped: string): string {
  const bytes: number[] = [];
  const push = (text: string): void => {
    for (const byte of Buffer.from(text, 'utf8')) bytes.push(byte);
  };
  for (let i = 0; i < escaped.length; i++) {
    const char = escaped[i] as string;
    if (char !== '\\') {
      const code = escaped.codePointAt(i) ?? 0;
      const whole = String.fromCodePoint(code);
      push(whole);
      i += whole.length - 1;
      continue;
    }
    const pair = escaped.slice(i + 1, i + 3);
    if (/^[0-9a-fA-F]{2}$/.test(pair)) {
      bytes.push(parseInt(pair, 16));
      i += 2;
    } else if (i + 1 < escaped.length) {
      push(escaped[i + 1] as string);
      i += 1;
    } else {
      throw new Error(`dangling "\\" at the end of DN value "${escaped}"`);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Escapes an assertion value for an LDAP search filter (RFC 4515 §3): `*`, `(`, `)`, `\` and NUL. */
export function escapeFilterValue(value: string): string {
  let out = '';
  for (const char of value) {
    if (char === '*' || char === '(' || char === ')' || char === '\\' || char === '\0') out += hexByte(char.charCodeAt(0));
    else out += char;
  }
  return out;
}

/** Reverses escapeFilterValue: every `\XX` becomes the byte XX. */
export function unescapeFilterValue(escaped: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < escaped.length; i++) {
    const char = escaped[i] as string;
    if (char === '\\') {
      const pair = escaped.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(pair)) throw new Error(`invalid escape "\\${pair}" in filter value "${escaped}"`);
      bytes.push(parseInt(pair, 16));
      i += 2;
    } else {
      const whole = String.fromCodePoint(escaped.codePointAt(i) ?? 0);
      for (const byte of Buffer.from(whole, 'utf8')) bytes.push(byte);
      i += whole.length - 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
