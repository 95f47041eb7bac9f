/**
 * `type: package` in the config stage: an allowlisted, installed package's descriptor validates the
 * connector's spec (problems at file and line), gives the traits projections are checked against and
 * the secret destinations, all without opening a connection; everything else is a clear error at the
 * connector's `spec.package`.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { connectorFactory, descriptorOf } from '../../../src/connectors/registry.js';
import { secretUses } from '../../../src/connectors/secret-destinations.js';
import { installPackage, SAMPLE_DIR, SAMPLE_PACKAGE, sampleProject } from './sample-project.js';

const project = sampleProject();

function configDir(edit: (connectors: string) => string = (text) => text): string {
  const dir = mkdtempSync(join(tmpdir(), 'imesh-package-config-'));
  cpSync(join(SAMPLE_DIR, 'example-config'), dir, { recursive: true });
  const path = join(dir, 'connectors.yaml');
  writeFileSync(path, edit(readFileSync(path, 'utf8')));
  return dir;
}

const HR_PACKAGE_LINE = `package: "${SAMPLE_PACKAGE}"\n  objectTypes:\n    worker`;

async function problems(dir: string): Promise<string[]> {
  const result = await loadConfig(dir);
  return result.problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message}`);
}

beforeEach(() => {
  vi.stubEnv('IMESH_CONNECTOR_PACKAGES', SAMPLE_PACKAGE);
  vi.stubEnv('IMESH_CONNECTOR_PACKAGES_ROOT', project.root);
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('type: package in the config', () => {
  it('compiles with the package’s defaults filled in, traits from its descriptor, and no secret destinations', async () => {
    const { config, problems: found } = await loadConfig(configDir());
    expect(found).toEqual([]);
    const hr = config!.connectors.get('hr')!;
    expect(hr.type).toBe('package');
    expect(hr.objectTypes).toEqual(['worker']);
    // The package schema's defaults, as validate fills ours.
    expect(hr.spec).toMatchObject({ package: SAMPLE_PACKAGE, objectTypes: { worker: { file: 'hr.json', keyAttribute: 'employee_id', activeAttribute: 'active', pageSize: 500 } } });
    const accounts = config!.connectors.get('accounts')!;
    expect(accounts.type === 'package' && descriptorOf('package').targetTraits(accounts.spec, 'account')).toEqual({ canExport: true, canDisable: true, columns: true, keyColumn: 'id', activeColumn: 'active' });
    expect(await secretUses(config!)).toEqual({ uses: [], unknown: new Map() });
  });

  it('reports a spec the package’s schema refuses at its file and line', async () => {
    const dir = configDir((text) => text.replace('      keyAttribute: employee_id\n', '      keyAttribute: employee_id\n      pageSize: 0\n      fiel: typo.json\n'));
    const lines = await problems(dir);
    expect(lines).toEqual([
      'connectors.yaml:14:17: spec.objectTypes.worker.pageSize must be at least 1, not 0 (@example/imesh-connector-jsonfile spec schema)',
      'connectors.yaml:15:7: unknown key "fiel" in spec.objectTypes.worker (did you mean "file"?) (@example/imesh-connector-jsonfile spec schema)',
    ]);
  });

  it('refuses a package the controller does not allowlist, naming the connector, its file and line, and the variable', async () => {
    vi.stubEnv('IMESH_CONNECTOR_PACKAGES', '');
    const lines = await problems(configDir());
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(`connectors.yaml:9:12: connector "hr": connector package "${SAMPLE_PACKAGE}" is not allowlisted (IMESH_CONNECTOR_PACKAGES is not set); the controller's operator must install it and add it to IMESH_CONNECTOR_PACKAGES`);
    expect(lines[1]).toMatch(/^connectors\.yaml:\d+:12: connector "accounts": connector package .* is not allowlisted/);
  });

  it('refuses a package not on the list, even when installed', async () => {
    installPackage(project, '@example/other', { 'package.json': '{"name":"@example/other","type":"module","main":"index.js"}', 'index.js': 'export default {}' });
    const lines = await problems(configDir((text) => text.replace(`package: "${SAMPLE_PACKAGE}"\n  objectTypes:\n    worker`, 'package: "@example/other"\n  objectTypes:\n    worker')));
    expect(lines).toEqual([expect.stringMatching(/^connectors\.yaml:9:12: connector "hr": connector package "@example\/other" is not allowlisted \(IMESH_CONNECTOR_PACKAGES lists "@example\/imesh-connector-jsonfile"\)/)]);
  });

  it('a listed package that is not installed is a clear error', async () => {
    vi.stubEnv('IMESH_CONNECTOR_PACKAGES', `${SAMPLE_PACKAGE},@example/missing`);
    const lines = await problems(configDir((text) => text.replace(`package: "${SAMPLE_PACKAGE}"\n  objectTypes:\n    worker`, 'package: "@example/missing"\n  objectTypes:\n    worker')));
    expect(lines).toEqual([expect.stringMatching(/^connectors\.yaml:9:12: connector "hr": connector package "@example\/missing" is listed in IMESH_CONNECTOR_PACKAGES but not installed in .*node_modules/)]);
  });

  it.each([
    ['exports no descriptor', 'export const nothing = 1;', /neither a default export nor an export named "descriptor" is an object/],
    ['speaks another SDK version', 'export default { sdkVersion: 2 };', /sdkVersion is 2; this Identity Mesh speaks sdkVersion 1/],
    ['lacks a function', 'export default { sdkVersion: 1, type: "bad", specSchema: {}, targetTraits() {}, hasCredentials() {}, secretDestinations() {} };', /"load" is not a function/],
    ['has a schema that does not compile', 'export default { sdkVersion: 1, type: "bad", specSchema: { type: "nonsense" }, targetTraits() {}, hasCredentials() {}, secretDestinations() {}, load() {} };', /its specSchema does not compile/],
    ['throws when imported', 'throw new Error("boom at import");', /failed to load: boom at import/],
  ])('a package that %s is a clear error', async (_what, source, message) => {
    const name = `@example/bad-${Math.random().toString(36).slice(2, 8)}`;
    installPackage(project, name, { 'package.json': JSON.stringify({ name, type: 'module', exports: { '.': { import: './index.js' } } }), 'index.js': source });
    vi.stubEnv('IMESH_CONNECTOR_PACKAGES', `${SAMPLE_PACKAGE},${name}`);
    const lines = await problems(configDir((text) => text.replace(`package: "${SAMPLE_PACKAGE}"\n  objectTypes:\n    worker`, `package: "${name}"\n  objectTypes:\n    worker`)));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^connectors\.yaml:9:12: connector "hr": connector package "@example\/bad-/);
    expect(lines[0]).toMatch(message);
  });

  it('pairs the secrets a package connector references with the destinations its descriptor names', async () => {
    const name = '@example/imesh-connector-api';
    const descriptor = `export default {
      sdkVersion: 1, type: 'api',
      specSchema: { type: 'object', required: ['baseUrl', 'token', 'objectTypes'], properties: { baseUrl: { type: 'string' }, token: { type: 'string' }, objectTypes: { type: 'object' } }, additionalProperties: false },
      targetTraits: () => ({ canExport: false, exportNote: 'read-only API', canDisable: false, columns: false }),
      hasCredentials: () => true,
      secretDestinations: (spec) => [new URL(spec.baseUrl).origin],
      load: async () => () => { throw new Error('not opened in this test'); },
    };`;
    installPackage(project, name, { 'package.json': JSON.stringify({ name, type: 'module', main: 'index.js' }), 'index.js': descriptor });
    vi.stubEnv('IMESH_CONNECTOR_PACKAGES', `${SAMPLE_PACKAGE},${name}`);
    const dir = configDir((text) =>
      text.replace(`package: "${SAMPLE_PACKAGE}"\n  objectTypes:\n    worker:\n      file: hr.json\n      keyAttribute: employee_id`, `package: "${name}"\n  baseUrl: https://hr.example.com/api\n  token: "{{secret:HR_TOKEN}}"\n  objectTypes:\n    worker: {}`),
    );
    const { config, problems: found } = await loadConfig(dir);
    expect(found).toEqual([]);
    expect((await secretUses(config!)).uses).toEqual([{ connector: 'hr', secret: 'HR_TOKEN', destination: 'https://hr.example.com' }]);
    expect(descriptorOf('package').hasCredentials(config!.connectors.get('hr')!.spec as never)).toBe(true);
  });

  it('opens a package connector with its own spec (without the keys Identity Mesh owns) and a log that names the package', async () => {
    const name = '@example/imesh-connector-recorder';
    const descriptor = `export const opened = [];
      export const descriptor = {
        sdkVersion: 1, type: 'recorder',
        specSchema: { type: 'object', properties: { objectTypes: { type: 'object' } } },
        targetTraits: () => ({ canExport: false, canDisable: false, columns: false }),
        hasCredentials: () => false,
        secretDestinations: () => [],
        load: async () => (context) => { opened.push({ spec: context.model.spec, name: context.model.name, log: context.log.bindings() }); return { close: async () => {} }; },
      };`;
    const dir = installPackage(project, name, { 'package.json': JSON.stringify({ name, type: 'module', main: 'index.js' }), 'index.js': descriptor });
    vi.stubEnv('IMESH_CONNECTOR_PACKAGES', `${SAMPLE_PACKAGE},${name}`);
    const config = configDir((text) => text.replace(HR_PACKAGE_LINE, `package: "${name}"\n  suspend: false\n  objectTypes:\n    worker`));
    const { config: compiled, problems: found } = await loadConfig(config);
    expect(found).toEqual([]);
    const model = compiled!.connectors.get('hr')!;
    await connectorFactory('package')({ model, configPath: config, workDir: config, secrets: { resolve: (text) => text }, log: pino({ level: 'silent' }) });
    const { opened } = (await import(pathToFileURL(join(dir, 'index.js')).href)) as { opened: unknown[] };
    expect(opened).toEqual([{ name: 'hr', spec: { objectTypes: { worker: { file: 'hr.json', keyAttribute: 'employee_id' } } }, log: { connectorPackage: name, connectorType: 'recorder' } }]);
  });
});
