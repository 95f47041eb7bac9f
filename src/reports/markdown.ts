/**
 * Small Markdown building blocks (GitHub-flavoured): tables, capped samples, alerts.
 */
import { count, mdText } from './value-format.js';

export type Align = 'left' | 'right';

export interface Column {
  readonly title: string;
  readonly align?: Align;
}

/** A GFM table; cells are already-escaped Markdown. */
export function table(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const head = `| ${columns.map((c) => mdText(c.title)).join(' | ')} |`;
  const rule = `|${columns.map((c) => (c.align === 'right' ? '---:' : '---')).join('|')}|`;
  const body = rows.map((row) => `| ${row.map((cell) => (cell === '' ? ' ' : cell)).join(' | ')} |`);
  return [head, rule, ...body].join('\n');
}

/** "… and 12 more" under a truncated list, pointing at the complete data. */
export function moreLine(total: number, shown: number, where: string): string | undefined {
  return total > shown ? `*… and ${count(total - shown)} more (${where}).*` : undefined;
}

/** A GitHub alert block (`> [!WARNING]`); elsewhere it degrades to a quote. */
export function alert(kind: 'NOTE' | 'WARNING' | 'CAUTION', lines: readonly string[]): string {
  return [`> [!${kind}]`, ...lines.map((line) => `> ${line}`)].join('\n');
}

/** Joins document blocks with blank lines, dropping empty ones, ending with one newline. */
export function document(blocks: readonly (string | undefined | false)[]): string {
  return `${blocks.filter((b): b is string => typeof b === 'string' && b.length > 0).join('\n\n')}\n`;
}
