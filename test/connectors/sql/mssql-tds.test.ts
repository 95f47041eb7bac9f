/**
 * The mssql dialect over the wire: the real `mssql`/`tedious` client talks TDS 7.4 to a minimal
 * responder (test/fixtures/tds/), which records each request — statement text, parameter names, wire
 * types and values — and answers with typed COLMETADATA/ROW/DONE tokens (datetime2(7), rowversion as
 * binary(8), bigint, nvarchar, bit). This checks our encoding of parameters and our mapping of values as
 * the driver really delivers them. It is not SQL Server: no SQL runs. SQL Server itself has not been
 * tested here.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSqlConnector } from '../../../src/connectors/sql/sql-connector.js';
import type { IdentityConnector, ImportBatch } from '../../../src/connectors/sdk.js';
import { startTdsResponder, type Handler, type RecordedRequest, type TdsResponder } from '../../fixtures/tds/tds-responder.js';
import type { Cell, ColumnSpec } from '../../fixtures/tds/tds-wire.js';
import { testContext } from './test-context.js';

const PASSWORD = 'Tds-Pa55word!';

const EMPLOYEES: ColumnSpec[] = [
  { name: 'employee_id', type: 'nvarchar', length: 20, nullable: false },
  { name: 'badge', type: 'bigint' },
  { name: 'display_name', type: 'nvarchar', length: 200 },
  { name: 'is_active', type: 'bit' },
  { name: 'modified_at', type: 'datetime2', scale: 7 },
  { name: 'rv', type: 'rowversion' },
];

const ACCOUNTS: ColumnSpec[] = [
  { name: 'account_id', type: 'nvarchar', length: 50, nullable: false },
  { name: 'display_name', type: 'nvarchar', length: 200 },
  { name: 'badge', type: 'bigint' },
  { name: 'is_active', type: 'bit' },
];

function employee(i: number): Cell[] {
  const id = `E${String(i).padStart(5, '0')}`;
  return [id, (9007199254740993n + BigInt(i)).toString(), i === 1 ? 'Zoë 日本語 🚀' : `Person ${i}`, i % 3 === 0 ? null : i % 2 === 0, '2024-05-01T08:00:00.1234567Z', (1000 + i).toString(16).padStart(16, '0')];
}

const ROWS = Array.from({ length: 1500 }, (_, i) => employee(i + 1));

/** Answers like SQL Server would for the tables above. */
const sqlServer: Handler = (request) => {
  const sql = request.sql;
  const parameters = request.kind === 'rpc' ? request.parameters : [];
  if (sql.includes('SERVERPROPERTY')) {
    return { resultSets: [{ columns: [{ name: 'version', type: 'nvarchar' }, { name: 'description', type: 'nvarchar' }], rows: [['16.0.1000.6', 'Microsoft SQL Server 2022 (RTM) - 16.0.1000.6 (X64)']] }] };
  }
  if (sql.startsWith('SELECT TOP (0) * FROM [hr].[employees]')) return { resultSets: [{ columns: EMPLOYEES, rows: [] }] };
  if (sql.startsWith('SELECT TOP (0) * FROM [app].[accounts]')) return { resultSets: [{ columns: ACCOUNTS, rows: [] }] };
  if (sql.startsWith('SELECT COUNT_BIG(*)')) return { resultSets: [{ columns: [{ name: 'n', type: 'bigint' }], rows: [['1500']] }] };
  if (sql.startsWith('SELECT MAX([rv]) AS signpost')) return { resultSets: [{ columns: [{ name: 'signpost', type: 'binary', length: 8 }], rows: [['00000000000007D2']] }] };
  if (sql.includes('MIN_ACTIVE_ROWVERSION()')) return { resultSets: [{ columns: [{ name: 'signpost', type: 'binary', length: 8 }], rows: [['00000000000007D1']] }] };
  if (sql.includes('SYSUTCDATETIME()')) return { resultSets: [{ columns: [{ name: 'signpost', type: 'datetime2', scale: 7 }], rows: [['2024-05-01T08:00:00.1234567Z']] }] };
  if (sql.startsWith('SELECT * FROM [hr].[employees] AS src WHERE src.[employee_id] IN (')) {
    const keys = new Set(parameters.map((p) => p.value));
    return { resultSets: [{ columns: EMPLOYEES, rows: ROWS.filter((row) => keys.has(row[0] ?? null)) }] };
  }
  if (sql.startsWith('SELECT * FROM [hr].[employees] AS src WHERE')) return { resultSets: [{ columns: EMPLOYEES, rows: ROWS.slice(0, 2) }] };
  if (sql.startsWith('SELECT * FROM [hr].[employees] AS src ORDER BY')) return { resultSets: [{ columns: EMPLOYEES, rows: ROWS }] };
  if (sql.startsWith('MERGE INTO [app].[accounts]')) {
    if (parameters.some((p) => p.value === 'BAD')) {
      return { error: { number: 2627, message: "Violation of PRIMARY KEY constraint 'PK_accounts'. Cannot insert duplicate key in object 'app.accounts'. The duplicate key value is (BAD)." } };
    }
    return { rowCount: (sql.match(/\(@p\d+/g) ?? []).length }; // one per row of the VALUES list
  }
  if (sql.startsWith('UPDATE [app].[accounts]')) return { rowCount: parameters.at(-1)?.value === 'MISSING' ? 0 : 1 };
  if (sql.startsWith('DELETE FROM [app].[accounts]')) return { rowCount: 1 };
  return undefined;
};

async function collect(iterable: AsyncIterable<ImportBatch>): Promise<ImportBatch[]> {
  const out: ImportBatch[] = [];
  for await (const batch of iterable) out.push(batch);
  return out;
}

describe('mssql dialect against a TDS responder (real mssql/tedious client)', () => {
  let responder: TdsResponder;
  let connector: IdentityConnector;
  let since = 0;
  const newRequests = (): RecordedRequest[] => {
    const out = responder.requests.slice(since);
    since = responder.requests.length;
    return out;
  };
  const rpcs = () => newRequests().filter((r): r is Extract<RecordedRequest, { kind: 'rpc' }> => r.kind === 'rpc');

  beforeAll(async () => {
    responder = await startTdsResponder({ user: 'imesh', password: PASSWORD, handler: sqlServer });
    const spec = {
      type: 'sql',
      connection: { driver: 'mssql', connectionString: '{{secret:hr-mssql}}', encrypt: false, poolSize: 2 },
      objectTypes: {
        user: { table: 'hr.employees', externalIdColumn: 'employee_id', watermarkColumn: 'rv', deltaColumnType: 'rowversion', isActiveColumn: 'is_active' },
        changed: { table: 'hr.employees', externalIdColumn: 'employee_id', watermarkColumn: 'modified_at', deltaColumnType: 'datetime' },
        counted: { importQuery: 'hr.employees', externalIdColumn: 'employee_id', deltaColumn: 'rv', deltaColumnType: 'binary' },
        account: { table: 'app.accounts', externalIdColumn: 'account_id', isActiveColumn: 'is_active' },
      },
    };
    const url = `Server=127.0.0.1,${responder.port};Database=hr;User Id=imesh;Password=${PASSWORD};TrustServerCertificate=true`;
    connector = await createSqlConnector(testContext({ name: 'hr-mssql', spec, secrets: { 'hr-mssql': url } }));
  });
  afterAll(async () => {
    await connector?.close();
    await responder?.close();
  });
  beforeEach(() => {
    since = responder.requests.length;
  });

  it('logs in with TDS 7.4 over plain TCP, with the ADO connection string from the secret', async () => {
    await connector.check();
    const login = responder.requests.find((r): r is Extract<RecordedRequest, { kind: 'login' }> => r.kind === 'login')!;
    expect(login.login).toMatchObject({ tdsVersion: 0x74000004, userName: 'imesh', password: PASSWORD, database: 'hr', appName: 'identity-mesh' });
  });

  it('check(): version, column types and counts through sp_executesql', async () => {
    const result = await connector.check();
    // counted: deltaColumnType binary accepts the binary(8) rowversion column.
    expect(result).toMatchObject({ ok: true, objectTypes: { user: { count: 1500 }, changed: { count: 1500 }, counted: { count: 1500 }, account: { count: 1500 } } });
    expect(result.server).toContain('16.0.1000.6');
    const calls = rpcs();
    expect(calls.every((c) => c.procId === 10)).toBe(true); // sp_executesql
    expect(calls.map((c) => c.sql)).toEqual([
      "SELECT CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128)) AS version, @@VERSION AS description",
      "SELECT CAST(ISNULL(IS_SRVROLEMEMBER('sysadmin'), 0) AS int) AS superuser, SUSER_SNAME() AS login",
      'SELECT TOP (0) * FROM [hr].[employees] AS src',
      'SELECT COUNT_BIG(*) AS n FROM [hr].[employees] AS src',
      'SELECT TOP (0) * FROM [hr].[employees] AS src',
      'SELECT COUNT_BIG(*) AS n FROM [hr].[employees] AS src',
      'SELECT TOP (0) * FROM [hr].[employees] AS src',
      'SELECT COUNT_BIG(*) AS n FROM [hr].[employees] AS src',
      'SELECT TOP (0) * FROM [app].[accounts] AS src',
      'SELECT COUNT_BIG(*) AS n FROM [app].[accounts] AS src',
    ]);
  });

  it('full import: typed rows streamed in batches, MIN_ACTIVE_ROWVERSION() as the watermark', async () => {
    const batches = await collect(connector.fullImport('user'));
    expect(batches.map((b) => b.objects.length)).toEqual([1000, 500]);
    expect(batches[1]).toMatchObject({ complete: true, watermark: '0x00000000000007D1' });
    const objects = batches.flatMap((b) => b.objects);
    expect(objects[0]).toEqual({
      externalId: 'E00001',
      attributes: {
        employee_id: 'E00001',
        badge: '9007199254740994', // bigint beyond 2^53, exact
        display_name: 'Zoë 日本語 🚀',
        is_active: false,
        modified_at: '2024-05-01T08:00:00.1234567Z', // datetime2(7): all seven digits
        rv: '00000000000003e9',
      },
      enabled: false,
    });
    expect(objects[1]!.enabled).toBe(true);
    expect(objects[2]!.enabled).toBeUndefined(); // NULL bit: no answer …
    expect('is_active' in objects[2]!.attributes).toBe(false); // … and absent
    expect(rpcs().map((c) => c.sql)).toEqual(['SELECT MIN_ACTIVE_ROWVERSION() AS signpost', 'SELECT * FROM [hr].[employees] AS src ORDER BY [employee_id]']);
  });

  it('rowversion delta: the bounds travel as varbinary(8) parameters', async () => {
    const batches = await collect(connector.deltaImport('user', '0x00000000000007D0'));
    expect(batches.flatMap((b) => b.objects).map((o) => o.externalId)).toEqual(['E00001', 'E00002']);
    expect(batches.at(-1)).toMatchObject({ watermark: '0x00000000000007D1' });
    expect(batches.at(-1)!.complete).toBeUndefined();
    const [signpost, select] = rpcs();
    expect(signpost!.sql).toBe('SELECT MIN_ACTIVE_ROWVERSION() AS signpost');
    expect(select!.sql).toBe('SELECT * FROM [hr].[employees] AS src WHERE [rv] >= @p1 AND [rv] < @p2 ORDER BY [rv], [employee_id]');
    expect(select!.declarations).toBe('@p1 varbinary(8000), @p2 varbinary(8000)');
    expect(select!.parameters).toEqual([
      { name: '@p1', type: 'varbinary', maxLength: 8000, value: Buffer.from('00000000000007D0', 'hex') },
      { name: '@p2', type: 'varbinary', maxLength: 8000, value: Buffer.from('00000000000007D1', 'hex') },
    ]);
  });

  it('binary delta (the documents\' deltaColumnType binary, via importQuery and deltaColumn): MAX() signpost, inclusive varbinary(8) bounds', async () => {
    const batches = await collect(connector.deltaImport('counted', '0x00000000000007D0'));
    expect(batches.flatMap((b) => b.objects).map((o) => o.externalId)).toEqual(['E00001', 'E00002']);
    expect(batches.at(-1)).toMatchObject({ watermark: '0x00000000000007D2' });
    const [signpost, select] = rpcs();
    expect(signpost!.sql).toBe('SELECT MAX([rv]) AS signpost FROM [hr].[employees] AS src');
    expect(select!.sql).toBe('SELECT * FROM [hr].[employees] AS src WHERE [rv] >= @p1 AND [rv] <= @p2 ORDER BY [rv], [employee_id]');
    expect(select!.parameters).toEqual([
      { name: '@p1', type: 'varbinary', maxLength: 8000, value: Buffer.from('00000000000007D0', 'hex') },
      { name: '@p2', type: 'varbinary', maxLength: 8000, value: Buffer.from('00000000000007D2', 'hex') },
    ]);
  });

  it('datetime delta: SYSUTCDATETIME() signpost, 5 s overlap, bounds as text converted by the server', async () => {
    const batches = await collect(connector.deltaImport('changed', '2024-05-01T07:00:00.1234567Z'));
    expect(batches.at(-1)).toMatchObject({ watermark: '2024-05-01T08:00:00.1234567Z' });
    const [signpost, select] = rpcs();
    expect(signpost!.sql).toBe('SELECT SYSUTCDATETIME() AS signpost');
    expect(select!.sql).toBe(
      'SELECT * FROM [hr].[employees] AS src WHERE [modified_at] >= CAST(@p1 AS datetime2(7)) AND [modified_at] <= CAST(@p2 AS datetime2(7)) ORDER BY [modified_at], [employee_id]',
    );
    expect(select!.parameters).toEqual([
      { name: '@p1', type: 'nvarchar', maxLength: 8000, value: '2024-05-01T06:59:55.1234567' },
      { name: '@p2', type: 'nvarchar', maxLength: 8000, value: '2024-05-01T08:00:00.1234567' },
    ]);
  });

  it('read by key: IN lists of at most 2,000 nvarchar parameters, one request per slice', async () => {
    const keys = Array.from({ length: 2500 }, (_, i) => `E${String(i + 1).padStart(5, '0')}`);
    const batches = await collect(connector.readObjects!('user', [...keys, 'E00001']));
    const objects = batches.flatMap((b) => b.objects);
    expect(objects).toHaveLength(1500); // the table has E00001–E01500
    expect(batches.some((b) => b.complete || b.watermark !== undefined)).toBe(false);
    const selects = rpcs();
    expect(selects.map((c) => c.parameters.length)).toEqual([2000, 500]);
    const inList = (count: number) => Array.from({ length: count }, (_, i) => `@p${i + 1}`).join(', ');
    expect(selects[1]!.sql).toBe(`SELECT * FROM [hr].[employees] AS src WHERE src.[employee_id] IN (${inList(500)})`);
    expect(selects[1]!.parameters[0]).toEqual({ name: '@p1', type: 'nvarchar', maxLength: 8000, value: 'E02001' });
    const full = (await collect(connector.fullImport('user'))).flatMap((b) => b.objects);
    expect(objects.find((o) => o.externalId === 'E00001')).toEqual(full.find((o) => o.externalId === 'E00001'));
  });

  it('export: one transaction per batch, MERGE … WITH (HOLDLOCK) with typed parameters (bit for the boolean column)', async () => {
    const results = await connector.export('account', [
      { id: 'c1', op: 'create', key: 'A1', attributes: { account_id: 'A1', display_name: 'Ada', badge: '9007199254740993' }, enabled: true },
      { id: 'c2', op: 'create', key: 'A2', attributes: { account_id: 'A2', display_name: 'Bob', badge: 42 }, enabled: false },
      { id: 'u1', op: 'update', externalId: 'A3', attributes: { display_name: { to: 'Cy' } } },
      { id: 'd1', op: 'disable', externalId: 'A4' },
      { id: 'x1', op: 'delete', externalId: 'A5' },
    ]);
    expect(results.every((r) => r.ok)).toBe(true);
    const requests = newRequests().filter((r) => r.kind !== 'login');
    expect(requests.map((r) => (r.kind === 'transaction' ? r.request : r.kind === 'rpc' ? r.sql.split(' ')[0] : r.kind))).toEqual(['SELECT', 'begin', 'MERGE', 'UPDATE', 'UPDATE', 'DELETE', 'commit']);
    const merge = requests.find((r): r is Extract<RecordedRequest, { kind: 'rpc' }> => r.kind === 'rpc' && r.sql.startsWith('MERGE'))!;
    expect(merge.sql).toBe(
      'MERGE INTO [app].[accounts] WITH (HOLDLOCK) AS tgt USING (VALUES (@p1, @p2, @p3, @p4), (@p5, @p6, @p7, @p8)) AS src ([account_id], [display_name], [badge], [is_active]) ' +
        'ON tgt.[account_id] = src.[account_id] WHEN MATCHED THEN UPDATE SET tgt.[display_name] = src.[display_name], tgt.[badge] = src.[badge], tgt.[is_active] = src.[is_active] ' +
        'WHEN NOT MATCHED BY TARGET THEN INSERT ([account_id], [display_name], [badge], [is_active]) VALUES (src.[account_id], src.[display_name], src.[badge], src.[is_active]);',
    );
    expect(merge.declarations).toBe('@p1 nvarchar(4000), @p2 nvarchar(4000), @p3 nvarchar(4000), @p4 bit, @p5 nvarchar(4000), @p6 nvarchar(4000), @p7 int, @p8 bit');
    expect(merge.parameters.map((p) => [p.type, p.value])).toEqual([
      ['nvarchar', 'A1'],
      ['nvarchar', 'Ada'],
      ['nvarchar', '9007199254740993'], // a bigint beyond 2^53 stays text; the server converts it exactly
      ['bit', true],
      ['nvarchar', 'A2'],
      ['nvarchar', 'Bob'],
      ['int', 42],
      ['bit', false],
    ]);
    const updates = requests.filter((r): r is Extract<RecordedRequest, { kind: 'rpc' }> => r.kind === 'rpc' && r.sql.startsWith('UPDATE'));
    expect(updates.map((u) => u.sql)).toEqual(['UPDATE [app].[accounts] SET [display_name] = @p1 WHERE [account_id] = @p2', 'UPDATE [app].[accounts] SET [is_active] = @p1 WHERE [account_id] = @p2']);
    expect(updates[1]!.parameters.map((p) => [p.type, p.value])).toEqual([
      ['bit', false],
      ['nvarchar', 'A4'],
    ]);
  });

  it('a failing row: the batch is rolled back, then each change runs alone; the bad one reports its key and the server message', async () => {
    const results = await connector.export('account', [
      { id: 'a', op: 'create', key: 'A1', attributes: { account_id: 'A1', display_name: 'Ada' } },
      { id: 'bad', op: 'create', key: 'BAD', attributes: { account_id: 'BAD', display_name: 'Dup' } },
      { id: 'gone', op: 'update', externalId: 'MISSING', attributes: { display_name: { to: 'x' } } },
      { id: 'c', op: 'create', key: 'A3', attributes: { account_id: 'A3', display_name: 'Cy' } },
    ]);
    expect(results.map((r) => [r.id, r.ok])).toEqual([['a', true], ['bad', false], ['gone', false], ['c', true]]);
    const bad = results[1]!;
    expect(bad).toMatchObject({ ok: false, error: { code: 'ConstraintViolation', retryable: false } });
    expect(!bad.ok && bad.error.message).toMatch(/row BAD: Violation of PRIMARY KEY constraint 'PK_accounts'/);
    expect(results[2]).toMatchObject({ ok: false, error: { code: 'ObjectNotFound' } });
    const transactions = newRequests().filter((r): r is Extract<RecordedRequest, { kind: 'transaction' }> => r.kind === 'transaction').map((r) => r.request);
    expect(transactions).toEqual(['begin', 'rollback', 'begin', 'commit', 'begin', 'rollback', 'begin', 'rollback', 'begin', 'commit']);
  });

  it('a watermark column of the wrong type is refused by check(), naming the column and both types', async () => {
    responder.setHandler((request) =>
      request.sql.startsWith('SELECT TOP (0) * FROM [hr].[employees]') ? { resultSets: [{ columns: EMPLOYEES.map((c) => (c.name === 'rv' ? { name: 'rv', type: 'nvarchar' as const } : c)), rows: [] }] } : sqlServer(request),
    );
    try {
      const result = await connector.check();
      expect(result).toMatchObject({ ok: false, error: { code: 'WatermarkTypeMismatch' } });
      expect(result.error!.message).toMatch(/watermark column "rv" in hr\.employees is nvarchar\(4000\), but deltaColumnType is rowversion/);
    } finally {
      responder.setHandler(sqlServer);
    }
  });

  it('a wrong password is an authentication failure, and the password is in no message', async () => {
    const wrong = 'Wrong-Secret-123';
    const spec = { type: 'sql', connection: { driver: 'mssql', connectionString: '{{secret:bad}}', encrypt: false, connectTimeoutSeconds: 5 }, objectTypes: { user: { table: 'hr.employees', externalIdColumn: 'employee_id' } } };
    const context = testContext({ name: 'hr-mssql', spec, secrets: { bad: `mssql://imesh:${encodeURIComponent(wrong)}@127.0.0.1:${responder.port}/hr` } });
    const bad = await createSqlConnector(context);
    try {
      const result = await bad.check();
      expect(result).toMatchObject({ ok: false, error: { code: 'AuthenticationFailed' } });
      expect(result.error!.message).toMatch(/Login failed for user 'imesh'/);
      expect(JSON.stringify(result)).not.toContain(wrong);
      expect(context.logLines.join('')).not.toContain(wrong);
    } finally {
      await bad.close();
    }
  });
});
