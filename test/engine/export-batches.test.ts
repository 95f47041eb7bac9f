/**
 * Exporting in batches: the next batch goes to the target while the last one is recorded, and records
 * still commit one at a time in batch order; a record that fails fails the export, and nothing after
 * the batch being sent goes out. Runs on every store (on-postgres.test.ts imports it).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ExportChange, IdentityConnector } from '../../src/connectors/sdk.js';
import type { Db, Queryable, TransactionOptions } from '../../src/store/db.js';
import { memoryConnector, MemorySystem } from '../fixtures/memory-connector.js';
import { harness, hrToApps, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const PEOPLE = 3;

function hrWith(count: number): MemorySystem {
  const hr = new MemorySystem('key', 'employee_id');
  for (let i = 1; i <= count; i++) {
    const id = `E${1000 + i}`;
    hr.put('user', id, { employee_id: id, first_name: `First${i}`, last_name: `Last${i}`, email: `p${i}@example.com`, department: 'Sales', active: 'true' }, { enabled: true });
  }
  return hr;
}

/**
 * A store whose export records (the write-behind transactions once the target was first sent to) wait
 * before they commit until the next batch's send has started, or a second has passed: a record that
 * waited for its send, or a send that waited for the record before it, shows in `events`. `fail` makes
 * that record's transaction fail instead of committing.
 */
function observed(db: Db, events: string[], sends: () => number, fail?: number): Db {
  let records = 0;
  const nextSend = async (count: number) => {
    for (const started = Date.now(); sends() < count && Date.now() - started < 1000; ) await new Promise((resolve) => setTimeout(resolve, 5));
  };
  return {
    ...db,
    transaction<T>(work: (tx: Queryable) => Promise<T>, options?: TransactionOptions): Promise<T> {
      if (!options?.writeBehind || sends() === 0) return db.transaction(work, options);
      const batch = ++records;
      return db
        .transaction(async (tx) => {
          const result = await work(tx);
          // What this record's transaction sees: the links of the batches recorded before it, and its own.
          const n = (await tx.query<{ n: number }>(`SELECT CAST(count(*) AS integer) AS n FROM target_link WHERE external_id IS NOT NULL`))[0]!.n;
          if (batch < PEOPLE) await nextSend(batch + 1);
          if (batch === fail) throw new Error(`the store refused record ${batch}`);
          events.push(`record ${batch} (${n} links)`);
          return result;
        }, options)
        .then((result) => {
          events.push(`committed ${batch}`);
          return result;
        });
    },
  };
}

/** The apps connector, noting each send in `events`. */
function noting(apps: MemorySystem, events: string[]): IdentityConnector {
  const connector = memoryConnector(apps);
  return {
    ...connector,
    async export(type: string, changes: readonly ExportChange[]) {
      events.push(`send ${apps.exportCalls + 1}`);
      return connector.export(type, changes);
    },
  };
}

describe('exporting in batches', () => {
  it('sends the next batch while the last is recorded, and commits the records in batch order', async () => {
    const apps = new MemorySystem('key', 'account_id');
    const events: string[] = [];
    h = await harness(hrToApps(), { hr: memoryConnector(hrWith(PEOPLE), { inactiveMeansDeleted: true }), apps: noting(apps, events) });
    const result = await h.cycle({ exportBatch: 1, db: observed(h.db, events, () => apps.exportCalls) });
    expect(result.result).toBe('succeeded');
    expect(result.exports.get('person-to-apps')).toMatchObject({ created: PEOPLE, failed: 0 });
    expect(events).toEqual(['send 1', 'send 2', 'record 1 (1 links)', 'committed 1', 'send 3', 'record 2 (2 links)', 'committed 2', 'record 3 (3 links)', 'committed 3']);
    expect((await h.cycle()).plans[0]!.changes.size).toBe(0);
  });

  it('a record that fails fails the export: the batch sent beside it is not recorded and nothing more is sent', async () => {
    const apps = new MemorySystem('key', 'account_id');
    const events: string[] = [];
    h = await harness(hrToApps(), { hr: memoryConnector(hrWith(PEOPLE), { inactiveMeansDeleted: true }), apps: noting(apps, events) });
    const result = await h.cycle({ exportBatch: 1, db: observed(h.db, events, () => apps.exportCalls, 1) });
    expect(result.result).toBe('failed');
    expect(result.failures).toEqual([expect.objectContaining({ connector: 'apps', stage: 'export', message: expect.stringContaining('the store refused record 1') })]);
    expect(events).toEqual(['send 1', 'send 2']);
    const links = await h.db.query<{ n: number }>(`SELECT CAST(count(*) AS integer) AS n FROM target_link WHERE external_id IS NOT NULL`);
    expect(links[0]!.n).toBe(0);
    // The next cycle reads the two accounts sent back and adopts them; it creates only the third.
    apps.exports = [];
    expect((await h.cycle()).result).toBe('succeeded');
    expect(apps.exports.map((c) => [c.op, c.op === 'create' ? c.key : c.externalId])).toEqual([['create', 'E1003']]);
    expect(apps.rows('account')).toHaveLength(PEOPLE);
  });

  it('a first export that links one target object in two batches hands it to the later link, as a later export would', async () => {
    const apps = new MemorySystem('key', 'account_id');
    // Every Sales person projects to the one account "Sales".
    h = await harness(hrToApps().replace('account_id: "{{employeeId}}"', 'account_id: "{{department}}"'), { hr: memoryConnector(hrWith(2), { inactiveMeansDeleted: true }), apps: memoryConnector(apps) });
    const result = await h.cycle({ exportBatch: 1 });
    expect(result.result).toBe('succeeded');
    expect(apps.exports.map((c) => c.op)).toEqual(['create', 'create']);
    const links = await h.db.query<{ mesh_id: string; external_id: string | null }>(`SELECT mesh_id, external_id FROM target_link WHERE projection = 'person-to-apps'`);
    expect(links.map((l) => l.external_id)).toEqual(['Sales']);
  });
});
