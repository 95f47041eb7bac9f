/**
 * The `csv` connector's options, compiled once per config revision; contradictions are refused with a
 * message naming the setting.
 */
import iconv from 'iconv-lite';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../../shared/errors.js';

import type { CsvConnectorSpec, CsvObjectType } from '../../config/generated/connector.js';

/**
 * The spec as the schema describes it (schemas/connector.schema.json, defaults applied).
 */
export type CsvSpec = Omit<CsvConnectorSpec, 'objectTypes'> & { readonly objectTypes: Readonly<Record<string, CsvObjectTypeSpec>> };

export type CsvObjectTypeSpec = CsvObjectType;

export interface CsvObjectTypeOptions {
  readonly name: string;
  /** Absolute path. */
  readonly file: string;
  /** As configured, for messages. */
  readonly displayFile: string;
  readonly key: string;
  readonly delimiter: string;
  readonly encoding: string;
  readonly isActiveColumn?: string;
  /** A row whose softDeleteColumn cell equals softDeleteValue is deleted. */
  readonly softDelete?: { readonly column: string; readonly value: string };
  readonly separator: string;
  readonly multiValued: ReadonlySet<string>;
  /** Cells that a spreadsheet would run as a formula are written with a leading `'` (csv-formula.ts). */
  readonly neutralizeFormulas: boolean;
}

function nonEmpty(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== '';
}

/**
 * Compiles the spec the schema validated into run-time options (paths resolved, defaults applied). What
 * the schema cannot say is still refused here, naming the setting: blank names, a delimiter a csv
 * file cannot use, an encoding iconv does not know, a soft-delete column without its value.
 */
export function compileCsvOptions(connector: string, spec: CsvConnectorSpec, configPath: string): ReadonlyMap<string, CsvObjectTypeOptions> {
  const fail = (key: string, message: string): never => {
    throw new ConfigError('CsvOptionInvalid', `${connector}: spec.${key}: ${message}`);
  };
  if (Object.keys(spec.objectTypes).length === 0) return fail('objectTypes', 'declare at least one object type');
  const types = new Map<string, CsvObjectTypeOptions>();
  for (const [name, raw] of Object.entries(spec.objectTypes)) {
    if (raw === undefined) continue;
    const at = `objectTypes.${name}`;
    if (!nonEmpty(raw.file)) return fail(`${at}.file`, 'is required (a path relative to the config path, or absolute)');
    if (!nonEmpty(raw.externalIdColumn)) return fail(`${at}.externalIdColumn`, 'is required');
    const delimiter = raw.delimiter ?? ',';
    if (delimiter.length === 0 || /["\r\n]/.test(delimiter)) return fail(`${at}.delimiter`, 'must be a non-empty string without quotes or line breaks');
    const encoding = raw.encoding ?? 'utf-8';
    if (!iconv.encodingExists(encoding)) return fail(`${at}.encoding`, `${JSON.stringify(encoding)} is not an encoding we know (utf-8, utf-16le, windows-1252, latin1 …)`);
    const separator = raw.multiValueSeparator ?? ';';
    if (separator.length === 0) return fail(`${at}.multiValueSeparator`, 'must be a non-empty string');
    if (raw.isActiveColumn !== undefined && !nonEmpty(raw.isActiveColumn)) return fail(`${at}.isActiveColumn`, 'must be a column name');
    let softDelete: CsvObjectTypeOptions['softDelete'];
    if (raw.softDeleteColumn !== undefined || raw.softDeleteValue !== undefined) {
      if (!nonEmpty(raw.softDeleteColumn)) return fail(`${at}.softDeleteColumn`, 'is required with softDeleteValue');
      if (raw.softDeleteValue === undefined) return fail(`${at}.softDeleteValue`, 'is required with softDeleteColumn (the cell value that marks a row deleted)');
      softDelete = { column: raw.softDeleteColumn, value: String(raw.softDeleteValue) };
    }
    const multiValued = raw.multiValuedColumns ?? [];
    if (!multiValued.every(nonEmpty)) return fail(`${at}.multiValuedColumns`, 'must be a list of column names');
    if (multiValued.includes(raw.externalIdColumn)) return fail(`${at}.multiValuedColumns`, `the external id column "${raw.externalIdColumn}" cannot be multi-valued`);
    types.set(name, {
      name,
      file: isAbsolute(raw.file) ? raw.file : resolve(configPath, raw.file),
      displayFile: raw.file,
      key: raw.externalIdColumn,
      delimiter,
      encoding,
      ...(raw.isActiveColumn !== undefined ? { isActiveColumn: raw.isActiveColumn } : {}),
      ...(softDelete ? { softDelete } : {}),
      separator,
      multiValued: new Set(multiValued),
      neutralizeFormulas: raw.neutralizeFormulas !== false,
    });
  }
  return types;
}
