/**
 * ANSI styling for terminal output, or none: the same calls produce plain text when colour is off.
 */
export interface Paint {
  readonly bold: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly red: (s: string) => string;
  readonly green: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly cyan: (s: string) => string;
  readonly boldRed: (s: string) => string;
}

const wrap = (open: string) => (s: string) => `\u001b[${open}m${s}\u001b[0m`;
const plain = (s: string): string => s;

export function painter(color: boolean): Paint {
  if (!color) return { bold: plain, dim: plain, red: plain, green: plain, yellow: plain, cyan: plain, boldRed: plain };
  return { bold: wrap('1'), dim: wrap('2'), red: wrap('31'), green: wrap('32'), yellow: wrap('33'), cyan: wrap('36'), boldRed: wrap('1;31') };
}
