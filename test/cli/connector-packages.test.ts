/**
 * Connector packages through the CLI, in child processes: `imesh validate`, `reconcile` and `run` load
 * the template package (samples/connector-package) from the controller's installed packages when
 * IMESH_CONNECTOR_PACKAGES lists it, and refuse it otherwise. And the attack: a config repository that
 * tries to bring its own code — a package inside the repository, a path, `file:`, `../`, a packages
 * root inside it — never gets it imported (the code would leave a marker file).
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../controller/process-harness.js';
import { SAMPLE_DIR, SAMPLE_PACKAGE, sampleProject } from '../connectors/package/sample-project.js';

const BIN = resolve('bin/imesh.js');
const project = sampleProject();
const root = mkdtempSync(join(tmpdir(), 'imesh-packages-cli-'));
const MARKER = join(root, 'repository-code-ran');

beforeAll(() => {
  if (!existsSync('dist/cli/main.js')) throw new Error('dist/ is missing: run npm run build (npm test does it first)');
});

const allowlisted = { IMESH_CONNECTOR_PACKAGES: SAMPLE_PACKAGE, IMESH_CONNECTOR_PACKAGES_ROOT: project.root };

function environment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, IMESH_LOG_LEVEL: 'warn', IMESH_LOG_FORMAT: 'json', EVIL_MARKER: MARKER, ...extra };
  delete env.IMESH_STORE_URL;
  if (!('IMESH_CONNECTOR_PACKAGES' in extra)) delete env.IMESH_CONNECTOR_PACKAGES;
  if (!('IMESH_CONNECTOR_PACKAGES_ROOT' in extra)) delete env.IMESH_CONNECTOR_PACKAGES_ROOT;
  return env;
}

function imesh(cwd: string, env: Record<string, string>, ...args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 240_000, env: environment(env) });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, output: `${result.stdout}\n${result.stderr}` };
}

/** A working directory with the example config under config/ and the HR file the hr connector reads. */
function workspace(name: string, edit: (connectors: string) => string = (text) => text): { cwd: string; config: string } {
  const cwd = join(root, name);
  const config = join(cwd, 'config');
  cpSync(join(SAMPLE_DIR, 'example-config'), config, { recursive: true });
  const connectors = join(config, 'connectors.yaml');
  writeFileSync(connectors, edit(readFileSync(connectors, 'utf8')));
  const record = (id: string, name: string) => ({ changed: 1, attributes: { employee_id: id, name, active: true } });
  writeFileSync(join(cwd, 'hr.json'), JSON.stringify({ sequence: 1, objects: { E1: record('E1', 'Ada Lovelace'), E2: record('E2', 'Alan Turing') } }));
  return { cwd, config };
}

function accounts(cwd: string): Record<string, { attributes: Record<string, unknown> }> {
  return (JSON.parse(readFileSync(join(cwd, 'accounts.json'), 'utf8')) as { objects: Record<string, { attributes: Record<string, unknown> }> }).objects;
}

const HR_PACKAGE_LINE = `package: "${SAMPLE_PACKAGE}"\n  objectTypes:\n    worker`;
const naming = (value: string) => (text: string) => text.replace(HR_PACKAGE_LINE, `package: ${value}\n  objectTypes:\n    worker`);

/** Code a config repository would like the controller to run: it leaves a marker when imported. */
function plantRepositoryCode(dir: string, name: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '6.6.6', type: 'module', main: 'index.js' }));
  writeFileSync(join(dir, 'index.js'), "import { writeFileSync } from 'node:fs';\nwriteFileSync(process.env.EVIL_MARKER, 'code from the config repository ran');\nexport default {};\n");
}

describe('connector packages through the CLI', () => {
  it('validate and reconcile load the allowlisted package and write through it', () => {
    const { cwd } = workspace('reconcile');
    const validate = imesh(cwd, allowlisted, 'validate', '--config', 'config');
    expect(validate.output).toMatch(/valid/);
    expect(validate.status).toBe(0);
    const reconcile = imesh(cwd, allowlisted, 'reconcile', '--config', 'config');
    expect(reconcile.status, reconcile.output).toBe(0);
    const written = accounts(cwd);
    expect(Object.keys(written).sort()).toEqual(['E1', 'E2']);
    expect(written.E1!.attributes).toEqual({ id: 'E1', displayName: 'Ada Lovelace', active: true });
  }, 240_000);

  it('reconcile refuses the package when the controller does not list it, naming connector, file, line and variable', () => {
    const { cwd } = workspace('not-listed');
    const result = imesh(cwd, {}, 'reconcile', '--config', 'config');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`connectors.yaml:9:12: connector "hr": connector package "${SAMPLE_PACKAGE}" is not allowlisted (IMESH_CONNECTOR_PACKAGES is not set)`);
    expect(existsSync(join(cwd, 'accounts.json'))).toBe(false);
  }, 240_000);

  it('check opens the package connector and counts its objects', () => {
    const { cwd } = workspace('check');
    const result = imesh(cwd, allowlisted, 'check', '--config', 'config', '--format', 'json');
    expect(result.status, result.output).toBe(0);
    expect(result.stdout).toContain('"worker"');
    expect(result.stdout).toMatch(/"count":\s*2/);
  }, 240_000);

  it('imesh run loads the allowlisted package and reconciles; without the allowlist it runs nothing', async () => {
    const run = async (name: string, env: Record<string, string>, until: (cwd: string, stderr: string) => boolean) => {
      const { cwd } = workspace(name);
      const port = await freePort();
      const child = spawn(process.execPath, [BIN, 'run', '--config', 'config', '--port', String(port), '--poll-interval', '1s'], { cwd, env: environment(env) });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((done) => child.on('exit', done));
      try {
        await waitFor(`imesh run in ${name}`, () => until(cwd, stderr), 120_000);
      } finally {
        child.kill('SIGTERM');
        await exited;
      }
      return { cwd, stderr };
    };
    const loaded = await run('run', allowlisted, (cwd) => existsSync(join(cwd, 'accounts.json')) && Object.keys(accounts(cwd)).length === 2);
    expect(accounts(loaded.cwd).E2!.attributes).toMatchObject({ id: 'E2', displayName: 'Alan Turing' });
    const refused = await run('run-not-listed', {}, (_cwd, stderr) => stderr.includes('"event":"config-invalid"'));
    expect(refused.stderr).toContain(`connector package \\"${SAMPLE_PACKAGE}\\" is not allowlisted`);
    expect(existsSync(join(refused.cwd, 'accounts.json'))).toBe(false);
  }, 240_000);
});

describe('a config repository cannot bring its own connector code', () => {
  it.each([
    ['a relative path', '"./connector"'],
    ['a parent path', '"../connector"'],
    ['a file: specifier', '"file:./connector"'],
    ['an absolute path', `"${join(root, 'x')}"`],
    ['a subpath of an allowlisted package', `"${SAMPLE_PACKAGE}/../../../config/connector"`],
  ])('%s as the package is refused at its line', (_what, value) => {
    const { cwd, config } = workspace(`path-${Math.random().toString(36).slice(2, 8)}`, naming(value));
    plantRepositoryCode(join(config, 'connector'), 'connector');
    const result = imesh(cwd, { ...allowlisted, IMESH_CONNECTOR_PACKAGES: `${SAMPLE_PACKAGE},./connector,file:./connector` }, 'validate', '--config', 'config');
    expect(result.status).toBe(1);
    expect(result.output).toMatch(/IMESH_CONNECTOR_PACKAGES lists "\.\/connector", which is not an npm package name|connectors\.yaml:9:12: .*npm package name/);
    expect(existsSync(MARKER)).toBe(false);
    const listedByName = imesh(cwd, allowlisted, 'validate', '--config', 'config');
    expect(listedByName.status).toBe(1);
    expect(listedByName.stdout).toMatch(/^connectors\.yaml:9:12: spec\.package .*an npm package name such as @acme\/imesh-connector-foo/m);
    expect(existsSync(MARKER)).toBe(false);
  }, 240_000);

  it('a package of the allowlisted name inside the config repository (or the working directory) is never loaded', () => {
    const name = '@example/imesh-connector-evil';
    const { cwd, config } = workspace('repo-node-modules', naming(`"${name}"`));
    // The repository ships node_modules/<name>, and the controller runs with the repository as its working directory.
    plantRepositoryCode(join(config, 'node_modules', ...name.split('/')), name);
    plantRepositoryCode(join(cwd, 'node_modules', ...name.split('/')), name);
    const result = imesh(config, { ...allowlisted, IMESH_CONNECTOR_PACKAGES: name }, 'reconcile', '--config', '.');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/connector package "@example\/imesh-connector-evil" is listed in IMESH_CONNECTOR_PACKAGES but not installed in .*imesh-packages-.*node_modules/);
    expect(existsSync(MARKER)).toBe(false);
  }, 240_000);

  it('an installed package that links into the config repository is refused before it is imported', () => {
    const name = '@example/imesh-connector-linked';
    const { cwd, config } = workspace('linked', naming(`"${name}"`));
    plantRepositoryCode(join(config, 'vendor', 'connector'), name);
    symlinkSync(join(config, 'vendor', 'connector'), join(project.root, 'node_modules', '@example', 'imesh-connector-linked'), 'dir');
    const result = imesh(cwd, { ...allowlisted, IMESH_CONNECTOR_PACKAGES: name }, 'validate', '--config', 'config');
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/connectors\.yaml:9:12: connector "hr": connector package "@example\/imesh-connector-linked" resolves to .*, inside the config repository/);
    expect(existsSync(MARKER)).toBe(false);
  }, 240_000);

  it('a packages root inside the config repository is refused', () => {
    const { cwd, config } = workspace('root-inside');
    plantRepositoryCode(join(config, 'node_modules', ...SAMPLE_PACKAGE.split('/')), SAMPLE_PACKAGE);
    const result = imesh(cwd, { IMESH_CONNECTOR_PACKAGES: SAMPLE_PACKAGE, IMESH_CONNECTOR_PACKAGES_ROOT: config }, 'validate', '--config', 'config');
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/connector packages are never loaded from the config repository; IMESH_CONNECTOR_PACKAGES_ROOT .* lies inside/);
    expect(existsSync(MARKER)).toBe(false);
  }, 240_000);
});
