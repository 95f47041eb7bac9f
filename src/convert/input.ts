/**
 * Reading one input file of `imesh convert`: JSON (the product documents' connector bodies) or YAML
 * (the SCIM guide's `scimGroupMappings`). A file that cannot be read or parsed is a `ConvertError` naming the
 * file and the reason. Parse errors give only a position: a parser's own message may quote the
 * offending text, which can be a literal password.
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import { ImeshError } from '../shared/errors.js';

export class ConvertError extends ImeshError {
  readonly file: string;
  constructor(file: string, code: string, reason: string, cause?: unknown) {
    super(code, `${file}: ${reason}`, cause === undefined ? {} : { cause });
    this.file = file;
  }
}

export interface InputFile {
  /** As given on the command line, for messages and comments. */
  readonly path: string;
  readonly value: unknown;
}

export async function readInput(path: string): Promise<InputFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory, not a file' : `cannot be read (${code ?? 'unknown error'})`;
    throw new ConvertError(path, 'InputUnreadable', reason, error);
  }
  if (text.trim() === '') throw new ConvertError(path, 'InputEmpty', 'is empty; expected a JSON or YAML configuration');
  return { path, value: parse(path, text) };
}

function parse(path: string, text: string): unknown {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // Not strict JSON (comments, trailing commas): YAML reads a superset; it reports the position below.
    }
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const error = doc.errors[0];
  if (error) {
    const at = lines.linePos(error.pos[0]);
    throw new ConvertError(path, 'InputSyntax', `line ${at.line}, column ${at.col}: not valid JSON or YAML (${error.code.toLowerCase().replace(/_/g, ' ')})`);
  }
  return doc.toJS() as unknown;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
