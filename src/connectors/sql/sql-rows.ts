/**
 * Rows → staged objects: the key column becomes the external id, NULLs are left out, `isActiveColumn`
 * gives the observed enabled state (an inactive row is reported `enabled: false`, not deleted — the
 * engine applies "inactive means deleted" for flow rules itself, see sdk.ts), and `softDeleteColumn` =
 * `softDeleteValue` marks a row deleted.
 */
import type { Value } from '../../config/model.js';
import type { RejectedObject, StagedObject } from '../sdk.js';
import type { ResultSet, SqlValue } from './sql-dialect.js';
import type { SqlObjectTypeOptions } from './sql-spec.js';

const TRUE = new Set(['true', '1', 'yes']);
const FALSE = new Set(['false', '0', 'no']);

/** true/false, 1/0, yes/no in any case; anything else (and empty) is no answer. */
export function toFlag(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') {
    const word = value.trim().toLowerCase();
    if (TRUE.has(word)) return true;
    if (FALSE.has(word)) return false;
  }
  return undefined;
}

function matchesSoftDelete(value: SqlValue, marker: string | number | boolean): boolean {
  if (value === undefined || Array.isArray(value)) return false;
  if (typeof value === 'boolean' || typeof marker === 'boolean') return toFlag(value) === toFlag(marker) && toFlag(value) !== undefined;
  return String(value) === String(marker);
}

/** Finds a configured column among result columns: exact name first, then ignoring case (SQL Server). */
export function columnIndex(columns: readonly string[], name: string): number {
  const exact = columns.indexOf(name);
  if (exact >= 0) return exact;
  const lower = name.toLowerCase();
  return columns.findIndex((c) => c.toLowerCase() === lower);
}

export interface RowMapping {
  readonly key: number;
  readonly isActive: number;
  readonly softDelete: number;
}

export function rowMapping(options: SqlObjectTypeOptions, columns: readonly string[]): RowMapping | string {
  const key = columnIndex(columns, options.key);
  if (key < 0) return options.key;
  const isActive = options.isActiveColumn ? columnIndex(columns, options.isActiveColumn) : -1;
  if (options.isActiveColumn && isActive < 0) return options.isActiveColumn;
  const softDelete = options.softDelete ? columnIndex(columns, options.softDelete.column) : -1;
  if (options.softDelete && softDelete < 0) return options.softDelete.column;
  return { key, isActive, softDelete };
}

/** Maps one page. Rows without a key are counted in `skipped` and left out. */
export function toStagedObjects(options: SqlObjectTypeOptions, page: ResultSet, mapping: RowMapping): { objects: StagedObject[]; skipped: number; rejected: RejectedObject[] } {
  const objects: StagedObject[] = [];
  const rejected: RejectedObject[] = [];
  let skipped = 0;
  const { columns } = page;
  const width = columns.length;
  // Attributes are set in name order (stable, so of two equal names the later still wins): the engine
  // writes an object's canonical JSON in that order, and takes it in one call when the keys already are.
  const order = columns.map((_, i) => i).sort((a, b) => (columns[a]! < columns[b]! ? -1 : columns[a]! > columns[b]! ? 1 : 0));
  const withState = mapping.isActive >= 0 || mapping.softDelete >= 0;
  for (const row of page.rows) {
    const key = row[mapping.key];
    if (key === undefined || Array.isArray(key) || key === '') {
      skipped++;
      continue;
    }
    const attributes: Record<string, Value> = {};
    for (let j = 0; j < width; j++) {
      const i = order[j]!;
      const value = row[i];
      if (value !== undefined) attributes[columns[i]!] = value;
    }
    if (!withState) {
      objects.push({ externalId: String(key), attributes });
      continue;
    }
    const object: { -readonly [K in keyof StagedObject]: StagedObject[K] } = { externalId: String(key), attributes };
    if (mapping.isActive >= 0) {
      const cell = row[mapping.isActive];
      const enabled = toFlag(cell);
      // A value that is not a boolean is never taken as "no answer": the row is held back (issue 14).
      if (enabled === undefined && cell !== undefined && !(typeof cell === 'string' && cell.trim() === '')) {
        const shown = JSON.stringify(String(cell).slice(0, 40));
        rejected.push({ externalId: String(key), reason: `column ${options.isActiveColumn} (isActiveColumn) holds ${shown}, which is not a boolean (true/false, 1/0, yes/no)` });
        continue;
      }
      if (enabled !== undefined) object.enabled = enabled;
    }
    if (mapping.softDelete >= 0 && options.softDelete && matchesSoftDelete(row[mapping.softDelete], options.softDelete.value)) object.deleted = true;
    objects.push(object);
  }
  return { objects, skipped, rejected };
}
