/**
 * One conformance suite for the `sql` connector, run against every driver reachable here: real
 * PostgreSQL (test/integration/sql-postgres.test.ts) and the embedded PGlite driver
 * (test/connectors/sql/embedded.test.ts). Each test makes its own tables in the database's own schema.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, objectsOf } from '../../../src/conformance/import-helpers.js';
import type { ExportChange, ExportResult, IdentityConnector } from '../../../src/connectors/sdk.js';
import { ConfigError, NotSupportedError } from '../../../src/shared/errors.js';

export interface SqlTestDatabase {
  readonly driver: 'postgres' | 'embedded';
  /** The schema this test file owns (created before, dropped after). */
  readonly schema: string;
  /** Runs one statement as the administrator, for fixtures. */
  sql(text: string, params?: unknown[]): Promise<void>;
  /** Opens a connector on this database with these object types. */
  connector(objectTypes: Record<string, unknown>): Promise<IdentityConnector>;
  close(): Promise<void>;
}

// The reading helpers are the exported conformance suite's (identity-mesh/conformance).
export { collect, objectsOf };

function last<T>(items: readonly T[]): T {
  return items[items.length - 1]!;
}

function okIds(results: readonly ExportResult[]): string[] {
  return results.filter((r) => r.ok).map((r) => r.id);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function describeSqlConformance(label: string, open: () => Promise<SqlTestDatabase>): void {
  describe(`sql connector conformance: ${label}`, () => {
    let db: SqlTestDatabase;
    let counter = 0;
    const connectors: IdentityConnector[] = [];
    const table = () => `t${++counter}_${Math.random().toString(36).slice(2, 7)}`;
    const qualified = (name: string) => `${db.schema}.${name}`;
    const connect = async (objectTypes: Record<string, unknown>) => {
      const connector = await db.connector(objectTypes);
      connectors.push(connector);
      return connector;
    };

    beforeAll(async () => {
      db = await open();
    });
    afterAll(async () => {
      for (const c of connectors) await c.close().catch(() => undefined);
      await db?.close();
    });

    async function people(name: string, extra = ''): Promise<void> {
      await db.sql(
        `CREATE TABLE ${qualified(name)} (employee_id text PRIMARY KEY, first_name text, last_name text, email text, department text, is_active boolean, modified_at timestamptz NOT NULL DEFAULT '2020-01-01T00:00:00Z', version bigint NOT NULL DEFAULT 1${extra})`,
      );
    }

    it('full import: every row in batches of 1,000, the last one complete and carrying the watermark', async () => {
      const name = table();
      await people(name);
      await db.sql(
        `INSERT INTO ${qualified(name)} (employee_id, first_name, last_name, email, is_active) SELECT 'E' || lpad(g::text, 5, '0'), 'First' || g, 'Last' || g, NULL, g % 10 <> 0 FROM generate_series(1, 2500) g`,
      );
      const connector = await connect({ user: { table: qualified(name), externalIdColumn: 'employee_id', watermarkColumn: 'modified_at', deltaColumnType: 'datetime', isActiveColumn: 'is_active' } });
      const batches = await collect(connector.fullImport('user'));
      expect(batches.map((b) => b.objects.length)).toEqual([1000, 1000, 500]);
      expect(batches.slice(0, -1).every((b) => b.complete === undefined && b.watermark === undefined)).toBe(true);
      expect(last(batches).complete).toBe(true);
      expect(last(batches).watermark).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      const all = objectsOf(batches);
      expect(all.size).toBe(2500);
      const e7 = all.get('E00007')!;
      expect(e7.attributes).toMatchObject({ employee_id: 'E00007', first_name: 'First7', last_name: 'Last7', is_active: true });
      expect('email' in e7.attributes).toBe(false); // NULL is absent
      expect(e7.enabled).toBe(true);
      // An inactive row is reported disabled, never deleted here: the engine applies inactiveMeansDeleted.
      expect(all.get('E00010')).toMatchObject({ enabled: false });
      expect(all.get('E00010')!.deleted).toBeUndefined();
      expect(connector.capabilities('user')).toMatchObject({ delta: true, export: true, addressing: 'key', keyAttribute: 'employee_id', canDisable: true, inactiveMeansDeleted: true, enabledAttribute: 'is_active' });
    });

    it('pageSize sets the batch size; schema defaults without a watermark column do nothing', async () => {
      const name = table();
      await people(name);
      await db.sql(`INSERT INTO ${qualified(name)} (employee_id) SELECT 'E' || g FROM generate_series(1, 25) g`);
      const connector = await connect({ user: { table: qualified(name), externalIdColumn: 'employee_id', pageSize: 10, deltaColumnType: 'datetime', overlapSeconds: 5, createTable: false, multiValueSeparator: ';' } });
      const batches = await collect(connector.fullImport('user'));
      expect(batches.map((b) => b.objects.length)).toEqual([10, 10, 5]);
      expect(last(batches).watermark).toBeUndefined();
      expect(connector.capabilities('user').delta).toBe(false);
    });

    it('a consumer that stops early releases the connection (no leak, no lock held)', async () => {
      const name = table();
      await people(name);
      await db.sql(`INSERT INTO ${qualified(name)} (employee_id) SELECT 'E' || g FROM generate_series(1, 2500) g`);
      const connector = await connect({ user: { table: qualified(name), externalIdColumn: 'employee_id', watermarkColumn: 'version', deltaColumnType: 'bigint' } });
      for (let i = 0; i < 6; i++) {
        for await (const batch of connector.fullImport('user')) {
          expect(batch.objects.length).toBe(1000);
          break;
        }
      }
      expect((await connector.check()).ok).toBe(true);
      expect(objectsOf(await collect(connector.fullImport('user'))).size).toBe(2500);
    });

    it('an empty table imports as one empty, complete batch', async () => {
      const name = table();
      await people(name);
      const connector = await connect({ user: { table: qualified(name), externalIdColumn: 'employee_id' } });
      const batches = await collect(connector.fullImport('user'));
      expect(batches).toEqual([{ objects: [], complete: true }]);
      expect(connector.capabilities('user')).toMatchObject({ delta: false, canDisable: false, inactiveMeansDeleted: false });
    });

    it('columnsToLoad reads only the listed columns plus the key, watermark and active columns', async () => {
      const name = table();
      await people(name);
      await db.sql(`INSERT INTO ${qualified(name)} (employee_id, first_name, last_name, email, is_active) VALUES ('E1', 'Ada', 'Lovelace', 'ada@example.com', true)`);
      const connector = await connect({ user: { table: qualified(name), externalIdColumn: 'employee_id', columnsToLoad: ['first_name'], watermarkColumn: 'version', deltaColumnType: 'bigint', isActiveColumn: 'is_active' } });
      const [object] = [...objectsOf(await collect(connector.fullImport('user'))).values()];
      expect(Object.keys(object!.attributes).sort()).toEqual(['employee_id', 'first_name', 'is_active', 'version']);
    });

    it('a query source is wrapped as a subquery, imports like a table, and refuses exports', async () => {
      const name = table();
      await people(name);
      await db.sql(`INSERT INTO ${qualified(name)} (employee_id, first_name, department) VALUES ('E1', 'Ada', 'R&D'), ('E2', 'Bob', 'Sales'), ('E3', 'Cy', 'R&D')`);
      const connector = await connect({
        rd: { query: `SELECT employee_id, first_name, modified_at FROM ${qualified(name)} WHERE department = 'R&D';`, externalIdColumn: 'employee_id', watermarkColumn: 'modified_at' },
      });
      const batches = await collect(connector.fullImport('rd'));
      expect([...objectsOf(batches).keys()].sort()).toEqual(['E1', 'E3']);
      const delta = await collect(connector.deltaImport('rd', last(batches).watermark!));
      expect(last(delta).complete).toBeUndefined();
      expect(connector.capabilities('rd').export).toBe(false);
      await expect(connector.export('rd', [{ id: '1', op: 'delete', externalId: 'E1' }])).rejects.toBeInstanceOf(NotSupportedError);
    });

    describe('delta import', () => {
      it('datetime: reads changes since the watermark (inclusive, ordered) and advances it to the server-clock signpost', async () => {
        const name = table();
        await people(name);
        await db.sql(`INSERT INTO ${qualified(name)} (employee_id, first_name) VALUES ('E1', 'Ada'), ('E2', 'Bob'), ('E3', 'Cy')`);
        const connector = await connect({ user: { table: qualified(name), externalIdColumn: 'employee_id', watermarkColumn: 'modified_at', deltaColumnType: 'datetime' } });
        const full = await collect(connector.fullImport('user'));
        const w0 = last(full).watermark!;
        expect(await collect(connector.deltaImport('user', w0))).toEqual([{ objects: [], watermark: expect.any(String) }]);
        await sleep(5);
        await db.sql(`UPDATE ${qualified(name)} SET first_name = 'Bobby', modified_at = clock_timestamp() WHERE employee_id = 'E2'`);
        await db.sql(`UPDATE ${qualified(name)} SET first_name = 'Cyrus', modified_at = clock_timestamp() WHERE employee_id = 'E3'`);
        const delta = await collect(connector.deltaImport('user', w0));
        const changed = delta.flatMap((b) => b.objects);
        expect(changed.map((o) => o.externalId)).toEqual(['E2', 'E3']); // ordered by the watermark column
        expect(changed[0]!.attributes.first_name).toBe('Bobby');
        const w1 = last(delta).watermark!;
        expect(w1 > w0).toBe(true);
        expect(last(delta).complete).toBeUndefined();
      });

      it('datetime: a row committed late with a timestamp inside the overlap window is still read', async () => {
        const name = table();
        await people(name);
        await db.sql(`INSERT INTO ${qualified(name)} (employee_id, first_name) VALUES ('E1', 'Ada')`);
        const connector = await connect({ user: { table: qualified(name), externalIdColumn: 'employee_id', watermarkColumn: 'modified_at', overlapSeconds: 5 } });
        const w0 = last(await collect(connector.fullImport('user'))).watermark!;
        // A writer stamped its row 2 s before our signpost but committed after we read: it was invisible.
        await db.sql(`INSERT INTO ${qualified(name)} (employee_id, first_name, modified_at) VALUES ('LATE', 'Late', $1::timestamptz - interval '2 seconds')`, [w0]);
        const delta = await collect(connector.deltaImport('user', w0));
        expect(delta.flatMap((b) => b.objects).map((o) => o.externalId)).toContain('LATE');
        // Outside the window it would be lost to a delta (the full sweep still finds it): 5 s is the contract.
        await db.sql(`INSERT INTO ${qualified(name)} (employee_id, first_name, modified_at) VALUES ('TOOLATE', 'Too late', $1::timestamptz - interval '10 seconds')`, [w0]);
        const again = await collect(connector.deltaImport('user', w0));
        expect(again.flatMap((b) => b.objects).map((o) => o.externalId)).not.toContain('TOOLATE');
      });

      it('bigint: reads rows from the stored value to max(column), exactly beyond 2^53', async () => {
        const name = table();
        await people(name);
        await db.sql(`INSERT INTO ${qualified(name)} (employee_id, first_name, version) VALUES ('E1', 'Ada', 9007199254740993), ('E2', 'Bob', 9007199254740995)`);
        const connector = await connect({ user: { table: qualified(name), externalIdColumn: 'employee_id', watermarkColumn: 'version', deltaColumnType: 'bigint' } });
        const full = await collect(connector.fullImport('user'));
        expect(last(full).watermark).toBe('9007199254740995');
        expect(objectsOf(full).get('E1')!.attributes.version).toBe('9007199254740993');
        await db.sql(`UPDATE ${qualified(name)} SET first_name = 'Ada L.', version = 9007199254740997 WHERE employee_id = 'E1'`);
        const delta = await collect(connector.deltaImport('user', '9007199254740995'));
        expect(delta.flatMap((b) => b.objects).map((o) => o.externalId)).toEqual(['E2', 'E1']); // E2 is the replayed anchor
        expect(last(delta).watermark).toBe('9007199254740997');
      });

      it('bigint on an empty table keeps the stored watermark', async () => {
        const name = table();
        await people(name);
        const connector = await connect({ user: { table: qualified(name), externalIdColumn: 'employee_id', watermarkColumn: 'version', deltaColumnType: 'bigint' } });
        const full = await collect(connector.fullImport('user'));
        expect(last(full).watermark).toBeUndefined();
        expect(await collect(connector.deltaImport('user', '42'))).toEqual([{ objects: [], watermark: '42' }]);
      });

      it('an unreadable stored watermark falls back to a complete full read', async () => {
        const name = table();
        await people(name);
        await db.sql(`INSERT INTO ${qualified(name)} (employee_id) VALUES ('E1')`);
        const connector = await connect({ user: { table: qualified(name), externalIdColumn: 'employee_id', watermarkColumn: 'version', deltaColumnType: 'bigint' } });
        const batches = await collect(connector.deltaImport('user', '2024-01-01T00:00:00.000000Z'));
        expect(last(batches)).toMatchObject({ complete: true, watermark: '1' });
        expect(objectsOf(batches).has('E1')).toBe(true);
      });

      it('rowversion is refused for this driver when the connector is built', async () => {
        await expect(connect({ user: { table: qualified('x'), externalIdColumn: 'id', watermarkColumn: 'rv', deltaColumnType: 'rowversion' } })).rejects.toThrow(/rowversion is a SQL Server type/);
      });
    });

    describe("the product documents' names and defaults (seed 000, Configuration Fields)", () => {
      it('importQuery takes a schema-qualified table name as the documents write it (dbo.Employees), and exports to it', async () => {
        const name = table();
        await people(name);
        await db.sql(`INSERT INTO ${qualified(name)} (employee_id, first_name) VALUES ('E1', 'Ada')`);
        const connector = await connect({ user: { importQuery: qualified(name), externalIdColumn: 'employee_id' } });
        expect([...objectsOf(await collect(connector.fullImport('user'))).keys()]).toEqual(['E1']);
        expect(connector.capabilities('user').export).toBe(true);
      });

      it('importQuery takes a SELECT as a read-only query source', async () => {
        const name = table();
        await people(name);
        await db.sql(`INSERT INTO ${qualified(name)} (employee_id, department) VALUES ('E1', 'R&D'), ('E2', 'Sales')`);
        const connector = await connect({ rd: { importQuery: `SELECT * FROM ${qualified(name)} WHERE department = 'R&D'`, externalIdColumn: 'employee_id' } });
        expect([...objectsOf(await collect(connector.fullImport('rd'))).keys()]).toEqual(['E1']);
        expect(connector.capabilities('rd').export).toBe(false);
      });

      it('importQuery beside table is refused, naming both', async () => {
        await expect(connect({ user: { table: qualified('a'), importQuery: qualified('b'), externalIdColumn: 'id' } })).rejects.toThrow(/table and importQuery/);
      });

      it('deltaColumn is watermarkColumn, and deltaColumnType long is bigint', async () => {
        const name = table();
        await people(name);
        await db.sql(`INSERT INTO ${qualified(name)} (employee_id, version) VALUES ('E1', 5), ('E2', 7)`);
        const connector = await connect({ user: { table: qualified(name), externalIdColumn: 'employee_id', deltaColumn: 'version', deltaColumnType: 'long' } });
        expect(connector.capabilities('user').delta).toBe(true);
        expect(last(await collect(connector.fullImport('user'))).watermark).toBe('7');
        await db.sql(`UPDATE ${qualified(name)} SET first_name = 'Ada', version = 9 WHERE employee_id = 'E1'`);
        const delta = await collect(connector.deltaImport('user', '7'));
        expect(delta.flatMap((b) => b.objects).map((o) => o.externalId)).toEqual(['E2', 'E1']);
        expect(last(delta).watermark).toBe('9');
        expect((await connector.check()).ok).toBe(true);
      });

      it('deltaColumnType binary: an 8-byte counter compared byte by byte, stored as 0x and 16 hex digits', async () => {
        const name = table();
        await people(name, ', counter bytea NOT NULL');
        await db.sql(`INSERT INTO ${qualified(name)} (employee_id, counter) VALUES ('E1', '\\x00000000000000ff'::bytea), ('E2', '\\x0000000000000100'::bytea)`);
        const connector = await connect({ user: { table: qualified(name), externalIdColumn: 'employee_id', watermarkColumn: 'counter', deltaColumnType: 'binary' } });
        expect((await connector.check()).ok).toBe(true);
        const full = await collect(connector.fullImport('user'));
        expect(last(full).watermark).toBe('0x0000000000000100');
        await db.sql(`UPDATE ${qualified(name)} SET first_name = 'Ada', counter = '\\x0000000000000101'::bytea WHERE employee_id = 'E1'`);
        const delta = await collect(connector.deltaImport('user', '0x0000000000000100'));
        expect(delta.flatMap((b) => b.objects).map((o) => o.externalId)).toEqual(['E2', 'E1']);
        expect(last(delta).watermark).toBe('0x0000000000000101');
        expect(last(delta).complete).toBeUndefined();
        // A bigint column is not a binary counter: check() names both.
        const wrong = await connect({ user: { table: qualified(name), externalIdColumn: 'employee_id', watermarkColumn: 'version', deltaColumnType: 'binary' } });
        expect((await wrong.check()).error?.message).toMatch(/"version".*int8.*binary/);
      });

      it('columnsToLoad: [] reads every column, and a list never needs the key, watermark or active columns', async () => {
        const name = table();
        await people(name);
        await db.sql(`INSERT INTO ${qualified(name)} (employee_id, first_name, last_name, email, department, is_active) VALUES ('E1', 'Ada', 'Lovelace', 'ada@example.com', 'R&D', true)`);
        const all = await connect({ user: { table: qualified(name), externalIdColumn: 'employee_id', columnsToLoad: [] } });
        const [every] = [...objectsOf(await collect(all.fullImport('user'))).values()];
        expect(Object.keys(every!.attributes)).toEqual(expect.arrayContaining(['employee_id', 'first_name', 'last_name', 'email', 'department', 'is_active', 'modified_at', 'version']));
        const some = await connect({ user: { table: qualified(name), externalIdColumn: 'employee_id', columnsToLoad: ['email'], deltaColumn: 'modified_at', isActiveColumn: 'is_active' } });
        const [listed] = [...objectsOf(await collect(some.fullImport('user'))).values()];
        expect(Object.keys(listed!.attributes).sort()).toEqual(['email', 'employee_id', 'is_active', 'modified_at']);
      });

      it('softDeleteValue defaults to true', async () => {
        const name = table();
        await people(name, ', is_deleted boolean');
        await db.sql(`INSERT INTO ${qualified(name)} (employee_id, is_deleted) VALUES ('E1', false), ('E2', true), ('E3', NULL)`);
        const connector = await connect({ user: { table: qualified(name), externalIdColumn: 'employee_id', softDeleteColumn: 'is_deleted' } });
        const all = objectsOf(await collect(connector.fullImport('user')));
        expect([all.get('E1')!.deleted, all.get('E2')!.deleted, all.get('E3')!.deleted]).toEqual([undefined, true, undefined]);
      });
    });

    describe('deletions', () => {
      it('soft delete by softDeleteColumn/softDeleteValue, and back', async () => {
        const name = table();
        await people(name, ', deleted_flag text');
        await db.sql(`INSERT INTO ${qualified(name)} (employee_id, deleted_flag) VALUES ('E1', 'N'), ('E2', 'Y'), ('E3', NULL)`);
        const connector = await connect({ user: { table: qualified(name), externalIdColumn: 'employee_id', softDeleteColumn: 'deleted_flag', softDeleteValue: 'Y' } });
        let all = objectsOf(await collect(connector.fullImport('user')));
        expect([all.get('E1')!.deleted, all.get('E2')!.deleted, all.get('E3')!.deleted]).toEqual([undefined, true, undefined]);
        await db.sql(`UPDATE ${qualified(name)} SET deleted_flag = 'N' WHERE employee_id = 'E2'`);
        all = objectsOf(await collect(connector.fullImport('user')));
        expect(all.get('E2')!.deleted).toBeUndefined();
      });

      it('soft delete with a boolean column and softDeleteValue: true', async () => {
        const name = table();
        await people(name, ', is_deleted boolean');
        await db.sql(`INSERT INTO ${qualified(name)} (employee_id, is_deleted) VALUES ('E1', false), ('E2', true)`);
        const connector = await connect({ user: { table: qualified(name), externalIdColumn: 'employee_id', softDeleteColumn: 'is_deleted', softDeleteValue: true } });
        const all = objectsOf(await collect(connector.fullImport('user')));
        expect(all.get('E1')!.deleted).toBeUndefined();
        expect(all.get('E2')!.deleted).toBe(true);
      });

      it('isActiveColumn (the inverted soft delete): false is a disabled object, true an enabled one', async () => {
        const name = table();
        await people(name);
        await db.sql(`INSERT INTO ${qualified(name)} (employee_id, is_active) VALUES ('E1', true), ('E2', false), ('E3', NULL)`);
        const connector = await connect({ user: { table: qualified(name), externalIdColumn: 'employee_id', isActiveColumn: 'is_active' } });
        const all = objectsOf(await collect(connector.fullImport('user')));
        expect([all.get('E1')!.enabled, all.get('E2')!.enabled, all.get('E3')!.enabled]).toEqual([true, false, undefined]);
        expect(connector.capabilities('user').inactiveMeansDeleted).toBe(true);
      });

      it('hard deletes are found by the sweep: only a full read is complete, and a deleted row is not in it', async () => {
        const name = table();
        await people(name);
        await db.sql(`INSERT INTO ${qualified(name)} (employee_id) VALUES ('E1'), ('E2')`);
        const connector = await connect({ user: { table: qualified(name), externalIdColumn: 'employee_id', watermarkColumn: 'modified_at' } });
        const before = await collect(connector.fullImport('user'));
        await db.sql(`DELETE FROM ${qualified(name)} WHERE employee_id = 'E2'`);
        const delta = await collect(connector.deltaImport('user', last(before).watermark!));
        expect(delta.some((b) => b.complete)).toBe(false); // a delta cannot see a hard delete: no sweep
        const after = await collect(connector.fullImport('user'));
        expect(last(after).complete).toBe(true);
        expect([...objectsOf(after).keys()]).toEqual(['E1']);
      });
    });

    describe('read by key (confirming import)', () => {
      it('returns exactly the rows asked for, as a full import maps them, never complete; missing keys are left out', async () => {
        const name = table();
        await people(name, ', deleted_flag text');
        await db.sql(
          `INSERT INTO ${qualified(name)} (employee_id, first_name, is_active, deleted_flag) SELECT 'E' || lpad(g::text, 5, '0'), 'First' || g, g % 2 = 0, CASE WHEN g = 7 THEN 'Y' END FROM generate_series(1, 300) g`,
        );
        const connector = await connect({ user: { table: qualified(name), externalIdColumn: 'employee_id', isActiveColumn: 'is_active', softDeleteColumn: 'deleted_flag', softDeleteValue: 'Y' } });
        const wanted = ['E00002', 'E00007', 'E00150', 'E99999', 'E00002', ''];
        const batches = await collect(connector.readObjects!('user', wanted));
        expect(batches.some((b) => b.complete || b.watermark !== undefined)).toBe(false);
        const read = objectsOf(batches);
        expect([...read.keys()].sort()).toEqual(['E00002', 'E00007', 'E00150']);
        const full = objectsOf(await collect(connector.fullImport('user')));
        for (const id of read.keys()) expect(read.get(id)).toEqual(full.get(id));
        expect(read.get('E00007')!.deleted).toBe(true);
        expect(read.get('E00002')!.enabled).toBe(true);
        expect(await collect(connector.readObjects!('user', []))).toEqual([]);
      });

      it('more keys than one statement takes are looked up in several statements', async () => {
        const name = table();
        await people(name);
        await db.sql(`INSERT INTO ${qualified(name)} (employee_id, first_name) SELECT 'K' || g, 'First' || g FROM generate_series(1, 20) g`);
        const connector = await connect({ user: { table: qualified(name), externalIdColumn: 'employee_id', columnsToLoad: ['first_name'] } });
        // 12,000 keys, most of them absent: the rows found are spread over every statement's slice.
        const keys = Array.from({ length: 12_000 }, (_, i) => `K${i + 1}`);
        const read = objectsOf(await collect(connector.readObjects!('user', keys)));
        expect(read.size).toBe(20);
        expect(read.get('K20')).toEqual({ externalId: 'K20', attributes: { employee_id: 'K20', first_name: 'First20' } });
        const tail = objectsOf(await collect(connector.readObjects!('user', [...keys.slice(100, 11_990), 'K3'])));
        expect([...tail.keys()]).toEqual(['K3']);
      });

      it('a key column of another type than text is compared as that type', async () => {
        const name = table();
        await db.sql(`CREATE TABLE ${qualified(name)} (badge integer PRIMARY KEY, display_name text)`);
        await db.sql(`INSERT INTO ${qualified(name)} (badge, display_name) VALUES (7, 'Seven'), (42, 'Forty-two')`);
        const connector = await connect({ badge: { table: qualified(name), externalIdColumn: 'badge' } });
        const read = objectsOf(await collect(connector.readObjects!('badge', ['42', '8'])));
        expect([...read.keys()]).toEqual(['42']);
        expect(read.get('42')!.attributes.display_name).toBe('Forty-two');
      });

      it('a query source is read by key too (the key filters the subquery)', async () => {
        const name = table();
        await people(name);
        await db.sql(`INSERT INTO ${qualified(name)} (employee_id, first_name) VALUES ('Q1', 'One'), ('Q2', 'Two')`);
        const connector = await connect({ user: { query: `SELECT employee_id, upper(first_name) AS shout FROM ${qualified(name)}`, externalIdColumn: 'employee_id' } });
        const read = objectsOf(await collect(connector.readObjects!('user', ['Q2'])));
        expect([...read.values()]).toEqual([{ externalId: 'Q2', attributes: { employee_id: 'Q2', shout: 'TWO' } }]);
      });
    });

    describe('export', () => {
      async function target(extra = '') {
        const name = table();
        await db.sql(
          `CREATE TABLE ${qualified(name)} (account_id text PRIMARY KEY, display_name text NOT NULL, email text, roles text[], groups text, owner_note text, is_active boolean NOT NULL DEFAULT true, deleted text${extra})`,
        );
        return name;
      }

      it('upserts creates in one statement per batch, touching only the mapped columns; replays are harmless', async () => {
        const name = await target();
        await db.sql(`INSERT INTO ${qualified(name)} (account_id, display_name, owner_note) VALUES ('A2', 'Old name', 'keep me')`);
        const connector = await connect({ account: { table: qualified(name), externalIdColumn: 'account_id', isActiveColumn: 'is_active' } });
        const changes: ExportChange[] = [
          { id: 'c1', op: 'create', key: 'A1', attributes: { account_id: 'A1', display_name: 'Ada Lovelace', email: 'ada@example.com', roles: ['admin', 'dev'], groups: ['g1', 'g2'] }, enabled: true },
          { id: 'c2', op: 'create', key: 'A2', attributes: { account_id: 'A2', display_name: 'New name' }, enabled: false },
        ];
        const results = await connector.export('account', changes);
        expect(results).toEqual([
          { id: 'c1', ok: true, externalId: 'A1' },
          { id: 'c2', ok: true, externalId: 'A2' },
        ]);
        expect(await connector.export('account', changes)).toEqual(results); // idempotent
        const all = objectsOf(await collect(connector.fullImport('account')));
        expect(all.get('A1')!.attributes).toMatchObject({ display_name: 'Ada Lovelace', roles: ['admin', 'dev'], groups: 'g1;g2', is_active: true });
        expect(all.get('A2')!.attributes).toMatchObject({ display_name: 'New name', owner_note: 'keep me', is_active: false });
        expect(all.get('A2')!.enabled).toBe(false);
      });

      it('update, disable, enable and delete', async () => {
        const name = await target();
        await db.sql(`INSERT INTO ${qualified(name)} (account_id, display_name, email, roles, groups) VALUES ('A1', 'Ada', 'old@example.com', '{a,b}', 'x;y'), ('A2', 'Bob', NULL, NULL, NULL)`);
        const connector = await connect({ account: { table: qualified(name), externalIdColumn: 'account_id', isActiveColumn: 'is_active' } });
        const results = await connector.export('account', [
          { id: 'u1', op: 'update', externalId: 'A1', attributes: { email: { from: 'old@example.com', to: 'new@example.com' }, roles: { add: ['c'], remove: ['a'] }, groups: { add: ['z'], remove: ['x'] } } },
          { id: 'd1', op: 'disable', externalId: 'A1' },
          { id: 'x1', op: 'delete', externalId: 'A2' },
          { id: 'x2', op: 'delete', externalId: 'NOPE' },
        ]);
        expect(okIds(results)).toEqual(['u1', 'd1', 'x1', 'x2']);
        let all = objectsOf(await collect(connector.fullImport('account')));
        expect(all.get('A1')!.attributes).toMatchObject({ email: 'new@example.com', roles: ['b', 'c'], groups: 'y;z', is_active: false });
        expect(all.has('A2')).toBe(false);
        await connector.export('account', [{ id: 'e1', op: 'enable', externalId: 'A1' }, { id: 'u2', op: 'update', externalId: 'A1', attributes: { email: { from: 'new@example.com' } } }]);
        all = objectsOf(await collect(connector.fullImport('account')));
        expect(all.get('A1')!.enabled).toBe(true);
        expect('email' in all.get('A1')!.attributes).toBe(false); // cleared
      });

      it('delete writes the soft-delete column when one is configured', async () => {
        const name = await target();
        await db.sql(`INSERT INTO ${qualified(name)} (account_id, display_name) VALUES ('A1', 'Ada')`);
        const connector = await connect({ account: { table: qualified(name), externalIdColumn: 'account_id', softDeleteColumn: 'deleted', softDeleteValue: 'yes' } });
        expect(okIds(await connector.export('account', [{ id: 'x', op: 'delete', externalId: 'A1' }]))).toEqual(['x']);
        const all = objectsOf(await collect(connector.fullImport('account')));
        expect(all.get('A1')).toMatchObject({ deleted: true, attributes: { deleted: 'yes' } });
      });

      it('a failing row is isolated: the batch is retried row by row and the bad row reported with its key and the database message', async () => {
        const name = await target();
        await db.sql(`INSERT INTO ${qualified(name)} (account_id, display_name) VALUES ('A9', 'Existing')`);
        const connector = await connect({ account: { table: qualified(name), externalIdColumn: 'account_id', isActiveColumn: 'is_active' } });
        const results = await connector.export('account', [
          { id: 'good1', op: 'create', key: 'A1', attributes: { account_id: 'A1', display_name: 'Ada' } },
          { id: 'bad', op: 'create', key: 'A2', attributes: { account_id: 'A2', email: 'no-name@example.com' } }, // display_name NOT NULL
          { id: 'gone', op: 'update', externalId: 'MISSING', attributes: { email: { to: 'x@example.com' } } },
          { id: 'badbool', op: 'create', key: 'A4', attributes: { account_id: 'A4', display_name: 'Dee', is_active: 'maybe' } },
          { id: 'good2', op: 'update', externalId: 'A9', attributes: { display_name: { to: 'Renamed' } } },
        ]);
        expect(okIds(results)).toEqual(['good1', 'good2']);
        const bad = results.find((r) => r.id === 'bad')!;
        expect(bad).toMatchObject({ ok: false, error: { code: 'ConstraintViolation', retryable: false } });
        expect(!bad.ok && bad.error.message).toMatch(/A2/);
        expect(!bad.ok && bad.error.message).toMatch(/display_name/);
        expect(results.find((r) => r.id === 'gone')).toMatchObject({ ok: false, error: { code: 'ObjectNotFound' } });
        expect(results.find((r) => r.id === 'badbool')).toMatchObject({ ok: false, error: { code: 'InvalidValue' } });
        const all = objectsOf(await collect(connector.fullImport('account')));
        expect([...all.keys()].sort()).toEqual(['A1', 'A9']);
        expect(all.get('A9')!.attributes.display_name).toBe('Renamed');
      });

      it('an attribute with no column fails that change with ColumnNotFound', async () => {
        const name = await target();
        const connector = await connect({ account: { table: qualified(name), externalIdColumn: 'account_id' } });
        const [result] = await connector.export('account', [{ id: 'c', op: 'create', key: 'A1', attributes: { account_id: 'A1', display_name: 'Ada', shoe_size: '42' } }]);
        expect(result).toMatchObject({ ok: false, error: { code: 'ColumnNotFound' } });
        expect(!result!.ok && result!.error.message).toMatch(/shoe_size/);
      });

      it('10,000 upserts go through in batches', async () => {
        const name = await target();
        const connector = await connect({ account: { table: qualified(name), externalIdColumn: 'account_id', isActiveColumn: 'is_active' } });
        const changes: ExportChange[] = Array.from({ length: 10_000 }, (_, i) => ({ id: `c${i}`, op: 'create', key: `A${i}`, attributes: { account_id: `A${i}`, display_name: `User ${i}`, roles: ['r1'] }, enabled: i % 2 === 0 }));
        const results = await connector.export('account', changes);
        expect(results.every((r) => r.ok)).toBe(true);
        const all = objectsOf(await collect(connector.fullImport('account')));
        expect(all.size).toBe(10_000);
        expect(all.get('A9999')).toMatchObject({ enabled: false, attributes: { display_name: 'User 9999' } });
      });
    });

    describe('injection', () => {
      it('values are bound, never spliced into SQL', async () => {
        const name = table();
        await db.sql(`CREATE TABLE ${qualified(name)} (id text PRIMARY KEY, note text)`);
        const connector = await connect({ t: { table: qualified(name), externalIdColumn: 'id' } });
        const evil = [`x'); DROP TABLE ${qualified(name)}; --`, `'; DELETE FROM ${qualified(name)} WHERE '1'='1`, '$1', '@p1', '"; --', '\\'];
        const results = await connector.export(
          't',
          evil.map((value, i) => ({ id: String(i), op: 'create', key: `${value}#${i}`, attributes: { id: `${value}#${i}`, note: value } })),
        );
        expect(results.every((r) => r.ok)).toBe(true);
        const all = objectsOf(await collect(connector.fullImport('t')));
        expect(all.size).toBe(evil.length);
        evil.forEach((value, i) => expect(all.get(`${value}#${i}`)!.attributes.note).toBe(value));
        // and the watermark bound is a parameter too
        const wm = await connect({ t: { table: qualified(name), externalIdColumn: 'id', watermarkColumn: 'id', deltaColumnType: 'bigint' } });
        await expect(collect(wm.deltaImport('t', "1 OR 1=1"))).resolves.toBeDefined(); // unreadable → full read, not SQL
      });

      it.each([
        ['table', { table: 'accounts; DROP TABLE accounts', externalIdColumn: 'id' }, /table/],
        ['table with quotes', { table: 'public."accounts"', externalIdColumn: 'id' }, /table/],
        ['three-part table', { table: 'a.b.c', externalIdColumn: 'id' }, /table/],
        ['externalIdColumn', { table: 'accounts', externalIdColumn: 'id" FROM x; --' }, /externalIdColumn/],
        ['watermarkColumn', { table: 'accounts', externalIdColumn: 'id', watermarkColumn: 'modified_at) OR (1=1' }, /watermarkColumn/],
        ['isActiveColumn', { table: 'accounts', externalIdColumn: 'id', isActiveColumn: 'is active' }, /isActiveColumn/],
        ['softDeleteColumn', { table: 'accounts', externalIdColumn: 'id', softDeleteColumn: "x'--", softDeleteValue: 'y' }, /softDeleteColumn/],
        ['columnsToLoad', { table: 'accounts', externalIdColumn: 'id', columnsToLoad: ['name', 'pg_sleep(10)'] }, /columnsToLoad\[1\]/],
        ['query with a second statement', { query: 'SELECT 1 AS id; DROP TABLE accounts', externalIdColumn: 'id' }, /single statement/],
        ['query that writes', { query: 'DELETE FROM accounts RETURNING id', externalIdColumn: 'id' }, /read-only SELECT/],
        ['table and query', { table: 'accounts', query: 'SELECT 1 AS id', externalIdColumn: 'id' }, /one of table, query and importQuery, not table and query/],
      ])('a configured %s that is not a plain identifier is refused when the connector is built', async (_what, spec, message) => {
        const attempt = db.connector({ t: spec });
        await expect(attempt).rejects.toBeInstanceOf(ConfigError);
        await expect(attempt).rejects.toThrow(message);
      });
    });

    it('type fidelity: bigint, numeric, microsecond timestamps, bytea, booleans, NULLs, unicode, arrays', async () => {
      const name = table();
      await db.sql(
        `CREATE TABLE ${qualified(name)} (id int8 PRIMARY KEY, amount numeric(40,10), small int4, ratio float8, at timestamptz, local_at timestamp, day date, blob bytea, flag boolean, nothing text, name text, tags text[], ids int8[], uid uuid, doc jsonb)`,
      );
      await db.sql(
        `INSERT INTO ${qualified(name)} VALUES (9223372036854775807, 123456789012345678901234567890.0123456789, 42, 0.5, '2024-02-29 23:59:59.123456+02', '2024-03-01 12:00:00.000001', '2024-03-01', '\\xdeadbeef00', false, NULL, 'Zoë 日本語 🚀 ''quoted'' "double"', '{alpha,"b c",NULL}', '{9007199254740993}', '123e4567-e89b-12d3-a456-426614174000', '{"a": [1, 2]}')`,
      );
      const connector = await connect({ t: { table: qualified(name), externalIdColumn: 'id' } });
      const [object] = [...objectsOf(await collect(connector.fullImport('t'))).values()];
      expect(object!.externalId).toBe('9223372036854775807');
      expect(object!.attributes).toEqual({
        id: '9223372036854775807',
        amount: '123456789012345678901234567890.0123456789',
        small: 42,
        ratio: 0.5,
        at: '2024-02-29T21:59:59.123456Z',
        local_at: '2024-03-01T12:00:00.000001Z',
        day: '2024-03-01',
        blob: 'deadbeef00',
        flag: false,
        name: `Zoë 日本語 🚀 'quoted' "double"`,
        tags: ['alpha', 'b c'],
        ids: ['9007199254740993'],
        uid: '123e4567-e89b-12d3-a456-426614174000',
        doc: '{"a": [1, 2]}',
      });
    });

    it('text holding tabs, newlines, carriage returns, backslashes and a literal \\N reads back as written, in full and by key', async () => {
      const name = table();
      await db.sql(`CREATE TABLE ${qualified(name)} (id text PRIMARY KEY, note text, tags text[], blob bytea, empty text)`);
      const tricky = 'tab\there\nnew line\r\nback\\slash \\N end\\';
      await db.sql(`INSERT INTO ${qualified(name)} VALUES ($1, $2, $3, $4, $5), ($6, $7, NULL, NULL, NULL)`, [
        'a\tb',
        tricky,
        ['x\\y', 'q"uote', 'tab\tin', 'NULL-ish'],
        Buffer.from([0x5c, 0x0a, 0x09, 0x00]),
        '',
        '\\N',
        '\\N',
      ]);
      const connector = await connect({ t: { table: qualified(name), externalIdColumn: 'id' } });
      const full = objectsOf(await collect(connector.fullImport('t')));
      expect([...full.keys()].sort()).toEqual(['\\N', 'a\tb']);
      expect(full.get('a\tb')!.attributes).toEqual({ id: 'a\tb', note: tricky, tags: ['x\\y', 'q"uote', 'tab\tin', 'NULL-ish'], blob: '5c0a0900', empty: '' });
      expect(full.get('\\N')!.attributes).toEqual({ id: '\\N', note: '\\N' });
      const byKey = objectsOf(await collect(connector.readObjects!('t', ['a\tb', '\\N'])));
      expect(byKey.get('a\tb')!.attributes).toEqual(full.get('a\tb')!.attributes);
      expect(byKey.get('\\N')!.attributes).toEqual(full.get('\\N')!.attributes);
    });

    it('a full read larger than the read-ahead bound arrives whole and in order', async () => {
      const name = table();
      await people(name);
      await db.sql(`INSERT INTO ${qualified(name)} (employee_id, first_name) SELECT 'E' || lpad(g::text, 6, '0'), repeat('x', g % 300) FROM generate_series(1, 25000) g`);
      const connector = await connect({ user: { table: qualified(name), externalIdColumn: 'employee_id', pageSize: 700 } });
      const batches = await collect(connector.fullImport('user'));
      const ids = batches.flatMap((b) => b.objects.map((o) => o.externalId));
      expect(ids.length).toBe(25000);
      expect(ids[0]).toBe('E000001');
      expect(ids[24999]).toBe('E025000');
      expect(ids.every((id, i) => i === 0 || ids[i - 1]! < id)).toBe(true);
      expect(batches.slice(0, -2).every((b) => b.objects.length === 700)).toBe(true);
      expect(batches.flatMap((b) => b.objects).find((o) => o.externalId === 'E000299')!.attributes.first_name).toBe('x'.repeat(299));
    });

    describe('check()', () => {
      it('reports the server version, row counts per object type and latency', async () => {
        const a = table();
        await people(a);
        await db.sql(`INSERT INTO ${qualified(a)} (employee_id) VALUES ('E1'), ('E2'), ('E3')`);
        const connector = await connect({
          user: { table: qualified(a), externalIdColumn: 'employee_id', watermarkColumn: 'modified_at', isActiveColumn: 'is_active' },
          versioned: { table: qualified(a), externalIdColumn: 'employee_id', watermarkColumn: 'version', deltaColumnType: 'bigint' },
        });
        const result = await connector.check();
        expect(result).toMatchObject({ ok: true, objectTypes: { user: { count: 3 }, versioned: { count: 3 } } });
        expect(result.server).toMatch(/PostgreSQL/);
        expect(result.latencyMs).toBeGreaterThanOrEqual(0);
      });

      it('refuses a watermark column whose type does not match deltaColumnType, naming the column and both types', async () => {
        const name = table();
        await db.sql(`CREATE TABLE ${qualified(name)} (id text PRIMARY KEY, changed_on date, stamp text, n int8, at timestamptz)`);
        const check = async (watermarkColumn: string, deltaColumnType: string) => (await connect({ t: { table: qualified(name), externalIdColumn: 'id', watermarkColumn, deltaColumnType } })).check();
        const text = await check('stamp', 'datetime');
        expect(text).toMatchObject({ ok: false, error: { code: 'WatermarkTypeMismatch' } });
        expect(text.error!.message).toMatch(/"stamp".*text.*datetime/);
        const date = await check('changed_on', 'datetime');
        expect(date.error!.message).toMatch(/"changed_on".*date.*no time of day/);
        expect((await check('at', 'bigint')).error!.message).toMatch(/"at".*timestamptz.*bigint/);
        expect((await check('n', 'bigint')).ok).toBe(true);
        expect((await check('at', 'datetime')).ok).toBe(true);
      });

      it('a missing table and a missing column get distinct, clear errors', async () => {
        const missingTable = await (await connect({ t: { table: qualified('no_such_table'), externalIdColumn: 'id' } })).check();
        expect(missingTable).toMatchObject({ ok: false, error: { code: 'TableNotFound' } });
        expect(missingTable.error!.message).toMatch(/no_such_table/);
        const name = table();
        await db.sql(`CREATE TABLE ${qualified(name)} (id text PRIMARY KEY, name text)`);
        const missingColumn = await (await connect({ t: { table: qualified(name), externalIdColumn: 'id', isActiveColumn: 'active' } })).check();
        expect(missingColumn).toMatchObject({ ok: false, error: { code: 'ColumnNotFound' } });
        expect(missingColumn.error!.message).toMatch(/"active".*isActiveColumn/);
      });
    });
  });
}
