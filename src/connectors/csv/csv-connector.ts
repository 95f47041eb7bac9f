/**
 * The `csv` connector: one CSV file per object type, as a source or a target. A file is read whole on
 * every import (streamed in batches of 1,000, never held in memory), so deletions are found by the
 * engine's sweep of what the read did not return (`complete: true`). See README.md in this folder.
 */
import { createHash } from 'node:crypto';
import { access, constants } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Value } from '../../config/model.js';
import { ConnectorError, errorMessage, type ConnectorErrorCode } from '../../shared/errors.js';
import type { CheckResult, RejectedObject, ConnectorContext, ExportChange, ExportResult, ExportSession, IdentityConnector, ImportBatch, ObjectTypeCapabilities, StagedObject } from '../sdk.js';
import { splitCell, type Header } from './csv-cells.js';
import { CsvExportSession, type CsvTarget } from './csv-export-session.js';
import { CsvSyntaxError, readCsvRecords, type CsvRecord } from './csv-file.js';
import { own, parseRecord } from './csv-scan.js';
import { neutralizeFormula, unneutralizeFormula } from './csv-formula.js';
import { compileCsvOptions, type CsvObjectTypeOptions } from './csv-spec.js';
import { FileRootError, openRegularFile, regularFileExists, resolveUnderRoots, type FileAccess, type FileRoots } from './file-roots.js';
import { shownName, shownNames, shownParserMessage } from './shown-text.js';

const BATCH = 1000;

const TRUE = new Set(['true', '1', 'yes']);
const FALSE = new Set(['false', '0', 'no']);

/** true/false, 1/0, yes/no in any case; empty (or anything else) is no answer. */
export function parseFlag(cell: string): boolean | undefined {
  const word = cell.trim().toLowerCase();
  if (TRUE.has(word)) return true;
  if (FALSE.has(word)) return false;
  return undefined;
}

async function pathExists(path: string): Promise<boolean> {
  try {
    await access(path, constants.F_OK);
    return true;
  } catch {
    return false;
  }
}

/** Rewrites of one file never overlap, within this process. */
const fileLocks = new Map<string, Promise<unknown>>();

async function withFileLock<T>(path: string, work: () => Promise<T>): Promise<T> {
  const previous = fileLocks.get(path) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(work);
  fileLocks.set(path, next);
  try {
    return await next;
  } finally {
    if (fileLocks.get(path) === next) fileLocks.delete(path);
  }
}

export class CsvConnector implements IdentityConnector {
  readonly #name: string;
  readonly #context: ConnectorContext;
  readonly #types: ReadonlyMap<string, CsvObjectTypeOptions>;
  readonly #roots: FileRoots;

  constructor(context: ConnectorContext, types: ReadonlyMap<string, CsvObjectTypeOptions>) {
    this.#name = context.model.name;
    this.#context = context;
    this.#types = types;
    this.#roots = { config: context.configPath, workDir: context.workDir, data: context.dataRoots ?? [] };
  }

  /**
   * The options with `file` replaced by its real path, once it is known to be under the roots (see
   * file-roots.ts). Resolved on every operation: a symlink may have changed since the last one.
   */
  async #resolved(options: CsvObjectTypeOptions, access: FileAccess): Promise<CsvObjectTypeOptions> {
    try {
      return { ...options, file: await resolveUnderRoots(options.file, this.#roots, access) };
    } catch (error) {
      if (error instanceof FileRootError) throw this.#error(options, error.code, error.message, error);
      throw this.#error(options, 'FileUnreadable', errorMessage(error), error, true);
    }
  }

  #type(type: string): CsvObjectTypeOptions {
    const options = this.#types.get(type);
    if (!options) throw new ConnectorError(this.#name, 'ObjectTypeUnknown', `object type "${type}" is not declared in spec.objectTypes`);
    return options;
  }

  #error(options: CsvObjectTypeOptions, code: ConnectorErrorCode, message: string, cause?: unknown, retryable = false): ConnectorError {
    return new ConnectorError(this.#name, code, `${options.displayFile}: ${message}`, { cause, retryable });
  }

  capabilities(type: string): ObjectTypeCapabilities {
    const options = this.#type(type);
    return {
      delta: false,
      export: true,
      addressing: 'key',
      keyAttribute: options.key,
      canDisable: options.isActiveColumn !== undefined,
      inactiveMeansDeleted: options.isActiveColumn !== undefined,
      ...(options.isActiveColumn ? { enabledAttribute: options.isActiveColumn } : {}),
    };
  }

  #header(options: CsvObjectTypeOptions, record: CsvRecord): Header {
    const columns = record.cells.map((cell) => cell.trim());
    const seen = new Set<string>();
    for (const column of columns) {
      if (column !== '' && seen.has(column)) throw this.#error(options, 'CsvInvalid', `line ${record.line}: the header names column ${shownName(column)} twice`);
      seen.add(column);
    }
    const key = columns.indexOf(options.key);
    if (key < 0) {
      throw this.#error(options, 'ColumnNotFound', `the header has no column "${options.key}" (spec.objectTypes.${options.name}.externalIdColumn); it has: ${shownNames(columns)}`);
    }
    const isActive = options.isActiveColumn ? columns.indexOf(options.isActiveColumn) : -1;
    if (options.isActiveColumn && isActive < 0) {
      throw this.#error(options, 'ColumnNotFound', `the header has no column "${options.isActiveColumn}" (spec.objectTypes.${options.name}.isActiveColumn); it has: ${shownNames(columns)}`);
    }
    const softDelete = options.softDelete ? columns.indexOf(options.softDelete.column) : -1;
    if (options.softDelete && softDelete < 0) {
      throw this.#error(options, 'ColumnNotFound', `the header has no column "${options.softDelete.column}" (spec.objectTypes.${options.name}.softDeleteColumn); it has: ${shownNames(columns)}`);
    }
    return { columns, key, isActive, softDelete };
  }

  /**
   * The header, then the records (`keyOnly`: carrying only the key cell, see CsvScanner); malformed CSV and unreadable files become ConnectorErrors naming the file. */
  async *#records(options: CsvObjectTypeOptions, keyOnly = false): AsyncGenerator<readonly CsvRecord[]> {
    try {
      yield* readCsvRecords(options.file, options, keyOnly ? { keyColumn: (header) => header.findIndex((name) => name.trim() === options.key) } : {});
    } catch (error) {
      if (error instanceof CsvSyntaxError) throw this.#error(options, 'CsvInvalid', `${error.line ? `line ${error.line}: ` : ''}${shownParserMessage(error.message)}`, error);
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM') throw this.#error(options, 'FileUnreadable', 'permission denied (check the file mode and owner)', error);
      if (code === 'EISDIR') throw this.#error(options, 'FileUnreadable', 'is a directory, not a file', error);
      if (error instanceof FileRootError) throw this.#error(options, error.code, error.message, error);
      throw this.#error(options, 'FileUnreadable', errorMessage(error), error, true);
    }
  }

  /** A regular file is there (false: nothing is); a FIFO, device or socket is refused, never opened. */
  async #exists(options: CsvObjectTypeOptions): Promise<boolean> {
    try {
      return await regularFileExists(options.file);
    } catch (error) {
      if (error instanceof FileRootError) throw this.#error(options, error.code, error.message, error);
      if ((error as NodeJS.ErrnoException).code === 'EISDIR') throw this.#error(options, 'FileUnreadable', 'is a directory, not a file', error);
      throw this.#error(options, 'FileUnreadable', errorMessage(error), error, true);
    }
  }

  fullImport(type: string): AsyncIterable<ImportBatch> {
    return this.#read(this.#type(type));
  }

  /** A CSV file has no change log: a delta import reads the whole file, and says so (complete). */
  deltaImport(type: string): AsyncIterable<ImportBatch> {
    return this.#read(this.#type(type));
  }

  /**
   * The file's SHA-256 with the options that shape what a read returns: the same token, the same
   * objects. Taken before a read, so a change made while the file is read shows at the next cycle.
   */
  async changeToken(type: string): Promise<string> {
    const options = await this.#resolved(this.#type(type), 'read');
    const hash = createHash('sha256').update(JSON.stringify(readShape(options)));
    if (!(await this.#exists(options))) return `absent:${hash.digest('hex')}`;
    try {
      const handle = await openRegularFile(options.file);
      for await (const chunk of handle.createReadStream({ autoClose: true })) hash.update(chunk as Buffer);
    } catch (error) {
      if (error instanceof FileRootError) throw this.#error(options, error.code, error.message, error);
      throw this.#error(options, 'FileUnreadable', errorMessage(error), error, true);
    }
    return `sha256:${hash.digest('hex')}`;
  }

  /**
   * The file has no index: it is read through (scanned, not parsed into objects), and only the rows asked
   * for become objects.
   */
  async *readObjects(type: string, externalIds: readonly string[]): AsyncIterable<ImportBatch> {
    for await (const batch of this.#read(this.#type(type), new Set(externalIds))) {
      if (batch.objects.length > 0) yield { objects: batch.objects };
    }
  }

  /** Every row, or (`wanted`) only the rows with these keys; duplicates are found either way. */
  async *#read(configured: CsvObjectTypeOptions, wanted?: ReadonlySet<string>): AsyncIterable<ImportBatch> {
    const options = await this.#resolved(configured, 'read');
    if (!(await this.#exists(options))) {
      // Normal for a target before its first export creates it; a source file that vanished makes the
      // import delete everything, which the import guard (safety.maxDeletes) blocks and reports loudly.
      this.#context.log.info({ event: 'csv-file-missing', objectType: options.name, file: options.displayFile }, 'the file does not exist yet; read as empty');
      yield { objects: [], complete: true };
      return;
    }
    let header: Header | undefined;
    const firstLine = new Map<string, number>();
    let batch: StagedObject[] = [];
    let rejected: RejectedObject[] = [];
    let skipped = 0;
    for await (const records of this.#records(options, wanted !== undefined))
      for (let record of records) {
        if (!header) {
          header = this.#header(options, record);
          continue;
        }
        const key = own(this.#plain(options, (record.cells[header.key] ?? '').trim()));
        if (key === '') {
          const cells = wanted ? parseRecord(record.text, options.delimiter) : record.cells;
          if (!cells.every((cell) => cell.trim() === '')) skipped++;
          continue;
        }
        const first = firstLine.get(key);
        if (first !== undefined) {
          throw this.#error(options, 'DuplicateExternalId', `line ${record.line}: ${options.key} ${shownName(key, 64)} appears again (first on line ${first}); every row needs its own ${options.key}`);
        }
        firstLine.set(key, record.line);
        if (wanted) {
          if (!wanted.has(key)) continue;
          record = { ...record, cells: parseRecord(record.text, options.delimiter) };
        }
        const problem = this.#rowProblem(options, header, record);
        if (problem) {
          rejected.push({ externalId: key, reason: `${options.displayFile}: ${problem}` });
          continue;
        }
        const attributes: Record<string, Value> = {};
        header.columns.forEach((column, i) => {
          const cell = this.#plain(options, record.cells[i] ?? '');
          if (column === '' || cell === '') return;
          if (i === header!.key) attributes[column] = key;
          else if (options.multiValued.has(column)) {
            const items = splitCell(cell, options.separator);
            if (items.length > 0) attributes[column] = items;
          } else attributes[column] = cell;
        });
        const object: { -readonly [K in keyof StagedObject]: StagedObject[K] } = { externalId: key, attributes };
        if (header.isActive >= 0) {
          const enabled = parseFlag(record.cells[header.isActive] ?? '');
          if (enabled !== undefined) object.enabled = enabled;
        }
        if (header.softDelete >= 0 && (record.cells[header.softDelete] ?? '').trim() === options.softDelete!.value) object.deleted = true;
        batch.push(object);
        if (batch.length + rejected.length >= BATCH) {
          yield { objects: batch, ...(rejected.length > 0 ? { rejected } : {}) };
          batch = [];
          rejected = [];
        }
      }
    if (skipped > 0) {
      this.#context.log.warn({ event: 'csv-rows-without-key', objectType: options.name, count: skipped }, `${skipped} rows have no ${options.key} and were left out`);
    }
    yield { objects: batch, complete: true, ...(rejected.length > 0 ? { rejected } : {}) };
  }

  /**
   * Why a row cannot be imported as it is (the engine holds it back and reports it): a NUL character,
   * which the store cannot hold, or an isActiveColumn cell that is not a boolean — never read as "no
   * answer", which once deleted a phone-book row while the account stayed enabled.
   */
  #rowProblem(options: CsvObjectTypeOptions, header: Header, record: CsvRecord): string | undefined {
    const at = (i: number) => `line ${record.line}, column ${i + 1} (${shownName(header.columns[i] ?? '')})`;
    const nul = record.cells.findIndex((cell) => cell.includes('\0'));
    if (nul >= 0) return `${at(nul)}: the cell contains a NUL character (U+0000), which cannot be stored; remove it from the file`;
    if (header.isActive >= 0) {
      const cell = record.cells[header.isActive] ?? '';
      if (cell.trim() !== '' && parseFlag(cell) === undefined) return `${at(header.isActive)}: ${shownName(cell)} is not a boolean (true/false, 1/0, yes/no; empty = absent)`;
    }
    return undefined;
  }

  async check(): Promise<CheckResult> {
    const started = performance.now();
    const objectTypes: Record<string, { count: number }> = {};
    const warnings: string[] = [];
    try {
      for (const configured of this.#types.values()) {
        const options = await this.#resolved(configured, 'read');
        if (!(await this.#exists(options))) {
          // Fine for a target not written yet, if its folder exists or can be created.
          let folder = dirname(options.file);
          while (!(await pathExists(folder)) && dirname(folder) !== folder) folder = dirname(folder);
          try {
            await access(folder, constants.W_OK);
          } catch (error) {
            throw this.#error(options, 'FileNotFound', `does not exist, and ${folder} is not writable`, error);
          }
          warnings.push(`${options.name}: ${options.displayFile} does not exist yet (an export creates it)`);
          objectTypes[options.name] = { count: 0 };
          continue;
        }
        let count = 0;
        let header = false;
        for await (const records of this.#records(options))
          for (const record of records) {
            if (!header) {
              this.#header(options, record);
              header = true;
            } else if (!record.cells.every((cell) => cell.trim() === '')) count++;
          }
        objectTypes[options.name] = { count };
      }
      return { ok: true, latencyMs: Math.round(performance.now() - started), objectTypes, ...(warnings.length ? { warnings } : {}) };
    } catch (error) {
      const failure = error instanceof ConnectorError ? error : new ConnectorError(this.#name, 'CheckFailed', errorMessage(error), { cause: error });
      return { ok: false, latencyMs: Math.round(performance.now() - started), objectTypes, error: { code: failure.code, message: failure.message }, ...(warnings.length ? { warnings } : {}) };
    }
  }

  async export(type: string, changes: readonly ExportChange[]): Promise<ExportResult[]> {
    if (changes.length === 0) return [];
    const session = this.beginExport(type);
    await session.add(changes);
    return session.commit();
  }

  /**
   * A cycle's changes to one file, applied in one pass over it at commit; creates are spooled to disk as
   * they come, so memory holds only the other changes (csv-export-session.ts).
   */
  beginExport(type: string): ExportSession {
    const configured = this.#type(type);
    const target: CsvTarget = {
      connector: this.#name,
      resolve: () => this.#resolved(configured, 'write'),
      exists: (options) => this.#exists(options),
      records: (options) => this.#records(options, true),
      header: (options, record) => this.#header(options, record),
      error: (options, code, message, cause, retryable) => this.#error(options, code, message, cause, retryable),
      plain: (options, cell) => this.#plain(options, cell),
      written: (options, value) => this.#written(options, value),
      lock: withFileLock,
    };
    return new CsvExportSession(target, configured);
  }

  /** A cell's value: the formula-neutralising prefix the writer added is taken off (csv-formula.ts). */
  #plain(options: CsvObjectTypeOptions, cell: string): string {
    return options.neutralizeFormulas ? unneutralizeFormula(cell) : cell;
  }

  /** The cell to write for a value: one a spreadsheet would run as a formula gets a leading `'`. */
  #written(options: CsvObjectTypeOptions, value: string): string {
    return options.neutralizeFormulas ? neutralizeFormula(value) : value;
  }

  async close(): Promise<void> {
    // Files are opened per operation; nothing stays open.
  }
}

/** Builds a `csv` connector; the spec is validated here, before any file is touched. */
export async function createCsvConnector(context: ConnectorContext<'csv'>): Promise<IdentityConnector> {
  return new CsvConnector(context, compileCsvOptions(context.model.name, context.model.spec, context.configPath));
}

/** Every option but where the file is (the same bytes read the same from anywhere), in a stable form. */
function readShape(options: CsvObjectTypeOptions): unknown {
  const { file: _file, displayFile: _displayFile, name: _name, multiValued, ...shape } = options;
  return { ...shape, multiValued: [...multiValued].sort() };
}
