/**
 * End to end (issue 19): HR in Workday → the mesh → an application's accounts table in a real PostgreSQL,
 * with the lifecycle sample (samples/lifecycle/) as written — only the tenant URL and the table's schema
 * are pointed at the test's — through the real CLI (`imesh reconcile`, PostgreSQL store) as a child
 * process against the Workday emulator. Dates are relative to the real today: a hire in 10 days is
 * provisioned disabled, one in 30 days is not; a termination moved to today disables that day; a
 * terminated worker rehired today gets an enabled account; managers are their account ids.
 *
 * "Today" is read once (TODAY) for every date the test writes and expects, and the emulator's tenant
 * date is pinned to it. The CLI reads the real clock, which may have passed midnight since: every date
 * here is at least a day from each bound it is tested against, so its runs give the same accounts on
 * TODAY and the day after, and the test checks that they ran on one of those two days.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { removeTempDirs, tempDir } from '../git/temp-repo.js';
import { WorkdayEmulator } from '../emulators/workday-emulator.js';
import { BIN, dropSchemas, storeUrl, uniqueSchema, withClient, writeConfig, type Workspace } from './e2e-support.js';

const pgUrl = inject('pgUrl');
const schema = uniqueSchema('e2e_workday');
const storeSchema = `${schema}_store`;
let hr: WorkdayEmulator;
let ws: Workspace;

const TODAY = Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00.000Z`);
const day = (offset: number) => new Date(TODAY + offset * 86_400_000).toISOString().slice(0, 10);

/** `imesh reconcile` without blocking this process (the emulator answers from it). */
function reconcile(): Promise<{ status: number | null; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, 'reconcile', '--config', ws.config, '--store', ws.storeUrl], { cwd: ws.cwd, env: { ...process.env, IMESH_LOG_LEVEL: 'warn', ...ws.secrets } });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.on('error', fail);
    child.on('close', (status) => {
      expect(output).not.toContain(hr.isuPassword);
      done({ status, output });
    });
  });
}

/** The UTC dates the CLI's cycles started and finished on, as its store recorded them. */
async function runDates(): Promise<string[]> {
  return withClient(pgUrl, async (client) => {
    const result = await client.query(`SELECT started_at, finished_at FROM ${storeSchema}.cycle ORDER BY id`);
    return [...new Set(result.rows.flatMap((row: { started_at: Date; finished_at: Date }) => [row.started_at, row.finished_at]).map((at) => at.toISOString().slice(0, 10)))];
  });
}

async function accounts(): Promise<Map<string, Record<string, unknown>>> {
  return withClient(pgUrl, async (client) => {
    const result = await client.query(`SELECT * FROM ${schema}.accounts ORDER BY account_id`);
    return new Map(result.rows.map((row: Record<string, unknown>) => [String(row.account_id), row]));
  });
}

beforeAll(async () => {
  hr = await new WorkdayEmulator({ today: () => day(0) }).start();
  const cwd = tempDir('imesh-e2e-workday-');
  ws = { cwd, get config() { return `${cwd}/config`; }, storeUrl: storeUrl(pgUrl, storeSchema), secrets: { IMESH_SECRET_WORKDAY_ISU_PASSWORD: hr.isuPassword, IMESH_SECRET_APPS_DB_URL: pgUrl } };
  await withClient(pgUrl, async (client) => {
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(`CREATE TABLE ${schema}.accounts (account_id text PRIMARY KEY, display_name text, email text, title text, department text, cost_center text,
      manager_id text, start_date text, end_date text, is_active boolean)`);
  });
  const sample = (file: string) => readFileSync(join('samples/lifecycle', file), 'utf8');
  const connectors = sample('connectors.yaml')
    .replace('https://wd2-impl-services1.workday.com/ccx/service/customreport2/acme', hr.baseUrl)
    .replace('table: app.accounts', `table: ${schema}.accounts`);
  expect(connectors).toContain(hr.baseUrl);
  expect(connectors).toContain(`${schema}.accounts`);
  // A handful of accounts: one leaver is more than the sample's 10 % gate meant for a real company.
  const mesh = sample('mesh.yaml').replace('maxDeletePercent: 10', 'maxDeletePercent: 50');
  writeConfig(ws, { 'mesh.yaml': mesh, 'connectors.yaml': connectors, 'flows.yaml': sample('flows.yaml'), 'projections.yaml': sample('projections.yaml') });
});
afterAll(async () => {
  await hr?.close();
  await dropSchemas(pgUrl, [schema, storeSchema]);
  removeTempDirs();
});

describe('workday → mesh → PostgreSQL, the lifecycle sample through imesh reconcile', () => {
  it('provisions what starts within 14 days, disables on the termination date, enables a rehire, and links managers', async () => {
    hr.setClock(new Date(Date.now() - 3_600_000).toISOString());
    hr.hire({ employeeId: '1001', firstName: 'Grace', lastName: 'Hopper', email: 'Grace@Acme.test', hireDate: '2015-06-01' });
    hr.hire({ employeeId: '1002', firstName: 'Ada', email: 'ada@acme.test', lastName: 'Lovelace', hireDate: '2020-02-03', positions: [{ id: 'P2', title: 'Head of Platform', organization: 'Platform', costCenterId: 'CC-210', managerId: '1001', primary: true }] });
    hr.hire({ employeeId: '1003', firstName: 'Bob', email: 'bob@acme.test', lastName: 'Noyce', hireDate: day(10), positions: [{ id: 'P3', title: 'Engineer', organization: 'Platform', managerId: '1002', primary: true }] });
    hr.hire({ employeeId: '1004', firstName: 'Carl', email: 'carl@acme.test', lastName: 'Later', hireDate: day(30) });
    hr.hire({ employeeId: '1005', firstName: 'Dora', email: 'dora@acme.test', lastName: 'Leaving', hireDate: '2019-01-07', terminationDate: day(5), positions: [{ id: 'P5', title: 'Analyst', organization: 'Platform', managerId: '1002', primary: true }] });
    hr.hire({ employeeId: '1006', firstName: 'Eli', email: 'eli@acme.test', lastName: 'Returning', hireDate: '2018-01-08', terminationDate: day(-1) });

    const first = await reconcile();
    expect(first.status, first.output).toBe(0);
    let rows = await accounts();
    expect([...rows.keys()]).toEqual(['1001', '1002', '1003', '1005']);
    expect(rows.get('1001')).toMatchObject({ display_name: 'Grace Hopper', email: 'grace@acme.test', is_active: true });
    expect(rows.get('1002')).toMatchObject({ title: 'Head of Platform', department: 'Platform', cost_center: 'CC-210', manager_id: '1001', is_active: true });
    expect(rows.get('1003')).toMatchObject({ manager_id: '1002', start_date: day(10), is_active: false });
    expect(rows.get('1005')).toMatchObject({ end_date: day(5), is_active: true });

    // Dora's last day is brought forward to today; Eli is rehired today.
    hr.setClock(new Date(Date.now() - 60_000).toISOString());
    hr.change('1005', (w) => (w.terminationDate = day(0)));
    hr.rehire('1006', day(0));
    const second = await reconcile();
    expect(second.status, second.output).toBe(0);
    rows = await accounts();
    // Out of scope from today: the row is disabled (onRemove), and otherwise left as it was last written.
    expect(rows.get('1005')).toMatchObject({ end_date: day(5), is_active: false });
    expect(rows.get('1006')).toMatchObject({ display_name: 'Eli Returning', start_date: day(0), end_date: '', is_active: true });
    expect(hr.reportQueries.at(-1)!.has('Updated_From')).toBe(true); // the second run was a delta
    // What the margins above cover: both runs on TODAY, or (past midnight) on the day after.
    const ran = await runDates();
    expect(ran.length).toBeGreaterThan(0);
    for (const date of ran) expect([day(0), day(1)]).toContain(date);
  });
});
