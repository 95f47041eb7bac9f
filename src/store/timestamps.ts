/** A timestamptz column as ISO 8601 text: pg returns a Date, the embedded store may return a string. */
export function isoTimestamp(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

/** The same for a nullable column: null (or a missing row's undefined) stays null. */
export function isoTimestampOrNull(value: Date | string | null | undefined): string | null {
  return value == null ? null : isoTimestamp(value);
}
