/**
 * CSV files, streamed both ways: records are scanned as they are read (csv-scan.ts over an iconv-lite
 * decoder, so any encoding and a byte-order mark are handled), and a rewrite streams to a temporary file
 * in the same directory, which is flushed to disk (fsync) and renamed over the original, so a reader
 * sees either the old file or the new one, never a torn one.
 */
import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import iconv from 'iconv-lite';
import { CsvScanner, type ScannedRecord } from './csv-scan.js';
import { openRegularFile } from './file-roots.js';
import { removeStaleTempFiles, tempPathFor } from './stale-temp-files.js';

export { CsvSyntaxError } from './csv-scan.js';

export interface CsvFormat {
  readonly delimiter: string;
  readonly encoding: string;
}

export type CsvRecord = ScannedRecord;

/** Bytes read at a time. */
const CHUNK = 256 * 1024;

/**
 * Every record of the file, the header first, a chunk's records at a time (never empty). Lines with no
 * content are skipped. Options as CsvScanner's: `checkWidth: false` lets records have different cell
 * counts (the export session's own spool file); `keyColumn` has later records carry only that cell.
 */
export async function* readCsvRecords(path: string, format: CsvFormat, scan: ConstructorParameters<typeof CsvScanner>[1] = {}): AsyncGenerator<readonly CsvRecord[]> {
  // Only a regular file, opened non-blocking and checked on its descriptor (a FIFO would block for ever).
  const handle = await openRegularFile(path);
  const decoder = iconv.getDecoder(format.encoding, { stripBOM: true });
  const scanner = new CsvScanner(format.delimiter, scan);
  try {
    const buffer = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
      if (bytesRead === 0) break;
      const text = decoder.write(buffer.subarray(0, bytesRead));
      const records = text === '' ? [] : scanner.push(text);
      if (records.length > 0) yield records;
    }
    const rest = decoder.end();
    const records = [...(rest ? scanner.push(rest) : []), ...scanner.end()];
    if (records.length > 0) yield records;
  } finally {
    await handle.close();
  }
}

export interface FileStyle {
  /** The original file's line ending. */
  readonly newline: 'unix' | 'windows';
  /** The original file started with a byte-order mark. */
  readonly bom: boolean;
}

/** Line ending and BOM of an existing file (from its first 64 KiB), or undefined when it does not exist. */
export async function fileStyle(path: string): Promise<FileStyle | undefined> {
  let handle;
  try {
    handle = await openRegularFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const buffer = Buffer.alloc(65536);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const head = buffer.subarray(0, bytesRead);
    const bom = (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) || (head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff);
    const lf = head.indexOf(0x0a);
    const newline = lf > 0 && (head[lf - 1] === 0x0d || (head[lf - 1] === 0x00 && head[lf - 2] === 0x0d)) ? 'windows' : 'unix';
    return { newline, bom };
  } finally {
    await handle.close();
  }
}

/**
 * A file written beside `path` and renamed over it at `publish`: the temporary file is created in the
 * same directory (created if missing) with the original's mode, text is encoded and written in large
 * chunks, `publish` flushes it to disk (fsync), renames it over `path` and fsyncs the directory. Until
 * then `path` is untouched; `discard` removes the temporary file.
 */
export class AtomicTextFile {
  readonly #path: string;
  readonly #temp: string;
  readonly #handle: FileHandle;
  readonly #encoder: { write(text: string): Buffer; end(): Buffer | undefined };
  #pending: string[] = [];
  #size = 0;

  private constructor(path: string, temp: string, handle: FileHandle, encoding: string, bom: boolean) {
    this.#path = path;
    this.#temp = temp;
    this.#handle = handle;
    this.#encoder = iconv.getEncoder(encoding, { addBOM: bom });
  }

  /** Creates the target's folder (with its first file) and removes the temporary files of killed exports. */
  static async prepare(path: string): Promise<void> {
    await mkdir(dirname(path), { recursive: true });
    await removeStaleTempFiles(path);
  }

  static async create(path: string, encoding: string, bom: boolean): Promise<AtomicTextFile> {
    await AtomicTextFile.prepare(path);
    let mode = 0o644;
    try {
      mode = (await stat(path)).mode & 0o777;
    } catch {
      // a new file
    }
    const temp = tempPathFor(path);
    return new AtomicTextFile(path, temp, await open(temp, 'wx', mode), encoding, bom);
  }

  /** Queues text; true when a chunk's worth is queued and `flush` should be awaited (the back-pressure). */
  write(text: string): boolean {
    this.#pending.push(text);
    this.#size += text.length;
    return this.#size >= CHUNK;
  }

  async flush(): Promise<void> {
    if (this.#pending.length === 0) return;
    const bytes = this.#encoder.write(this.#pending.join(''));
    this.#pending = [];
    this.#size = 0;
    await writeAll(this.#handle, bytes);
  }

  async publish(): Promise<void> {
    await this.flush();
    const tail = this.#encoder.end();
    if (tail) await writeAll(this.#handle, tail);
    // the data reaches the disk before the rename publishes it, so a crash never leaves a torn file
    await this.#handle.sync();
    await this.#handle.close();
    await rename(this.#temp, this.#path);
    const dir = await open(dirname(this.#path), 'r');
    try {
      await dir.sync();
    } catch {
      // some file systems cannot fsync a directory; the rename is still atomic
    } finally {
      await dir.close();
    }
  }

  async discard(): Promise<void> {
    await this.#handle.close().catch(() => undefined);
    await rm(this.#temp, { force: true });
  }
}

/** Writes every byte (a write may take fewer than it was given). */
export async function writeAll(handle: FileHandle, bytes: Buffer): Promise<void> {
  for (let done = 0; done < bytes.length;) done += (await handle.write(bytes, done, bytes.length - done)).bytesWritten;
}
