/** A timestamptz column as ISO 8601 text: pg returns a Date, the embedded store may return a string. */
export function isoTimestamp(value: Date | string): string {
  // The embedded store writes its times in this form already (one per source object a cycle reads).
  if (typeof value === 'string' && ISO_UTC_MS.test(value)) return value;
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

/** What toISOString writes for years 0000–9999. */
const ISO_UTC_MS = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

/** The same for a nullable column: null (or a missing row's undefined) stays null. */
export function isoTimestampOrNull(value: Date | string | null | undefined): string | null {
  return value == null ? null : isoTimestamp(value);
}
