import { pino, type Logger } from 'pino';
import { formatLogLine } from './log-text.js';
import { writeAbove } from './terminal-line.js';

/**
 * Structured logging: one JSON line per event on stderr (stdout carries only a command's result).
 * Every secret value resolved in this process is registered here and masked wherever it appears in a
 * log line, whatever field it hides in.
 */
const secretValues = new Set<string>();

export function registerSecret(value: string): void {
  if (value.length >= 4) secretValues.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const secret of secretValues) {
    if (out.includes(secret)) out = out.split(secret).join('[REDACTED]');
  }
  return out;
}

/** Whether the text holds a secret value resolved in this process. */
export function holdsSecret(text: string): boolean {
  for (const secret of secretValues) if (text.includes(secret)) return true;
  return false;
}

function redactingStream(destination: NodeJS.WritableStream): { write(line: string): void } {
  return { write: (line: string) => destination.write(redact(line)) };
}

/**
 * On a terminal (stderr is a TTY and `IMESH_LOG_FORMAT` is not `json`): one readable line per event,
 * written above the progress line. Otherwise one JSON line per event.
 */
function stderrStream(): { write(line: string): void } {
  const format = process.env.IMESH_LOG_FORMAT;
  if (format === 'json' || (format !== 'text' && process.stderr.isTTY !== true)) return redactingStream(process.stderr);
  const color = process.stderr.isTTY === true && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
  return { write: (line: string) => writeAbove(redact(formatLogLine(line, color))) };
}

/** Default level: `info` for JSON logs; on a terminal, quiet (`warn`) unless `IMESH_LOG_LEVEL` says. */
function defaultLevel(): string {
  const format = process.env.IMESH_LOG_FORMAT;
  const human = format === 'text' || (format !== 'json' && process.stderr.isTTY === true);
  return human ? 'warn' : 'info';
}

let root: Logger | undefined;

export function logger(): Logger {
  root ??= pino(
    {
      level: process.env.IMESH_LOG_LEVEL || defaultLevel(),
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: ['password', '*.password', 'token', '*.token', 'authorization', '*.authorization', 'headers.authorization'], censor: '[REDACTED]' },
    },
    stderrStream(),
  );
  return root;
}

/** For tests: send log lines somewhere else. */
export function setLogDestination(destination: NodeJS.WritableStream, level = 'info'): void {
  root = pino(
    { level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } },
    redactingStream(destination),
  );
}

export type { Logger };
