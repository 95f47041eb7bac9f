import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileFromFiles, type ConfigResult } from '../../src/config/index.js';

export const MESH = `apiVersion: identitymesh.dev/v1alpha1
kind: Mesh
metadata: { name: corp }
spec:
  objectTypes:
    person:
      attributes:
        employeeId: { type: string }
        firstName: { type: string }
        lastName: { type: string }
        department: { type: string }
        email: { type: string }
        active: { type: boolean }
        roles: { type: string, multiValued: true }
    group:
      attributes:
        name: { type: string }
        members: { type: reference, to: [person, group], multiValued: true }
`;

export const HR = `apiVersion: identitymesh.dev/v1alpha1
kind: Connector
metadata: { name: hr }
spec:
  type: csv
  objectTypes:
    user: { file: data/hr.csv, externalIdColumn: employee_id }
`;

export const APPS = `apiVersion: identitymesh.dev/v1alpha1
kind: Connector
metadata: { name: apps }
spec:
  type: sql
  connection: { driver: embedded, path: .imesh/apps }
  objectTypes:
    account: { table: accounts, externalIdColumn: account_id, isActiveColumn: is_active, createTable: true }
`;

export const HR_FLOW = `apiVersion: identitymesh.dev/v1alpha1
kind: FlowRule
metadata: { name: hr-to-person }
spec:
  source: { connector: hr, objectType: user }
  meshType: person
  join: [ { source: employee_id, mesh: employeeId } ]
  provision: true
  attributes:
    - { mesh: employeeId, source: employee_id, confidence: 100 }
    - { mesh: email, source: email }
`;

export const APPS_PROJECTION = `apiVersion: identitymesh.dev/v1alpha1
kind: Projection
metadata: { name: person-to-apps }
spec:
  meshType: person
  target: { connector: apps, objectType: account }
  attributes:
    account_id: "{{employeeId}}"
    email: "{{email}}"
  enabled: "{{active}}"
`;

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
