/** Cell values of the csv connector: what a value renders as, how a list cell splits and changes. */
import type { Scalar, Value } from '../../config/model.js';
import type { AttributeChange } from '../sdk.js';

/** A file's header: its columns (trimmed) and where the columns the connector reads sit (-1: none). */
export interface Header {
  readonly columns: readonly string[];
  readonly key: number;
  readonly isActive: number;
  readonly softDelete: number;
}

/** One cell's text: booleans as true/false, lists joined by the separator. */
export function renderCell(value: Value | undefined, separator: string): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value))
    return (value as readonly Scalar[])
      .map((item) => renderCell(item, separator))
      .filter((item) => item !== '')
      .join(separator);
  return String(value);
}

export function splitCell(cell: string, separator: string): string[] {
  return cell
    .split(separator)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** A cell after an update: the new value, or the list with `add` and `remove` applied. */
export function updatedCell(cell: string, change: AttributeChange, separator: string): string {
  if (change.add === undefined && change.remove === undefined) return renderCell(change.to, separator);
  const remove = new Set((change.remove ?? []).map(String));
  const items = splitCell(cell, separator).filter((item) => !remove.has(item));
  for (const item of (change.add ?? []).map(String)) if (!items.includes(item)) items.push(item);
  return items.join(separator);
}
