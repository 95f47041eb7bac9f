import { parseArgs, type ParseArgsConfig } from 'node:util';
import { errorMessage } from '../shared/errors.js';

/** A CLI verb: one file per verb under src/cli/, wiring only. Its name and summary live in verbs.ts. */
export interface Verb {
  /** Full text for `imesh <verb> --help`: usage line, flags, exit codes. */
  readonly help: string;
  /** Returns the process exit code. stdout carries only the result; logs go to stderr. */
  run(args: readonly string[]): Promise<number>;
}

/** Thrown for bad command-line usage; main prints it with the verb's usage and exits 1. */
export class UsageError extends Error {}

type FlagOptions = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses a verb's flags strictly (unknown flags are usage errors) and keeps `parseArgs`' types:
 * a string flag reads as `string | undefined`, a boolean one as `boolean | undefined`.
 */
export function parseVerbArgs<const O extends FlagOptions, const P extends boolean = false>(args: readonly string[], options: O, allowPositionals?: P) {
  try {
    return parseArgs({ args, options, allowPositionals: (allowPositionals ?? false) as P, strict: true });
  } catch (error) {
    throw new UsageError(errorMessage(error));
  }
}

/** `--format text|json`, the output switch of the verbs that print results. */
export function outputFormat(value: string | undefined): 'text' | 'json' {
  const format = value ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format takes text or json, not "${format}"`);
  return format;
}
