/**
 * The connector packages this process has loaded: each allowlisted package is located (never inside the
 * config repository), imported once and its descriptor checked, before a config that may name it is
 * compiled. Compiling stays synchronous: it looks packages up here.
 */
import { pathToFileURL } from 'node:url';
import { ConfigError, errorMessage } from '../../shared/errors.js';
import { checkPackageExports, type CheckedPackage } from './package-descriptor-check.js';
import { allowedPackages, PACKAGES_ENV } from './package-allowlist.js';
import { packagesRoot, refuseInsideConfig, resolveConnectorPackage, type ResolvedPackage } from './package-resolution.js';

export type InstalledPackage = ({ readonly ok: true; readonly resolved: ResolvedPackage } & CheckedPackage) | { readonly ok: false; readonly error: ConfigError };

const installed = new Map<string, InstalledPackage>();

/**
 * Loads every package `IMESH_CONNECTOR_PACKAGES` lists that is not loaded yet, for the config at
 * `configPath`. A package that cannot be loaded is remembered with its error, reported when a config
 * names it. Throws only when the environment itself is wrong (an entry that is not a package name).
 */
export async function loadConnectorPackages(configPath: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const names = allowedPackages(env);
  if (names.length === 0) return;
  const root = packagesRoot(env);
  for (const name of names) {
    if (installed.get(name)?.ok === true) continue;
    installed.set(name, await loadOne(name, configPath, root));
  }
}

async function loadOne(name: string, configPath: string, root: string): Promise<InstalledPackage> {
  let resolved: ResolvedPackage;
  try {
    resolved = resolveConnectorPackage(name, configPath, root);
  } catch (error) {
    return { ok: false, error: error instanceof ConfigError ? error : new ConfigError('ConnectorPackageInvalid', errorMessage(error), { cause: error }) };
  }
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(resolved.entry).href)) as Record<string, unknown>;
  } catch (error) {
    return { ok: false, error: new ConfigError('ConnectorPackageInvalid', `connector package "${name}" (${resolved.entry}) failed to load: ${errorMessage(error)}`, { cause: error }) };
  }
  try {
    return { ok: true, resolved, ...checkPackageExports(name, module) };
  } catch (error) {
    return { ok: false, error: error as ConfigError };
  }
}

/**
 * The loaded package `name`, for a config at `configPath` when given. Not allowlisted (now), not loaded,
 * failed to load, or lying inside that config repository: `{ ok: false, error }` saying so.
 */
export function installedPackage(name: string, configPath?: string, env: NodeJS.ProcessEnv = process.env): InstalledPackage {
  let allowed: readonly string[];
  try {
    allowed = allowedPackages(env);
  } catch (error) {
    return { ok: false, error: error as ConfigError };
  }
  if (!allowed.includes(name)) {
    const listed = allowed.length === 0 ? `${PACKAGES_ENV} is not set` : `${PACKAGES_ENV} lists ${allowed.map((n) => `"${n}"`).join(', ')}`;
    return { ok: false, error: new ConfigError('ConnectorPackageNotAllowed', `connector package "${name}" is not allowlisted (${listed}); the controller's operator must install it and add it to ${PACKAGES_ENV}`) };
  }
  const state = installed.get(name);
  if (state === undefined) {
    return { ok: false, error: new ConfigError('ConnectorPackageNotInstalled', `connector package "${name}" was not loaded by this process (packages are loaded before a config is compiled; is ${PACKAGES_ENV} set where imesh starts?)`) };
  }
  if (state.ok && configPath !== undefined) {
    // The same process may compile another checkout later: the package must lie outside that one too.
    try {
      refuseInsideConfig(name, state.resolved.directory, configPath);
    } catch (error) {
      return { ok: false, error: error as ConfigError };
    }
  }
  return state;
}
