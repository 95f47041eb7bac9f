/**
 * Locating an allowlisted package among the controller's installed packages, without importing it:
 * the entry an ESM import would load, and every way a package (or the config) could point elsewhere.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allowedPackages } from '../../../src/connectors/package/package-allowlist.js';
import { packagesRoot, resolveConnectorPackage } from '../../../src/connectors/package/package-resolution.js';
import { REPO_ROOT } from './sample-project.js';

const root = mkdtempSync(join(tmpdir(), 'imesh-resolution-'));
const config = join(root, 'config');
mkdirSync(config);

function install(projectName: string, name: string, manifest: Record<string, unknown>, files: readonly string[] = ['index.js']): { project: string; dir: string } {
  const project = join(root, projectName);
  const dir = join(project, 'node_modules', ...name.split('/'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.2.3', ...manifest }));
  for (const file of files) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), 'export default {};');
  }
  return { project, dir };
}

describe('resolving a connector package', () => {
  it.each([
    ['exports as a string', { exports: './lib/entry.js' }, 'lib/entry.js'],
    ['the "." subpath with import/require conditions', { exports: { '.': { require: './cjs.js', import: './esm.js' }, './other': './other.js' } }, 'esm.js'],
    ['nested conditions in the package’s order', { exports: { node: { import: './node-esm.js' }, default: './default.js' } }, 'node-esm.js'],
    ['main without ./', { main: 'lib/main.js' }, 'lib/main.js'],
    ['nothing: index.js', {}, 'index.js'],
  ])('finds the entry of %s', (what, manifest, entry) => {
    const name = `@acme/entry-${what.replace(/\W+/g, '-')}`;
    const { project, dir } = install(`p-${Math.random().toString(36).slice(2, 8)}`, name, manifest, [entry]);
    const resolved = resolveConnectorPackage(name, config, project);
    expect(resolved).toMatchObject({ name, version: '1.2.3' });
    expect(resolved.entry.endsWith(join(...name.split('/'), entry))).toBe(true);
    expect(resolved.directory.endsWith(join('node_modules', ...name.split('/')))).toBe(true);
    expect(dir).toContain(project);
  });

  it('walks up to a parent’s node_modules, as Node does', () => {
    const { project } = install('walk', 'walked', { main: 'index.js' });
    const nested = join(project, 'app', 'sub');
    mkdirSync(nested, { recursive: true });
    expect(resolveConnectorPackage('walked', config, nested).entry).toMatch(/walked[/\\]index\.js$/);
  });

  it('refuses an entry that leaves the package folder, one that does not exist, and one that is not a ./ path', () => {
    const { project } = install('escape', 'escaper', { exports: '../../../config/evil.js' }, []);
    expect(() => resolveConnectorPackage('escaper', config, project)).toThrow(/names no importable entry/);
    writeFileSync(join(config, 'evil.js'), '');
    const linked = install('escape-link', 'linker', { main: './entry.js' }, []);
    symlinkSync(join(config, 'evil.js'), join(linked.dir, 'entry.js'));
    expect(() => resolveConnectorPackage('linker', config, linked.project)).toThrow(/its entry \.\/entry\.js leaves the package folder/);
    const missing = install('missing-entry', 'unbuilt', { main: './dist/index.js' }, []);
    expect(() => resolveConnectorPackage('unbuilt', config, missing.project)).toThrow(/its entry \.\/dist\/index\.js does not exist .*was it built/);
  });

  it('refuses what is not an npm package name, before looking anywhere', () => {
    for (const name of ['./x', '../x', '/abs/x', 'file:x', 'https://example.com/x.tgz', '@acme/x/../../y', 'UPPER', '@acme', '']) {
      expect(() => resolveConnectorPackage(name, config, root), name).toThrow(/is not an npm package name/);
    }
  });

  it('reads the allowlist and the packages root from the environment, refusing what is not a name or not absolute', () => {
    expect(allowedPackages({ IMESH_CONNECTOR_PACKAGES: ' @acme/a , b,,@acme/a ' })).toEqual(['@acme/a', 'b']);
    expect(allowedPackages({})).toEqual([]);
    expect(() => allowedPackages({ IMESH_CONNECTOR_PACKAGES: '@acme/a,../evil' })).toThrow(/IMESH_CONNECTOR_PACKAGES lists "\.\.\/evil", which is not an npm package name/);
    expect(packagesRoot({ IMESH_CONNECTOR_PACKAGES_ROOT: '/opt/imesh' })).toBe('/opt/imesh');
    expect(() => packagesRoot({ IMESH_CONNECTOR_PACKAGES_ROOT: 'relative/dir' })).toThrow(/is not an absolute path/);
    // By default: the Identity Mesh installation itself (its node_modules and its parents').
    expect(resolve(packagesRoot({}))).toBe(REPO_ROOT);
  });
});
