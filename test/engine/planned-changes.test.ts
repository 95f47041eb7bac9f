import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { ExportChange } from '../../src/connectors/sdk.js';
import { PlannedChanges } from '../../src/engine/planned-changes.js';
import type { PlannedChange } from '../../src/engine/planner.js';

let n = 0;
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
function planned(meshId: string, change: WithoutId<ExportChange>): PlannedChange {
  return { projection: 'p', meshId, item: '', object: meshId, change: { ...change, id: `c${++n}` } as ExportChange };
}
const create = (id: string) => planned(id, { op: 'create', key: id, attributes: { name: `Name ${id}`, tags: ['a', 'b'] } });
const update = (id: string) => planned(id, { op: 'update', externalId: id, attributes: { name: { from: 'x', to: undefined } } });
const move = (id: string) => planned(id, { op: 'move', externalId: id, dn: `cn=${id},ou=a`, newDn: `cn=${id},ou=b` });
const remove = (id: string) => planned(id, { op: 'delete', externalId: id });

async function read(changes: PlannedChanges, ...args: Parameters<PlannedChanges['pages']>): Promise<string[][]> {
  const pages: string[][] = [];
  for await (const page of changes.pages(...args)) pages.push(page.map((c) => `${c.change.op} ${c.meshId}`));
  return pages;
}

describe.each([
  ['kept in a scratch file (a reconcile run)', true],
  ['listed in memory (a preview)', false],
])('planned changes %s', (_name, spill) => {
  const first = [create('a'), move('b'), update('b'), remove('c')];
  const second = [update('d'), create('e'), remove('f')];

  it('reads back what was planned, in export order or in plan order, and only the operations asked for', async () => {
    const changes = new PlannedChanges(spill);
    changes.add(first);
    changes.add(second);
    expect(changes.size).toBe(7);
    expect([changes.count('create'), changes.count('update'), changes.count('move'), changes.count('delete'), changes.count('enable')]).toEqual([2, 2, 1, 2, 0]);
    const exportOrder = (await read(changes)).flat();
    expect(exportOrder).toEqual(['create a', 'create e', 'move b', 'update b', 'update d', 'delete c', 'delete f']);
    expect((await read(changes, ['delete'])).flat()).toEqual(['delete c', 'delete f']);
    expect((await read(changes, ['create', 'update'], 'plan')).flat()).toEqual(['create a', 'update b', 'update d', 'create e']);
    const back: PlannedChange[] = [];
    for await (const page of changes.pages(['update'])) back.push(...page);
    // An emptied attribute (`to` undefined) stays emptied: it is not read back as a value.
    expect(back[0]).toEqual(first[2]);
    expect(back[0]!.change.op === 'update' ? back[0]!.change.attributes['name'] : undefined).toEqual({ from: 'x' });
    changes.discard();
  });

  it('withholds every change of the objects a policy holds back, and counts without them', async () => {
    const changes = new PlannedChanges(spill);
    changes.add(first);
    changes.add(second);
    await changes.withhold([{ meshId: 'b', item: '' }, { meshId: 'f', item: '' }]);
    expect(changes.size).toBe(4);
    expect(changes.count('move')).toBe(0);
    expect((await read(changes)).flat()).toEqual(['create a', 'create e', 'update d', 'delete c']);
    if (!spill) expect(changes.list().map((c) => c.meshId)).toEqual(['a', 'c', 'd', 'e']);
    changes.discard();
  });

  it('reads back every value as planned, whether a page is plain ASCII or not', async () => {
    const changes = new PlannedChanges(spill);
    const ascii = [create('g'), planned('h', { op: 'create', key: 'h', attributes: { name: 'Zoe "Z" Angstrom\\x', tags: [] } })];
    const wider = [planned('i', { op: 'create', key: 'i', attributes: { name: 'Zoë Ångström', city: 'Łódź', note: '名前 🙂' } }), update('j')];
    changes.add(ascii);
    changes.add(wider);
    const back: PlannedChange[] = [];
    for await (const page of changes.pages(undefined, 'plan')) back.push(...page);
    expect(back).toEqual([...ascii, ...wider]);
    changes.discard();
  });
});

describe('a reconcile run’s scratch file', () => {
  /** The descriptors of this process that point at a removed scratch file, as /proc shows them. */
  function scratchDescriptors(): string[] {
    return readdirSync('/proc/self/fd')
      .map((fd) => `/proc/self/fd/${fd}`)
      .filter((path) => {
        try {
          return /imesh-plan-.*\(deleted\)$/.test(readlinkSync(path));
        } catch {
          return false;
        }
      });
  }

  it('leaves no file to find, keeps nothing in memory, and holds planned values only encrypted', async () => {
    const before = new Set(readdirSync(tmpdir()).filter((name) => name.startsWith('imesh-plan-')));
    const changes = new PlannedChanges(true);
    expect(() => changes.list()).toThrow(/out of memory/);
    const marker = 'Planted-Value-7f3c';
    changes.add([planned('a', { op: 'create', key: 'a', attributes: { name: marker } })]);
    // Another user (or a later process) looking in the temp folder finds nothing: the file was removed once open.
    expect(readdirSync(tmpdir()).filter((name) => name.startsWith('imesh-plan-') && !before.has(name))).toEqual([]);
    // This process can still reach it through its descriptor; what it holds does not show the value.
    const open = scratchDescriptors();
    expect(open).toHaveLength(1);
    const bytes = readFileSync(open[0]!);
    expect(bytes.length).toBeGreaterThan(marker.length);
    expect(bytes.includes(Buffer.from(marker))).toBe(false);
    expect(bytes.includes(Buffer.from('"create"'))).toBe(false);
    // …and the plan reads back whole.
    const back = [];
    for await (const page of changes.pages()) back.push(...page);
    expect(back.map((c) => c.change.op === 'create' && c.change.attributes.name)).toEqual([marker]);
    changes.discard();
    expect(scratchDescriptors()).toEqual([]);
  });
});
