import { pino, type Logger } from 'pino';

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

function redactingStream(destination: NodeJS.WritableStream): { write(line: string): void } {
  return { write: (line: string) => destination.write(redact(line)) };
}

let root: Logger | undefined;

export function logger(): Logger {
  root ??= pino(
    {
      level: process.env.IMESH_LOG_LEVEL ?? 'info',
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: ['password', '*.password', 'token', '*.token', 'authorization', '*.authorization', 'headers.authorization'], censor: '[REDACTED]' },
    },
    redactingStream(process.stderr),
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
