/**
 * Templates and flow rules read only an object's own attributes: the attack from the security review
 * (`{{constructor}}`, `{{__proto__}}`, `source: __proto__`) is refused by `validate` and by `reconcile`,
 * and inherited names that are not reserved (`toString`) read as missing, never as JavaScript internals.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configText, csvConnector, flowRule, mesh, projection } from '../fixtures/config-yaml.js';

const BIN = resolve('bin/imesh.js');
const roots: string[] = [];

function imesh(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 150_000, env: { ...process.env, IMESH_STORE_URL: undefined } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const MESH = mesh({ person: { employeeId: 'string', name: 'string', note: 'string' } }, { name: 'corp' });

const CONNECTORS = configText(
  csvConnector('hr', { user: { file: 'data/hr.csv', externalIdColumn: 'employee_id' } }),
  csvConnector('book', { entry: { file: '../out/book.csv', externalIdColumn: 'employee_id' } }),
);

/** The HR rule with `note` (the attribute under test, as YAML text) as its last attribute. */
function flow(note: string): string {
  return `${flowRule('hr-to-person', { source: 'hr/user', join: { employee_id: 'employeeId' }, provision: true, attributes: { employeeId: 'employee_id', name: 'name' } })}    - ${note}\n`;
}

const PROJECTION = projection('person-to-book', {
  target: 'book/entry',
  attributes: { employee_id: '{{employeeId}}', name: '{{name}}', note: '{{note | default:"none"}}' },
  after: { onRemove: 'delete' },
});

/** A working directory holding `config/` (the repository) and `out/` (the csv target's folder). */
function workspace(note: string): string {
  const root = mkdtempSync(join(tmpdir(), 'imesh-internals-'));
  roots.push(root);
  mkdirSync(join(root, 'config', 'data'), { recursive: true });
  mkdirSync(join(root, 'out'));
  writeFileSync(join(root, 'config', 'mesh.yaml'), MESH);
  writeFileSync(join(root, 'config', 'connectors.yaml'), CONNECTORS);
  writeFileSync(join(root, 'config', 'flows.yaml'), flow(note));
  writeFileSync(join(root, 'config', 'projections.yaml'), PROJECTION);
  writeFileSync(join(root, 'config', 'data', 'hr.csv'), 'employee_id,name\nE1,Ada\nE2,Grace\n');
  return root;
}

beforeAll(() => {
  if (!existsSync('dist/cli/validate.js')) throw new Error('dist/ is missing: run npm run build (npm test does it first)');
});
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

describe('templates and flow rules cannot reach JavaScript internals', () => {
  it.each([
    ['a template naming constructor and __proto__', '{ mesh: note, template: "{{constructor}}|{{__proto__}}|{{toString}}" }', 'flows.yaml:12:'],
    ['source: __proto__', '{ mesh: note, source: __proto__ }', 'flows.yaml:12:'],
    ['source: constructor', '{ mesh: note, source: constructor }', 'flows.yaml:12:'],
    ['a dotted path through prototype', '{ mesh: note, template: "{{name.prototype}}" }', 'flows.yaml:12:'],
  ])('validate and reconcile refuse %s, naming the file and line, and write nothing', (_label, note, where) => {
    const root = workspace(note);
    const validate = imesh(['validate', '--config', 'config', '--format', 'json'], root);
    expect(validate.status).toBe(1);
    const report = JSON.parse(validate.stdout) as { valid: boolean; problems: { file: string; line: number; message: string }[] };
    expect(report.valid).toBe(false);
    const reserved = report.problems.filter((p) => /reserved/.test(p.message));
    expect(reserved.length).toBeGreaterThan(0);
    for (const problem of reserved) expect(`${problem.file}:${problem.line}:`).toBe(where);

    const reconcile = imesh(['reconcile', '--config', 'config'], root);
    expect(reconcile.status).toBe(1);
    expect(reconcile.stderr + reconcile.stdout).toContain('reserved');
    expect(existsSync(join(root, 'out', 'book.csv'))).toBe(false);
  });

  // Also the control for the refusals above: this same set-up does reconcile and write the target.
  it('inherited names that are not reserved read as missing, never as native code', { timeout: 180_000 }, () => {
    const root = workspace('{ mesh: note, template: "{{toString}}|{{valueOf}}|{{hasOwnProperty}}" }');
    expect(imesh(['validate', '--config', 'config'], root).status).toBe(0);
    const result = imesh(['reconcile', '--config', 'config'], root);
    expect(result.status, result.stderr).toBe(0);
    const book = readFileSync(join(root, 'out', 'book.csv'), 'utf8');
    expect(book).not.toContain('native code');
    expect(book).not.toContain('[object');
    // The rule contributes nothing (its attributes are missing): the note falls back to its default.
    expect(book).toContain('E1,Ada,none');
  });
});

