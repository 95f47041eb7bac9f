/**
 * A controller's installation for tests: a temporary project whose node_modules holds Identity Mesh
 * (a link to this checkout, whose dist/ is built) and a copy of the template connector package
 * (samples/connector-package), as `npm install` would leave them. Nothing is written into the checkout.
 */
import { cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '../../..');
export const SAMPLE_PACKAGE = '@example/imesh-connector-jsonfile';
export const SAMPLE_DIR = join(REPO_ROOT, 'samples/connector-package');

export interface SampleProject {
  /** The project folder (IMESH_CONNECTOR_PACKAGES_ROOT). */
  readonly root: string;
  /** The installed copy of the sample package. */
  readonly packageDir: string;
}

export function sampleProject(): SampleProject {
  const root = mkdtempSync(join(tmpdir(), 'imesh-packages-'));
  const modules = join(root, 'node_modules');
  mkdirSync(join(modules, '@example'), { recursive: true });
  symlinkSync(REPO_ROOT, join(modules, 'identity-mesh'), 'dir');
  // Its dev dependencies, for the template's own scripts (sample-own-scripts.test.ts).
  for (const devDependency of ['@types', 'vitest']) symlinkSync(join(REPO_ROOT, 'node_modules', devDependency), join(modules, devDependency), 'dir');
  const packageDir = join(modules, ...SAMPLE_PACKAGE.split('/'));
  cpSync(SAMPLE_DIR, packageDir, { recursive: true, filter: (source) => !source.includes('node_modules') });
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'controller', private: true, dependencies: { 'identity-mesh': '*', [SAMPLE_PACKAGE]: '*' } }));
  return { root, packageDir };
}

/** Installs another package (name → files) into the project. */
export function installPackage(project: SampleProject, name: string, files: Record<string, string>): string {
  const dir = join(project.root, 'node_modules', ...name.split('/'));
  mkdirSync(dir, { recursive: true });
  for (const [path, content] of Object.entries(files)) writeFileSync(join(dir, path), content);
  return dir;
}
