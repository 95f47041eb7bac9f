/**
 * End to end (issue 5): HR rows in a real PostgreSQL table → the mesh → an "apps" table in the same
 * database, and back: `phone` is owned by the app (the projection never writes it), a second FlowRule
 * reads it from the same table into the mesh at confidence 60 (above HR's desk phone at 40), and it flows
 * on to a third table (a phone book projection). All through the real CLI as a child process, with a
 * PostgreSQL store; the test pre-creates the tables in a schema of its own.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { configText, flowRule, HR_PERSON, mesh, pick, projection, sqlConnector } from '../fixtures/config-yaml.js';
import { removeTempDirs, tempDir } from '../git/temp-repo.js';
import { dropSchemas, imesh, reconcile, storeUrl, uniqueSchema, validate, withClient, writeConfig, type Workspace } from './e2e-support.js';

const pgUrl = inject('pgUrl');
const schema = uniqueSchema('e2e_hr_apps');
const storeSchema = `${schema}_store`;

const ws: Workspace = {
  cwd: tempDir('imesh-e2e-apps-'),
  get config() {
    return `${this.cwd}/config`;
  },
  storeUrl: storeUrl(pgUrl, storeSchema),
  secrets: { IMESH_SECRET_HR_DB_URL: pgUrl, IMESH_SECRET_APPS_DB_URL: pgUrl },
};

const CONFIG = {
  // two people: one leaver is half of them
  'mesh.yaml': mesh(
    { person: { ...pick(HR_PERSON, 'employeeId', 'displayName', 'email', 'department'), phone: 'string', active: 'boolean' } },
    { name: 'corp', safety: { maxDeletes: 10, maxDeletePercent: 100 } },
  ),
  'connectors.yaml': configText(
    sqlConnector('hr-db', 'postgres', 'hr-db-url', {
      user: { table: `${schema}.employees`, externalIdColumn: 'employee_id', watermarkColumn: 'modified_at', deltaColumnType: 'datetime' },
    }),
    sqlConnector('apps-db', 'postgres', 'apps-db-url', {
      account: { table: `${schema}.accounts`, externalIdColumn: 'account_id', isActiveColumn: 'is_active' },
      phonebook: { table: `${schema}.phonebook`, externalIdColumn: 'employee_id' },
    }),
  ),
  'flows.yaml': configText(
    flowRule('hr-to-person', {
      source: 'hr-db/user',
      join: { employee_id: 'employeeId' },
      provision: true,
      attributes: {
        employeeId: ['employee_id', 100],
        displayName: { template: '{{first_name}} {{last_name}}', confidence: 90 },
        email: ['email', 90],
        department: ['department', 90],
        phone: ['desk_phone', 40],
        active: ['is_active', 100],
      },
    }),
    // The app owns phone: read back from the table we provision, joined to the people we projected there.
    flowRule('apps-to-person', { source: 'apps-db/account', join: { account_id: 'employeeId' }, attributes: { phone: ['phone', 60] } }),
  ),
  'projections.yaml': configText(
    projection('person-to-apps', {
      target: 'apps-db/account',
      attributes: { account_id: '{{employeeId}}', display_name: '{{displayName}}', email: '{{email | lower}}', department: '{{department}}' },
      after: { enabled: '{{active}}', onRemove: 'disable' },
    }),
    projection('person-to-phonebook', {
      target: 'apps-db/phonebook',
      before: { scope: { all: [{ attribute: 'phone', present: true }] } },
      attributes: { employee_id: '{{employeeId}}', name: '{{displayName}}', phone: '{{phone}}' },
      after: { onRemove: 'delete' },
    }),
  ),
};

async function sql(text: string, params: unknown[] = []): Promise<void> {
  await withClient(pgUrl, async (client) => {
    await client.query(text, params);
  });
}

async function rows(table: 'accounts' | 'phonebook'): Promise<Record<string, unknown>[]> {
  const key = table === 'accounts' ? 'account_id' : 'employee_id';
  return withClient(pgUrl, async (client) => (await client.query(`SELECT * FROM ${schema}.${table} ORDER BY ${key}`)).rows as Record<string, unknown>[]);
}

interface Explained {
  type: string;
  keys: Record<string, string>;
  attributes: { name: string; value: unknown; winner: { rule: string; connector: string; externalId: string; confidence: number }; losers: { rule: string; value: unknown; confidence: number }[] }[];
}

function explain(key: string, attribute: string): Explained {
  const result = imesh(ws, 'explain', `person/${key}`, attribute, '--format', 'json');
  if (result.status !== 0) throw new Error(`imesh explain exited ${result.status}\n${result.stdout}${result.stderr}`);
  return JSON.parse(result.stdout) as Explained;
}

function planExitCode(...flags: string[]): number | null {
  const plan = imesh(ws, 'plan', '--config', ws.config, '--detailed-exitcode', ...flags);
  if (plan.status !== 0 && plan.status !== 2) throw new Error(`imesh plan exited ${plan.status}\n${plan.stdout}${plan.stderr}`);
  return plan.status;
}

beforeAll(async () => {
  await sql(`CREATE SCHEMA ${schema}`);
  await sql(`CREATE TABLE ${schema}.employees (
    employee_id text PRIMARY KEY, first_name text, last_name text, email text, department text, desk_phone text,
    is_active boolean NOT NULL DEFAULT true, modified_at timestamptz NOT NULL DEFAULT now())`);
  await sql(`CREATE TABLE ${schema}.accounts (
    account_id text PRIMARY KEY, display_name text, email text, department text, phone text, is_active boolean NOT NULL DEFAULT true)`);
  await sql(`CREATE TABLE ${schema}.phonebook (employee_id text PRIMARY KEY, name text, phone text)`);
  await sql(`INSERT INTO ${schema}.employees (employee_id, first_name, last_name, email, department, desk_phone) VALUES
    ('E1', 'Ann', 'Alpha', 'Ann.Alpha@Corp.Example', 'Engineering', '+1 555 0100'),
    ('E2', 'Bob', 'Beta', 'bob.beta@corp.example', 'Operations', NULL)`);
  writeConfig(ws, CONFIG);
});

afterAll(async () => {
  await dropSchemas(pgUrl, [schema, storeSchema]);
  removeTempDirs();
});

describe('HR (PostgreSQL) → mesh → apps table (PostgreSQL) and back, through imesh reconcile', () => {
  it('exports HR rows to the apps table (mapped columns only) and the phone book; a second reconcile exports nothing', async () => {
    validate(ws);
    // Before any trusted run nothing is bound: a plan contacts no connector that needs a secret, says so,
    // and exits as it otherwise would (issue 14's destination model).
    const untrusted = imesh(ws, 'plan', '--config', ws.config, '--detailed-exitcode');
    expect(untrusted.status).toBe(0);
    expect(untrusted.stdout).toMatch(/not contacted/i);
    expect(untrusted.stdout).toContain('hr-db');
    expect(untrusted.stdout).not.toContain(pgUrl);
    expect(planExitCode('--trust-destinations')).toBe(2); // a trusted plan: changes pending before the first reconcile
    expect(reconcile(ws).stdout).toContain('3 created');

    expect(await rows('accounts')).toEqual([
      { account_id: 'E1', display_name: 'Ann Alpha', email: 'ann.alpha@corp.example', department: 'Engineering', phone: null, is_active: true },
      { account_id: 'E2', display_name: 'Bob Beta', email: 'bob.beta@corp.example', department: 'Operations', phone: null, is_active: true },
    ]);
    // Only E1 has a phone (HR's desk phone): the phone book's scope leaves E2 out.
    expect(await rows('phonebook')).toEqual([{ employee_id: 'E1', name: 'Ann Alpha', phone: '+1 555 0100' }]);

    expect(reconcile(ws).stdout).toContain('nothing to export');
    expect(planExitCode()).toBe(0);
    // The rows we created are read back by the apps rule and joined to their people on a delta cycle.
    const sources = (explain('E1', 'phone') as Explained & { sources: { connector: string; objectType: string; externalId: string; rule: string }[] }).sources;
    expect(sources).toContainEqual(expect.objectContaining({ connector: 'apps-db', objectType: 'account', externalId: 'E1', rule: 'apps-to-person' }));
  });

  it('reads the app-owned phone back into the mesh at its confidence (winning over HR) and on to the phone book', async () => {
    await sql(`UPDATE ${schema}.accounts SET phone = '+1 555 0199' WHERE account_id = 'E1'`);
    await sql(`UPDATE ${schema}.accounts SET phone = '+1 555 0222' WHERE account_id = 'E2'`);
    reconcile(ws);

    const e1 = explain('E1', 'phone');
    expect(e1.keys).toMatchObject({ employeeId: 'E1' });
    expect(e1.attributes).toHaveLength(1);
    expect(e1.attributes[0]).toMatchObject({ name: 'phone', value: '+1 555 0199', winner: { rule: 'apps-to-person', connector: 'apps-db', externalId: 'E1', confidence: 60 } });
    expect(e1.attributes[0]!.losers).toEqual([expect.objectContaining({ rule: 'hr-to-person', value: '+1 555 0100', confidence: 40 })]);
    expect(explain('E2', 'phone').attributes[0]).toMatchObject({ value: '+1 555 0222', winner: { rule: 'apps-to-person', confidence: 60 } });

    expect(await rows('phonebook')).toEqual([
      { employee_id: 'E1', name: 'Ann Alpha', phone: '+1 555 0199' },
      { employee_id: 'E2', name: 'Bob Beta', phone: '+1 555 0222' },
    ]);
    // The app's own column was read, never written back over.
    expect((await rows('accounts')).map((r) => r.phone)).toEqual(['+1 555 0199', '+1 555 0222']);

    expect(reconcile(ws).stdout).toContain('nothing to export');
    expect(planExitCode()).toBe(0);
  });

  it('carries HR changes to the apps table without touching the app-owned phone; a leaver is disabled, not deleted', async () => {
    await sql(`UPDATE ${schema}.employees SET department = 'Sales', modified_at = now() WHERE employee_id = 'E1'`);
    await sql(`UPDATE ${schema}.employees SET is_active = false, modified_at = now() WHERE employee_id = 'E2'`);
    expect(reconcile(ws).stdout).toMatch(/1 updated, 1 disabled/);

    expect(await rows('accounts')).toEqual([
      { account_id: 'E1', display_name: 'Ann Alpha', email: 'ann.alpha@corp.example', department: 'Sales', phone: '+1 555 0199', is_active: true },
      { account_id: 'E2', display_name: 'Bob Beta', email: 'bob.beta@corp.example', department: 'Operations', phone: '+1 555 0222', is_active: false },
    ]);
    expect(explain('E1', 'phone').attributes[0]).toMatchObject({ value: '+1 555 0199', winner: { rule: 'apps-to-person' } });

    // The disabled account row is, for the apps rule, a deleted source object (isActiveColumn): its phone
    // leaves the mesh on the next (delta) cycle, and with it E2's phone book entry (onRemove: delete).
    expect(reconcile(ws).stdout).toContain('1 deleted');
    const gone = imesh(ws, 'explain', 'person/E2', 'phone', '--format', 'json');
    expect(gone.status).toBe(1);
    expect(gone.stderr).toContain('no source contributes one');
    expect(await rows('phonebook')).toEqual([{ employee_id: 'E1', name: 'Ann Alpha', phone: '+1 555 0199' }]);
    expect((await rows('accounts')).find((r) => r.account_id === 'E2')).toMatchObject({ is_active: false, phone: '+1 555 0222' });

    expect(reconcile(ws).stdout).toContain('nothing to export');
    expect(planExitCode()).toBe(0);
  });
});

