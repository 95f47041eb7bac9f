/**
 * The rest connector's watermark: `{"newest": <value>}`, the newest value of the object type's
 * `delta.watermark` field among the items read (readable and hand-editable). Values compare as
 * timestamps when both are ISO 8601 date-times, as numbers when both are numbers, else as text.
 *
 * A delta read asks for changes since that value less the overlap, so a change committed late with an
 * earlier timestamp is still read; the anchor makes the replay harmless. The overlap applies to ISO
 * timestamps and to epoch numbers (seconds from 10^9, milliseconds from 10^12); a smaller number is a
 * version counter and is sent as it is.
 */
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

export type WatermarkValue = string | number;

/** A usable watermark value read from an item, or undefined. */
export function watermarkValue(raw: unknown): WatermarkValue | undefined {
  if (typeof raw === 'number' && Number.isFinite(raw)) return raw;
  if (typeof raw === 'string' && raw.trim() !== '') return raw;
  return undefined;
}

function compare(a: WatermarkValue, b: WatermarkValue): number {
  if (typeof a === 'string' && typeof b === 'string' && ISO.test(a) && ISO.test(b)) return Date.parse(a) - Date.parse(b);
  const na = typeof a === 'number' ? a : Number(a);
  const nb = typeof b === 'number' ? b : Number(b);
  if (Number.isFinite(na) && Number.isFinite(nb) && String(a).trim() !== '' && String(b).trim() !== '') return na - nb;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

/** The newer of two values (either may be undefined). */
export function newer(a: WatermarkValue | undefined, b: WatermarkValue | undefined): WatermarkValue | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return compare(b, a) > 0 ? b : a;
}

export function formatWatermark(newest: WatermarkValue): string {
  return JSON.stringify({ newest });
}

/** The newest value of a stored watermark, or undefined when it is not ours (a full read follows). */
export function parseWatermark(text: string): WatermarkValue | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return watermarkValue((value as Record<string, unknown>).newest);
  } catch {
    return undefined;
  }
  return undefined;
}

/** The lower bound a delta read sends: the newest value less the overlap, in the value's own form. */
export function lowerBound(newest: WatermarkValue, overlapMs: number): string {
  if (typeof newest === 'string' && ISO.test(newest)) {
    const iso = new Date(Date.parse(newest) - overlapMs).toISOString();
    return /\.\d+/.test(newest) ? iso : iso.replace(/\.\d{3}Z$/, 'Z');
  }
  const n = typeof newest === 'number' ? newest : /^\d+$/.test(newest) ? Number(newest) : NaN;
  if (Number.isFinite(n)) {
    if (n >= 1e12) return String(n - overlapMs);
    if (n >= 1e9) return String(n - Math.ceil(overlapMs / 1000));
    return String(n);
  }
  return String(newest);
}
