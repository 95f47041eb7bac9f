/**
 * The last applied (and last attempted) revision and its config files, kept in the store so that
 * `explain` and `status` work without `--config`, and so a controller can keep running the last good
 * revision when a new one is invalid.
 */
import type { Queryable } from '../store/db.js';

export interface AppliedConfig {
  readonly revision: string;
  readonly configPath: string;
  readonly files: readonly { path: string; content: string }[];
  readonly at: string;
}

export async function saveAppliedConfig(q: Queryable, applied: AppliedConfig): Promise<void> {
  await setMeta(q, 'applied_config', applied);
  await setMeta(q, 'last_attempted_revision', applied.revision);
}

export async function loadAppliedConfig(q: Queryable): Promise<AppliedConfig | undefined> {
  return getMeta<AppliedConfig>(q, 'applied_config');
}

export async function setMeta(q: Queryable, key: string, value: unknown): Promise<void> {
  await q.query(`INSERT INTO meta (key, value) VALUES ($1, ${q.dialect.json('$2')}) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, [key, JSON.stringify(value)]);
}

export async function getMeta<T>(q: Queryable, key: string): Promise<T | undefined> {
  const rows = await q.query<{ value: T }>('SELECT value FROM meta WHERE key = $1', [key]);
  return rows[0]?.value;
}
