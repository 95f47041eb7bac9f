import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileFromFiles, type ConfigResult } from '../../src/config/index.js';
import { csvConnector, embeddedSqlConnector, flowRule, HR_PERSON, mesh, pick, projection, references } from '../fixtures/config-yaml.js';

export const MESH = mesh(
  {
    person: { ...pick(HR_PERSON, 'employeeId', 'firstName', 'lastName', 'department', 'email', 'active'), roles: 'string[]' },
    group: { name: 'string', members: references('person', 'group') },
  },
  { name: 'corp' },
);

export const HR = csvConnector('hr', { user: { file: 'data/hr.csv', externalIdColumn: 'employee_id' } });

export const APPS = embeddedSqlConnector('apps', '.imesh/apps', {
  account: { table: 'accounts', externalIdColumn: 'account_id', isActiveColumn: 'is_active', createTable: true },
});

export const HR_FLOW = flowRule('hr-to-person', { source: 'hr/user', join: { employee_id: 'employeeId' }, provision: true, attributes: { employeeId: ['employee_id', 100], email: 'email' } });

export const APPS_PROJECTION = projection('person-to-apps', {
  target: 'apps/account',
  attributes: { account_id: '{{employeeId}}', email: '{{email}}' },
  after: { enabled: '{{active}}' },
});

export const configDir = mkdtempSync(join(tmpdir(), 'imesh-config-test-'));

/** Compiles documents joined with `---`, as one file `config.yaml`. */
export function compileDocs(...documents: string[]): ConfigResult {
  return compileFromFiles(configDir, [{ path: 'config.yaml', content: documents.join('\n---\n') }]);
}

export function problemLines(result: ConfigResult): string[] {
  return result.problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message}`);
}

/** The same documents with `base` replaced. */
export function edit(document: string, from: string, to: string): string {
  if (!document.includes(from)) throw new Error(`test setup: "${from}" not in document`);
  return document.replace(from, to);
}
