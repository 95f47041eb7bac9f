/**
 * PostgreSQL text-format values → our values, by type OID. Shared by pg and PGlite, which both hand a
 * column's text to a parser chosen by OID, so both drivers read every type the same way and nothing is
 * lost: int8 and numeric stay strings, timestamps become ISO 8601 UTC with their microseconds, bytea
 * becomes hex, arrays become lists. Sessions run with `TimeZone=UTC`, `DateStyle=ISO` and
 * `bytea_output=hex` (see SESSION_SETUP) so the text is predictable.
 */
import type { Scalar } from '../../config/model.js';
import type { ColumnInfo, ColumnKind } from './sql-dialect.js';

type Parser = (text: string) => Scalar | Scalar[] | undefined;

/** Run once per session by the embedded dialect. */
export const SESSION_SETUP = "SET TIME ZONE 'UTC'; SET DateStyle = 'ISO, MDY'; SET bytea_output = 'hex'";
/** The same settings as PostgreSQL startup options, for pg connections. */
export const SESSION_OPTIONS = '-c TimeZone=UTC -c DateStyle=ISO,MDY -c bytea_output=hex';

const TIMESTAMP = /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(?:([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?)?$/;

/**
 * `2024-05-01 10:00:00.123456+02` → `2024-05-01T08:00:00.123456Z`. A timestamp without time zone is
 * read as UTC. Infinity and BC dates are returned as PostgreSQL wrote them.
 */
function digitsOnly(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return true;
}

export function pgTimestampToIso(text: string): string {
  // Fast path for what a UTC session sends (`…+00`, or no offset for timestamp without time zone):
  // rearranged, not parsed — this runs once per timestamp cell of every import.
  const n = text.length;
  if (n >= 19 && text.charCodeAt(4) === 45 && text.charCodeAt(10) === 32) {
    const end = text.endsWith('+00') ? n - 3 : n;
    if (end === 19) return `${text.slice(0, 10)}T${text.slice(11, 19)}.000000Z`;
    if (end > 20 && end <= 26 && text.charCodeAt(19) === 46 && digitsOnly(text, 20, end)) {
      return `${text.slice(0, 10)}T${text.slice(11, 19)}.${text.slice(20, end).padEnd(6, '0')}Z`;
    }
  }
  const m = TIMESTAMP.exec(text);
  if (!m) return text;
  const [, y, mo, d, h, mi, s, fraction = '', sign, oh = '0', om = '0', os = '0'] = m;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number(y) < 100) ms = new Date(ms).setUTCFullYear(Number(y));
  if (sign) ms -= (sign === '-' ? -1 : 1) * (Number(oh) * 3600 + Number(om) * 60 + Number(os)) * 1000;
  const base = new Date(ms).toISOString().slice(0, 19);
  return `${base}.${fraction.padEnd(6, '0')}Z`;
}

const number: Parser = (text) => {
  const value = Number(text);
  return Number.isFinite(value) ? value : text;
};
const keep: Parser = (text) => text;
const bool: Parser = (text) => text === 't' || text === 'true';
const bytea: Parser = (text) => (text.startsWith('\\x') ? text.slice(2) : text);

/**
 * Parses a one-dimensional (or flattens a nested) array literal: `{a,"b c",NULL}`. NULL elements are
 * dropped (a multi-valued attribute holds values, not holes).
 */
export function parsePgArray(text: string): string[] {
  const body = text.startsWith('[') ? text.slice(text.indexOf('=') + 1) : text;
  const out: string[] = [];
  let i = 0;
  while (i < body.length) {
    const c = body[i]!;
    if (c === '{' || c === '}' || c === ',') {
      i++;
      continue;
    }
    if (c === '"') {
      let value = '';
      i++;
      while (i < body.length && body[i] !== '"') {
        if (body[i] === '\\') i++;
        value += body[i] ?? '';
        i++;
      }
      i++;
      out.push(value);
      continue;
    }
    let end = i;
    while (end < body.length && body[end] !== ',' && body[end] !== '}') end++;
    const raw = body.slice(i, end);
    if (raw !== 'NULL') out.push(raw);
    i = end;
  }
  return out;
}

function arrayOf(element: Parser): Parser {
  return (text) => parsePgArray(text).flatMap((item) => {
    const value = element(item);
    return value === undefined ? [] : Array.isArray(value) ? value : [value];
  });
}

/** Element OID → parser; arrays are added below. */
const SCALARS: Record<number, Parser> = {
  16: bool, // bool
  17: bytea, // bytea
  20: keep, // int8: beyond 2^53, so a string
  21: number, // int2
  23: number, // int4
  26: number, // oid
  114: keep, // json: the text, not a parsed object
  700: number, // float4
  701: number, // float8
  1082: keep, // date: YYYY-MM-DD
  1083: keep, // time
  1114: pgTimestampToIso, // timestamp
  1184: pgTimestampToIso, // timestamptz
  1266: keep, // timetz
  1186: keep, // interval
  1700: keep, // numeric: exact, so a string
  2950: keep, // uuid
  3802: keep, // jsonb
};

/** Array OID → element OID. */
const ARRAYS: Record<number, number> = {
  1000: 16, 1001: 17, 1005: 21, 1007: 23, 1016: 20, 1009: 25, 1014: 1042, 1015: 1043, 1021: 700, 1022: 701,
  1182: 1082, 1183: 1083, 1115: 1114, 1185: 1184, 1231: 1700, 2951: 2950, 199: 114, 3807: 3802, 1028: 26,
};

/** OID → parser for every type we read specially; any other type is read as its text. */
export const PG_PARSERS: Readonly<Record<number, Parser>> = (() => {
  const all: Record<number, Parser> = { ...SCALARS };
  for (const [array, element] of Object.entries(ARRAYS)) all[Number(array)] = arrayOf(SCALARS[element] ?? keep);
  return all;
})();

export function parserFor(oid: number): Parser {
  return PG_PARSERS[oid] ?? keep;
}

/** pg_type.typcategory (+ typname) → how we treat the column. */
export function pgColumnKind(typname: string, category: string): ColumnKind {
  switch (category) {
    case 'B':
      return 'boolean';
    case 'S':
      return 'text';
    case 'D':
      if (typname === 'date') return 'date';
      if (typname === 'timestamp' || typname === 'timestamptz') return 'datetime';
      return 'time';
    case 'N':
      if (typname === 'int2' || typname === 'int4' || typname === 'int8') return 'integer';
      if (typname === 'float4' || typname === 'float8') return 'float';
      if (typname === 'numeric' || typname === 'money') return 'decimal';
      return 'other';
    case 'U':
      return typname === 'bytea' ? 'binary' : 'other';
    default:
      return 'other';
  }
}

/** Looks up the type names of result columns (pg_type), for `describe`. Same statement for pg and PGlite. */
export const PG_TYPE_LOOKUP =
  'SELECT t.oid::int4 AS oid, t.typname, t.typcategory, coalesce(e.typname, \'\') AS elemname, coalesce(e.typcategory, \'\') AS elemcategory ' +
  'FROM pg_type t LEFT JOIN pg_type e ON e.oid = t.typelem AND t.typcategory = \'A\' WHERE t.oid = ANY($1::oid[])';

export interface PgTypeRow {
  readonly oid: number;
  readonly typname: string;
  readonly typcategory: string;
  readonly elemname: string;
  readonly elemcategory: string;
}

export function pgColumnInfo(name: string, oid: number, types: ReadonlyMap<number, PgTypeRow>): ColumnInfo {
  const row = types.get(oid);
  if (!row) return { name, type: `oid ${oid}`, kind: 'other', array: false };
  if (row.typcategory === 'A' && row.elemname) {
    return { name, type: `${row.elemname}[]`, kind: pgColumnKind(row.elemname, row.elemcategory), array: true };
  }
  return { name, type: row.typname, kind: pgColumnKind(row.typname, row.typcategory), array: false };
}
