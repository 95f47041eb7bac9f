/**
 * The workday watermark: `{"through":"<ISO 8601>"}`, the end of the last window read (readable and
 * hand-editable). It is a signpost taken before the report runs, so a transaction committed while the
 * report was running is inside the next window; the next delta asks for `from = through − overlap`.
 */
export function formatWatermark(through: Date): string {
  return JSON.stringify({ through: through.toISOString() });
}

/** The end of the last window, or undefined when the text is not ours (a full read follows). */
export function parseWatermark(text: string): Date | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const through = (value as Record<string, unknown>).through;
  if (typeof through !== 'string' || Number.isNaN(Date.parse(through))) return undefined;
  return new Date(Date.parse(through));
}

/**
 * A date-time prompt value: ISO 8601 with milliseconds and an explicit `+00:00` offset, the form
 * Workday's date-time prompts take (a bare `Z` is not accepted everywhere).
 */
export function promptDateTime(at: Date): string {
  return at.toISOString().replace(/Z$/, '+00:00');
}
