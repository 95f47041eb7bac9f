/**
 * How the CLI writes to a terminal: colour only on a TTY, never with NO_COLOR set (https://no-color.org:
 * any non-empty value) or on a dumb terminal.
 */
export function colorFor(stream: { readonly isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}
