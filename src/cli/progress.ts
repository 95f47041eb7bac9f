import type { Logger } from '../shared/logger.js';
import { clearLine, showLine } from '../shared/terminal-line.js';

/** A rate is shown once a stage has run this long and done this much: earlier it is noise. */
const RATE_AFTER_MS = 2000;
const RATE_AFTER_ITEMS = 100;

/**
 * Progress for long imports and exports. On a TTY: one transient line (`import hr/user: 12,000
 * (4,100/s)`) that log lines are written above and that is erased when the stage ends. Otherwise a
 * JSON log line at most every few seconds per stage, and one when it ends.
 */
export function progressReporter(log: Logger, tty: boolean = process.stderr.isTTY === true): (stage: string, done: number, total?: number) => void {
  const started = new Map<string, number>();
  const lastShown = new Map<string, number>();
  return (stage, done, total) => {
    const now = Date.now();
    if (!started.has(stage)) started.set(stage, now);
    const interval = tty ? 200 : 5000;
    const finished = total !== undefined && done >= total;
    if (now - (lastShown.get(stage) ?? 0) < interval && !finished) return;
    lastShown.set(stage, now);
    const elapsed = now - started.get(stage)!;
    const rate = elapsed >= RATE_AFTER_MS && done >= RATE_AFTER_ITEMS ? Math.round(done / (elapsed / 1000)) : undefined;
    if (tty) {
      if (finished) return clearLine();
      const amount = `${done.toLocaleString('en-US')}${total !== undefined ? `/${total.toLocaleString('en-US')}` : ''}`;
      showLine(`${stage}: ${amount}${rate !== undefined ? ` (${rate.toLocaleString('en-US')}/s)` : ''}`);
    } else if (elapsed >= 5000 || finished) {
      log.info({ event: 'progress', stage, done, total, ...(rate !== undefined ? { rate } : {}) }, 'progress');
    }
  };
}
