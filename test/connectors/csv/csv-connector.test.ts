import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { connectorFactory } from '../../../src/connectors/registry.js';
import type { ExportChange, IdentityConnector, ImportBatch, StagedObject } from '../../../src/connectors/sdk.js';
import { ConfigError } from '../../../src/shared/errors.js';
import { testContext, type TestContext } from '../sql/test-context.js';

const root = mkdtempSync(join(tmpdir(), 'imesh-csv-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let dir: string;
let configPath: string;
let n = 0;
beforeEach(() => {
  dir = join(root, `case${++n}`);
  configPath = join(dir, 'config');
  mkdirSync(join(configPath, 'data'), { recursive: true });
  mkdirSync(join(dir, 'out'), { recursive: true });
});

async function open(objectType: Record<string, unknown>): Promise<{ connector: IdentityConnector; context: TestContext<'csv'> }> {
  const spec = { type: 'csv', objectTypes: { user: objectType } };
  // The case folder is the working directory (a root): the config below it, targets beside it.
  const context = testContext({ name: 'hr-file', type: 'csv', spec, configPath, workDir: dir });
  return { connector: await connectorFactory('csv')(context), context };
}

async function collect(iterable: AsyncIterable<ImportBatch>): Promise<ImportBatch[]> {
  const batches: ImportBatch[] = [];
  for await (const batch of iterable) batches.push(batch);
  return batches;
}

function all(batches: readonly ImportBatch[]): Map<string, StagedObject> {
  return new Map(batches.flatMap((b) => b.objects).map((o) => [o.externalId, o]));
}

function write(relative: string, content: string | Buffer): string {
  const path = join(configPath, relative);
  writeFileSync(path, content);
  return path;
}

describe('csv import', () => {
  it('reads the header row, quoted cells, empty cells as absent, and resolves the file against the config path', async () => {
    write('data/hr.csv', 'employee_id,first_name,last_name,title\nE1,Ada,Lovelace,"Analyst, ""Engine"""\nE2,Bob,,"Line one\nline two"\n\n E3 ,Cy,Young,\n');
    const { connector } = await open({ file: 'data/hr.csv', externalIdColumn: 'employee_id' });
    const batches = await collect(connector.fullImport('user'));
    expect(batches).toHaveLength(1);
    expect(batches[0]!.complete).toBe(true);
    const users = all(batches);
    expect([...users.keys()]).toEqual(['E1', 'E2', 'E3']);
    expect(users.get('E1')!.attributes).toEqual({ employee_id: 'E1', first_name: 'Ada', last_name: 'Lovelace', title: 'Analyst, "Engine"' });
    expect(users.get('E2')!.attributes).toEqual({ employee_id: 'E2', first_name: 'Bob', title: 'Line one\nline two' });
    expect(users.get('E3')!.attributes.employee_id).toBe('E3'); // the key is trimmed
    expect(connector.capabilities('user')).toMatchObject({ delta: false, export: true, addressing: 'key', keyAttribute: 'employee_id', canDisable: false, inactiveMeansDeleted: false });
  });

  it('handles a delimiter, a UTF-8 BOM and CRLF line endings', async () => {
    write('data/hr.csv', '\uFEFFemployee_id;name\r\nE1;Zoë 日本語\r\nE2;"a;b"\r\n');
    const { connector } = await open({ file: 'data/hr.csv', externalIdColumn: 'employee_id', delimiter: ';' });
    const users = all(await collect(connector.fullImport('user')));
    expect(users.get('E1')!.attributes).toEqual({ employee_id: 'E1', name: 'Zoë 日本語' });
    expect(users.get('E2')!.attributes.name).toBe('a;b');
  });

  it('reads a file whose lines end with CR alone (classic Mac, Excel’s "CSV (Macintosh)")', async () => {
    write('data/hr.csv', 'employee_id,name,note\rE1,Zoë,"two\rlines"\rE2,Bob,\r');
    const { connector } = await open({ file: 'data/hr.csv', externalIdColumn: 'employee_id' });
    const users = all(await collect(connector.fullImport('user')));
    expect([...users.keys()].sort()).toEqual(['E1', 'E2']);
    expect(users.get('E1')!.attributes).toEqual({ employee_id: 'E1', name: 'Zoë', note: 'two\rlines' });
    expect(users.get('E2')!.attributes).toEqual({ employee_id: 'E2', name: 'Bob' }); // an empty cell is no value
  });

  it.each([
    ['windows-1252', iconv.encode('employee_id,name\nE1,Andr\u00e9 M\u00fcller \u20ac\n', 'windows-1252')],
    ['latin1', iconv.encode('employee_id,name\nE1,Andr\u00e9 M\u00fcller\n', 'latin1')],
    ['utf-16le', iconv.encode('employee_id,name\nE1,Andr\u00e9 M\u00fcller \u{1F680}\n', 'utf-16le', { addBOM: true })],
  ])('decodes %s', async (encoding, bytes) => {
    write('data/hr.csv', bytes);
    const { connector } = await open({ file: 'data/hr.csv', externalIdColumn: 'employee_id', encoding });
    const users = all(await collect(connector.fullImport('user')));
    expect(users.get('E1')!.attributes.name).toMatch(/^André Müller/);
    if (encoding === 'windows-1252') expect(users.get('E1')!.attributes.name).toBe('André Müller €');
    if (encoding === 'utf-16le') expect(users.get('E1')!.attributes.name).toBe('André Müller 🚀');
  });

  it('isActiveColumn: true/false, 1/0, yes/no in any case; empty is absent; anything else holds the row back', async () => {
    write('data/hr.csv', 'id,active\nA,true\nB,FALSE\nC,1\nD,0\nE,Yes\nF,no\nG,\nH,maybe\n');
    const { connector } = await open({ file: 'data/hr.csv', externalIdColumn: 'id', isActiveColumn: 'active' });
    const batches = await collect(connector.fullImport('user'));
    const users = all(batches);
    expect([...users.values()].map((u) => u.enabled)).toEqual([true, false, true, false, true, false, undefined]);
    expect([...users.values()].every((u) => u.deleted === undefined)).toBe(true); // the engine applies inactiveMeansDeleted
    // Issue 14: "maybe" used to read as no answer (and an inactive-means-deleted source then lost the
    // row's state); now the row is rejected, naming file, line and column, for the engine to hold back.
    expect(users.has('H')).toBe(false);
    expect(batches.flatMap((b) => b.rejected ?? [])).toEqual([{ externalId: 'H', reason: 'data/hr.csv: line 9, column 2 ("active"): "maybe" is not a boolean (true/false, 1/0, yes/no; empty = absent)' }]);
    expect(connector.capabilities('user')).toMatchObject({ canDisable: true, inactiveMeansDeleted: true, enabledAttribute: 'active' });
  });

  it('softDeleteColumn/softDeleteValue marks a row deleted', async () => {
    write('data/hr.csv', 'id,status\nA,active\nB,terminated\nC,\n');
    const { connector } = await open({ file: 'data/hr.csv', externalIdColumn: 'id', softDeleteColumn: 'status', softDeleteValue: 'terminated' });
    const users = all(await collect(connector.fullImport('user')));
    expect([...users.values()].map((u) => u.deleted)).toEqual([undefined, true, undefined]);
  });

  it('splits multiValuedColumns by multiValueSeparator and keeps other cells as strings', async () => {
    write('data/hr.csv', 'id,roles,note\nA,admin| dev ||ops,a|b\nB,,x\n');
    const { connector } = await open({ file: 'data/hr.csv', externalIdColumn: 'id', multiValueSeparator: '|', multiValuedColumns: ['roles'] });
    const users = all(await collect(connector.fullImport('user')));
    expect(users.get('A')!.attributes).toEqual({ id: 'A', roles: ['admin', 'dev', 'ops'], note: 'a|b' });
    expect(users.get('B')!.attributes).toEqual({ id: 'B', note: 'x' });
  });

  it('streams large files in batches of 1,000; a delta import is the same complete full read', async () => {
    const lines = ['id,name', ...Array.from({ length: 2345 }, (_, i) => `U${i},Name ${i}`)];
    write('data/hr.csv', lines.join('\n'));
    const { connector } = await open({ file: 'data/hr.csv', externalIdColumn: 'id' });
    const batches = await collect(connector.fullImport('user'));
    expect(batches.map((b) => b.objects.length)).toEqual([1000, 1000, 345]);
    expect(batches.map((b) => b.complete)).toEqual([undefined, undefined, true]);
    const delta = await collect(connector.deltaImport('user', 'anything'));
    expect(delta.map((b) => b.complete)).toEqual([undefined, undefined, true]);
  });

  it('a duplicate external id is an error naming the file and both lines', async () => {
    write('data/hr.csv', 'id,name\nA,1\nB,2\nA,3\n');
    const { connector } = await open({ file: 'data/hr.csv', externalIdColumn: 'id' });
    await expect(collect(connector.fullImport('user'))).rejects.toMatchObject({ code: 'DuplicateExternalId', message: expect.stringMatching(/data\/hr\.csv: line 4: id "A" appears again \(first on line 2\)/) });
  });

  it('a missing key column, a duplicated header and malformed CSV are clear errors', async () => {
    write('data/a.csv', 'employee,name\nA,1\n');
    const a = await open({ file: 'data/a.csv', externalIdColumn: 'id' });
    await expect(collect(a.connector.fullImport('user'))).rejects.toMatchObject({ code: 'ColumnNotFound', message: expect.stringMatching(/data\/a\.csv: the header has no column "id".*"employee", "name" \(2 columns\)/) });
    write('data/b.csv', 'id,name,name\nA,1,2\n');
    const b = await open({ file: 'data/b.csv', externalIdColumn: 'id' });
    await expect(collect(b.connector.fullImport('user'))).rejects.toMatchObject({ code: 'CsvInvalid', message: expect.stringMatching(/"name" twice/) });
    write('data/c.csv', 'id,name\nA,"unclosed\nB,2\n');
    const c = await open({ file: 'data/c.csv', externalIdColumn: 'id' });
    await expect(collect(c.connector.fullImport('user'))).rejects.toMatchObject({ code: 'CsvInvalid', message: expect.stringMatching(/data\/c\.csv/) });
    write('data/d.csv', 'id,name\nA,1\nB,2,3\n');
    const d = await open({ file: 'data/d.csv', externalIdColumn: 'id' });
    await expect(collect(d.connector.fullImport('user'))).rejects.toMatchObject({ code: 'CsvInvalid', message: expect.stringMatching(/data\/d\.csv: line 3/) });
  });

  it('a missing file reads as empty (the import guard protects a source) and is logged', async () => {
    const { connector, context } = await open({ file: 'data/none.csv', externalIdColumn: 'id' });
    expect(await collect(connector.fullImport('user'))).toEqual([{ objects: [], complete: true }]);
    expect(context.logLines.join('')).toMatch(/csv-file-missing/);
  });

  it('refuses bad options when built', async () => {
    await expect(open({ file: 'x.csv', externalIdColumn: 'id', encoding: 'klingon' })).rejects.toBeInstanceOf(ConfigError);
    await expect(open({ file: 'x.csv', externalIdColumn: 'id', delimiter: '"' })).rejects.toThrow(/delimiter/);
    await expect(open({ externalIdColumn: 'id' })).rejects.toThrow(/file/);
  });
});

describe('csv check()', () => {
  it('counts rows and reports latency; a target that does not exist yet is fine', async () => {
    write('data/hr.csv', 'id,name\nA,1\nB,2\n\n');
    const { connector } = await open({ file: 'data/hr.csv', externalIdColumn: 'id' });
    const result = await connector.check();
    expect(result).toMatchObject({ ok: true, objectTypes: { user: { count: 2 } } });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    const missing = await (await open({ file: '../out/new.csv', externalIdColumn: 'id' })).connector.check();
    expect(missing).toMatchObject({ ok: true, objectTypes: { user: { count: 0 } } });
    expect(missing.warnings?.[0]).toMatch(/does not exist yet/);
    const later = await (await open({ file: '../exports/new/x.csv', externalIdColumn: 'id' })).connector.check();
    expect(later).toMatchObject({ ok: true, warnings: [expect.stringMatching(/does not exist yet/)] }); // its folder can be created
  });

  it('an unreadable file fails', async () => {
    // A directory where the file should be is unreadable as a file even for root (EISDIR), unlike chmod 000.
    mkdirSync(join(configPath, 'data/secret.csv'), { recursive: true });
    const result = await (await open({ file: 'data/secret.csv', externalIdColumn: 'id' })).connector.check();
    expect(result).toMatchObject({ ok: false, error: { code: 'FileUnreadable' } });
  });
});

describe('csv export', () => {
  const target = () => join(dir, 'out', 'accounts.csv');

  it('creates a new file: key column, then the attributes in declared order, then isActiveColumn; booleans and lists rendered', async () => {
    const { connector } = await open({ file: '../out/accounts.csv', externalIdColumn: 'account_id', isActiveColumn: 'active' });
    const results = await connector.export('user', [
      { id: '1', op: 'create', key: 'A1', attributes: { account_id: 'A1', display_name: 'Ada, Countess', roles: ['admin', 'dev'], vip: true }, enabled: true },
      { id: '2', op: 'create', key: 'A2', attributes: { account_id: 'A2', display_name: 'Bob', roles: [], vip: false, title: 'Eng' }, enabled: false },
    ]);
    expect(results).toEqual([
      { id: '1', ok: true, externalId: 'A1' },
      { id: '2', ok: true, externalId: 'A2' },
    ]);
    expect(readFileSync(target(), 'utf8')).toBe('account_id,display_name,roles,vip,title,active\nA1,"Ada, Countess",admin;dev,true,,true\nA2,Bob,,false,Eng,false\n');
    // and it reads back
    const users = all(await collect(connector.fullImport('user')));
    expect(users.get('A2')).toMatchObject({ enabled: false, attributes: { display_name: 'Bob', vip: 'false' } });
  });

  it('keeps the existing column order, appends new columns, and applies update/disable/enable/delete', async () => {
    writeFileSync(target(), 'note,account_id,display_name,active\nkeep me,A1,Ada,true\n,A2,Bob,true\n,A3,Cy,false\n');
    const { connector } = await open({ file: '../out/accounts.csv', externalIdColumn: 'account_id', isActiveColumn: 'active' });
    const results = await connector.export('user', [
      { id: 'u', op: 'update', externalId: 'A1', attributes: { display_name: { from: 'Ada', to: 'Ada L.' }, groups: { add: ['g1', 'g2'] } } },
      { id: 'd', op: 'disable', externalId: 'A2' },
      { id: 'e', op: 'enable', externalId: 'A3' },
      { id: 'x', op: 'delete', externalId: 'A2' },
      { id: 'c', op: 'create', key: 'A4', attributes: { account_id: 'A4', display_name: 'Dee' }, enabled: true },
      { id: 'm', op: 'update', externalId: 'NOPE', attributes: { display_name: { to: 'x' } } },
    ]);
    expect(results.map((r) => [r.id, r.ok])).toEqual([['u', true], ['d', true], ['e', true], ['x', true], ['c', true], ['m', false]]);
    expect(results.find((r) => r.id === 'm')).toMatchObject({ error: { code: 'ObjectNotFound' } });
    expect(readFileSync(target(), 'utf8')).toBe('note,account_id,display_name,active,groups\nkeep me,A1,Ada L.,true,g1;g2\n,A3,Cy,true,\n,A4,Dee,true,\n');
    await connector.export('user', [{ id: 'r', op: 'update', externalId: 'A1', attributes: { groups: { remove: ['g1'], add: ['g3'] } } }]);
    expect(readFileSync(target(), 'utf8')).toContain('keep me,A1,Ada L.,true,g2;g3\n');
  });

  it('creates the folder of a new target file', async () => {
    const { connector } = await open({ file: '../exports/deep/phonebook.csv', externalIdColumn: 'id' });
    expect((await connector.export('user', [{ id: '1', op: 'create', key: 'A', attributes: { id: 'A', phone: '+1 555' } }]))[0]!.ok).toBe(true);
    expect(readFileSync(join(dir, 'exports', 'deep', 'phonebook.csv'), 'utf8')).toBe('id,phone\nA,+1 555\n');
  });

  it('rewrites atomically: a new file is renamed into place and no temporary file is left', async () => {
    writeFileSync(target(), 'account_id,display_name\nA1,Ada\n');
    const before = statSync(target()).ino;
    const { connector } = await open({ file: '../out/accounts.csv', externalIdColumn: 'account_id' });
    await connector.export('user', [{ id: '1', op: 'update', externalId: 'A1', attributes: { display_name: { to: 'Ada L.' } } }]);
    expect(statSync(target()).ino).not.toBe(before);
    expect(readdirSync(join(dir, 'out'))).toEqual(['accounts.csv']);
  });

  it('leaves the file untouched when the rewrite fails', async () => {
    const original = 'account_id,display_name\nA1,Ada\nA1,Again\n';
    writeFileSync(target(), original);
    const { connector } = await open({ file: '../out/accounts.csv', externalIdColumn: 'account_id' });
    const results = await connector.export('user', [{ id: '1', op: 'create', key: 'A2', attributes: { account_id: 'A2', display_name: 'Bob' } }]);
    expect(results[0]).toMatchObject({ ok: false, error: { code: 'DuplicateExternalId' } });
    expect(readFileSync(target(), 'utf8')).toBe(original);
    expect(readdirSync(join(dir, 'out'))).toEqual(['accounts.csv']);
  });

  it('keeps the encoding, BOM and line endings of an existing file', async () => {
    writeFileSync(target(), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('account_id;name\r\nA1;Zoë\r\n')]));
    const { connector } = await open({ file: '../out/accounts.csv', externalIdColumn: 'account_id', delimiter: ';' });
    await connector.export('user', [{ id: '1', op: 'create', key: 'A2', attributes: { account_id: 'A2', name: 'Åsa; "the" Great' } }]);
    const bytes = readFileSync(target());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3).toString('utf8')).toBe('account_id;name\r\nA1;Zoë\r\nA2;"Åsa; ""the"" Great"\r\n');

    const latin = join(dir, 'out', 'latin.csv');
    writeFileSync(latin, iconv.encode('id,name\nA1,Andr\u00e9\n', 'windows-1252'));
    const w = await open({ file: latin, externalIdColumn: 'id', encoding: 'windows-1252' });
    await w.connector.export('user', [{ id: '1', op: 'create', key: 'A2', attributes: { id: 'A2', name: 'M\u00fcller \u20ac' } }]);
    expect(iconv.decode(readFileSync(latin), 'windows-1252')).toBe('id,name\nA1,André\nA2,Müller €\n');
    expect(readFileSync(latin).includes(0xe9)).toBe(true);
  });

  it('serialises concurrent exports to one file', async () => {
    const { connector } = await open({ file: '../out/accounts.csv', externalIdColumn: 'account_id' });
    const batches = Array.from({ length: 5 }, (_, b) =>
      Array.from({ length: 20 }, (_, i): ExportChange => ({ id: `${b}-${i}`, op: 'create', key: `A${b}-${i}`, attributes: { account_id: `A${b}-${i}`, n: String(i) } })),
    );
    const results = await Promise.all(batches.map((changes) => connector.export('user', changes)));
    expect(results.flat().every((r) => r.ok)).toBe(true);
    expect(all(await collect(connector.fullImport('user'))).size).toBe(100);
  });

  it('an export session writes nothing until commit, then rewrites the file once with every queued change', async () => {
    writeFileSync(target(), 'account_id,display_name,active\nA1,Ada,true\nA2,Bob,true\n');
    const before = statSync(target()).ino;
    const { connector } = await open({ file: '../out/accounts.csv', externalIdColumn: 'account_id', isActiveColumn: 'active' });
    const session = connector.beginExport!('user');
    session.add([{ id: 'c1', op: 'create', key: 'A3', attributes: { account_id: 'A3', display_name: 'Cy' }, enabled: true }]);
    session.add([
      { id: 'u1', op: 'update', externalId: 'A1', attributes: { display_name: { from: 'Ada', to: 'Ada L.' } } },
      { id: 'd2', op: 'disable', externalId: 'A2' },
      { id: 'u9', op: 'update', externalId: 'NOPE', attributes: { display_name: { to: 'x' } } },
    ]);
    expect(statSync(target()).ino).toBe(before); // queued only
    const results = await session.commit();
    expect(results.map((r) => [r.id, r.ok])).toEqual([['c1', true], ['u1', true], ['d2', true], ['u9', false]]);
    expect(readFileSync(target(), 'utf8')).toBe('account_id,display_name,active\nA1,Ada L.,true\nA2,Bob,false\nA3,Cy,true\n');
    expect(readdirSync(join(dir, 'out'))).toEqual(['accounts.csv']);

    const dropped = connector.beginExport!('user');
    dropped.add([{ id: 'x', op: 'delete', externalId: 'A1' }]);
    dropped.abort();
    expect(readFileSync(target(), 'utf8')).toContain('A1,Ada L.,true');
  });

  it('an export session to a target inside the config repository fails at commit and writes nothing', async () => {
    const { connector } = await open({ file: 'data/out.csv', externalIdColumn: 'id' });
    const session = connector.beginExport!('user');
    session.add([{ id: '1', op: 'create', key: 'A', attributes: { id: 'A' } }]);
    await expect(session.commit()).rejects.toMatchObject({ code: 'TargetInsideConfig' });
    expect(existsSync(join(configPath, 'data', 'out.csv'))).toBe(false);
  });

  it('refuses a target inside the config repository', async () => {
    const { connector } = await open({ file: 'data/out.csv', externalIdColumn: 'id' });
    await expect(connector.export('user', [{ id: '1', op: 'create', key: 'A', attributes: { id: 'A' } }])).rejects.toMatchObject({ code: 'TargetInsideConfig' });
    expect(existsSync(join(configPath, 'data', 'out.csv'))).toBe(false);
  });

  it('cannot disable without isActiveColumn, and a create needs its key', async () => {
    const { connector } = await open({ file: '../out/accounts.csv', externalIdColumn: 'account_id' });
    const results = await connector.export('user', [
      { id: 'd', op: 'disable', externalId: 'A1' },
      { id: 'c', op: 'create', attributes: { display_name: 'no key' } },
    ]);
    expect(results).toMatchObject([
      { id: 'd', ok: false, error: { code: 'NotSupported' } },
      { id: 'c', ok: false, error: { code: 'KeyMissing' } },
    ]);
  });
});

describe('csv target: one pass per commit, by-key reads', () => {
  const target = () => join(dir, 'out', 'accounts.csv');
  // Quoted cells with the delimiter, doubled quotes and line breaks (LF and CRLF inside quotes), an
  // unneeded pair of quotes, an empty line: rows the pass copies as they are.
  const tricky = 'account_id,display_name,note\nA1,"Ada, Countess","said ""hi""\nthen left"\n"A2",Bob,"two\r\nlines"\n\nA3,Cy,plain\n';

  it('reads rows back by key, whole and exact, past quoted cells with line breaks, delimiters and quotes', async () => {
    writeFileSync(target(), tricky);
    const { connector } = await open({ file: '../out/accounts.csv', externalIdColumn: 'account_id' });
    const batches = await collect(connector.readObjects!('user', ['A2', 'A1', 'NOPE']));
    expect(batches.every((b) => !b.complete)).toBe(true);
    const users = all(batches);
    expect([...users.keys()]).toEqual(['A1', 'A2']);
    expect(users.get('A1')!.attributes).toEqual({ account_id: 'A1', display_name: 'Ada, Countess', note: 'said "hi"\nthen left' });
    expect(users.get('A2')!.attributes).toEqual({ account_id: 'A2', display_name: 'Bob', note: 'two\r\nlines' });
    expect(all(await collect(connector.readObjects!('user', ['A3']))).get('A3')!.attributes).toEqual({ account_id: 'A3', display_name: 'Cy', note: 'plain' });
    // A duplicate key is still an error naming both lines (line numbers count the quoted line breaks).
    writeFileSync(target(), `${tricky}A1,again,\n`);
    await expect(collect(connector.readObjects!('user', ['A3']))).rejects.toMatchObject({ code: 'DuplicateExternalId', message: expect.stringMatching(/line 8: account_id "A1" appears again \(first on line 3\)/) });
  });

  it('a delta commit copies untouched rows byte for byte and rewrites only the changed ones', async () => {
    writeFileSync(target(), tricky);
    const { connector } = await open({ file: '../out/accounts.csv', externalIdColumn: 'account_id' });
    const results = await connector.export('user', [{ id: 'u', op: 'update', externalId: 'A3', attributes: { note: { to: 'now "quoted", with\nbreak' } } }]);
    expect(results).toEqual([{ id: 'u', ok: true }]);
    expect(readFileSync(target(), 'utf8')).toBe('account_id,display_name,note\nA1,"Ada, Countess","said ""hi""\nthen left"\n"A2",Bob,"two\r\nlines"\nA3,Cy,"now ""quoted"", with\nbreak"\n');
    // A new column: untouched rows gain an empty cell, their text otherwise unchanged.
    await connector.export('user', [{ id: 'v', op: 'update', externalId: 'A1', attributes: { title: { to: 'Countess' } } }]);
    expect(readFileSync(target(), 'utf8')).toBe('account_id,display_name,note,title\nA1,"Ada, Countess","said ""hi""\nthen left",Countess\n"A2",Bob,"two\r\nlines",\nA3,Cy,"now ""quoted"", with\nbreak",\n');
    const users = all(await collect(connector.fullImport('user')));
    expect(users.get('A1')!.attributes).toEqual({ account_id: 'A1', display_name: 'Ada, Countess', note: 'said "hi"\nthen left', title: 'Countess' });
  });

  it('takes many small batches: creates spooled as they come, columns found late, creates of rows that exist, changes after a create', async () => {
    writeFileSync(target(), 'account_id,display_name,active\nA1,Ada,true\n');
    const { connector } = await open({ file: '../out/accounts.csv', externalIdColumn: 'account_id', isActiveColumn: 'active' });
    const session = connector.beginExport!('user');
    for (let i = 0; i < 300; i++) {
      await session.add([{ id: `c${i}`, op: 'create', key: `N${i}`, attributes: { account_id: `N${i}`, display_name: `New, ${i}`, ...(i >= 200 ? { title: `T${i}` } : {}) }, enabled: i % 2 === 0 }]);
    }
    // Spooled to disk beside the file, which is untouched until the commit.
    expect(readFileSync(target(), 'utf8')).toBe('account_id,display_name,active\nA1,Ada,true\n');
    expect(readdirSync(join(dir, 'out')).filter((name) => name.endsWith('.tmp'))).toHaveLength(1);
    await session.add([
      { id: 'again', op: 'create', key: 'A1', attributes: { account_id: 'A1', title: 'Countess' }, enabled: false }, // a row the file has: merged in place
      { id: 'u5', op: 'update', externalId: 'N5', attributes: { display_name: { to: 'Five' } } },
      { id: 'd7', op: 'delete', externalId: 'N7' },
      { id: 'e9', op: 'enable', externalId: 'N9' },
      { id: 'twice', op: 'create', key: 'N250', attributes: { account_id: 'N250', title: 'Twice' } },
    ]);
    const results = await session.commit();
    expect(results).toHaveLength(305);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results[0]).toEqual({ id: 'c0', ok: true, externalId: 'N0' });
    expect(readdirSync(join(dir, 'out'))).toEqual(['accounts.csv']);
    const lines = readFileSync(target(), 'utf8').split('\n');
    expect(lines[0]).toBe('account_id,display_name,active,title');
    expect(lines[1]).toBe('A1,Ada,false,Countess');
    expect(lines[2]).toBe('N0,"New, 0",true,');
    expect(lines).toContain('N5,Five,false,');
    expect(lines).toContain('N9,"New, 9",true,');
    expect(lines).toContain('N201,"New, 201",false,T201');
    expect(lines).toContain('N250,"New, 250",true,Twice');
    expect(lines.some((line) => line.startsWith('N7,'))).toBe(false);
    expect(lines).toHaveLength(1 + 1 + 299 + 1); // header, A1, 299 new rows, the final empty string
  });

  it('a failed commit leaves the original intact and removes its temporary files; an aborted session removes its spool', async () => {
    const rows = Array.from({ length: 30_000 }, (_, i) => `K${i},"name, ${i}"`).join('\n');
    const original = `account_id,display_name\n${rows}\nK5,late duplicate\n`; // the duplicate comes after ~600 KB were written
    writeFileSync(target(), original);
    const { connector } = await open({ file: '../out/accounts.csv', externalIdColumn: 'account_id' });
    const session = connector.beginExport!('user');
    await session.add([
      { id: 'c', op: 'create', key: 'NEW', attributes: { account_id: 'NEW', display_name: 'New' } },
      { id: 'u', op: 'update', externalId: 'K1', attributes: { display_name: { to: 'One' } } },
    ]);
    const results = await session.commit();
    expect(results).toMatchObject([
      { id: 'c', ok: false, error: { code: 'DuplicateExternalId', message: expect.stringMatching(/line 30002: account_id "K5" appears again \(first on line 7\)/) } },
      { id: 'u', ok: false, error: { code: 'DuplicateExternalId' } },
    ]);
    expect(readFileSync(target(), 'utf8')).toBe(original);
    expect(readdirSync(join(dir, 'out'))).toEqual(['accounts.csv']);

    writeFileSync(target(), 'account_id,display_name\nA1,Ada\n');
    const aborted = connector.beginExport!('user');
    await aborted.add([{ id: 'c', op: 'create', key: 'NEW', attributes: { account_id: 'NEW' } }]);
    aborted.abort();
    await expect.poll(() => readdirSync(join(dir, 'out'))).toEqual(['accounts.csv']);
    expect(readFileSync(target(), 'utf8')).toBe('account_id,display_name\nA1,Ada\n');
  });

  it('a spooled create of a row that appeared in the file meanwhile fails retryably instead of writing the row twice', async () => {
    writeFileSync(target(), 'account_id,display_name\nA1,Ada\n');
    const { connector } = await open({ file: '../out/accounts.csv', externalIdColumn: 'account_id' });
    const session = connector.beginExport!('user');
    await session.add([
      { id: 'c2', op: 'create', key: 'A2', attributes: { account_id: 'A2', display_name: 'Bob' } },
      { id: 'c3', op: 'create', key: 'A3', attributes: { account_id: 'A3', display_name: 'Cy' } },
    ]);
    writeFileSync(target(), 'account_id,display_name\nA1,Ada\nA2,Someone else\n');
    const results = await session.commit();
    expect(results).toMatchObject([
      { id: 'c2', ok: false, error: { code: 'Conflict', retryable: true } },
      { id: 'c3', ok: true, externalId: 'A3' },
    ]);
    expect(readFileSync(target(), 'utf8')).toBe('account_id,display_name\nA1,Ada\nA2,Someone else\nA3,Cy\n');
  });
});
