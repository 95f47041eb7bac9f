/**
 * The secret_binding repository on every store (embedded SQLite, PGlite, PostgreSQL), and the guard that
 * decides which connectors a read-only run must not contact.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { unboundConnectors } from '../../src/engine/destination-guard.js';
import { loadSecretBindings, recordSecretBindings } from '../../src/engine/secret-bindings.js';
import type { Db } from '../../src/store/db.js';
import { openEmbeddedStore } from '../../src/store/embedded-store.js';
import { migrate } from '../../src/store/migrations.js';
import { openStore } from '../../src/store/open-store.js';
import { tableColumns } from './test-store.js';

const dir = mkdtempSync(join(tmpdir(), 'imesh-bindings-'));
const schema = `bind_${process.pid}_${randomBytes(4).toString('hex')}`;
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  const client = new pg.Client({ connectionString: inject('pgUrl') });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});

const stores: [string, () => Promise<Db>][] = [
  ['embedded SQLite', () => openStore({ workDir: dir })],
  [
    'PGlite',
    async () => {
      const db = await openEmbeddedStore(join(dir, 'pglite'));
      await migrate(db);
      return db;
    },
  ],
  ['postgres', () => openStore({ url: `${inject('pgUrl')}?schema=${schema}`, workDir: dir })],
];

// Starting an embedded store takes a while on a busy machine: a generous limit (no timing is asserted).
describe.each(stores)('secret bindings in the %s store', { timeout: 300_000 }, (_kind, open) => {
  it('records names and destinations (never values), keeps history, and refreshes a binding seen again', async () => {
    const db = await open();
    try {
      expect(await loadSecretBindings(db)).toEqual([]);
      const use = { connector: 'hr-db', secret: 'hr-password', destination: 'postgres://db1.example.com:5432/hr' };
      await recordSecretBindings(db, [use, use], 'rev-1'); // a duplicate in one batch is one row
      await recordSecretBindings(db, [{ ...use, destination: 'postgres://db2.example.com:5432/hr' }], 'rev-2');
      await recordSecretBindings(db, [use], 'rev-3');
      const rows = await loadSecretBindings(db);
      expect(rows.map(({ secret, destination, connector, revision }) => ({ secret, destination, connector, revision }))).toEqual([
        { secret: 'hr-password', destination: 'postgres://db1.example.com:5432/hr', connector: 'hr-db', revision: 'rev-3' },
        { secret: 'hr-password', destination: 'postgres://db2.example.com:5432/hr', connector: 'hr-db', revision: 'rev-2' },
      ]);
      expect(rows[0]!.firstBoundAt <= rows[0]!.lastBoundAt).toBe(true);
      expect(await tableColumns(db, 'secret_binding')).toEqual(['connector', 'destination', 'first_bound_at', 'last_bound_at', 'revision', 'secret']);
    } finally {
      await db.close();
    }
  });
});

describe('which connectors a read-only run does not contact', () => {
  const bound = [{ connector: 'hr-db', secret: 'ad-password', destination: 'ldaps://dc1.corp.example:636', revision: 'r', firstBoundAt: '', lastBoundAt: '' }];

  it('matches on secret and destination, whatever the connector is called', () => {
    const uses = [
      { connector: 'ad-renamed', secret: 'ad-password', destination: 'ldaps://dc1.corp.example:636' },
      { connector: 'wiki', secret: 'ad-password', destination: 'https://attacker.example' },
      { connector: 'wiki', secret: 'ad-password', destination: 'https://second.example' },
      { connector: 'okta', secret: 'okta-token', destination: 'https://corp.okta.com' },
    ];
    const skipped = unboundConnectors(uses, bound);
    expect([...skipped.keys()]).toEqual(['wiki', 'okta']);
    expect(skipped.get('wiki')).toMatch(/^secret ad-password would be sent to https:\/\/attacker\.example, where no trusted run has sent it \(and 1 more secret\/destination pair\)/);
  });

  it('binds nothing for an empty store: every secret-using connector is skipped', () => {
    expect([...unboundConnectors([{ connector: 'hr-db', secret: 's', destination: 'postgres://h:5432/d' }], []).keys()]).toEqual(['hr-db']);
  });
});
