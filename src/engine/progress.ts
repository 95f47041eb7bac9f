/**
 * How far each flow rule and projection has processed changes (a change sequence number), and under
 * which definition. A changed definition means "re-evaluate everything this rule touches".
 */
import type { Queryable } from '../store/db.js';
import { hashOf } from './values.js';

export type ProgressKind = 'flow' | 'projection';

export interface Progress {
  readonly seq: number;
  readonly definition: string;
}

/** A stable hash of a compiled definition: templates by their source, regexes by their text. */
export function definitionHash(definition: unknown): string {
  return hashOf(
    JSON.parse(
      JSON.stringify(definition, (key, value: unknown) => {
        if (key === 'location') return undefined;
        if (value instanceof RegExp) return value.toString();
        if (value instanceof Map) return Object.fromEntries(value);
        if (value && typeof value === 'object' && 'render' in value && 'source' in value) return { template: (value as { source: string }).source };
        return value;
      }),
    ),
  );
}

export async function readProgress(q: Queryable, kind: ProgressKind, name: string): Promise<Progress | undefined> {
  const rows = await q.query<{ seq: string; definition: string }>('SELECT CAST(seq AS text) AS seq, definition FROM progress WHERE kind = $1 AND name = $2', [kind, name]);
  const row = rows[0];
  return row ? { seq: Number(row.seq), definition: row.definition } : undefined;
}

export async function writeProgress(q: Queryable, kind: ProgressKind, name: string, progress: Progress): Promise<void> {
  await q.query(
    `INSERT INTO progress (kind, name, seq, definition) VALUES ($1, $2, $3, $4)
     ON CONFLICT (kind, name) DO UPDATE SET seq = EXCLUDED.seq, definition = EXCLUDED.definition`,
    [kind, name, progress.seq, progress.definition],
  );
}
