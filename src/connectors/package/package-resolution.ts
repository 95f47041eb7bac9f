/**
 * Finds an allowlisted connector package among the controller's installed packages: the `node_modules`
 * folders of the Identity Mesh installation and its parents (as Node resolves from Identity Mesh's own
 * files), or of `IMESH_CONNECTOR_PACKAGES_ROOT` when the operator names another project. Never from the
 * working directory or the config repository: a pull request to the config must not be able to bring
 * code. Nothing is imported here; the package's entry file is only located and checked.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../shared/errors.js';
import { isPackageName, PACKAGES_ENV } from './package-allowlist.js';

export const PACKAGES_ROOT_ENV = 'IMESH_CONNECTOR_PACKAGES_ROOT';

/** The Identity Mesh installation (the folder of its package.json): dist/connectors/package/ → ../../../ */
const INSTALLATION = fileURLToPath(new URL('../../../', import.meta.url));

export interface ResolvedPackage {
  readonly name: string;
  /** The package folder, symlinks resolved. */
  readonly directory: string;
  /** The module to import (its `.` export for `import`, or `main`), symlinks resolved. */
  readonly entry: string;
  readonly version: string;
}

/** The project whose `node_modules` hold the connector packages. */
export function packagesRoot(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env[PACKAGES_ROOT_ENV]?.trim();
  if (configured === undefined || configured === '') return INSTALLATION;
  if (!isAbsolute(configured)) throw new ConfigError('ConnectorPackageInvalid', `${PACKAGES_ROOT_ENV}="${configured}" is not an absolute path; name the project folder whose node_modules hold the connector packages`);
  return configured;
}

/**
 * Locates `name` for the config at `configPath`. Throws ConfigError when it is not installed, when it
 * (or the packages root) lies inside the config repository, or when its entry leaves its folder.
 */
export function resolveConnectorPackage(name: string, configPath: string, root: string): ResolvedPackage {
  if (!isPackageName(name)) throw new ConfigError('ConnectorPackageInvalid', `"${name}" is not an npm package name`);
  const config = realOrSelf(configPath);
  if (inside(realOrSelf(root), config)) {
    throw new ConfigError('ConnectorPackageNotAllowed', `connector packages are never loaded from the config repository; ${PACKAGES_ROOT_ENV} (${root}) lies inside ${configPath}`);
  }
  const found = findInstalled(name, root);
  if (found === undefined) {
    throw new ConfigError('ConnectorPackageNotInstalled', `connector package "${name}" is listed in ${PACKAGES_ENV} but not installed in ${join(root, 'node_modules')} or a parent's node_modules (install it next to Identity Mesh, e.g. npm install ${name})`);
  }
  const directory = realpathSync(found);
  refuseInsideConfig(name, directory, configPath);
  const manifest = readManifest(name, directory);
  const target = entryOf(manifest);
  if (target === undefined || !target.startsWith('./')) {
    throw new ConfigError('ConnectorPackageInvalid', `connector package "${name}" (${directory}) names no importable entry: its package.json needs "exports" (".": import or default) or "main" as a "./" path`);
  }
  const file = resolve(directory, target);
  if (!existsSync(file)) throw new ConfigError('ConnectorPackageInvalid', `connector package "${name}": its entry ${target} does not exist in ${directory} (was it built?)`);
  const entry = realpathSync(file);
  if (!inside(entry, directory)) throw new ConfigError('ConnectorPackageInvalid', `connector package "${name}": its entry ${target} leaves the package folder ${directory}`);
  return { name, directory, entry, version: typeof manifest.version === 'string' ? manifest.version : 'unknown' };
}

/** Throws when the package folder lies inside the config repository (a symlink pointing into it included). */
export function refuseInsideConfig(name: string, directory: string, configPath: string): void {
  if (inside(directory, realOrSelf(configPath))) {
    throw new ConfigError('ConnectorPackageNotAllowed', `connector package "${name}" resolves to ${directory}, inside the config repository ${configPath}; connector code is never loaded from the config repository`);
  }
}

function findInstalled(name: string, root: string): string | undefined {
  for (let dir = resolve(root); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', ...name.split('/'));
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

function readManifest(name: string, directory: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8'));
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError('ConnectorPackageInvalid', `connector package "${name}": ${join(directory, 'package.json')} is not valid JSON`, { cause: error });
  }
  throw new ConfigError('ConnectorPackageInvalid', `connector package "${name}": ${join(directory, 'package.json')} is not a JSON object`);
}

const CONDITIONS = new Set(['import', 'node', 'default']);

/** The `.` export for an ESM import (conditions import, node, default, in the package's order), else `main`. */
function entryOf(manifest: Record<string, unknown>): string | undefined {
  const exports = manifest.exports;
  if (exports !== undefined) {
    const isSubpathMap = exports !== null && typeof exports === 'object' && !Array.isArray(exports) && Object.keys(exports).some((key) => key.startsWith('.'));
    return target(isSubpathMap ? (exports as Record<string, unknown>)['.'] : exports);
  }
  if (typeof manifest.main === 'string') return manifest.main.startsWith('./') ? manifest.main : `./${manifest.main}`;
  return './index.js';
}

function target(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(target).find((t) => t !== undefined);
  if (value !== null && typeof value === 'object') {
    for (const [condition, next] of Object.entries(value)) if (CONDITIONS.has(condition)) return target(next);
  }
  return undefined;
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

function inside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && rel.split(sep)[0] !== '..');
}
