/**
 * One transient line at the bottom of a terminal (progress), redrawn below anything written above
 * it, and erased when done, so log lines and progress never share a line.
 */
let current = '';
let stream: NodeJS.WriteStream = process.stderr;

const ERASE = '\r\u001b[2K';

/** Shows (or replaces) the transient line. */
export function showLine(text: string, target: NodeJS.WriteStream = process.stderr): void {
  stream = target;
  current = text;
  stream.write(`${ERASE}${text}`);
}

/** Erases the transient line. */
export function clearLine(): void {
  if (current === '') return;
  stream.write(ERASE);
  current = '';
}

/** Writes whole lines above the transient line, then redraws it. */
export function writeAbove(text: string, target: NodeJS.WritableStream = process.stderr): void {
  if (current === '') {
    target.write(text);
    return;
  }
  stream.write(ERASE);
  target.write(text);
  stream.write(current);
}
