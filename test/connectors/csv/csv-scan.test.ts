/**
 * The csv connector's scanner and writer: checked against csv-parse (the parser the connector used
 * before) on generated files, cut into chunks at every kind of place, and on malformed input.
 */
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { CsvScanner, CsvSyntaxError, CsvWriter, parseRecord, type ScannedRecord } from '../../../src/connectors/csv/csv-scan.js';

/** A small deterministic generator (mulberry32), so a failure replays. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = ['a', 'b', 'Zoë', '日本', ' ', '"', '""', ',', ';', '::', ':', '\n', '\r\n', '\r', '\t', "'", '=', 'x y'];

function cell(next: () => number): string {
  const length = Math.floor(next() * 5);
  let value = '';
  for (let i = 0; i < length; i++) value += PIECES[Math.floor(next() * PIECES.length)];
  return value;
}

function scanAll(text: string, delimiter: string, cuts: readonly number[], options: ConstructorParameters<typeof CsvScanner>[1] = {}): ScannedRecord[] {
  const scanner = new CsvScanner(delimiter, options);
  const records: ScannedRecord[] = [];
  let from = 0;
  for (const cut of [...cuts, text.length]) {
    records.push(...scanner.push(text.slice(from, cut)));
    from = cut;
  }
  records.push(...scanner.end());
  return records;
}

function failure(text: string, delimiter = ','): CsvSyntaxError {
  try {
    scanAll(text, delimiter, []);
  } catch (error) {
    if (error instanceof CsvSyntaxError) return error;
    throw error;
  }
  throw new Error('no error');
}

describe('csv scanner', () => {
  it.each([',', ';', '::', '\t'])('reads what the writer writes, as csv-parse does, in any chunking (delimiter %j)', (delimiter) => {
    const next = random(delimiter.charCodeAt(0));
    const writer = new CsvWriter(delimiter);
    for (let round = 0; round < 150; round++) {
      const width = 1 + Math.floor(next() * 4);
      const rows = Array.from({ length: 1 + Math.floor(next() * 6) }, () => Array.from({ length: width }, () => cell(next)));
      // A record whose cells are all empty is an empty line (skipped by both readers) unless it has several cells.
      const kept = rows.filter((row) => row.length > 1 || row[0] !== '');
      const newline = next() < 0.5 ? '\n' : '\r\n';
      const text = rows.map((row) => writer.row(row)).join(newline) + (next() < 0.5 ? newline : '');
      const expected = parse(text, { delimiter, bom: true, skip_empty_lines: true, relax_column_count: false, record_delimiter: newline === '\n' ? ['\n', '\r\n'] : ['\r\n'] }) as string[][];
      expect(expected).toEqual(kept);
      const cuts = [Math.floor(next() * text.length), Math.floor(next() * text.length)].sort((a, b) => a - b);
      const records = scanAll(text, delimiter, cuts);
      expect(records.map((r) => r.cells)).toEqual(kept);
      // The record's text is what the writer wrote for it; parsed again it gives the same cells.
      expect(records.map((r) => parseRecord(r.text, delimiter))).toEqual(kept);
      // Key-only: later records carry the chosen cell only.
      const only = scanAll(text, delimiter, cuts, { keyColumn: () => width - 1 });
      expect(only.map((r, i) => (i === 0 ? r.cells : r.cells[width - 1]))).toEqual(kept.map((row, i) => (i === 0 ? row : row[width - 1])));
    }
  });

  it('cuts at every position of a file with quoted line breaks, CRLF and a BOM-free header alike', () => {
    const text = 'id,name,note\r\nA,"Ada, ""the"" first","line one\nline two"\r\n\r\nB,Bob,\r\n"C",Cy,"x\r\ny"';
    const whole = scanAll(text, ',', []);
    expect(whole.map((r) => [r.line, r.cells])).toEqual([
      [1, ['id', 'name', 'note']],
      [3, ['A', 'Ada, "the" first', 'line one\nline two']],
      [5, ['B', 'Bob', '']],
      [7, ['C', 'Cy', 'x\r\ny']],
    ]);
    expect(whole.map((r) => r.text)).toEqual(['id,name,note', 'A,"Ada, ""the"" first","line one\nline two"', 'B,Bob,', '"C",Cy,"x\r\ny"']);
    for (let a = 0; a <= text.length; a++) {
      for (const b of [a, Math.min(text.length, a + 1), Math.min(text.length, a + 7)]) expect(scanAll(text, ',', [a, b])).toEqual(whole);
    }
  });

  it('reads a file whose lines end with CR alone (Excel’s CSV for Macintosh), keeping CRs inside quotes, in any chunking', () => {
    const text = 'id,name,note\rA,"Ada, ""the"" first","line one\rline two"\r\rB,Bob,\r"C",Cy,"x\ny"\r';
    const cells = [
      ['id', 'name', 'note'],
      ['A', 'Ada, "the" first', 'line one\rline two'],
      ['B', 'Bob', ''],
      ['C', 'Cy', 'x\ny'],
    ];
    // csv-parse, told the record delimiter, reads it the same way.
    expect(parse(text, { skip_empty_lines: true, record_delimiter: '\r' })).toEqual(cells);
    for (let first = 0; first <= text.length; first++) {
      for (const second of [first, Math.min(text.length, first + 1), Math.min(text.length, first + 7)]) {
        expect(scanAll(text, ',', [first, second]).map((r) => r.cells)).toEqual(cells);
      }
    }
    // Without a final line break, and a single CR-terminated header.
    expect(scanAll('a,b\r1,2', ',', []).map((r) => r.cells)).toEqual([['a', 'b'], ['1', '2']]);
    expect(scanAll('a,b\r', ',', []).map((r) => r.cells)).toEqual([['a', 'b']]);
    // A CR inside the quoted first cell does not decide the line ending: this file's lines end with LF.
    expect(scanAll('"a\rb",c\n1,2\n', ',', [2]).map((r) => r.cells)).toEqual([['a\rb', 'c'], ['1', '2']]);
  });

  it('refuses malformed CSV with the line, never quoting the cell', () => {
    expect(failure('id,name\nA,"unclosed\nB,2\n')).toMatchObject({ line: 2, message: expect.stringMatching(/^Quote Not Closed/) });
    expect(failure('id,name\nA,"closed"x\n')).toMatchObject({ line: 2, message: expect.stringMatching(/^Invalid Closing Quote/) });
    expect(failure('id,name\nA,secret"value\n')).toMatchObject({ line: 2, message: expect.not.stringContaining('secret') });
    expect(failure('id,name\nA,1\nB,2,3\n')).toMatchObject({ line: 3, message: 'Invalid Record Length: expect 2, got 3 on line 3' });
    expect(failure('id,name\n"A\n\nB",1\nC\n')).toMatchObject({ line: 5 });
  });

  it('the writer quotes exactly the cells that need it', () => {
    const writer = new CsvWriter(',');
    expect(writer.row(['plain', '', 'a,b', 'say "hi"', 'two\nlines', ' lead', 'trail ', 'cr\r'])).toBe('plain,,"a,b","say ""hi""","two\nlines"," lead","trail ","cr\r"');
    expect(new CsvWriter('::').row(['a:', 'b', ':c'])).toBe('"a:"::b:::c');
    expect(parseRecord(new CsvWriter('::').row(['a:', 'b', ':c']), '::')).toEqual(['a:', 'b', ':c']);
  });
});
