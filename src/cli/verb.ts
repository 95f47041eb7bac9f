/** A CLI verb: one file per verb under src/cli/, wiring only. */
export interface Verb {
  readonly name: string;
  /** One line for `imesh --help`. */
  readonly summary: string;
  /** Full text for `imesh <verb> --help`: usage line, flags, exit codes. */
  readonly help: string;
  /** Returns the process exit code. stdout carries only the result; logs go to stderr. */
  run(args: readonly string[]): Promise<number>;
}

/** Thrown for bad command-line usage; main prints it with the verb's usage and exits 1. */
export class UsageError extends Error {}
