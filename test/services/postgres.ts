import { execFileSync } from 'node:child_process';
import pg from 'pg';
import type { TestService } from './index.js';

const URL = process.env.IMESH_TEST_PG_URL ?? 'postgres://root@127.0.0.1:5432/test';

async function reachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** PostgreSQL runs on every machine of this kind; start the cluster if it was stopped. */
export const postgres: TestService = {
  name: 'postgres',
  async start() {
    if (!(await reachable())) {
      try {
        const version = execFileSync('ls', ['/etc/postgresql']).toString().trim().split('\n')[0] ?? '';
        execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { stdio: 'inherit' });
      } catch (error) {
        throw new Error(`PostgreSQL is not reachable at ${URL} and could not be started: ${String(error)}`);
      }
      if (!(await reachable())) throw new Error(`PostgreSQL is not reachable at ${URL}`);
    }
    return { provide: { pgUrl: URL }, stop: async () => undefined };
  },
};
