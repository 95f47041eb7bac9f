/**
 * The conformance suite's path for read-only types: objects are seeded behind the connector's back,
 * the export tests give way to "refuses with NotSupported". Run against a minimal read-only connector
 * kept here: the subject under test is the suite.
 */
import { describeConnectorConformance } from '../../src/conformance/index.js';
import type { IdentityConnector, ImportBatch, Scalar, StagedObject } from '../../src/connectors/sdk.js';
import { ConnectorError, NotSupportedError } from '../../src/shared/errors.js';

/** A read-only directory of people with a change counter as its watermark. */
function readOnlyPeople(): IdentityConnector & { add(attributes: Readonly<Record<string, Scalar>>): string } {
  const people = new Map<string, { changed: number; attributes: Record<string, Scalar> }>();
  let counter = 0;
  const batchesOf = function* (objects: StagedObject[], end: Partial<ImportBatch>): Generator<ImportBatch> {
    for (let i = 0; i < objects.length || i === 0; i += 10) yield i + 10 >= objects.length ? { objects: objects.slice(i, i + 10), ...end } : { objects: objects.slice(i, i + 10) };
  };
  const staged = ([id, person]: [string, { attributes: Record<string, Scalar> }]): StagedObject => ({ externalId: id, attributes: person.attributes });
  return {
    add(attributes) {
      const id = `p${people.size + 1}`;
      people.set(id, { changed: ++counter, attributes: { ...attributes } });
      return id;
    },
    capabilities: () => ({ delta: true, export: false, addressing: 'server-assigned', canDisable: false, inactiveMeansDeleted: false }),
    check: async () => ({ ok: true, latencyMs: 0, objectTypes: { person: { count: people.size } } }),
    async *fullImport(type) {
      if (type !== 'person') throw new ConnectorError('people', 'UnknownObjectType', `no object type "${type}"`);
      yield* batchesOf([...people].map(staged), { complete: true, watermark: String(counter) });
    },
    async *deltaImport(type, watermark) {
      if (!/^\d+$/.test(watermark)) return yield* this.fullImport(type);
      yield* batchesOf([...people].filter(([, p]) => p.changed >= Number(watermark)).map(staged), { watermark: String(counter) });
    },
    export: async () => {
      throw new NotSupportedError('people', 'export');
    },
    close: async () => undefined,
  };
}

describeConnectorConformance('a read-only connector', {
  objectType: 'person',
  open: async () => readOnlyPeople(),
  newObject: (i) => ({ attributes: { name: `Person ${i}` } }),
  updatable: 'name',
  seed: async (connector, objects) => objects.map((object) => (connector as ReturnType<typeof readOnlyPeople>).add(object.attributes)),
});
