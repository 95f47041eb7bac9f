/**
 * The connector contract as tests: what the engine relies on from every connector (docs/connector-sdk.md),
 * run with vitest against a connector and a fresh, empty system per test. Built-in connectors run it
 * (test/conformance/), and so can a third party against theirs:
 *
 *   import { describeConnectorConformance } from 'identity-mesh/conformance';
 *   describeConnectorConformance('acme', { objectType: 'user', open: async () => …, newObject: (i) => … });
 *
 * Errors are checked by shape (`code`, `retryable`), never by class, so a connector built against
 * another copy of the SDK passes the same way.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ExportChange, ExportResult, IdentityConnector, ImportBatch, Scalar } from '../connectors/sdk.js';
import { collect, objectsOf } from './import-helpers.js';

export interface ConformanceSubject {
  /** The object type the suite reads and writes. */
  readonly objectType: string;
  /** Opens a connector over a fresh system whose `objectType` holds no objects. */
  open(): Promise<IdentityConnector>;
  /**
   * The `i`th distinct object to create: its key (for key-addressed types) and attributes, at least
   * one of them `updatable` below.
   */
  newObject(i: number): { readonly key?: string; readonly attributes: Readonly<Record<string, Scalar>> };
  /** A single-valued string attribute the suite may change. */
  readonly updatable: string;
  /**
   * For read-only types: puts objects into the system behind the connector's back (the suite then
   * skips the export tests), and returns their external ids in order — or nothing, when each object's
   * `updatable` value is distinct: the suite then finds them by it. Writable types are seeded through
   * `export`.
   */
  seed?(connector: IdentityConnector, objects: readonly { readonly key?: string; readonly attributes: Readonly<Record<string, Scalar>> }[]): Promise<readonly string[] | void>;
}

function last<T>(items: readonly T[]): T {
  const item = items[items.length - 1];
  if (item === undefined) throw new Error('an import yielded no batch: even an empty read yields one (empty) batch');
  return item;
}

function expectTypedError(error: unknown): void {
  expect(error, 'a connector throws Error objects').toBeInstanceOf(Error);
  expect(typeof (error as { code?: unknown }).code, 'errors carry a string code').toBe('string');
  expect(typeof (error as { retryable?: unknown }).retryable, 'errors say whether retrying can help').toBe('boolean');
}

/** Only the last batch may say `complete` or carry the watermark. */
function expectWellFormedRead(batches: readonly ImportBatch[]): void {
  expect(batches.length).toBeGreaterThan(0);
  for (const batch of batches.slice(0, -1)) {
    expect(batch.watermark, 'only the last batch carries the watermark').toBeUndefined();
    expect(batch.complete, 'only the last batch says complete').toBeUndefined();
  }
  const ids = batches.flatMap((b) => b.objects.map((o) => o.externalId));
  expect(new Set(ids).size, 'each object once per read').toBe(ids.length);
  for (const id of ids) expect(typeof id === 'string' && id !== '', 'external ids are non-empty strings').toBe(true);
  const watermark = last(batches).watermark;
  if (watermark !== undefined) expect(typeof watermark).toBe('string');
}

function okResults(results: readonly ExportResult[], changes: readonly ExportChange[]): Map<string, string | undefined> {
  expect(results.map((r) => r.id).sort(), 'one result per change, by id').toEqual(changes.map((c) => c.id).sort());
  const failed = results.filter((r) => !r.ok);
  expect(failed, 'every change succeeded').toEqual([]);
  return new Map(results.map((r) => [r.id, r.ok ? r.externalId : undefined]));
}

export function describeConnectorConformance(label: string, subject: ConformanceSubject): void {
  describe(`connector conformance: ${label}`, () => {
    const opened: IdentityConnector[] = [];
    const open = async (): Promise<IdentityConnector> => {
      const connector = await subject.open();
      opened.push(connector);
      return connector;
    };
    afterEach(async () => {
      for (const connector of opened.splice(0)) await connector.close();
    });
    const type = subject.objectType;
    const creates = (from: number, count: number): ExportChange[] =>
      Array.from({ length: count }, (_, n) => {
        const object = subject.newObject(from + n);
        return { id: `create-${from + n}`, op: 'create', ...(object.key !== undefined ? { key: object.key } : {}), attributes: object.attributes, enabled: true };
      });
    /** Seeds `count` objects and returns their external ids by `newObject` index. */
    const seed = async (connector: IdentityConnector, count: number): Promise<string[]> => {
      if (subject.seed) {
        const objects = Array.from({ length: count }, (_, i) => subject.newObject(i));
        const returned = await subject.seed(connector, objects);
        if (returned) {
          expect(returned, 'seed returns one external id per object').toHaveLength(count);
          return [...returned];
        }
        const read = [...objectsOf(await collect(connector.fullImport(type))).values()];
        return objects.map((object) => {
          const found = read.find((staged) => staged.attributes[subject.updatable] === object.attributes[subject.updatable]);
          expect(found, `the seeded object whose ${subject.updatable} is ${String(object.attributes[subject.updatable])} is read back`).toBeDefined();
          return found!.externalId;
        });
      }
      const changes = creates(0, count);
      const ids = okResults(await connector.export(type, changes), changes);
      return changes.map((c) => {
        const id = ids.get(c.id);
        expect(id, 'a create returns the new object’s external id').toBeTypeOf('string');
        return id as string;
      });
    };

    it('states its capabilities without a connection: booleans and an addressing mode', async () => {
      const capabilities = (await open()).capabilities(type);
      expect(typeof capabilities.delta).toBe('boolean');
      expect(typeof capabilities.export).toBe('boolean');
      expect(typeof capabilities.canDisable).toBe('boolean');
      expect(typeof capabilities.inactiveMeansDeleted).toBe('boolean');
      expect(['dn', 'key', 'server-assigned']).toContain(capabilities.addressing);
      if (capabilities.addressing === 'key') expect(capabilities.keyAttribute).toBeTypeOf('string');
    });

    it('check() reaches the system and counts the object type', async () => {
      const connector = await open();
      await seed(connector, 3);
      const result = await connector.check();
      expect(result.ok).toBe(true);
      expect(result.latencyMs).toBeGreaterThanOrEqual(0);
      expect(result.objectTypes[type]?.count).toBe(3);
    });

    it('a full import of an empty type yields one empty, complete batch', async () => {
      const batches = await collect((await open()).fullImport(type));
      expectWellFormedRead(batches);
      expect(batches.flatMap((b) => b.objects)).toEqual([]);
      expect(last(batches).complete).toBe(true);
    });

    it('a full import returns every object once, in batches, the last one complete', async () => {
      const connector = await open();
      const ids = await seed(connector, 25);
      const batches = await collect(connector.fullImport(type));
      expectWellFormedRead(batches);
      expect(last(batches).complete).toBe(true);
      const all = objectsOf(batches);
      expect([...all.keys()].sort()).toEqual([...ids].sort());
      const first = all.get(ids[0]!)!;
      expect(first.attributes[subject.updatable]).toEqual(subject.newObject(0).attributes[subject.updatable]);
      expect(first.deleted).toBeFalsy();
      if (connector.capabilities(type).delta) expect(last(batches).watermark, 'a delta-capable type ends a full read with a watermark').toBeTypeOf('string');
    });

    it('a consumer that stops after the first batch leaves the connector usable', async () => {
      const connector = await open();
      await seed(connector, 25);
      for await (const _batch of connector.fullImport(type)) break;
      expect((await connector.check()).ok).toBe(true);
      expect(objectsOf(await collect(connector.fullImport(type))).size).toBe(25);
    });

    it('a delta import from a full import’s watermark returns what changed since, and a new watermark', async (context) => {
      const connector = await open();
      if (!connector.capabilities(type).delta || !connector.capabilities(type).export) return context.skip();
      const [firstId] = await seed(connector, 3);
      const watermark = last(await collect(connector.fullImport(type))).watermark!;
      const update: ExportChange = { id: 'u', op: 'update', externalId: firstId!, attributes: { [subject.updatable]: { to: 'changed-by-conformance' } } };
      okResults(await connector.export(type, [update]), [update]);
      const added = creates(100, 1);
      const [newId] = [...okResults(await connector.export(type, added), added).values()];
      const delta = await collect(connector.deltaImport(type, watermark));
      expectWellFormedRead(delta);
      expect(last(delta).complete, 'a delta read is not complete (unless it fell back to a full read)').toBeFalsy();
      const changed = objectsOf(delta);
      expect(changed.get(firstId!)?.attributes[subject.updatable]).toBe('changed-by-conformance');
      expect(changed.has(newId!)).toBe(true);
      const next = last(delta).watermark;
      expect(next).toBeTypeOf('string');
      // The lower bound is inclusive: reading again from the new watermark may replay, never lose.
      const again = objectsOf(await collect(connector.deltaImport(type, next!)));
      expect(again.has(firstId!) ? again.get(firstId!)!.attributes[subject.updatable] : 'changed-by-conformance').toBe('changed-by-conformance');
    });

    it('an unreadable watermark falls back to a complete read, or fails with a typed error', async (context) => {
      const connector = await open();
      if (!connector.capabilities(type).delta) return context.skip();
      await seed(connector, 2);
      try {
        const batches = await collect(connector.deltaImport(type, '\u0000not a watermark'));
        expect(last(batches).complete).toBe(true);
        expect(objectsOf(batches).size).toBe(2);
      } catch (error) {
        expectTypedError(error);
      }
    });

    describe('export', () => {
      it('create returns the new external ids; replaying the same creates is harmless', async (context) => {
        const connector = await open();
        if (!connector.capabilities(type).export) return context.skip();
        const changes = creates(0, 5);
        const first = okResults(await connector.export(type, changes), changes);
        const replay = okResults(await connector.export(type, changes), changes);
        expect(replay).toEqual(first);
        expect(objectsOf(await collect(connector.fullImport(type))).size).toBe(5);
      });

      it('update, disable, enable and delete show in the next import; deleting a missing object succeeds', async (context) => {
        const connector = await open();
        const capabilities = connector.capabilities(type);
        if (!capabilities.export) return context.skip();
        const [a, b] = await seed(connector, 2);
        const changes: ExportChange[] = [
          { id: 'u', op: 'update', externalId: a!, attributes: { [subject.updatable]: { from: subject.newObject(0).attributes[subject.updatable], to: 'updated' } } },
          ...(capabilities.canDisable ? [{ id: 'd', op: 'disable' as const, externalId: a! }] : []),
          { id: 'x', op: 'delete', externalId: b! },
          { id: 'gone', op: 'delete', externalId: `${b!}-never-existed` },
        ];
        okResults(await connector.export(type, changes), changes);
        let all = objectsOf(await collect(connector.fullImport(type)));
        expect(all.get(a!)?.attributes[subject.updatable]).toBe('updated');
        if (capabilities.canDisable) expect(all.get(a!)?.enabled).toBe(false);
        expect(all.get(b!) === undefined || all.get(b!)?.deleted === true, 'a deleted object is gone or marked deleted').toBe(true);
        if (capabilities.canDisable) {
          const enable: ExportChange = { id: 'e', op: 'enable', externalId: a! };
          okResults(await connector.export(type, [enable]), [enable]);
          all = objectsOf(await collect(connector.fullImport(type)));
          expect(all.get(a!)?.enabled).toBe(true);
        }
      });

      it('a change that cannot apply fails alone, with a code and whether a retry can help', async (context) => {
        const connector = await open();
        if (!connector.capabilities(type).export) return context.skip();
        const [a] = await seed(connector, 1);
        const changes: ExportChange[] = [
          { id: 'missing', op: 'update', externalId: `${a!}-never-existed`, attributes: { [subject.updatable]: { to: 'x' } } },
          { id: 'fine', op: 'update', externalId: a!, attributes: { [subject.updatable]: { to: 'fine' } } },
        ];
        const results = await connector.export(type, changes);
        const missing = results.find((r) => r.id === 'missing');
        expect(missing?.ok).toBe(false);
        if (missing && !missing.ok) {
          expect(missing.error.code).toBeTypeOf('string');
          expect(missing.error.retryable).toBe(false);
          expect(missing.error.message).toContain(`${a!}-never-existed`);
        }
        expect(results.find((r) => r.id === 'fine')?.ok).toBe(true);
      });

      it('a type that cannot be written refuses with NotSupported, never a silent no-op', async (context) => {
        const connector = await open();
        if (connector.capabilities(type).export) return context.skip();
        const attempt = connector.export(type, creates(0, 1));
        await expect(attempt).rejects.toMatchObject({ code: 'NotSupported' });
        await attempt.catch(expectTypedError);
      });
    });
  });
}
