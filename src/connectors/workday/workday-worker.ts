/**
 * One RaaS report entry → one staged worker. A JSON report entry is an object keyed by the report
 * fields' XML aliases; single values are strings (Workday writes booleans as "1"/"0" and dates as
 * YYYY-MM-DD, in XML with a time-zone suffix), a multi-instance field is an array, and a field with
 * subfields (a group) is an array of objects.
 *
 * Worker semantics (README "What is imported"): the Employee_ID is the anchor; position attributes come
 * from the primary position; the manager is the manager's Employee_ID, which the engine resolves to the
 * manager's own worker; hire and termination dates are kept as YYYY-MM-DD so projections can act on them
 * before or on the day. A termination date before the hire date belongs to an earlier employment (a
 * rehire), so it is staged as `previousTerminationDate` and the worker is not terminated.
 */
import type { Scalar, Value } from '../../config/model.js';
import { calendarDate } from '../../config/relative-date.js';
import { ENABLED_ATTRIBUTE, type RejectedObject, type StagedObject } from '../sdk.js';
import { DEFAULT_COLUMNS, POSITION_ATTRIBUTES, type WorkdayOptions, type WorkerAttribute } from './workday-spec.js';

export type WorkerRead = { readonly object: StagedObject } | { readonly rejected: RejectedObject } | { readonly skipped: true };

const DATE_ATTRIBUTES: ReadonlySet<WorkerAttribute> = new Set(['hireDate', 'originalHireDate', 'terminationDate']);

export function workerFromEntry(entry: unknown, options: WorkdayOptions, today: string): WorkerRead {
  if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return { skipped: true };
  const record = entry as Record<string, unknown>;
  const position = primaryPosition(record, options);
  const attributes: Record<string, Value> = {};
  let externalId: string | undefined;
  for (const attribute of Object.keys(DEFAULT_COLUMNS) as WorkerAttribute[]) {
    const column = options.columns[attribute];
    const source = position && POSITION_ATTRIBUTES.has(attribute) ? position : record;
    const value = valueOf(own(source, column));
    if (value === undefined) continue;
    if (attribute === 'employeeId') {
      if (Array.isArray(value)) return { rejected: { externalId: String(value[0]), reason: `column ${column} holds several values; the employee id must be one value` } };
      externalId = String(value);
      attributes.employeeId = externalId;
      continue;
    }
    if (DATE_ATTRIBUTES.has(attribute)) {
      // YYYY-MM-DD, optionally with a time or a zone suffix (XML's `2026-05-04-07:00`), which is dropped.
      const date = Array.isArray(value) ? undefined : calendarDate(value as Scalar);
      if (date === undefined) return rejectLater(record, options, `column ${column} is "${String(value)}", not a date (YYYY-MM-DD)`);
      attributes[attribute] = date;
      continue;
    }
    if (attribute === 'active') {
      const flag = booleanOf(value);
      if (flag === undefined) return rejectLater(record, options, `column ${column} is "${String(value)}", not a boolean (1/0, true/false)`);
      attributes.active = flag;
      continue;
    }
    attributes[attribute] = value;
  }
  if (externalId === undefined) return { skipped: true };
  const hire = attributes.hireDate as string | undefined;
  const termination = attributes.terminationDate as string | undefined;
  if (hire !== undefined && termination !== undefined && termination < hire) {
    // Rehired after that termination: the worker is employed again from hireDate.
    attributes.previousTerminationDate = termination;
    delete attributes.terminationDate;
  }
  if (attributes.managerId !== undefined && String(attributes.managerId) === externalId) delete attributes.managerId;
  const enabled = typeof attributes.active === 'boolean' ? attributes.active : employedOn(today, hire, attributes.terminationDate as string | undefined);
  attributes[ENABLED_ATTRIBUTE] = enabled;
  return { object: { externalId, attributes, enabled } };
}

/** Without an Active column: hired on or before today, and not terminated on or before today. */
function employedOn(today: string, hire: string | undefined, termination: string | undefined): boolean {
  return (hire === undefined || hire <= today) && (termination === undefined || termination > today);
}

function rejectLater(record: Record<string, unknown>, options: WorkdayOptions, reason: string): WorkerRead {
  const id = valueOf(own(record, options.columns.employeeId));
  if (id === undefined || Array.isArray(id)) return { skipped: true };
  return { rejected: { externalId: String(id), reason: `worker ${String(id)}: ${reason}` } };
}

/** The primary entry of the positions group (flagged, else the first); undefined without a group. */
function primaryPosition(record: Record<string, unknown>, options: WorkdayOptions): Record<string, unknown> | undefined {
  if (!options.positions) return undefined;
  const group = own(record, options.positions.group);
  const entries = (Array.isArray(group) ? group : group && typeof group === 'object' ? [group] : []).filter(
    (e): e is Record<string, unknown> => e !== null && typeof e === 'object' && !Array.isArray(e),
  );
  if (entries.length === 0) return undefined;
  const flag = options.positions.primary;
  return (flag === undefined ? undefined : entries.find((e) => booleanOf(valueOf(own(e, flag))) === true)) ?? entries[0];
}

function own(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** A string, number or boolean; a list of them; or undefined (null, empty, objects). */
function valueOf(raw: unknown): Value | undefined {
  if (typeof raw === 'string') return raw.trim() === '' ? undefined : raw.trim();
  if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
  if (typeof raw === 'boolean') return raw;
  if (Array.isArray(raw)) {
    const items = raw.map(valueOf).filter((v): v is Scalar => v !== undefined && !Array.isArray(v));
    if (items.length === 0) return undefined;
    return items.length === 1 ? items[0] : items;
  }
  return undefined;
}

function booleanOf(value: Value | undefined): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return undefined;
  const text = value.toLowerCase();
  if (text === '1' || text === 'true' || text === 'yes') return true;
  if (text === '0' || text === 'false' || text === 'no') return false;
  return undefined;
}
