import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { openEmbeddedStore } from '../../src/store/embedded-store.js';
import { latestVersion, migrate } from '../../src/store/migrations.js';
import { openStore } from '../../src/store/open-store.js';
import { openPostgresStore } from '../../src/store/postgres-store.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'imesh-store-test-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('the embedded store', () => {
  it('migrates, and a second process gets a clear "in use" error instead of corrupting it', async () => {
    const dir = tempDir();
    const db = await openStore({ workDir: dir });
    try {
      const rows = await db.query<{ n: number }>('SELECT max(version)::int AS n FROM schema_migrations');
      expect(rows[0]?.n).toBe(latestVersion);
      const child = spawnSync(
        process.execPath,
        ['--input-type=module', '-e', `import { openStore } from '${join(process.cwd(), 'dist/store/open-store.js')}'; try { await openStore({ workDir: '${dir}' }); console.log('opened'); } catch (e) { console.log(e.message); }`],
        { encoding: 'utf8' },
      );
      expect(child.stdout.trim()).toBe(`.imesh/state is in use by pid ${process.pid}; use --store postgres://… for concurrent access`);
    } finally {
      await db.close();
    }
    const again = await openStore({ workDir: dir });
    await again.close();
  });

  it('refuses a store written by a newer version', async () => {
    const dir = tempDir();
    const db = await openEmbeddedStore(join(dir, 'state'));
    try {
      await migrate(db);
      await db.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [latestVersion + 1, 'from the future']);
      await expect(migrate(db)).rejects.toThrow(/written by a newer Identity Mesh \(schema version \d+; this build knows up to \d+\)/);
    } finally {
      await db.close();
    }
  });
});

describe('the PostgreSQL store', () => {
  it('keeps its tables in the schema named on the URL and never prints the password', async () => {
    const url = new URL(inject('pgUrl'));
    url.searchParams.set('schema', `imesh_store_${process.pid}`);
    const db = await openPostgresStore(url.toString());
    try {
      await migrate(db);
      await migrate(db);
      const rows = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'mesh_object'`, [`imesh_store_${process.pid}`]);
      expect(rows[0]?.n).toBe(1);
      const tx = await db.transaction(async (q) => (await q.query<{ one: number }>('SELECT 1 AS one'))[0]?.one);
      expect(tx).toBe(1);
    } finally {
      await db.query(`DROP SCHEMA imesh_store_${process.pid} CASCADE`);
      await db.close();
    }
    const bad = 'postgres://someone:s3cret-pass@127.0.0.1:1/nowhere';
    await expect(openPostgresStore(bad)).rejects.toThrow(/cannot reach the store at postgres:\/\/someone@127\.0\.0\.1:1\/nowhere/);
    await openPostgresStore(bad).catch((error: Error) => expect(error.message).not.toContain('s3cret-pass'));
  });
});
