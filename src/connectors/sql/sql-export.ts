/**
 * Writes to a table. Transaction policy: each batch of changes is applied in one transaction, all or
 * nothing. When a batch fails, it is rolled back and its changes are retried one by one, each in its
 * own transaction, so the bad row is isolated: the good ones are written, and each failed one is
 * reported with its key and the database's message (ExportResult ok: false).
 *
 * - create → upsert by the key column (only the mapped columns are written; PostgreSQL
 *   `INSERT … ON CONFLICT (key) DO UPDATE`, SQL Server `MERGE … WITH (HOLDLOCK)`), so a create that is
 *   replayed after a crash is harmless;
 * - update → `UPDATE … WHERE key = …` of the changed columns; a row that is gone fails with
 *   ObjectNotFound; multi-valued add/remove read the current value (locked) and write the result;
 * - enable/disable → `isActiveColumn` = true/false;
 * - delete → `softDeleteColumn` = `softDeleteValue` when configured, else `DELETE` (a missing row is
 *   already deleted: ok).
 * Values are always bound parameters. Booleans go into boolean columns as booleans; multi-valued
 * values go into array columns as arrays, otherwise joined by `multiValueSeparator`.
 */
import type { Scalar, Value } from '../../config/model.js';
import { ConnectorError } from '../../shared/errors.js';
import type { AttributeChange, ExportChange } from '../sdk.js';
import type { TableName } from './sql-identifiers.js';
import type { ColumnInfo, SqlExecutor, SqlParam, SqlSyntax } from './sql-dialect.js';
import { columnIndex, toFlag } from './sql-rows.js';
import type { SqlObjectTypeOptions } from './sql-spec.js';

export interface ExportTarget {
  readonly connector: string;
  readonly options: SqlObjectTypeOptions;
  readonly table: TableName;
  readonly tableLabel: string;
  /** The table's columns by name. */
  readonly columns: ReadonlyMap<string, ColumnInfo>;
  readonly syntax: SqlSyntax;
}

/** A change that cannot be applied; fails its batch, then itself when retried alone. */
export class RowError extends ConnectorError {}

type Row = Map<string, SqlParam>;

type Operation =
  | { readonly kind: 'upsert'; readonly key: string; readonly row: Row }
  | { readonly kind: 'update'; readonly key: string; readonly row: Row; readonly patches: ReadonlyMap<string, AttributeChange> }
  | { readonly kind: 'delete'; readonly key: string };

function toList(value: Value | undefined): Scalar[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? [...(value as readonly Scalar[])] : [value as Scalar];
}

function findColumn(target: ExportTarget, name: string): ColumnInfo | undefined {
  const exact = target.columns.get(name);
  if (exact) return exact;
  const names = [...target.columns.keys()];
  const index = columnIndex(names, name);
  return index >= 0 ? target.columns.get(names[index]!) : undefined;
}

/** The value for one column, as the column wants it. */
export function columnParam(target: ExportTarget, key: string, name: string, value: Value | undefined): [string, SqlParam] {
  const column = columnOf(target, key, name);
  return [column.name, paramFor(target, key, column, value)];
}

function columnOf(target: ExportTarget, key: string, name: string): ColumnInfo {
  const column = findColumn(target, name);
  if (!column) {
    throw new RowError(target.connector, 'ColumnNotFound', `row ${key}: column "${name}" not found in ${target.tableLabel} (the projection writes attribute "${name}": add the column or remove the attribute)`);
  }
  return column;
}

function paramFor(target: ExportTarget, key: string, column: ColumnInfo, value: Value | undefined): SqlParam {
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) return null;
  if (column.array) return toList(value).map(String);
  if (column.kind === 'boolean') {
    const flag = toFlag(Array.isArray(value) ? value[0] : value);
    if (flag === undefined) throw new RowError(target.connector, 'InvalidValue', `row ${key}: ${JSON.stringify(value)} is not a boolean, for column "${column.name}"`);
    return flag;
  }
  if (Array.isArray(value)) return toList(value).map(String).join(target.options.separator);
  if (typeof value === 'boolean') return column.kind === 'integer' ? (value ? 1 : 0) : String(value);
  if (typeof value === 'number' && column.kind === 'text') return String(value);
  return value as string | number;
}

function keyOf(target: ExportTarget, change: ExportChange): string {
  if (change.op === 'create') {
    const raw = change.key ?? change.attributes[target.options.key];
    const key = Array.isArray(raw) ? raw[0] : raw;
    if (key === undefined || key === '') {
      throw new RowError(target.connector, 'KeyMissing', `a create for ${target.tableLabel} has no value for the key column "${target.options.key}" (the projection must render it)`);
    }
    return String(key);
  }
  if (change.op === 'move') return change.externalId;
  return change.externalId;
}

function operationFor(target: ExportTarget, change: ExportChange): Operation {
  const key = keyOf(target, change);
  const { options } = target;
  switch (change.op) {
    case 'create': {
      const row: Row = new Map();
      const keyColumn = columnOf(target, key, options.key);
      row.set(keyColumn.name, paramFor(target, key, keyColumn, key));
      const attributes = change.attributes;
      for (const name of Object.keys(attributes)) {
        if (name === options.key || (options.isActiveColumn === name && change.enabled !== undefined)) continue;
        const column = columnOf(target, key, name);
        const param = paramFor(target, key, column, attributes[name]);
        if (column.name !== keyColumn.name) row.set(column.name, param);
      }
      if (change.enabled !== undefined && options.isActiveColumn) {
        const column = columnOf(target, key, options.isActiveColumn);
        row.set(column.name, paramFor(target, key, column, change.enabled));
      }
      return { kind: 'upsert', key, row };
    }
    case 'update': {
      const row: Row = new Map();
      const patches = new Map<string, AttributeChange>();
      for (const [name, attributeChange] of Object.entries(change.attributes)) {
        if (name === options.key) continue; // a row's key is its identity; it is never rewritten
        if (attributeChange.add !== undefined || attributeChange.remove !== undefined) {
          const column = findColumn(target, name);
          if (!column) columnParam(target, key, name, undefined); // throws ColumnNotFound
          patches.set(column!.name, attributeChange);
          continue;
        }
        const [column, param] = columnParam(target, key, name, attributeChange.to);
        row.set(column, param);
      }
      return { kind: 'update', key, row, patches };
    }
    case 'enable':
    case 'disable': {
      if (!options.isActiveColumn) {
        throw new RowError(target.connector, 'NotSupported', `row ${key}: cannot ${change.op} without spec.objectTypes.${options.name}.isActiveColumn`);
      }
      const [column, param] = columnParam(target, key, options.isActiveColumn, change.op === 'enable');
      return { kind: 'update', key, row: new Map([[column, param]]), patches: new Map() };
    }
    case 'delete': {
      if (options.softDelete) {
        const [column, param] = columnParam(target, key, options.softDelete.column, options.softDelete.value);
        return { kind: 'update', key, row: new Map([[column, param]]), patches: new Map() };
      }
      return { kind: 'delete', key };
    }
    case 'move':
      throw new RowError(target.connector, 'NotSupported', `row ${key}: a table row has no container to move to`);
  }
}

/** Whether two rows have the same columns in the same order. */
function sameColumns(a: Row, b: Row): boolean {
  if (a.size !== b.size) return false;
  const other = b.keys();
  for (const column of a.keys()) if (other.next().value !== column) return false;
  return true;
}

/** Applies multi-valued add/remove to the current value of each patched column. */
async function applyPatches(tx: SqlExecutor, target: ExportTarget, operation: Extract<Operation, { kind: 'update' }>): Promise<void> {
  if (operation.patches.size === 0) return;
  const names = [...operation.patches.keys()];
  const current = await tx.query({ text: target.syntax.selectForUpdate(target.table, target.options.key, names), params: [operation.key] });
  const row = current.rows[0];
  if (!row) throw new RowError(target.connector, 'ObjectNotFound', `row ${operation.key} not found in ${target.tableLabel}`);
  names.forEach((name, i) => {
    const value = row[i + 1];
    const column = target.columns.get(name)!;
    const items = Array.isArray(value) ? value.map(String) : value === undefined ? [] : String(value).split(target.options.separator).filter((item) => item !== '');
    const patch = operation.patches.get(name)!;
    const remove = new Set((patch.remove ?? []).map(String));
    const next = items.filter((item) => !remove.has(item));
    for (const item of (patch.add ?? []).map(String)) if (!next.includes(item)) next.push(item);
    operation.row.set(name, columnParam(target, operation.key, column.name, next)[1]);
  });
}

/** Applies `changes` through `tx` (the caller owns the transaction). */
export async function applyChanges(tx: SqlExecutor, target: ExportTarget, changes: readonly ExportChange[]): Promise<void> {
  const { syntax, table } = target;
  const key = target.columns.get(target.options.key)?.name ?? target.options.key;
  let upserts: Extract<Operation, { kind: 'upsert' }>[] = [];
  let deletes: string[] = [];

  const flushUpserts = async () => {
    // Same column set per statement; as many rows as the parameter limit allows.
    const groups = new Map<string, Extract<Operation, { kind: 'upsert' }>[]>();
    // Most rows have the columns of the row before: their signature is not built again.
    let last: { readonly op: Extract<Operation, { kind: 'upsert' }>; readonly group: Extract<Operation, { kind: 'upsert' }>[] } | undefined;
    for (const op of upserts) {
      if (last && sameColumns(last.op.row, op.row)) {
        last.group.push(op);
        continue;
      }
      const signature = [...op.row.keys()].join('\u0000');
      const group = groups.get(signature) ?? groups.set(signature, []).get(signature)!;
      group.push(op);
      last = { op, group };
    }
    for (const group of groups.values()) {
      const columns = [...group[0]!.row.keys()].filter((c) => c !== key);
      const perStatement = Math.max(1, Math.floor(syntax.maxParams / (columns.length + 1)));
      for (let start = 0; start < group.length; start += perStatement) {
        const slice = group.slice(start, start + perStatement);
        const params: SqlParam[] = [];
        for (const op of slice) {
          params.push(op.row.get(key) ?? op.key);
          for (const c of columns) params.push(op.row.get(c) ?? null);
        }
        await tx.query({ text: syntax.upsert(table, key, columns, slice.length), params });
      }
    }
    upserts = [];
  };
  const flushDeletes = async () => {
    const perStatement = syntax.maxParams;
    for (let start = 0; start < deletes.length; start += perStatement) {
      const slice = deletes.slice(start, start + perStatement);
      await tx.query({ text: syntax.delete(table, key, slice.length), params: slice });
    }
    deletes = [];
  };
  const pendingKeys = new Set<string>();
  const flush = async () => {
    await flushUpserts();
    await flushDeletes();
    pendingKeys.clear();
  };

  for (const change of changes) {
    const operation = operationFor(target, change);
    if (pendingKeys.has(operation.key)) await flush(); // keep the order of changes to one row
    switch (operation.kind) {
      case 'upsert':
        upserts.push(operation);
        pendingKeys.add(operation.key);
        break;
      case 'delete':
        deletes.push(operation.key);
        pendingKeys.add(operation.key);
        break;
      case 'update': {
        await flush();
        await applyPatches(tx, target, operation);
        if (operation.row.size === 0) break;
        const columns = [...operation.row.keys()];
        const result = await tx.query({ text: syntax.update(table, key, columns), params: [...columns.map((c) => operation.row.get(c)!), operation.key] });
        if (result.rowCount === 0) throw new RowError(target.connector, 'ObjectNotFound', `row ${operation.key} not found in ${target.tableLabel}`);
        break;
      }
    }
  }
  await flush();
}

/** The key a change is about, for messages. */
export function changeKey(target: ExportTarget, change: ExportChange): string {
  try {
    return keyOf(target, change);
  } catch {
    return '(no key)';
  }
}
