/**
 * A csv source has no change log, so every cycle used to read its whole file. Its change token (the
 * file's hash with the read options, IdentityConnector.changeToken) lets a delta cycle skip an
 * unchanged file; a changed file, changed read options or a full cycle read it whole as before.
 */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createCsvConnector } from '../../src/connectors/csv/csv-connector.js';
import type { IdentityConnector } from '../../src/connectors/sdk.js';
import type { ImportOutcome } from '../../src/engine/importer.js';
import { memoryConnector, MemorySystem } from '../fixtures/memory-connector.js';
import { testContext } from '../connectors/sql/test-context.js';
import { configText, csvConnector, flowRule, mesh, projection, type Spec } from '../fixtures/config-yaml.js';
import { compile, harness, type Harness } from './harness.js';

const work = mkdtempSync(join(tmpdir(), 'imesh-unchanged-source-'));
const hrFile = join(work, 'hr.csv');

const yaml = (options: Spec = {}, safety: Spec = { maxDeletes: 5, maxDeletePercent: 50 }) =>
  configText(
    mesh({ person: { email: 'string', title: 'string' } }, { safety }),
    csvConnector('hr', { user: { file: hrFile, externalIdColumn: 'id', ...options } }),
    connectorDocument(),
    flowRule('users', { source: 'hr/user', join: { email: 'email' }, provision: true, attributes: { email: 'email', title: 'title' } }),
    projection('accounts', { target: 'apps/account', attributes: { email: '{{email}}', title: '{{title}}' }, after: { onRemove: 'delete' } }),
  );
const connectorDocument = () => csvConnector('apps', { account: { file: join(work, 'unused.csv'), externalIdColumn: 'email' } });

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function world(options: Spec = {}, safety?: Spec) {
  writeFileSync(hrFile, 'id,email,title\nu1,bob@x.test,Engineer\nu2,alice@x.test,Analyst\n');
  const apps = new MemorySystem('key', 'email');
  h = await harness(yaml(options, safety), { hr: await csvSource(options), apps: memoryConnector(apps) });
  return apps;
}

async function csvSource(options: Spec): Promise<IdentityConnector> {
  const model = (await compile(yaml(options))).connectors.get('hr');
  if (model?.type !== 'csv') throw new Error('hr is not a csv connector');
  const csv = await createCsvConnector({ ...testContext({ name: 'hr', type: 'csv', spec: {}, workDir: work }), model });
  const changeToken = csv.changeToken?.bind(csv);
  if (!changeToken) throw new Error('the csv connector gives no change token');
  // The harness spreads connectors (own properties only), so hand it the class's methods bound.
  return {
    capabilities: (type) => csv.capabilities(type),
    check: () => csv.check(),
    fullImport: (type) => csv.fullImport(type),
    deltaImport: (type, watermark) => csv.deltaImport(type, watermark),
    changeToken,
    export: (type, changes) => csv.export(type, changes),
    close: () => csv.close(),
  };
}

const hrImport = (imports: readonly ImportOutcome[]) => imports.find((i) => i.connector === 'hr');

describe('a csv source without a change log', () => {
  it('is not read on a delta cycle while its file is unchanged, and is read whole once it changes', async () => {
    const apps = await world();
    expect(hrImport((await h!.cycle({ full: true })).imports)).toMatchObject({ read: 2, changed: 2 });
    expect(hrImport((await h!.cycle()).imports)).toMatchObject({ read: 0, changed: 0, deleted: 0 });

    appendFileSync(hrFile, 'u3,carol@x.test,Manager\n');
    const changed = await h!.cycle();
    expect(hrImport(changed.imports)).toMatchObject({ read: 3, changed: 1 });
    expect(apps.get('account', 'carol@x.test')?.attributes).toMatchObject({ title: 'Manager' });
    expect(hrImport((await h!.cycle()).imports)).toMatchObject({ read: 0, changed: 0 });

    // A row removed: the whole read sweeps it, and the projection deletes its account.
    writeFileSync(hrFile, 'id,email,title\nu1,bob@x.test,Engineer\nu3,carol@x.test,Manager\n');
    expect(hrImport((await h!.cycle()).imports)).toMatchObject({ read: 2, deleted: 1 });
    expect(apps.get('account', 'alice@x.test')).toBeUndefined();
  });

  it('is read whole on a full cycle even when unchanged', async () => {
    await world();
    await h!.cycle({ full: true });
    expect(hrImport((await h!.cycle({ full: true })).imports)).toMatchObject({ read: 2, changed: 0 });
  });

  it('is read again when its read options change, though the bytes are the same', async () => {
    await world();
    await h!.cycle({ full: true });
    expect(hrImport((await h!.cycle()).imports)).toMatchObject({ read: 0 });
    h!.config = await compile(yaml({ multiValuedColumns: ['title'] }));
    h!.connectors['hr'] = await csvSource({ multiValuedColumns: ['title'] });
    expect(hrImport((await h!.cycle()).imports)).toMatchObject({ read: 2 });
  });

  it('a plan of an unchanged file reads nothing either, and the token survives a plan', async () => {
    await world();
    await h!.cycle({ full: true });
    expect(hrImport((await h!.cycle({ plan: true })).imports)).toMatchObject({ read: 0 });
    appendFileSync(hrFile, 'u3,carol@x.test,Manager\n');
    expect(hrImport((await h!.cycle({ plan: true })).imports)).toMatchObject({ read: 3, changed: 1 });
    expect(hrImport((await h!.cycle()).imports)).toMatchObject({ read: 3, changed: 1 });
  });

  it('a read the import guard refused is read again at the next cycle (its token is not kept), and held again', async () => {
    await world({}, { maxDeletes: 0, maxDeletePercent: 0 });
    await h!.cycle({ full: true });
    writeFileSync(hrFile, 'id,email,title\nu1,bob@x.test,Engineer\n');
    for (let i = 0; i < 2; i++) {
      const held = hrImport((await h!.cycle()).imports);
      expect(held?.guard).toMatchObject({ gate: 'importGuard', count: 1 });
    }
  });
});
