/**
 * Distinguished names (RFC 4514): parse into RDNs, take the parent, compare. The LDAP connectors use it
 * to place objects, the planner to decide whether a desired DN is a move. Escaping of values placed into
 * DNs and filters lives in escape.ts, shared with templates.
 */
import { escapeDnValue } from './escape.js';

export interface Ava {
  /** Attribute type as written. */
  readonly type: string;
  /** Unescaped value. */
  readonly value: string;
}

/** One RDN: one or more attribute-value assertions joined by `+`. */
export type Rdn = readonly Ava[];

function hexPair(text: string, at: number): number | undefined {
  const pair = text.slice(at, at + 2);
  return /^[0-9a-fA-F]{2}$/.test(pair) ? Number.parseInt(pair, 16) : undefined;
}

/**
 * Parses a DN string into RDNs, most specific first. Handles `\X` and `\HH` escapes (UTF-8 sequences of
 * hex pairs), quoted values (RFC 2253 compatibility) and `#hex` values (kept as written). Throws on a
 * malformed DN.
 */
export function parseDn(dn: string): Rdn[] {
  const rdns: Ava[][] = [];
  if (dn.trim() === '') return [];
  let i = 0;
  let current: Ava[] = [];
  while (i <= dn.length) {
    while (dn[i] === ' ') i++;
    const eq = dn.indexOf('=', i);
    if (eq < 0) throw new Error(`malformed DN (missing "="): ${dn}`);
    const type = dn.slice(i, eq).trim();
    if (!/^[A-Za-z][A-Za-z0-9-]*$|^[0-9]+(\.[0-9]+)*$/.test(type)) throw new Error(`malformed DN (attribute type "${type}"): ${dn}`);
    i = eq + 1;
    const bytes: number[] = [];
    const pushText = (s: string) => bytes.push(...Buffer.from(s, 'utf8'));
    let trailingSpaces = 0;
    if (dn[i] === '"') {
      i++;
      while (i < dn.length && dn[i] !== '"') {
        if (dn[i] === '\\') i++;
        pushText(dn[i] ?? '');
        i++;
      }
      if (dn[i] !== '"') throw new Error(`malformed DN (unterminated quote): ${dn}`);
      i++;
      while (dn[i] === ' ') i++;
    } else {
      while (i < dn.length && dn[i] !== ',' && dn[i] !== '+' && dn[i] !== ';') {
        const ch = dn[i]!;
        if (ch === '\\') {
          const hex = hexPair(dn, i + 1);
          if (hex !== undefined) {
            bytes.push(hex);
            i += 3;
          } else {
            if (i + 1 >= dn.length) throw new Error(`malformed DN (dangling "\\"): ${dn}`);
            pushText(dn[i + 1]!);
            i += 2;
          }
          trailingSpaces = 0;
        } else {
          const cp = dn.codePointAt(i)!;
          const s = String.fromCodePoint(cp);
          pushText(s);
          trailingSpaces = ch === ' ' ? trailingSpaces + 1 : 0;
          i += s.length;
        }
      }
    }
    // Unescaped trailing spaces are not part of the value (RFC 4514 §3).
    const value = Buffer.from(bytes.slice(0, bytes.length - trailingSpaces)).toString('utf8');
    current.push({ type, value });
    if (i >= dn.length) {
      rdns.push(current);
      break;
    }
    const sep = dn[i];
    i++;
    if (sep !== '+') {
      rdns.push(current);
      current = [];
    }
  }
  return rdns;
}

function formatRdn(rdn: Rdn): string {
  return rdn.map((ava) => `${ava.type}=${escapeDnValue(ava.value)}`).join('+');
}

export function formatDn(rdns: readonly Rdn[]): string {
  return rdns.map(formatRdn).join(',');
}

/** The parent of a DN, or undefined for a single-RDN DN. */
export function parentDn(dn: string): string | undefined {
  const rdns = parseDn(dn);
  return rdns.length > 1 ? formatDn(rdns.slice(1)) : undefined;
}

function normalizedRdns(dn: string): string[] {
  return parseDn(dn).map((rdn) =>
    [...rdn]
      .map((ava) => `${ava.type.toLowerCase()}=${escapeDnValue(ava.value.toLowerCase())}`)
      .sort()
      .join('+'),
  );
}

/** A comparable form: attribute types and values lower-cased, escapes normalized. */
export function normalizeDn(dn: string): string {
  return normalizedRdns(dn).join(',');
}

/**
 * A key for comparing references that are usually DNs: the normalized DN, or the lower-cased text when it
 * does not parse as one (a SCIM id, a SQL key).
 */
export function comparableDn(text: string): string {
  try {
    return normalizeDn(text);
  } catch {
    return text.toLowerCase();
  }
}

export function sameDn(a: string, b: string): boolean {
  return comparableDn(a) === comparableDn(b);
}

/** True when `dn` is `base` or below it. */
export function isUnder(dn: string, base: string): boolean {
  const d = normalizedRdns(dn);
  const b = normalizedRdns(base);
  if (d.length < b.length) return false;
  const tail = d.slice(d.length - b.length);
  return tail.every((rdn, i) => rdn === b[i]);
}
