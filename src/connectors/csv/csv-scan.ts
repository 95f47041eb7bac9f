/**
 * RFC 4180 records from decoded text, chunk by chunk, and rows back to text. Hand-written because the
 * csv target streams whole files on every export and by-key read: a general parser's per-character
 * state machine and per-record info objects cost ~20 µs a row, this ~1 µs.
 *
 * Reading: the delimiter may be several characters; a cell in double quotes may hold delimiters, line
 * breaks and doubled quotes; a record ends at LF or CRLF, or at CR in a file whose first line ends with CR
 * alone (classic Mac line endings, which Excel still writes as "CSV (Macintosh)"); empty lines are skipped; a quote inside an
 * unquoted cell, text after a closing quote, an unclosed quote and (optionally) a record whose cell count
 * differs from the first record's are errors naming the line. Writing quotes exactly the cells that need
 * it (delimiter, quote, CR or LF, leading or trailing white space), so the reader returns them unchanged.
 */

/** Malformed CSV; `line` is 1-based. The message never quotes the file's content. */
export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number | undefined,
  ) {
    super(message);
  }
}

export interface ScannedRecord {
  /** The line the record ends on (1-based). */
  readonly line: number;
  readonly cells: string[];
  /** The record as it stands in the text, without its line ending. */
  readonly text: string;
}

const INCOMPLETE = Symbol('incomplete');

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let at = text.indexOf('\n', from); at >= 0 && at < to; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

export class CsvScanner {
  readonly #delimiter: string;
  readonly #checkWidth: boolean;
  #buffer = '';
  /** The line the buffer starts on. */
  #line = 1;
  #width: number | undefined;
  // The next quote, delimiter and line feed at or after the scan position in the buffer (-1: none), kept
  // across records so a file without quotes is not searched to its end for each one.
  #quote = -1;
  #separator = -1;
  #newline = -1;

  /** How the file's lines end, from its first line break outside quotes; undefined until one is seen. */
  #lineEnding: 'lf' | 'cr' | undefined;
  /** While the line ending is unknown: how far the buffer was looked at, and whether that is inside quotes. */
  #lookedAt = 0;
  #lookedQuoted = false;
  /** CR files: whether the text so far ends inside a quoted cell. */
  #inQuotes = false;

  readonly #keyColumn: ((first: readonly string[]) => number) | undefined;
  /** The one cell every record after the first gets (the others are ''), or -1 for all of them. */
  #only = -1;
  #first = true;

  /**
   * `checkWidth`: every record must have as many cells as the first (a header's file). `keyColumn`: told
   * the first record's cells, names the only cell of later records to take (-1: all); the others read as
   * '' (a reader that wants a row whole parses its `text` with `parseRecord`). Scanning still checks them.
   */
  constructor(delimiter: string, options: { readonly checkWidth?: boolean; readonly keyColumn?: (first: readonly string[]) => number } = {}) {
    this.#delimiter = delimiter;
    this.#checkWidth = options.checkWidth ?? true;
    this.#keyColumn = options.keyColumn;
  }

  /** The records this text completes; a record cut at the end of the text waits for the next. */
  push(text: string): ScannedRecord[] {
    if (this.#lineEnding === 'cr') text = this.#crLinesToLf(text);
    this.#buffer = this.#buffer === '' ? text : this.#buffer + text;
    if (this.#lineEnding === undefined) this.#findLineEnding(false);
    return this.#scan(false);
  }

  /** The records left at the end of the input (a last record without a line ending). */
  end(): ScannedRecord[] {
    if (this.#lineEnding === undefined) this.#findLineEnding(true);
    return this.#scan(true);
  }

  /**
   * Decides the line ending at the buffer's first line break outside quotes: LF or CRLF read as they
   * are; a CR alone makes every CR outside quotes a line break (the buffer and what follows turned into
   * LF; a CR inside a quoted cell stays part of its value). A CR ending the text waits for the next.
   */
  #findLineEnding(final: boolean): void {
    const text = this.#buffer;
    let quoted = this.#lookedQuoted;
    for (let at = this.#lookedAt; at < text.length; at++) {
      const code = text.charCodeAt(at);
      if (code === 34) quoted = !quoted;
      else if (!quoted && code === 10) {
        this.#lineEnding = 'lf';
        return;
      } else if (!quoted && code === 13) {
        if (at + 1 === text.length && !final) {
          this.#lookedAt = at;
          this.#lookedQuoted = quoted;
          return;
        }
        if (text.charCodeAt(at + 1) === 10) {
          this.#lineEnding = 'lf';
          return;
        }
        this.#lineEnding = 'cr';
        this.#buffer = this.#crLinesToLf(text);
        return;
      }
    }
    this.#lookedAt = text.length;
    this.#lookedQuoted = quoted;
  }

  #crLinesToLf(text: string): string {
    let out = '';
    let from = 0;
    let quoted = this.#inQuotes;
    for (let at = 0; at < text.length; ) {
      const quote = text.indexOf('"', at);
      const cr = text.indexOf('\r', at);
      if (cr < 0) {
        if (quote >= 0) {
          quoted = !quoted;
          at = quote + 1;
          continue;
        }
        break;
      }
      if (quote >= 0 && quote < cr) {
        quoted = !quoted;
        at = quote + 1;
        continue;
      }
      if (!quoted) {
        out += text.slice(from, cr) + '\n';
        from = cr + 1;
      }
      at = cr + 1;
    }
    this.#inQuotes = quoted;
    return from === 0 ? text : out + text.slice(from);
  }

  #scan(final: boolean): ScannedRecord[] {
    const text = this.#buffer;
    const records: ScannedRecord[] = [];
    let at = 0;
    let line = this.#line;
    this.#quote = text.indexOf('"');
    this.#separator = text.indexOf(this.#delimiter);
    this.#newline = text.indexOf('\n');
    while (at < text.length) {
      // Empty lines are skipped.
      if (text.charCodeAt(at) === 10) {
        at++;
        line++;
        continue;
      }
      if (text.charCodeAt(at) === 13 && text.charCodeAt(at + 1) === 10) {
        at += 2;
        line++;
        continue;
      }
      if (text.charCodeAt(at) === 13 && at + 1 === text.length && !final) break;
      const record = this.#record(text, at, line, final);
      if (record === INCOMPLETE) break;
      if (this.#checkWidth) {
        if (this.#width === undefined) this.#width = record.cells.length;
        else if (record.cells.length !== this.#width) {
          throw new CsvSyntaxError(`Invalid Record Length: expect ${this.#width}, got ${record.cells.length} on line ${record.record.line}`, record.record.line);
        }
      }
      if (this.#first) {
        this.#first = false;
        if (this.#keyColumn) this.#only = this.#keyColumn(record.cells);
      }
      records.push(record.record);
      at = record.next;
      line = record.record.line + (record.terminated ? 1 : 0);
    }
    this.#buffer = at >= text.length ? '' : text.slice(at);
    this.#line = line;
    return records;
  }

  /** One record starting at `start`, or INCOMPLETE when the text ends inside it and more may come. */
  #record(text: string, start: number, line: number, final: boolean): typeof INCOMPLETE | { record: ScannedRecord; cells: string[]; next: number; terminated: boolean } {
    const delimiter = this.#delimiter;
    const single = delimiter.length === 1 ? delimiter.charCodeAt(0) : -1;
    const cells: string[] = [];
    const only = this.#only;
    let at = start;
    let lines = 0;
    for (;;) {
      const take = only < 0 || cells.length === only;
      if (text.charCodeAt(at) === 34) {
        // A quoted cell: up to the quote that is not doubled.
        let value = '';
        let from = at + 1;
        for (;;) {
          const close = text.indexOf('"', from);
          if (close < 0) {
            if (!final) return INCOMPLETE;
            throw new CsvSyntaxError(`Quote Not Closed: the parsing is finished with an opening quote at line ${line + lines}`, line + lines);
          }
          if (close + 1 === text.length && !final) return INCOMPLETE;
          if (text.charCodeAt(close + 1) === 34) {
            if (take) value += text.slice(from, close + 1);
            from = close + 2;
            continue;
          }
          if (take) value += text.slice(from, close);
          lines += countNewlines(text, at, close);
          at = close + 1;
          break;
        }
        cells.push(value);
        if (at === text.length) return { record: { line: line + lines, cells, text: text.slice(start, at) }, cells, next: at, terminated: false };
        const code = text.charCodeAt(at);
        if (code === 10) return { record: { line: line + lines, cells, text: text.slice(start, at) }, cells, next: at + 1, terminated: true };
        if (code === 13 && text.charCodeAt(at + 1) === 10) return { record: { line: line + lines, cells, text: text.slice(start, at) }, cells, next: at + 2, terminated: true };
        if (code === 13 && at + 1 === text.length && !final) return INCOMPLETE;
        // A delimiter of several characters that the next chunk may complete.
        if (!final && text.length - at < delimiter.length && delimiter.startsWith(text.slice(at))) return INCOMPLETE;
        if (single >= 0 ? code === single : text.startsWith(delimiter, at)) {
          at += delimiter.length;
          continue;
        }
        throw new CsvSyntaxError(
          `Invalid Closing Quote: found a character after the closing quote of field ${cells.length - 1} at line ${line + lines} instead of a delimiter or a line break`,
          line + lines,
        );
      }
      // An unquoted cell: up to the next delimiter or line break.
      if (this.#newline >= 0 && this.#newline < at) this.#newline = text.indexOf('\n', at);
      if (this.#quote >= 0 && this.#quote < at) this.#quote = text.indexOf('"', at);
      if (this.#separator >= 0 && this.#separator < at) this.#separator = text.indexOf(delimiter, at);
      const newline = this.#newline;
      const quote = this.#quote;
      const separator = this.#separator;
      const end = newline < 0 ? separator : separator < 0 ? newline : Math.min(separator, newline);
      if (end < 0) {
        if (!final) return INCOMPLETE;
        if (quote >= 0) throw this.#openingQuote(cells.length, line + lines);
        cells.push(take ? text.slice(at) : '');
        return { record: { line: line + lines, cells, text: text.slice(start) }, cells, next: text.length, terminated: false };
      }
      if (quote >= 0 && quote < end) throw this.#openingQuote(cells.length, line + lines);
      if (end === newline) {
        const stop = end > at && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
        cells.push(take ? text.slice(at, stop) : '');
        return { record: { line: line + lines, cells, text: text.slice(start, stop) }, cells, next: end + 1, terminated: true };
      }
      cells.push(take ? text.slice(at, end) : '');
      at = end + delimiter.length;
    }
  }

  #openingQuote(field: number, line: number): CsvSyntaxError {
    return new CsvSyntaxError(`Invalid Opening Quote: a quote is found on field ${field} at line ${line}`, line);
  }
}

/** Writes rows as CSV text for one delimiter. */
export class CsvWriter {
  readonly #delimiter: string;
  readonly #special: RegExp;

  constructor(delimiter: string) {
    this.#delimiter = delimiter;
    const escaped = delimiter.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    this.#special = new RegExp(`["\\r\\n]|${escaped}|^\\s|\\s$`);
  }

  /** One record, without its line ending. */
  row(cells: readonly string[]): string {
    let out = '';
    for (let i = 0; i < cells.length; i++) {
      if (i > 0) out += this.#delimiter;
      out += this.cell(cells[i]!);
    }
    return out;
  }

  cell(value: string): string {
    if (value === '') return value;
    if (!this.#special.test(value) && !this.#fuses(value)) return value;
    return `"${value.includes('"') ? value.replaceAll('"', '""') : value}"`;
  }

  /** A multi-character delimiter whose start a cell's end would complete ("a:" before "::"). */
  #fuses(value: string): boolean {
    const delimiter = this.#delimiter;
    if (delimiter.length === 1) return false;
    return (value + delimiter).indexOf(delimiter) < value.length;
  }
}

/** One scanner per delimiter for parseRecord: a whole record leaves it empty, ready for the next. */
const recordScanners = new Map<string, CsvScanner>();

/** Every cell of one record's text (a ScannedRecord's `text`). */
export function parseRecord(text: string, delimiter: string): string[] {
  let scanner = recordScanners.get(delimiter);
  if (!scanner) recordScanners.set(delimiter, (scanner = new CsvScanner(delimiter, { checkWidth: false })));
  let records: ScannedRecord[];
  try {
    records = scanner.push(text);
    if (records.length === 0) records = scanner.end();
  } catch (error) {
    recordScanners.delete(delimiter);
    throw error;
  }
  return records[0]?.cells ?? [''];
}

/**
 * A cell as a string of its own. A cell is cut from the chunk it was read in, and V8 keeps a cut of 13
 * characters or more as a view of that chunk: a key kept for the whole read (to find duplicates, for the
 * engine's sweep) would keep its 256 KiB chunk alive, and so the whole file. Concatenation then a cut
 * makes a flat copy, so the view is of those few characters only.
 */
export function own(cell: string): string {
  return cell.length < 13 ? cell : ` ${cell}`.slice(1);
}
