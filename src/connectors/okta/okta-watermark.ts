/**
 * The Okta watermark (the Okta runbook, "Watermark behaviour"): `{"u":"<ISO>","g":"<ISO>"}`, one lastUpdated
 * high-water timestamp per object type, readable and hand-editable. The engine keeps one watermark per
 * object type, so the user type stores `{"u":…}` and the group type `{"g":…}`; either type reads its own
 * key from a combined wrapper too (one written by hand or by the seed's connector).
 *
 * The timestamp is a signpost: the server's clock (its `Date` header) when the read began, less an
 * overlap for Okta's eventually consistent search index. A user changed while a full list was being
 * paged is then re-read by the next delta instead of lost; a replay costs nothing (unchanged objects are
 * skipped by the engine).
 */
export interface OktaWatermark {
  readonly u?: string;
  readonly g?: string;
}

export const OVERLAP_MS = 60_000;

export function formatWatermark(watermark: OktaWatermark): string {
  const out: Record<string, string> = {};
  if (watermark.u !== undefined) out.u = watermark.u;
  if (watermark.g !== undefined) out.g = watermark.g;
  return JSON.stringify(out);
}

/** The wrapper's timestamps, or undefined when the text is not the wrapper (a full read follows). */
export function parseWatermark(text: string): OktaWatermark | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  const read = (key: 'u' | 'g') => (typeof record[key] === 'string' && !Number.isNaN(Date.parse(record[key] as string)) ? new Date(Date.parse(record[key] as string)).toISOString() : undefined);
  const u = read('u');
  const g = read('g');
  if (u === undefined && g === undefined) return undefined;
  return { ...(u !== undefined ? { u } : {}), ...(g !== undefined ? { g } : {}) };
}

/** The signpost for a read whose first response carried `date` (HTTP-date; the local clock if absent). */
export function signpost(date: string | undefined, now: number = Date.now()): string {
  const server = date !== undefined && !Number.isNaN(Date.parse(date)) ? Date.parse(date) : now;
  return new Date(server - OVERLAP_MS).toISOString();
}
