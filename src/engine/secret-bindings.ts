/**
 * The `secret_binding` table: the destinations each secret has been bound to by a trusted run. Only
 * names and destinations are kept, never a secret's value.
 */
import type { Queryable } from '../store/db.js';

/** One secret sent by one connector to one destination. */
export interface SecretUse {
  readonly connector: string;
  /** The NAME of `{{secret:NAME}}`. */
  readonly secret: string;
  /** An URL origin, or scheme://host:port[/database]. */
  readonly destination: string;
}

export interface SecretBinding extends SecretUse {
  readonly revision: string | null;
  readonly firstBoundAt: string;
  readonly lastBoundAt: string;
}

export async function loadSecretBindings(q: Queryable): Promise<SecretBinding[]> {
  const rows = await q.query<{ secret: string; destination: string; connector: string; revision: string | null; first_bound_at: string | Date; last_bound_at: string | Date }>(
    'SELECT secret, destination, connector, revision, first_bound_at, last_bound_at FROM secret_binding ORDER BY secret, destination, connector',
  );
  return rows.map((r) => ({
    secret: r.secret,
    destination: r.destination,
    connector: r.connector,
    revision: r.revision,
    firstBoundAt: new Date(r.first_bound_at).toISOString(),
    lastBoundAt: new Date(r.last_bound_at).toISOString(),
  }));
}

/** Records (or refreshes) each use as a binding of `revision`. Earlier bindings are kept: they are history. */
export async function recordSecretBindings(q: Queryable, uses: readonly SecretUse[], revision: string | null): Promise<void> {
  // One row per key: ON CONFLICT may not touch the same row twice in one statement.
  const unique = new Map(uses.map(({ secret, destination, connector }) => [`${secret}\u0000${destination}\u0000${connector}`, { secret, destination, connector }]));
  if (unique.size === 0) return;
  await q.query(
    `INSERT INTO secret_binding (secret, destination, connector, revision)
     SELECT x.secret, x.destination, x.connector, $2
       FROM ${q.dialect.records('$1', { secret: 'text', destination: 'text', connector: 'text' })} WHERE true
     ON CONFLICT (secret, destination, connector) DO UPDATE SET revision = EXCLUDED.revision, last_bound_at = ${q.dialect.now}`,
    [JSON.stringify([...unique.values()]), revision],
  );
}
