/**
 * Log lines for a person at a terminal: `WARN  import guard tripped  connector=hr objectType=user`,
 * from pino's JSON lines. Machines get the JSON (not a TTY, or `--log-format json`).
 */
const LEVELS: Readonly<Record<string, string>> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO ', warn: 'WARN ', error: 'ERROR', fatal: 'FATAL' };
const COLORS: Readonly<Record<string, string>> = { warn: '33', error: '31', fatal: '31', debug: '2', trace: '2' };
const HIDDEN = new Set(['level', 'time', 'msg', 'event']);

function field(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value);
}

export function formatLogLine(line: string, color: boolean): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const level = String(entry.level ?? 'info');
  const label = LEVELS[level] ?? level.toUpperCase();
  const head = color && COLORS[level] ? `\u001b[${COLORS[level]}m${label}\u001b[0m` : label;
  const message = String(entry.msg ?? entry.event ?? '');
  const rest = Object.entries(entry)
    .filter(([key]) => !HIDDEN.has(key))
    .map(([key, value]) => `${key}=${field(value)}`)
    .join(' ');
  return `${head} ${message}${rest ? `  ${color ? `\u001b[2m${rest}\u001b[0m` : rest}` : ''}\n`;
}
