import type { Logger } from '../shared/logger.js';

/**
 * Progress for long imports and exports: a rewritten line with counts and rate on a TTY, otherwise a
 * JSON log line at most every few seconds per stage.
 */
export function progressReporter(log: Logger): (stage: string, done: number, total?: number) => void {
  const tty = process.stderr.isTTY === true;
  const started = new Map<string, number>();
  const lastShown = new Map<string, number>();
  let lastStage = '';
  return (stage, done, total) => {
    const now = Date.now();
    if (!started.has(stage)) started.set(stage, now);
    const interval = tty ? 200 : 5000;
    const finished = total !== undefined && done >= total;
    if (now - (lastShown.get(stage) ?? 0) < interval && !finished) return;
    lastShown.set(stage, now);
    const seconds = Math.max((now - started.get(stage)!) / 1000, 0.001);
    const rate = Math.round(done / seconds);
    if (tty) {
      if (lastStage && lastStage !== stage) process.stderr.write('\n');
      lastStage = stage;
      process.stderr.write(`\r${stage}: ${done}${total !== undefined ? `/${total}` : ''} (${rate}/s)   `);
      if (finished) {
        process.stderr.write('\n');
        lastStage = '';
      }
    } else if (seconds >= 5 || finished) {
      log.info({ event: 'progress', stage, done, total, rate }, 'progress');
    }
  };
}
