/**
 * Delta watermarks, stored as plain human-readable strings:
 * - datetime: ISO 8601 UTC with the server's fractional digits (`2024-05-01T08:00:00.123456Z`);
 * - bigint: a decimal integer (`184467440737095516`);
 * - rowversion and binary (an 8-byte counter): `0x` and 16 hex digits (`0x00000000000007D1`).
 * A stored value that does not parse as the configured type (the type was changed, or the value was
 * edited by hand) makes the connector fall back to a full read, which is always safe.
 */
import type { DeltaColumnType } from './sql-spec.js';
import type { SqlValue } from './sql-dialect.js';

const ISO = /^(\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/;
const DECIMAL = /^-?\d+$/;
const ROWVERSION = /^0x[0-9a-fA-F]{16}$/;

/** Turns a signpost read from the server into the watermark string, or undefined when there is none. */
export function formatWatermark(type: DeltaColumnType, value: SqlValue): string | undefined {
  if (value === undefined || Array.isArray(value)) return undefined;
  const text = String(value);
  switch (type) {
    case 'datetime':
      return ISO.test(text) ? text : undefined;
    case 'bigint':
      return DECIMAL.test(text) ? text : undefined;
    case 'rowversion':
    case 'binary':
      return /^[0-9a-fA-F]{16}$/.test(text) ? `0x${text.toUpperCase()}` : undefined;
  }
}

export function isWatermark(type: DeltaColumnType, text: string): boolean {
  switch (type) {
    case 'datetime':
      return ISO.test(text);
    case 'bigint':
      return DECIMAL.test(text);
    case 'rowversion':
    case 'binary':
      return ROWVERSION.test(text);
  }
}

/** `2024-05-01T08:00:05.123456Z` minus 5 s → `2024-05-01T08:00:00.123456Z` (keeps every digit). */
export function isoMinusSeconds(iso: string, seconds: number): string {
  const m = ISO.exec(iso);
  if (!m) throw new Error(`not an ISO 8601 UTC timestamp: ${iso}`);
  const digits = m[2] ?? '';
  const scale = Math.max(digits.length, 6);
  const unit = 10n ** BigInt(scale);
  const whole = BigInt(Date.parse(`${m[1]}Z`) / 1000);
  const total = whole * unit + BigInt(digits.padEnd(scale, '0') || '0') - BigInt(Math.round(seconds * Number(unit)));
  const floorSeconds = total >= 0n ? total / unit : (total - unit + 1n) / unit;
  const rest = total - floorSeconds * unit;
  const base = new Date(Number(floorSeconds) * 1000).toISOString().slice(0, 19);
  return `${base}.${rest.toString().padStart(scale, '0')}Z`;
}

export function rowversionBytes(watermark: string): Uint8Array {
  return Uint8Array.from(Buffer.from(watermark.slice(2), 'hex'));
}
