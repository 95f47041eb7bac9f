/**
 * A whole-table read as `COPY (SELECT …) TO STDOUT` in text format: what `psql \copy` does. The server
 * sends one line per row and this process splits it on tabs, instead of a DataRow message per row whose
 * every field the driver decodes on its own — about a third of the CPU of a cursor read of the same rows.
 * The column types come from the same SELECT with `LIMIT 0`; each field's text then goes through the
 * parser its type has on the row protocol (postgres-types.ts), so both paths read every type the same.
 * COPY takes no bind parameters: statements with parameters (delta reads) keep the cursor.
 */
import type pg from 'pg';
import type { ResultSet, SqlValue } from './sql-dialect.js';
import { parserFor } from './postgres-types.js';

/** The part of pg's client this reader uses: a query, and a submittable query object (COPY). */
export interface CopyClient {
  query(config: { text: string; rowMode: 'array' }): Promise<pg.QueryArrayResult<unknown[]>>;
  query(submittable: CopySubmittable): unknown;
}

/** A query object pg's client runs in its queue: it sends the statement and receives the messages. */
interface CopySubmittable {
  submit(connection: PgConnection): void;
  handleCopyData(message: { chunk: Buffer }): void;
  handleCommandComplete(): void;
  handleReadyForQuery(): void;
  handleError(error: Error): void;
  handleRowDescription(): void;
  handleDataRow(): void;
  handleEmptyQuery(): void;
}

interface PgConnection {
  query(text: string): void;
  readonly stream: { pause(): void; resume(): void };
}

const NEWLINE = 0x0a;

/**
 * Streams the rows of `select` (no parameters) in batches of `batchSize`, holding at most about
 * `bufferRows` rows received and not yet handed out (the socket is paused beyond that).
 */
export interface CopyWatch {
  /** How long the server may send nothing while this reader waits for rows. */
  readonly idleMs: number;
  /** Asks the server to cancel the COPY (it then fails with its query_canceled error). */
  cancel(): void;
}

/**
 * The statement timeout would count the whole read, also the time the socket is paused while the
 * engine waits for the store (a full import is one statement now, not a FETCH per page): the COPY runs
 * without it, and `watch` cancels it instead when the server sends nothing for `idleMs` while the
 * reader waits, as the timeout did for each FETCH.
 */
export async function* copyRows(client: CopyClient, select: string, batchSize: number, bufferRows: number, watch: CopyWatch): AsyncGenerator<ResultSet> {
  bufferRows = Math.max(bufferRows, batchSize);
  const described = await client.query({ text: `SELECT * FROM (${select}) AS imesh_copy LIMIT 0`, rowMode: 'array' });
  const columns = described.fields.map((field) => field.name);
  const parsers = described.fields.map((field) => parserFor(field.dataTypeID));

  const received = new Received();
  let buffered = 0;
  let finished = false;
  let failure: Error | undefined;
  let paused = false;
  let connection: PgConnection | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  let progressed = true;
  const watchdog = setInterval(() => {
    if (!paused && !progressed && !finished) watch.cancel();
    progressed = false;
  }, watch.idleMs);
  watchdog.unref();
  client.query({
    submit(c) {
      connection = c;
      c.query(`SET statement_timeout = 0; COPY (${select}) TO STDOUT`);
    },
    handleCopyData(message) {
      progressed = true;
      received.add(message.chunk);
      // The server sends a message per row; the count only bounds memory, so an odd chunking is harmless.
      if (++buffered >= bufferRows && !paused) {
        paused = true;
        connection?.stream.pause();
      }
      if (buffered >= batchSize) notify();
    },
    handleCommandComplete() {},
    handleReadyForQuery() {
      finished = true;
      notify();
    },
    handleError(error) {
      failure = error;
      finished = true;
      notify();
    },
    handleRowDescription() {},
    handleDataRow() {},
    handleEmptyQuery() {},
  });

  try {
    yield* batches();
  } finally {
    clearInterval(watchdog);
  }
  // The session's own timeout again, for the connection's next user.
  await client.query({ text: 'RESET statement_timeout', rowMode: 'array' });

  async function* batches(): AsyncGenerator<ResultSet> {
  let carry: Buffer | undefined;
  let left: SqlValue[][] = [];
  for (;;) {
    while (buffered < batchSize && !finished) await new Promise<void>((resolve) => (wake = resolve));
    if (failure) throw failure;
    if (received.empty && finished) break;
    const taken = received.take();
    buffered = 0;
    if (paused) {
      paused = false;
      progressed = true;
      connection?.stream.resume();
    }
    if (carry) taken.unshift(carry);
    const bytes = taken.length === 1 ? taken[0]! : Buffer.concat(taken);
    // A raw newline only ends a row (COPY writes one inside a value as \n), and never occurs inside a
    // UTF-8 sequence: the text up to the last one decodes whole.
    const end = bytes.lastIndexOf(NEWLINE);
    carry = end + 1 < bytes.length ? bytes.subarray(end + 1) : undefined;
    if (end < 0) continue;
    // Batches of exactly batchSize rows; what is left over waits for the next rows (or the end).
    const rows = parseLines(bytes.toString('utf8', 0, end), parsers, left);
    let start = 0;
    for (; rows.length - start >= batchSize; start += batchSize) yield { columns, rows: rows.slice(start, start + batchSize) };
    left = rows.slice(start);
  }
  if (carry && carry.length > 0) throw new Error('COPY output ended inside a row');
  if (left.length > 0) yield { columns, rows: left };
  }
}

/**
 * The bytes received and not yet taken, copied out of the driver's buffer as they arrive (the driver
 * reuses it for later messages) into blocks of BLOCK bytes: one copy, few allocations.
 */
class Received {
  static readonly BLOCK = 256 * 1024;
  #full: Buffer[] = [];
  #block = Buffer.allocUnsafe(Received.BLOCK);
  #used = 0;

  get empty(): boolean {
    return this.#full.length === 0 && this.#used === 0;
  }

  add(chunk: Buffer): void {
    if (this.#used + chunk.length > this.#block.length) {
      if (this.#used > 0) this.#full.push(this.#block.subarray(0, this.#used));
      this.#block = Buffer.allocUnsafe(Math.max(Received.BLOCK, chunk.length));
      this.#used = 0;
    }
    chunk.copy(this.#block, this.#used);
    this.#used += chunk.length;
  }

  /** Everything received so far; later bytes go to a new block. */
  take(): Buffer[] {
    const taken = this.#full;
    if (this.#used > 0) taken.push(this.#block.subarray(0, this.#used));
    this.#full = [];
    this.#block = Buffer.allocUnsafe(Received.BLOCK);
    this.#used = 0;
    return taken;
  }
}

type Parser = (text: string) => SqlValue;

/** Parses COPY text lines (without the last newline), appending the rows to `rows`. */
function parseLines(text: string, parsers: readonly Parser[], rows: SqlValue[][]): SqlValue[][] {
  const width = parsers.length;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const row: SqlValue[] = new Array<SqlValue>(width);
    let from = start;
    for (let i = 0; i < width; i++) {
      let to = i === width - 1 ? end : text.indexOf('\t', from);
      if (to < 0 || to > end) to = end;
      const field = text.slice(from, to);
      row[i] = field === '\\N' ? undefined : parsers[i]!(field.includes('\\') ? unescapeCopy(field) : field);
      from = to + 1;
    }
    rows.push(row);
    start = end + 1;
  }
  return rows;
}

const ESCAPES: Readonly<Record<string, string>> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** COPY text format's backslash sequences (PostgreSQL docs, COPY, "Text Format"). */
export function unescapeCopy(field: string): string {
  return field.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/g, (_, sequence: string) => {
    const first = sequence[0]!;
    if (first === 'x' && sequence.length > 1) return String.fromCharCode(parseInt(sequence.slice(1), 16));
    if (first >= '0' && first <= '7') return String.fromCharCode(parseInt(sequence, 8));
    return ESCAPES[first] ?? first;
  });
}
