/**
 * CSV files, streamed both ways: records are parsed as they are read (csv-parse over an iconv-lite
 * decoder, so any encoding and a byte-order mark are handled), and a rewrite streams to a temporary file
 * in the same directory, which is flushed to disk (fsync) and renamed over the original, so a reader
 * sees either the old file or the new one, never a torn one.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CsvError, parse } from 'csv-parse';
import { stringify } from 'csv-stringify';
import iconv from 'iconv-lite';
import { openRegularFile } from './file-roots.js';
import { removeStaleTempFiles, tempPathFor } from './stale-temp-files.js';

export interface CsvFormat {
  readonly delimiter: string;
  readonly encoding: string;
}

export interface CsvRecord {
  /** The line the record ends on (1-based). */
  readonly line: number;
  readonly cells: readonly string[];
}

/** Thrown for malformed CSV; the connector names the file. */
export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number | undefined,
  ) {
    super(message);
  }
}

/** Every record of the file, the header first. Lines with no content are skipped. */
export async function* readCsvRecords(path: string, format: CsvFormat): AsyncGenerator<CsvRecord> {
  // Only a regular file, opened non-blocking and checked on its descriptor (a directory's read stream can
  // end before its EISDIR reaches the parser; a FIFO would block for ever).
  const handle = await openRegularFile(path);
  const parser = parse({
    delimiter: format.delimiter,
    bom: true,
    info: true,
    skip_empty_lines: true,
    relax_column_count: false,
  });
  const file = handle.createReadStream({ autoClose: true });
  const source = file.pipe(iconv.decodeStream(format.encoding, { stripBOM: true }));
  file.on('error', (error) => parser.destroy(error));
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      yield { line: item.info.lines, cells: item.record };
    }
  } catch (error) {
    // Every parser error (its codes are CSV_… and a few older ones such as INVALID_OPENING_QUOTE).
    if (error instanceof CsvError) {
      throw new CsvSyntaxError((error as Error).message, (error as { lines?: number }).lines);
    }
    throw error;
  } finally {
    file.destroy();
    parser.destroy();
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
 * Writes `rows` (the header first) to `path` atomically: temp file in the same directory (created if
 * missing), fsync, rename over `path`, fsync of the directory. On failure the temp file is removed and `path` is
 * untouched.
 */
export async function writeCsvAtomically(path: string, format: CsvFormat, style: FileStyle, rows: AsyncIterable<readonly string[]>): Promise<void> {
  const directory = dirname(path);
  await mkdir(directory, { recursive: true }); // a target's folder is created with its first file
  await removeStaleTempFiles(path); // a killed export's leftovers
  const temp = tempPathFor(path);
  let mode = 0o644;
  try {
    mode = (await stat(path)).mode & 0o777;
  } catch {
    // a new file
  }
  try {
    const stringifier = stringify({ delimiter: format.delimiter, record_delimiter: style.newline, quoted_match: /^\s|\s$/ });
    stringifier.setEncoding('utf8'); // the encoder takes text
    await pipeline(
      Readable.from(rows),
      stringifier,
      iconv.encodeStream(format.encoding, { addBOM: style.bom }),
      // flush: the data is fsync'ed before the descriptor is closed, so the rename publishes a complete file
      createWriteStream(temp, { flags: 'wx', mode, flush: true }),
    );
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  const dir = await open(directory, 'r');
  try {
    await dir.sync();
  } catch {
    // some file systems cannot fsync a directory; the rename is still atomic
  } finally {
    await dir.close();
  }
}
