import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openEmbeddedStore } from '../../src/store/embedded-store.js';
import { refreshStatistics, vacuumGrownTables } from '../../src/store/maintenance.js';
import { migrate } from '../../src/store/migrations.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'imesh-maintenance-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const stage = (n: number, seq: number) =>
  `INSERT INTO cs_object (connector, object_type, external_id, attributes, hash, changed_seq)
   SELECT 'hr', 'user', 'E' || i, jsonb_build_object('n', i), 'h' || ${seq}, ${seq} FROM generate_series(1, ${n}) AS i
   ON CONFLICT (connector, object_type, external_id) DO UPDATE SET hash = EXCLUDED.hash, changed_seq = EXCLUDED.changed_seq`;

describe('store maintenance on PGlite (it has no autovacuum)', () => {
  it('analyzes a table that grew, and not again until it grows further; vacuums it after a rewrite', async () => {
    const db = await openEmbeddedStore(join(dir, 'state'));
    await migrate(db);
    try {
      expect(await refreshStatistics(db)).toEqual([]); // empty tables are not worth it
      await db.query(stage(20_000, 1));
      expect(await refreshStatistics(db)).toEqual(['cs_object']);
      const [analyzed] = await db.query<{ reltuples: number }>(`SELECT reltuples FROM pg_class WHERE relname = 'cs_object'`);
      expect(analyzed?.reltuples).toBeGreaterThan(15_000);
      expect(await refreshStatistics(db)).toEqual([]);

      expect(await vacuumGrownTables(db)).toEqual(['cs_object']);
      const pagesAfterVacuum = (await db.query<{ pages: number }>(`SELECT (pg_relation_size('cs_object') / 8192)::int AS pages`))[0]!.pages;
      // Rewriting every row leaves a dead version of each; vacuum makes that space reusable, so a second
      // rewrite after it does not grow the table again.
      await db.query(stage(20_000, 2));
      expect(await vacuumGrownTables(db)).toEqual(['cs_object']);
      await db.query(stage(20_000, 3));
      const pagesAfterRewrite = (await db.query<{ pages: number }>(`SELECT (pg_relation_size('cs_object') / 8192)::int AS pages`))[0]!.pages;
      expect(pagesAfterRewrite).toBeLessThan(pagesAfterVacuum * 2.2);
      expect(await vacuumGrownTables(db)).toEqual([]);
    } finally {
      await db.close();
    }
  });
});

const stageSqlite = (n: number, seq: number) =>
  `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ${n})
   INSERT INTO cs_object (connector, object_type, external_id, attributes, hash, changed_seq)
   SELECT 'hr', 'user', 'E' || i, json_object('n', i, 'seq', ${seq}), 'h' || ${seq}, ${seq} FROM s WHERE true
   ON CONFLICT (connector, object_type, external_id) DO UPDATE SET attributes = EXCLUDED.attributes, hash = EXCLUDED.hash, changed_seq = EXCLUDED.changed_seq`;

describe('store maintenance on SQLite', () => {
  it('needs no statistics runs and no VACUUM: rewriting every row reuses the space', async () => {
    const db = await openSqliteStore(join(dir, 'store.db'));
    await migrate(db);
    const pages = async () => (await db.query<{ page_count: number }>('PRAGMA page_count'))[0]!.page_count;
    try {
      await db.query(stageSqlite(20_000, 1));
      expect(await refreshStatistics(db)).toEqual([]);
      const first = await pages();
      for (let seq = 2; seq <= 4; seq++) await db.query(stageSqlite(20_000, seq));
      expect(await pages()).toBeLessThan(first * 1.2);
      expect(await vacuumGrownTables(db)).toEqual([]);
    } finally {
      await db.close();
    }
  });
});
