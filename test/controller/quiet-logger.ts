import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from '../../src/shared/logger.js';

/** A logger whose lines are kept (for assertions) instead of printed. */
export function quietLogger(lines: string[] = []): Logger {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return pino({ level: 'debug', base: undefined }, sink);
}
