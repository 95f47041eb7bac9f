/**
 * Attacks on the csv connector's file access (issue 14, "Broken 2"): every file resolves, symlinks
 * included, under the config path (read only), the working directory or a data root; special files are
 * never opened; errors echo at most a bounded, escaped list of header names.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { connectorFactory } from '../../../src/connectors/registry.js';
import type { IdentityConnector, ImportBatch } from '../../../src/connectors/sdk.js';
import { testContext } from '../sql/test-context.js';

const root = mkdtempSync(join(tmpdir(), 'imesh-csv-roots-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let work: string;
let configPath: string;
let outside: string;
let n = 0;
beforeEach(() => {
  work = join(root, `case${++n}`, 'work');
  configPath = join(work, 'config');
  outside = join(root, `case${n}`, 'elsewhere');
  mkdirSync(join(configPath, 'data'), { recursive: true });
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(configPath, 'data/hr.csv'), 'id,name\nE1,Ada\n');
});

async function open(objectType: Record<string, unknown>, options: { workDir?: string; dataRoots?: string[] } = {}): Promise<IdentityConnector> {
  const context = testContext({ name: 'files', type: 'csv', spec: { type: 'csv', objectTypes: { user: objectType } }, configPath, workDir: options.workDir ?? work, ...(options.dataRoots ? { dataRoots: options.dataRoots } : {}) });
  return connectorFactory('csv')(context);
}

async function collect(iterable: AsyncIterable<ImportBatch>): Promise<ImportBatch[]> {
  const batches: ImportBatch[] = [];
  for await (const batch of iterable) batches.push(batch);
  return batches;
}

const create = [{ id: '1', op: 'create' as const, key: 'A', attributes: { id: 'A', name: 'x' } }];

describe('csv files resolve only under the allowed roots', () => {
  it('refuses /proc/self/environ (the environment-dump attack) without printing any of it, even with / as a data root', async () => {
    process.env.IMESH_SECRET_ROOTS_TEST = 'leaked-value-7f3a';
    try {
      for (const dataRoots of [[], ['/']]) {
        const connector = await open({ file: '/proc/self/environ', externalIdColumn: 'zzz', delimiter: '\0' }, { dataRoots });
        const failure = await collect(connector.fullImport('user')).then(
          () => undefined,
          (error: Error & { code?: string }) => error,
        );
        expect(failure?.code).toBe('SpecialFile'); // a kernel file system, whatever the roots say
        expect(failure?.message).not.toContain('leaked-value-7f3a');
        const check = await connector.check();
        expect(check.ok).toBe(false);
        expect(JSON.stringify(check)).not.toContain('leaked-value-7f3a');
      }
    } finally {
      delete process.env.IMESH_SECRET_ROOTS_TEST;
    }
  });

  it('an absolute path or a ../ escape outside every root is refused; a data root allows it', async () => {
    writeFileSync(join(outside, 'hr.csv'), 'id,name\nE9,Nine\n');
    await expect(collect((await open({ file: join(outside, 'hr.csv'), externalIdColumn: 'id' })).fullImport('user'))).rejects.toMatchObject({ code: 'FileOutsideRoots', message: expect.stringMatching(/--data-root DIR or IMESH_DATA_ROOTS/) });
    await expect(collect((await open({ file: '../../elsewhere/hr.csv', externalIdColumn: 'id' })).fullImport('user'))).rejects.toMatchObject({ code: 'FileOutsideRoots' });
    await expect((await open({ file: '../../../../../../../../etc/x', externalIdColumn: 'id' })).export('user', create)).rejects.toMatchObject({ code: 'FileOutsideRoots' });
    expect(existsSync('/etc/x')).toBe(false);
    const allowed = await collect((await open({ file: join(outside, 'hr.csv'), externalIdColumn: 'id' }, { dataRoots: [outside] })).fullImport('user'));
    expect(allowed.flatMap((b) => b.objects).map((o) => o.externalId)).toEqual(['E9']);
    // The working directory is a root: a target beside the config is fine.
    expect((await (await open({ file: '../phonebook.csv', externalIdColumn: 'id' })).export('user', create))[0]).toMatchObject({ ok: true });
  });

  it('a target path through a symlink into the config repository cannot rewrite the HR source', async () => {
    const hr = join(configPath, 'data/hr.csv');
    const before = readFileSync(hr, 'utf8');
    symlinkSync(join(configPath, 'data'), join(work, 'exports')); // work/exports -> config/data
    const connector = await open({ file: '../exports/hr.csv', externalIdColumn: 'id' });
    await expect(connector.export('user', create)).rejects.toMatchObject({ code: 'TargetInsideConfig', message: expect.stringMatching(/really .*config\/data\/hr\.csv/) });
    expect(readFileSync(hr, 'utf8')).toBe(before);
    // A file symlink pointing there is refused the same way.
    symlinkSync(hr, join(work, 'phonebook.csv'));
    await expect((await open({ file: '../phonebook.csv', externalIdColumn: 'id' })).export('user', create)).rejects.toMatchObject({ code: 'TargetInsideConfig' });
    expect(readFileSync(hr, 'utf8')).toBe(before);
  });

  it('a symlink inside a root that leaves every root is refused for reading', async () => {
    writeFileSync(join(outside, 'secret.csv'), 'id,token\nS,abc\n');
    symlinkSync(join(outside, 'secret.csv'), join(configPath, 'data/link.csv'));
    symlinkSync(outside, join(configPath, 'data/dir'));
    await expect(collect((await open({ file: 'data/link.csv', externalIdColumn: 'id' })).fullImport('user'))).rejects.toMatchObject({ code: 'FileOutsideRoots' });
    await expect(collect((await open({ file: 'data/dir/secret.csv', externalIdColumn: 'id' })).fullImport('user'))).rejects.toMatchObject({ code: 'FileOutsideRoots' });
  });

  it('where the working directory is the config repository, a target needs a data root, and the error says so', async () => {
    const failure = (await open({ file: 'out/phonebook.csv', externalIdColumn: 'id' }, { workDir: configPath })).export('user', create);
    await expect(failure).rejects.toMatchObject({ code: 'TargetInsideConfig', message: expect.stringMatching(/working directory is the repository.*--data-root DIR or IMESH_DATA_ROOTS/) });
    const ok = await (await open({ file: join(outside, 'phonebook.csv'), externalIdColumn: 'id' }, { workDir: configPath, dataRoots: [outside] })).export('user', create);
    expect(ok[0]).toMatchObject({ ok: true });
  });
});

describe('csv files must be regular files', () => {
  it('a FIFO is refused at once (it used to hang the import for ever), on import, check and export', async () => {
    execFileSync('mkfifo', [join(configPath, 'data/pipe.csv')]);
    execFileSync('mkfifo', [join(work, 'pipe-target.csv')]);
    await expect(collect((await open({ file: 'data/pipe.csv', externalIdColumn: 'id' })).fullImport('user'))).rejects.toMatchObject({ code: 'SpecialFile', message: expect.stringMatching(/FIFO/) });
    expect(await (await open({ file: 'data/pipe.csv', externalIdColumn: 'id' })).check()).toMatchObject({ ok: false, error: { code: 'SpecialFile' } });
    await expect((await open({ file: '../pipe-target.csv', externalIdColumn: 'id' })).export('user', create)).rejects.toMatchObject({ code: 'SpecialFile', message: expect.stringMatching(/^files: \.\.\/pipe-target\.csv: .*FIFO/) });
  });

  it('a device and a directory are refused', async () => {
    await expect(collect((await open({ file: '/dev/zero', externalIdColumn: 'id' }, { dataRoots: ['/dev'] })).fullImport('user'))).rejects.toMatchObject({ code: 'SpecialFile' });
    mkdirSync(join(configPath, 'data/folder.csv'));
    await expect(collect((await open({ file: 'data/folder.csv', externalIdColumn: 'id' })).fullImport('user'))).rejects.toMatchObject({ code: 'FileUnreadable', message: expect.stringMatching(/directory/) });
  });
});

describe('errors echo a bounded list of header names', () => {
  it('caps the count and length of the names listed and escapes control characters', async () => {
    const names = Array.from({ length: 500 }, (_, i) => `SECRET_${i}=${'v'.repeat(200)}`);
    names[0] = 'evil\u001b[31mred\r\nline';
    writeFileSync(join(configPath, 'data/wide.csv'), `${names.map((name) => `"${name}"`).join(',')}\n`);
    const failure = await collect((await open({ file: 'data/wide.csv', externalIdColumn: 'zzz' })).fullImport('user')).then(
      () => undefined,
      (error: Error & { code?: string }) => error,
    );
    expect(failure).toMatchObject({ code: 'ColumnNotFound' });
    const message = failure!.message;
    expect(message.length).toBeLessThan(2000);
    expect(message).toMatch(/and 480 more \(500 columns\)/);
    expect(message).not.toContain('SECRET_20=');
    expect(message).not.toMatch(/[\u0000-\u001f]/);
    expect(message).toContain('"evil\\u001b[31mred\\r\\nline"');
    expect(message).not.toContain('v'.repeat(41));
  });

  it('a parser error does not quote the offending field', async () => {
    writeFileSync(join(configPath, 'data/quote.csv'), 'id,name\nE1,TOKEN=sec"ret-value-4411\n');
    const failure = collect((await open({ file: 'data/quote.csv', externalIdColumn: 'id' })).fullImport('user'));
    await expect(failure).rejects.toMatchObject({ code: 'CsvInvalid', message: expect.not.stringContaining('ret-value-4411') });
  });
});
