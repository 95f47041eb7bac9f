/**
 * A csv target column that holds a multi-valued reference (`members`) converges although it is not
 * listed in `multiValuedColumns`: the column is inferred from the mesh attribute being multi-valued.
 * Before, `plan` proposed `members: "a;b" → [...]` on every cycle and the file never changed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCsvConnector } from '../../src/connectors/csv/csv-connector.js';
import type { IdentityConnector } from '../../src/connectors/sdk.js';
import { memoryConnector, MemorySystem } from '../fixtures/memory-connector.js';
import { testContext } from '../connectors/sql/test-context.js';
import { configText, csvConnector, flowRule, mesh, projection, references, type Spec } from '../fixtures/config-yaml.js';
import { compile, harness, type Harness } from './harness.js';

const work = mkdtempSync(join(tmpdir(), 'imesh-csv-lists-'));

/** `listed`: further keys of the team table (its `multiValuedColumns`). */
const yaml = (listed: Spec) =>
  configText(
    mesh({ person: { email: 'string' }, group: { name: 'string', members: references('person') } }),
    csvConnector('hr', {
      user: { file: '/tmp/imesh-test-hr-users.csv', externalIdColumn: 'id' },
      group: { file: '/tmp/imesh-test-hr-groups.csv', externalIdColumn: 'id' },
    }),
    csvConnector('apps', {
      account: { file: join(work, 'accounts.csv'), externalIdColumn: 'email' },
      team: { file: join(work, 'teams.csv'), externalIdColumn: 'name', ...listed },
    }),
    flowRule('users', { source: 'hr/user', join: { email: 'email' }, provision: true, attributes: { email: 'email' } }),
    flowRule('groups', { source: 'hr/group', meshType: 'group', join: { name: 'name' }, provision: true, attributes: { name: 'name', members: 'members' } }),
    projection('accounts', { target: 'apps/account', attributes: { email: '{{email}}' }, after: { onRemove: 'delete' } }),
    projection('teams', { meshType: 'group', target: 'apps/team', attributes: { name: '{{name}}', members: '{{members}}' }, after: { onRemove: 'delete' } }),
  );

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  rmSync(join(work, 'teams.csv'), { force: true });
  rmSync(join(work, 'accounts.csv'), { force: true });
});

async function run(listed: Spec) {
  const hr = new MemorySystem('key', 'id');
  hr.put('user', 'u1', { id: 'u1', email: 'bob@x.test' });
  hr.put('user', 'u2', { id: 'u2', email: 'alice@x.test' });
  hr.put('group', 'g1', { id: 'g1', name: 'eng', members: ['u1', 'u2'] });
  const config = await compile(yaml(listed));
  const model = config.connectors.get('apps');
  if (model?.type !== 'csv') throw new Error('apps is not a csv connector');
  const csv = await createCsvConnector({ ...testContext({ name: 'apps', type: 'csv', spec: {}, workDir: work }), model });
  // The harness spreads connectors (own properties only), so hand it the class's methods bound.
  const apps: IdentityConnector = {
    capabilities: (type) => csv.capabilities(type),
    check: () => csv.check(),
    fullImport: (type) => csv.fullImport(type),
    deltaImport: (type, watermark) => csv.deltaImport(type, watermark),
    export: (type, changes) => csv.export(type, changes),
    close: () => csv.close(),
  };
  h = await harness(yaml(listed), { hr: memoryConnector(hr), apps });
  return hr;
}

describe('a csv target column holding a multi-valued reference', () => {
  it.each([
    ['not listed in multiValuedColumns (inferred from the mesh attribute)', {}],
    ['listed in multiValuedColumns', { multiValuedColumns: ['members'] }],
  ])('%s: two reconciles converge, and a member change is written once', async (_label, listed) => {
    const hr = await run(listed);
    const first = await h!.cycle({ full: true });
    expect(first.failures).toEqual([]);
    expect(first.result).toBe('succeeded');
    const teams = () => readFileSync(join(work, 'teams.csv'), 'utf8').trim().split(/\r?\n/);
    expect(teams()[1]).toMatch(/^eng,(bob@x\.test;alice@x\.test|alice@x\.test;bob@x\.test)$/);
    const second = await h!.cycle({ full: true });
    expect(second.plans.reduce((n, p) => n + p.changes.size, 0)).toBe(0);
    expect((await h!.cycle({ plan: true, full: true })).plans.reduce((n, p) => n + p.changes.size, 0)).toBe(0);

    hr.put('group', 'g1', { id: 'g1', name: 'eng', members: ['u2'] });
    const removed = await h!.cycle({ full: true });
    expect(removed.plans.reduce((n, p) => n + p.changes.size, 0)).toBe(1);
    expect(teams()[1]).toBe('eng,alice@x.test');
    expect((await h!.cycle({ full: true })).plans.reduce((n, p) => n + p.changes.size, 0)).toBe(0);
  });

  it('the inferred column is in the compiled connector model, beside the listed ones', async () => {
    const config = await compile(yaml({ multiValuedColumns: ['tags'] }));
    const spec = config.connectors.get('apps')!.spec as { objectTypes: Record<string, { multiValuedColumns?: string[] }> };
    expect(spec.objectTypes.team?.multiValuedColumns).toEqual(['tags', 'members']);
    expect(spec.objectTypes.account?.multiValuedColumns).toBeUndefined();
  });
});

