/**
 * Structured values: a value with named fields, such as a SCIM app's team role `{ type: teamMemberRole, teamId:
 * marketing, teamMemberRole: Owner }` or a SCIM `roles` entry `{ value, type, display }`. The mesh, the
 * store and the planner hold scalars, so a structured value travels as one canonical string — JSON with
 * its fields sorted by name — that compares equal exactly when the fields do. Templates read its fields
 * as `{{item.teamId}}` (projector), and targets that have complex attributes (SCIM) write them as objects.
 */
import type { Scalar } from './model.js';

export type StructuredFields = Readonly<Record<string, string>>;

/** The canonical string of a structured value; empty fields are left out. */
export function encodeStructured(fields: Readonly<Record<string, Scalar | null | undefined>>): string {
  const out: Record<string, string> = {};
  for (const name of Object.keys(fields).sort()) {
    const value = fields[name];
    if (value === undefined || value === null || value === '') continue;
    out[name] = String(value);
  }
  return JSON.stringify(out);
}

/** The fields of a structured value, or undefined for a plain scalar (which includes any other JSON text). */
export function decodeStructured(value: unknown): StructuredFields | undefined {
  if (typeof value !== 'string' || !value.startsWith('{"') || !value.endsWith('}')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const entries = Object.entries(parsed as Record<string, unknown>);
  if (entries.length === 0 || !entries.every(([, v]) => typeof v === 'string')) return undefined;
  // Only our own canonical form is structured: sorted keys, no empty fields, no extra whitespace.
  const fields = Object.fromEntries(entries) as Record<string, string>;
  return encodeStructured(fields) === value ? Object.freeze(fields) : undefined;
}

/** A field of a structured value, read as `item.FIELD` by templates. */
export function structuredField(value: unknown, field: string): string | undefined {
  const fields = decodeStructured(value);
  return fields && Object.prototype.hasOwnProperty.call(fields, field) ? fields[field] : undefined;
}
