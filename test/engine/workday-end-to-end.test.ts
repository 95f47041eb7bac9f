/**
 * HR in Workday → mesh → an application's accounts table, end to end through the engine, with the
 * lifecycle sample's mesh, flow rule and projection (samples/lifecycle/) and its connectors pointed at
 * the Workday emulator and a csv table. The calendar is moved day by day (only `Date` is faked): a future
 * hire is provisioned 14 days before the start date (disabled) and enabled on it, a future termination
 * disables the account on the day and not before, a rehire re-enables the same account, the manager is
 * the manager's account id, and a hire rescinded in Workday is swept by the weekly full read.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectorOpener } from '../../src/cli/runtime.js';
import { runCycle } from '../../src/engine/cycle.js';
import { logger } from '../../src/shared/logger.js';
import type { Db } from '../../src/store/db.js';
import { WorkdayEmulator } from '../emulators/workday-emulator.js';
import { compile } from './harness.js';
import { openTestStore } from './test-store.js';

let hr: WorkdayEmulator;
let db: Db;
const dir = mkdtempSync(join(tmpdir(), 'imesh-workday-e2e-'));
const table = join(dir, 'out', 'accounts.csv');
const SECRET = 'IMESH_SECRET_WORKDAY_ISU_PASSWORD';

/** The sample's mesh, flow rule and projection, with connectors for the emulator and a csv table. */
function config(): string {
  const sample = ['mesh.yaml', 'flows.yaml', 'projections.yaml'].map((file) => readFileSync(join('samples/lifecycle', file), 'utf8'));
  const connectors = `
apiVersion: identitymesh.dev/v1alpha1
kind: Connector
metadata: { name: workday }
spec:
  type: workday
  connection:
    baseUrl: ${hr.baseUrl}
    auth: { type: basic, username: ${hr.isuUser}, password: "{{secret:workday-isu-password}}" }
  objectTypes:
    worker:
      report: ${hr.owner}/${hr.report}
      prompts: { Include_Future_Hires: "1" }
      delta: { from: Updated_From, through: Updated_Through, overlap: 5m }
---
apiVersion: identitymesh.dev/v1alpha1
kind: Connector
metadata: { name: apps-db }
spec:
  type: csv
  objectTypes:
    account: { file: ${table}, externalIdColumn: account_id, isActiveColumn: is_active }
`;
  // A handful of accounts: one leaver (or one rehire whose end date is cleared) is 20-25 % of them, over
  // the sample's 10 % delete gate and the 20 % attribute-clear gate, both meant for a real company.
  const mesh = sample[0]!.replace('maxDeletePercent: 10', 'maxDeletePercent: 50\n    maxClearPercent: 50');
  expect(mesh).not.toBe(sample[0]);
  return [mesh, ...sample.slice(1), connectors].join('\n---\n');
}

/** The accounts table by account id: its columns by name. */
function accounts(): Map<string, Record<string, string>> {
  const [header, ...rows] = readFileSync(table, 'utf8').trim().split('\n').map((line) => line.split(','));
  return new Map(rows.map((row) => [row[0]!, Object.fromEntries(header!.map((name, i) => [name, row[i] ?? '']))]));
}

/** Moves the calendar to this day (06:00 UTC); Workday's transactions of the day happen in the hour before. */
function day(date: string): void {
  vi.setSystemTime(new Date(`${date}T06:00:00.000Z`));
  hr.setClock(`${date}T05:00:00.000Z`);
}

describe('workday → mesh → accounts table: the lifecycle sample', () => {
  // Only Date is faked, inside this suite (the PostgreSQL-store run imports this file among others).
  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(new Date('2026-03-02T06:00:00.000Z'));
    hr = await new WorkdayEmulator().start();
    process.env[SECRET] = hr.isuPassword;
    db = await openTestStore(dir);
  });
  afterAll(async () => {
    vi.useRealTimers();
    await db.close();
    await hr.close();
    delete process.env[SECRET];
    rmSync(dir, { recursive: true, force: true });
  });

  it('provisions ahead of the start, enables on it, disables on the termination date, re-enables a rehire, sweeps a rescinded hire', async () => {
    const compiled = await compile(config());
    const cycle = async (kind: 'full' | 'delta') => {
      const outcome = await runCycle(db, compiled, { kind, mode: 'reconcile', revision: 'test', log: logger(), openConnector: connectorOpener(compiled, logger(), undefined, [dir]) });
      expect(outcome.result, JSON.stringify(outcome.failures)).toBe('succeeded');
      return outcome;
    };
    day('2026-03-02');
    hr.hire({ employeeId: '1001', firstName: 'Grace', lastName: 'Hopper', email: 'Grace@Acme.test', hireDate: '2015-06-01' });
    hr.hire({ employeeId: '1002', firstName: 'Ada', lastName: 'Lovelace', email: 'ada@acme.test', hireDate: '2020-02-03', positions: [{ id: 'P-2', title: 'Head of Platform', organization: 'Platform', costCenterId: 'CC-210', managerId: '1001', primary: true }] });
    hr.hire({ employeeId: '1003', firstName: 'Bob', lastName: 'Noyce', email: 'bob@acme.test', hireDate: '2026-03-23', positions: [{ id: 'P-3', title: 'Engineer', organization: 'Platform', costCenterId: 'CC-210', managerId: '1002', primary: true }] });
    hr.hire({ employeeId: '1004', firstName: 'Cy', lastName: 'Young', email: 'cy@acme.test', hireDate: '2021-09-01', terminationDate: '2026-03-10', positions: [{ id: 'P-4', title: 'Analyst', organization: 'Platform', managerId: '1002', primary: true }] });
    hr.hire({ employeeId: '1005', firstName: 'Dee', lastName: 'Left', email: 'dee@acme.test', hireDate: '2019-01-07', terminationDate: '2025-12-31' });

    await cycle('full');
    let rows = accounts();
    expect([...rows.keys()].sort()).toEqual(['1001', '1002', '1004']); // Bob starts in 21 days; Dee left last year
    expect(rows.get('1002')).toMatchObject({ display_name: 'Ada Lovelace', title: 'Head of Platform', department: 'Platform', cost_center: 'CC-210', manager_id: '1001', start_date: '2020-02-03', end_date: '', is_active: 'true' });
    expect(rows.get('1001')).toMatchObject({ email: 'grace@acme.test', manager_id: '', is_active: 'true' });
    expect(rows.get('1004')).toMatchObject({ manager_id: '1002', end_date: '2026-03-10', is_active: 'true' }); // leaving, not gone

    // A week later, nothing changed in Workday: Bob's start is 14 days away, so his account is created, disabled.
    day('2026-03-09');
    await cycle('delta');
    // The window starts 5 minutes (the overlap) before the previous read's signpost.
    expect(hr.reportQueries.at(-1)!.get('Updated_From')).toMatch(/^2026-03-02T05:55:\d\d\.\d{3}\+00:00$/);
    rows = accounts();
    expect(rows.get('1003')).toMatchObject({ manager_id: '1002', start_date: '2026-03-23', is_active: 'false' });
    expect(rows.get('1004')!.is_active).toBe('true'); // the day before the termination date

    // The termination date: Cy is disabled that day (the row stays).
    day('2026-03-10');
    await cycle('delta');
    rows = accounts();
    expect(rows.get('1004')).toMatchObject({ is_active: 'false' });
    expect(rows.get('1003')!.is_active).toBe('false');

    // Bob's first day: enabled. Cy is rehired as the same worker, starting on 1 April; a new hire is added.
    day('2026-03-23');
    hr.rehire('1004', '2026-04-01');
    hr.hire({ employeeId: '1006', firstName: 'Eve', lastName: 'Rescinded', email: 'eve@acme.test', hireDate: '2026-03-30' });
    await cycle('delta');
    rows = accounts();
    expect(rows.get('1003')!.is_active).toBe('true');
    expect(rows.get('1004')).toMatchObject({ start_date: '2026-04-01', end_date: '', is_active: 'false' }); // back in scope, not started yet
    expect(rows.get('1006')!.is_active).toBe('false');

    // Eve's offer is rescinded: she disappears from the report. A delta read cannot see that; the weekly full read does.
    day('2026-03-29');
    hr.remove('1006');
    const staged = async () => (await db.query<{ deleted: unknown }>(`SELECT deleted FROM cs_object WHERE connector = 'workday' AND external_id = '1006'`)).map((r) => Boolean(r.deleted));
    await cycle('delta');
    expect(await staged()).toEqual([false]);
    expect(accounts().get('1006')!.is_active).toBe('false');
    await cycle('full');
    expect(await staged()).toEqual([true]);

    // Cy's new first day: the same account (no new row) is enabled again.
    day('2026-04-01');
    await cycle('delta');
    rows = accounts();
    expect(rows.get('1004')).toMatchObject({ start_date: '2026-04-01', is_active: 'true' });
    expect([...rows.keys()].sort()).toEqual(['1001', '1002', '1003', '1004', '1006']);
    expect(rows.get('1006')!.is_active).toBe('false');
  });
});
