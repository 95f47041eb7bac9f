/**
 * cs_object writes as an import makes them, more rows than one multi-row statement holds: what is read
 * back is what was staged, and a second write changes only the rows whose hash (or deletion) changed.
 * Runs on the SQLite store here and on PostgreSQL through on-postgres.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StagedObject } from '../../src/connectors/sdk.js';
import { staged, type StageRow } from '../../src/engine/connector-space.js';
import { changedAttributePage, changedPage, countChanged, loadFingerprints, loadObjects, upsertObjects } from '../../src/engine/tables/connector-space-objects.js';
import type { Db } from '../../src/store/db.js';
import { openTestStore } from './test-store.js';

function object(i: number, version = 1): StagedObject {
  return {
    externalId: `E${String(i).padStart(4, '0')}`,
    attributes: { name: `Person ${i}`, count: i * version, active: i % 2 === 0, tags: [`t${i % 3}`, 'x'], note: i % 7 === 0 ? 'quote " back\\slash \u00e9 \ud83d\ude80' : `v${version}` },
    ...(i % 5 === 0 ? { dn: `cn=${i},dc=example` } : {}),
    ...(i % 3 === 0 ? { enabled: i % 2 === 0 } : {}),
    ...(i % 11 === 0 ? { deleted: true } : {}),
  };
}

/** An object as an import stages it. */
const row = (o: StagedObject): StageRow => (o.deleted ? { object: o, hash: 'deleted' } : staged(o));

describe('cs_object writes of an import', () => {
  let dir: string;
  let db: Db;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'imesh-cs-writes-'));
    db = await openTestStore(dir);
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps 123 objects as staged, and a second write changes only those whose hash changed', async () => {
    const first = Array.from({ length: 123 }, (_, i) => object(i + 1));
    first[5] = { ...first[5]!, attributes: { ...first[5]!.attributes, note: 'tab\there\nline\r\\N \\ end' } };
    // Some rows as a caller without the JSON at hand stages them.
    // A first import (nothing of the type stored yet) may take the store's bulk load.
    await db.transaction((q) => upsertObjects(q, 'hr', 'user', 1, first.map((o, i) => (i % 4 === 0 ? { object: o, hash: row(o).hash } : row(o))), { fresh: true }));
    const ids = first.map((o) => o.externalId);
    const stored = await loadObjects(db, 'hr', 'user', ids);
    const fingerprints = await loadFingerprints(db, 'hr', 'user');
    expect(stored.size).toBe(123);
    for (const o of first) {
      const got = stored.get(o.externalId)!;
      expect(got.attributes).toEqual(o.attributes);
      expect(got.dn).toBe(o.dn ?? null);
      expect(got.enabled).toBe(o.enabled ?? null);
      expect(got.deleted).toBe(o.deleted ?? false);
      expect(fingerprints.get(o.externalId)).toEqual({ hash: row(o).hash, deleted: o.deleted ?? false, enabled: o.enabled ?? null });
    }

    // Every tenth object changes; all are written again under change number 2.
    const second = first.map((o, i) => (i % 10 === 0 ? object(i + 1, 2) : o));
    await db.transaction((q) => upsertObjects(q, 'hr', 'user', 2, second.map(row)));
    const changedIds = second.filter((o, i) => i % 10 === 0 && row(o).hash !== row(first[i]!).hash).map((o) => o.externalId);
    expect(changedIds.length).toBeGreaterThan(5);
    expect(await countChanged(db, 'hr', 'user', 1)).toBe(changedIds.length);
    const again = await loadObjects(db, 'hr', 'user', ids);
    // A deleted object keeps the attributes it was last seen with (its hash stays 'deleted').
    second.forEach((o, i) => expect(again.get(o.externalId)!.attributes).toEqual(o.deleted ? first[i]!.attributes : o.attributes));
    expect(again.get('E0001')!.updatedAt >= stored.get('E0001')!.updatedAt).toBe(true);
  });

  it('pages through the objects changed after a change number in external id order, whether few or most changed', async () => {
    const first = Array.from({ length: 60 }, (_, i) => object(i + 1));
    await db.transaction((q) => upsertObjects(q, 'hr', 'user', 1, first.map(row), { fresh: true }));
    // Objects 60, 57, …, 3 (not 33, deleted) change under change number 2: written in descending order, read in ascending.
    const changed = first.filter((o, i) => (i + 1) % 3 === 0 && !o.deleted).reverse().map((o, j) => ({ ...o, attributes: { ...o.attributes, note: `changed ${j}` } }));
    await db.transaction((q) => upsertObjects(q, 'hr', 'user', 2, changed.map(row)));
    const expected = changed.map((o) => o.externalId).sort();
    const pages = async (since: number, limit: number) => {
      const out: string[][] = [];
      for (let after = ''; ; ) {
        const page = await changedPage(db, 'hr', 'user', since, after, limit);
        if (page.length === 0) return out;
        out.push(page.map((o) => o.externalId));
        after = page.at(-1)!.externalId;
      }
    };
    // All 19 changed objects fit a page of 25 (the change index, sorted) …
    expect(await pages(1, 25)).toEqual([expected]);
    // … or take three pages of 8 (the key index, in order).
    expect((await pages(1, 8)).map((p) => p.length)).toEqual([8, 8, 3]);
    expect((await pages(1, 8)).flat()).toEqual(expected);
    // Everything changed after 0: a first sync's read.
    expect((await pages(0, 25)).flat()).toEqual(first.map((o) => o.externalId));
    expect(await pages(2, 25)).toEqual([]);
    const notes = await changedAttributePage(db, 'hr', 'user', 'note', 1, '', 25);
    expect(notes.map((n) => n.externalId)).toEqual(expected);
    expect(notes.find((n) => n.externalId === 'E0060')?.value).toBe('changed 0');
  });
});
