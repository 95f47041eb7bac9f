import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { InboxUniquenessError, ScimInbox } from '../../../src/controller/scim/inbox.js';
import type { Db } from '../../../src/store/db.js';
import { openEmbeddedStore } from '../../../src/store/embedded-store.js';
import { migrate } from '../../../src/store/migrations.js';
import { openSqliteStore } from '../../../src/store/sqlite-store.js';
import { openPostgresStore } from '../../../src/store/postgres-store.js';

async function exercise(db: Db): Promise<void> {
  const inbox = await ScimInbox.open(db);
  const ada = await inbox.put('push', 'user', 'u1', { userName: 'Ada@Contoso.com' }, false);
  expect(ada).toMatchObject({ id: 'u1', version: 1, deleted: false });
  await expect(inbox.put('push', 'user', 'u2', { userName: 'ada@contoso.COM' }, false)).rejects.toBeInstanceOf(InboxUniquenessError);
  // Another connector has its own userNames; a PUT/PATCH of a missing resource stores nothing.
  expect(await inbox.put('other', 'user', 'u2', { userName: 'ada@contoso.com' }, false)).toBeDefined();
  expect(await inbox.put('push', 'user', 'missing', { userName: 'x' }, true)).toBeUndefined();
  // Concurrent writes all land, each with its own sequence number.
  await Promise.all(Array.from({ length: 8 }, (_, i) => inbox.put('push', 'group', `g${i}`, { displayName: `g${i}` }, false)));
  const reader = inbox.reader('push');
  const groups = await reader.list('group');
  expect(groups.resources.map((r) => r.id).sort()).toEqual(['g0', 'g1', 'g2', 'g3', 'g4', 'g5', 'g6', 'g7']);
  expect(new Set(groups.resources.map((r) => r.seq)).size).toBe(8);
  expect(groups.watermark).toBe(Math.max(...groups.resources.map((r) => r.seq)));

  // Delta: inclusive lower bound, tombstones included; a cycle reads while its own transaction is open.
  expect(await inbox.remove('push', 'group', 'g3')).toBe(true);
  expect(await inbox.remove('push', 'group', 'g3')).toBe(false);
  const delta = await db.transaction(async (tx) => {
    await tx.query('SELECT 1');
    return reader.changedSince('group', groups.watermark + 1);
  });
  expect(delta.resources).toEqual([expect.objectContaining({ id: 'g3', deleted: true })]);
  expect((await reader.list('group')).resources).toHaveLength(7);
  // A deleted user frees its userName.
  expect(await inbox.remove('push', 'user', 'u1')).toBe(true);
  expect(await inbox.put('push', 'user', 'u3', { userName: 'ADA@contoso.com' }, false)).toBeDefined();
  // Indexed lookups for the eq filters IdPs send.
  await inbox.put('push', 'user', 'u4', { userName: 'grace@contoso.com', externalId: 'OID-4' }, false);
  expect((await inbox.findBy('push', 'user', 'userName', 'GRACE@contoso.com')).map((r) => r.id)).toEqual(['u4']);
  expect((await inbox.findBy('push', 'user', 'externalId', 'OID-4')).map((r) => r.id)).toEqual(['u4']);
  expect(await inbox.findBy('push', 'user', 'externalId', 'oid-4')).toEqual([]);
  expect((await inbox.findBy('push', 'group', 'displayName', 'G5')).map((r) => r.id)).toEqual(['g5']);
  expect(await inbox.findBy('push', 'group', 'id', 'g3')).toEqual([]);
  // A new process sees the same inbox.
  const again = await ScimInbox.open(db);
  expect((await again.reader('push').list('user')).resources.map((r) => r.id)).toEqual(['u3', 'u4']);
}

describe('the SCIM inbox', () => {
  it.each([
    ['SQLite', (dir: string) => openSqliteStore(join(dir, 'store.db'))],
    ['PGlite', (dir: string) => openEmbeddedStore(join(dir, 'state'))],
  ])('works on the embedded store (%s), reading from its write-through copy inside a transaction', async (_kind, open) => {
    const dir = mkdtempSync(join(tmpdir(), 'imesh-inbox-'));
    const db = await open(dir);
    try {
      await migrate(db);
      await exercise(db);
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('works on PostgreSQL, ordering writes with an advisory lock', async () => {
    const schema = `imesh_inbox_${process.pid}`;
    const url = new URL(inject('pgUrl'));
    url.searchParams.set('schema', schema);
    const db = await openPostgresStore(url.toString());
    try {
      await migrate(db);
      await exercise(db);
    } finally {
      await db.query(`DROP SCHEMA ${schema} CASCADE`);
      await db.close();
    }
  });
});
