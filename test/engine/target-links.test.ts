/**
 * Saving target links releases stale links that address the same target object. On SQLite that
 * lookup must use the index on (connector, object_type, external_id): it once scanned the whole table
 * for every batch, so a first cycle's export grew with the square of its size.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { saveTargetLinks, type LinkWrite } from '../../src/engine/tables/target-links.js';
import type { Queryable } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrations.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'imesh-target-links-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const link = (meshId: string, externalId: string): LinkWrite => ({
  projection: 'p',
  meshId,
  item: '',
  connector: 'apps',
  objectType: 'account',
  externalId,
  dn: null,
  state: 'active',
  how: 'created',
  written: {},
});

describe('saveTargetLinks on the SQLite store', () => {
  it('looks stale links up by index, never by scanning target_link', async () => {
    const db = await openSqliteStore(join(dir, 'store.db'));
    await migrate(db);
    try {
      const plans: string[] = [];
      // Every statement saveTargetLinks runs is also explained, on the same store.
      const explaining: Queryable = {
        dialect: db.dialect,
        exec: (sql) => db.exec(sql),
        async query<T>(sql: string, params?: readonly unknown[]) {
          const plan = await db.query<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params);
          plans.push(...plan.map((row) => row.detail));
          return db.query<T>(sql, params);
        },
      };
      await saveTargetLinks(explaining, Array.from({ length: 50 }, (_, i) => link(`m${i}`, `A${i}`)));
      // A second save moves A1 to another mesh object: the stale link is released, the rest kept.
      await saveTargetLinks(explaining, [link('m99', 'A1')]);
      expect(plans.some((detail) => /^SEARCH target_link USING INDEX target_link_object/.test(detail))).toBe(true);
      expect(plans.filter((detail) => /^SCAN target_link\b/.test(detail))).toEqual([]);
      const rows = await db.query<{ mesh_id: string }>(`SELECT mesh_id FROM target_link WHERE external_id = 'A1'`);
      expect(rows).toEqual([{ mesh_id: 'm99' }]);
      expect((await db.query<{ n: number }>('SELECT count(*) AS n FROM target_link'))[0]!.n).toBe(50);
    } finally {
      await db.close();
    }
  });
});
