/**
 * The csv target's export session (`ExportSession` in ../sdk.ts): a cycle's changes to one file, applied
 * in one pass over the file at commit, with memory bounded by the changes that are not plain creates.
 *
 * - A create of a row the file does not have is written as CSV at once to a spool file beside the target
 *   (`.<file>.<pid>.<hex>.tmp`, the naming stale-temp-files.ts cleans up); only its key is kept.
 * - Every other change (update, enable, disable, delete, a create of a row the file has or of one already
 *   spooled) is kept in a map by key. Which rows the file has is read once, at the session's first create.
 * - `commit` streams the file once into a temporary file: a row without changes is copied as its text
 *   (new columns add empty cells), a changed row is rewritten, a deleted one left out; then the spooled
 *   rows, then the map's new rows. The temporary file is flushed (fsync) and renamed over the file, so
 *   the file is never written in place: a commit that fails leaves it as it was.
 */
import { open, rm, type FileHandle } from 'node:fs/promises';
import { ConnectorError, errorMessage, type ConnectorErrorCode } from '../../shared/errors.js';
import type { ExportChange, ExportResult, ExportSession } from '../sdk.js';
import { renderCell, updatedCell, type Header } from './csv-cells.js';
import { AtomicTextFile, fileStyle, readCsvRecords, writeAll, type CsvRecord } from './csv-file.js';
import { CsvWriter, own, parseRecord } from './csv-scan.js';
import type { CsvObjectTypeOptions } from './csv-spec.js';
import { shownName } from './shown-text.js';
import { tempPathFor } from './stale-temp-files.js';

/** What a session needs of its connector (csv-connector.ts): resolution, reading and messages. */
export interface CsvTarget {
  readonly connector: string;
  /** The object type's options with the file resolved for writing (throws ConnectorError). */
  resolve(): Promise<CsvObjectTypeOptions>;
  exists(options: CsvObjectTypeOptions): Promise<boolean>;
  /**
   * The file's records, the header first, the others carrying only the key cell (see CsvScanner); read
   * errors as ConnectorErrors naming the file.
   */
  records(options: CsvObjectTypeOptions): AsyncGenerator<readonly CsvRecord[]>;
  header(options: CsvObjectTypeOptions, record: CsvRecord): Header;
  error(options: CsvObjectTypeOptions, code: ConnectorErrorCode, message: string, cause?: unknown, retryable?: boolean): ConnectorError;
  /** A cell's value (the formula prefix taken off) and the cell written for a value. */
  plain(options: CsvObjectTypeOptions, cell: string): string;
  written(options: CsvObjectTypeOptions, value: string): string;
  /** Runs `work` when no other rewrite of `path` runs in this process. */
  lock<T>(path: string, work: () => Promise<T>): Promise<T>;
}

const SPOOL_CHUNK = 256 * 1024;

/** The spooled creates: CSV text, UTF-8, one row per create, as wide as the columns known when written. */
class Spool {
  #pending: string[] = [];
  #size = 0;
  #handle: FileHandle | undefined;

  private constructor(
    readonly path: string,
    handle: FileHandle,
  ) {
    this.#handle = handle;
  }

  static async create(target: string): Promise<Spool> {
    const path = tempPathFor(target);
    return new Spool(path, await open(path, 'wx', 0o600));
  }

  /** Queues text; true when `flush` should be awaited. */
  write(text: string): boolean {
    this.#pending.push(text);
    this.#size += text.length;
    return this.#size >= SPOOL_CHUNK;
  }

  async flush(): Promise<void> {
    if (this.#pending.length === 0 || !this.#handle) return;
    const bytes = Buffer.from(this.#pending.join(''), 'utf8');
    this.#pending = [];
    this.#size = 0;
    await writeAll(this.#handle, bytes);
  }

  /** Everything written reaches the file; the spool is read next. */
  async close(): Promise<void> {
    await this.flush();
    await this.#handle?.close();
    this.#handle = undefined;
  }

  async remove(): Promise<void> {
    await this.#handle?.close().catch(() => undefined);
    this.#handle = undefined;
    this.#pending = [];
    await rm(this.path, { force: true });
  }
}

type Results = Map<string, ExportResult>;

export class CsvExportSession implements ExportSession {
  readonly #target: CsvTarget;
  readonly #type: CsvObjectTypeOptions;
  /** Change ids in the order they came: the order of the results. */
  readonly #ids: string[] = [];
  /** Changes refused on arrival. */
  readonly #refused: Results = new Map();
  /** The changes kept in memory, by row key, in order. */
  readonly #changes = new Map<string, ExportChange[]>();
  /** Spooled creates: row key → change id. */
  readonly #spooled = new Map<string, string>();
  /** Attribute names the changes write, in the order they first appear (the isActiveColumn aside). */
  readonly #names = new Set<string>();
  #options: CsvObjectTypeOptions | undefined;
  /** The file's row keys at the first create. */
  #existing: Set<string> | undefined;
  #spool: Spool | undefined;
  #spoolColumns: string[] = [];
  #spoolIndex = new Map<string, number>();
  #writer: CsvWriter | undefined;
  #work: Promise<void> = Promise.resolve();
  #failure: { error: unknown } | undefined;
  #done = false;

  constructor(target: CsvTarget, type: CsvObjectTypeOptions) {
    this.#target = target;
    this.#type = type;
  }

  /** Takes changes in order; spooled creates are written before it resolves. Never rejects: a failure surfaces at commit. */
  add(changes: readonly ExportChange[]): Promise<void> {
    if (this.#done) return Promise.resolve();
    this.#work = this.#work.then(async () => {
      if (this.#failure) return;
      try {
        await this.#take(changes);
      } catch (error) {
        this.#failure = { error };
      }
    });
    return this.#work;
  }

  abort(): void {
    this.#done = true;
    void this.#work.then(() => this.#spool?.remove()).catch(() => undefined);
  }

  async commit(): Promise<ExportResult[]> {
    this.#done = true;
    await this.#work;
    try {
      if (this.#failure) throw this.#failure.error;
      if (this.#changes.size === 0 && this.#spooled.size === 0) return this.#ids.map((id) => this.#refused.get(id)!);
      const options = await this.#target.resolve();
      const results = await this.#target.lock(options.file, () => this.#rewrite(options));
      return this.#ids.map(
        (id) => results.get(id) ?? this.#refused.get(id) ?? { id, ok: false, error: { code: 'Internal', message: `${this.#target.connector}: change ${id} was not applied`, retryable: true } },
      );
    } finally {
      await this.#spool?.remove();
    }
  }

  #refuse(options: CsvObjectTypeOptions, change: ExportChange, code: string, message: string): void {
    this.#refused.set(change.id, { id: change.id, ok: false, error: { code, message: `${this.#target.connector}: ${options.displayFile}: ${message}`, retryable: false } });
  }

  async #take(changes: readonly ExportChange[]): Promise<void> {
    const options = this.#type;
    for (const change of changes) {
      this.#ids.push(change.id);
      let key: string | undefined;
      if (change.op === 'create') {
        const raw = change.key ?? change.attributes[options.key];
        key = renderCell(Array.isArray(raw) ? raw[0] : raw, options.separator).trim() || undefined;
      } else key = change.externalId;
      if (key === undefined) {
        this.#refuse(options, change, 'KeyMissing', `a create has no value for the key column "${options.key}" (the projection must render it)`);
        continue;
      }
      if (change.op === 'move') {
        this.#refuse(options, change, 'NotSupported', `row ${key}: a CSV row has no container to move to`);
        continue;
      }
      if ((change.op === 'enable' || change.op === 'disable') && !options.isActiveColumn) {
        this.#refuse(options, change, 'NotSupported', `row ${key}: cannot ${change.op} without spec.objectTypes.${options.name}.isActiveColumn`);
        continue;
      }
      if (change.op === 'create' || change.op === 'update') {
        for (const name of Object.keys(change.attributes)) if (name !== options.isActiveColumn) this.#names.add(name);
      }
      if (change.op === 'create' && !this.#changes.has(key) && !this.#spooled.has(key)) {
        if (!this.#spool) await this.#open();
        if (!this.#existing!.has(key)) {
          if (this.#spoolCreate(key, change)) await this.#spool!.flush();
          continue;
        }
      }
      const queued = this.#changes.get(key);
      if (queued) queued.push(change);
      else this.#changes.set(key, [change]);
    }
  }

  /** At the first create: the file's keys and header, and the spool. */
  async #open(): Promise<void> {
    if (this.#spool) return;
    const options = await this.#target.resolve();
    const existing = new Set<string>();
    let header: Header | undefined;
    if (await this.#target.exists(options)) {
      try {
        for await (const records of this.#target.records(options)) {
          for (const record of records) {
            if (!header) {
              header = this.#target.header(options, record);
              continue;
            }
            const key = this.#target.plain(options, (record.cells[header.key] ?? '').trim());
            if (key !== '') existing.add(own(key));
          }
        }
      } catch (error) {
        // A header without the key column fails the commit as it would; anything else the commit meets again
        // and reports per change.
        if (!header) throw error;
      }
    }
    this.#options = options;
    this.#existing = existing;
    for (const column of header ? header.columns : [options.key]) this.#column(column);
    this.#writer = new CsvWriter(options.delimiter);
    await AtomicTextFile.prepare(options.file);
    this.#spool = await Spool.create(options.file);
  }

  #column(name: string): number {
    let index = this.#spoolIndex.get(name);
    if (index === undefined) {
      index = this.#spoolColumns.push(name) - 1;
      this.#spoolIndex.set(name, index);
    }
    return index;
  }

  /** Writes the create's row to the spool; true when the spool should be flushed. */
  #spoolCreate(key: string, change: Extract<ExportChange, { op: 'create' }>): boolean {
    const options = this.#options!;
    const target = this.#target;
    const names = Object.keys(change.attributes);
    for (const name of names) this.#column(name);
    if (options.isActiveColumn) this.#column(options.isActiveColumn);
    const cells = new Array<string>(this.#spoolColumns.length).fill('');
    cells[this.#spoolIndex.get(options.key)!] = target.written(options, key);
    for (const name of names) {
      if (name !== options.key) cells[this.#spoolIndex.get(name)!] = target.written(options, renderCell(change.attributes[name], options.separator));
    }
    if (options.isActiveColumn && change.enabled !== undefined) cells[this.#spoolIndex.get(options.isActiveColumn)!] = String(change.enabled);
    this.#spooled.set(key, change.id);
    return this.#spool!.write(`${this.#writer!.row(cells)}\n`);
  }

  /** The one pass: the file, then the spooled rows, then the new rows of the map, into the new file. */
  async #rewrite(options: CsvObjectTypeOptions): Promise<Results> {
    const target = this.#target;
    const results: Results = new Map();
    const existing = await target.exists(options); // first: a FIFO or device is refused before anything opens it
    const style = (await fileStyle(options.file)) ?? { newline: 'unix' as const, bom: /^utf-?16/i.test(options.encoding) };
    const newline = style.newline === 'windows' ? '\r\n' : '\n';
    const records = existing ? target.records(options)[Symbol.asyncIterator]() : undefined;
    try {
      let header: Header | undefined;
      const first = records ? await records.next() : undefined;
      // The first chunk's records after the header; the iterator has the rest.
      let batch: readonly CsvRecord[] = [];
      if (first && !first.done) {
        header = target.header(options, first.value[0]!);
        batch = first.value.slice(1);
      }

      // Header: the existing one, with new columns appended; a new file gets the key column, then the
      // attributes in the order the changes give them (the projection's declared order), then isActiveColumn.
      const columns = header ? [...header.columns] : [options.key];
      const known = new Set(columns);
      for (const name of this.#names) {
        if (!known.has(name)) {
          columns.push(name);
          known.add(name);
        }
      }
      if (options.isActiveColumn && !known.has(options.isActiveColumn)) columns.push(options.isActiveColumn);
      const writer = new CsvWriter(options.delimiter);
      const row = (values: ReadonlyMap<string, string>) => writer.row(columns.map((column) => values.get(column) ?? '')) + newline;

      let out: AtomicTextFile | undefined;
      try {
        out = await AtomicTextFile.create(options.file, options.encoding, style.bom);
        out.write(writer.row(columns) + newline);
        const seen = new Map<string, number>();
        const conflicts = new Set<string>();
        if (records && header) {
          const padding = options.delimiter.repeat(columns.length - header.columns.length) + newline;
          for (;;) {
            for (const record of batch) {
              const key = target.plain(options, (record.cells[header.key] ?? '').trim());
              if (key === '' && parseRecord(record.text, options.delimiter).every((cell) => cell.trim() === '')) continue;
              if (key !== '') {
                const line = seen.get(key);
                if (line !== undefined) {
                  throw target.error(
                    options,
                    'DuplicateExternalId',
                    `line ${record.line}: ${options.key} ${shownName(key, 64)} appears again (first on line ${line}); fix the file before writing to it`,
                  );
                }
                seen.set(own(key), record.line);
                // A spooled create of a row that appeared in the file since the session's first create.
                if (this.#spooled.has(key)) conflicts.add(key);
                const changes = this.#changes.get(key);
                if (changes) {
                  const values = new Map<string, string>();
                  const cells = parseRecord(record.text, options.delimiter);
                  header.columns.forEach((column, i) => values.set(column, cells[i] ?? ''));
                  const updated = this.#apply(options, key, values, changes, results);
                  if (updated) out.write(row(updated));
                  continue;
                }
              }
              out.write(record.text + padding);
            }
            await out.flush();
            const next = await records.next();
            if (next.done) break;
            batch = next.value;
          }
        }

        if (this.#spool) {
          await this.#spool.close();
          const place = this.#spoolColumns.map((name) => columns.indexOf(name));
          const inPlace = place.every((at, i) => at === i);
          const keyAt = this.#spoolIndex.get(options.key)!;
          const spool = readCsvRecords(this.#spool.path, { delimiter: options.delimiter, encoding: 'utf-8' }, { checkWidth: false, keyColumn: () => keyAt });
          for await (const spooled of spool) {
            for (const record of spooled) {
              const key = target.plain(options, record.cells[keyAt]!);
              if (conflicts.has(key)) continue;
              const changes = this.#changes.get(key);
              if (changes) {
                const values = new Map<string, string>();
                parseRecord(record.text, options.delimiter).forEach((cell, i) => values.set(this.#spoolColumns[i]!, cell));
                const updated = this.#apply(options, key, values, changes, results);
                if (updated) out.write(row(updated));
              } else if (inPlace && record.cells.length === columns.length) out.write(record.text + newline);
              else {
                const cells = columns.map(() => '');
                parseRecord(record.text, options.delimiter).forEach((cell, i) => (cells[place[i]!] = cell));
                out.write(writer.row(cells) + newline);
              }
            }
            await out.flush();
          }
        }

        const keyAt = columns.indexOf(options.key);
        for (const [key, changes] of this.#changes) {
          if (seen.has(key) || this.#spooled.has(key)) continue;
          const created = this.#apply(options, key, undefined, changes, results);
          if (created) {
            const cells = columns.map((column) => created.get(column) ?? '');
            cells[keyAt] = target.written(options, key);
            if (out.write(writer.row(cells) + newline)) await out.flush();
          }
        }
        for (const [key, id] of this.#spooled) {
          results.set(
            id,
            conflicts.has(key)
              ? {
                  id,
                  ok: false,
                  error: {
                    code: 'Conflict',
                    message: `${target.connector}: ${options.displayFile}: row ${key} appeared in the file while this export ran; the next cycle reads and adopts it`,
                    retryable: true,
                  },
                }
              : { id, ok: true, externalId: key },
          );
        }
        await out.publish();
      } catch (error) {
        await out?.discard();
        const failure = error instanceof ConnectorError ? error : target.error(options, 'WriteFailed', errorMessage(error), error, true);
        for (const id of this.#ids) {
          if (this.#refused.has(id) || results.get(id)?.ok === false) continue;
          results.set(id, { id, ok: false, error: { code: failure.code, message: failure.message, retryable: failure.retryable } });
        }
      }
      return results;
    } finally {
      await records?.return?.(undefined);
    }
  }

  /** A row's changes in order: its cells after them, or undefined when it is (or stays) absent. */
  #apply(options: CsvObjectTypeOptions, key: string, row: Map<string, string> | undefined, changes: readonly ExportChange[], results: Results): Map<string, string> | undefined {
    const target = this.#target;
    const fail = (change: ExportChange, code: string, message: string) =>
      results.set(change.id, { id: change.id, ok: false, error: { code, message: `${target.connector}: ${options.displayFile}: ${message}`, retryable: false } });
    let current = row;
    for (const change of changes) {
      switch (change.op) {
        case 'create': {
          current ??= new Map();
          current.set(options.key, target.written(options, key));
          for (const [name, value] of Object.entries(change.attributes)) if (name !== options.key) current.set(name, target.written(options, renderCell(value, options.separator)));
          if (change.enabled !== undefined && options.isActiveColumn) current.set(options.isActiveColumn, String(change.enabled));
          results.set(change.id, { id: change.id, ok: true, externalId: key });
          break;
        }
        case 'update': {
          if (!current) {
            fail(change, 'ObjectNotFound', `row ${key} not found`);
            break;
          }
          for (const [name, attributeChange] of Object.entries(change.attributes)) {
            if (name === options.key) continue;
            current.set(name, target.written(options, updatedCell(target.plain(options, current.get(name) ?? ''), attributeChange, options.separator)));
          }
          results.set(change.id, { id: change.id, ok: true });
          break;
        }
        case 'enable':
        case 'disable': {
          if (!current) {
            fail(change, 'ObjectNotFound', `row ${key} not found`);
            break;
          }
          current.set(options.isActiveColumn!, String(change.op === 'enable'));
          results.set(change.id, { id: change.id, ok: true });
          break;
        }
        case 'delete':
          current = undefined;
          results.set(change.id, { id: change.id, ok: true });
          break;
        case 'move':
          break;
      }
    }
    return current;
  }
}
