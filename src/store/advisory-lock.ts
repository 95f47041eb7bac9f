/**
 * The leader lock's dedicated PostgreSQL connection (a `pg.Client`, never a pooled one: a session-level
 * advisory lock belongs to the session that took it, and is released when that session ends).
 *
 * Dead leaders must be noticed within the 30 s takeover budget:
 * - a process that dies closes its socket, and the server ends the session at once;
 * - a host that vanishes is found by the server's TCP keepalives, which this session shortens
 *   (`tcp_keepalives_idle/interval/count`: about 5 + 3 × 5 = 20 s instead of the system's 2 h);
 * - the leader's own check (`ping`, with a client-side query timeout) fails first, so it stops
 *   exporting before a standby can take over.
 */
import type pg from 'pg';

export interface LockSession {
  tryLock(key: bigint): Promise<boolean>;
  unlock(key: bigint): Promise<void>;
  /** A round trip; rejects when the session is gone or does not answer in time. */
  ping(): Promise<void>;
  /** Called at most once, when the connection errors or ends. */
  onLost(listener: (reason: string) => void): void;
  close(): Promise<void>;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** The lock's scope for a store URL: database and schema (`?schema=`, default `imesh`). */
export function storeLockScope(url: string): string {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? 'imesh';
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || parsed.username || 'postgres';
  return `${parsed.hostname}:${parsed.port || '5432'}/${database}/${IDENTIFIER.test(schema) ? schema : 'imesh'}`;
}

export async function openPostgresLockSession(url: string, timeoutMs = 5_000): Promise<LockSession> {
  const { default: pg } = await import('pg');
  const parsed = new URL(url);
  parsed.searchParams.delete('schema');
  const client = new pg.Client({
    connectionString: parsed.toString(),
    application_name: 'identity-mesh-leader',
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: 5_000,
  });
  const listeners: ((reason: string) => void)[] = [];
  let lost = false;
  const fire = (reason: string) => {
    if (lost) return;
    lost = true;
    for (const listener of listeners) listener(reason);
  };
  client.on('error', (error) => fire(error.message));
  client.on('end', () => fire('connection closed'));
  await client.connect();
  try {
    await client.query('SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3');
  } catch {
    // Not every server lets a session change these (poolers, managed services); the leader's own check still runs.
  }
  return {
    async tryLock(key) {
      const rows = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [key.toString()]);
      return rows.rows[0]?.locked === true;
    },
    async unlock(key) {
      await client.query('SELECT pg_advisory_unlock($1::bigint)', [key.toString()]);
    },
    async ping() {
      await client.query('SELECT 1');
    },
    onLost(listener) {
      listeners.push(listener);
    },
    async close() {
      lost = true;
      await client.end().catch(() => undefined);
    },
  };
}
