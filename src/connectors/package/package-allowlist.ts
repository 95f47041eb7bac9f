/**
 * Which connector packages this controller may load: the names `IMESH_CONNECTOR_PACKAGES` lists, and
 * only npm package names (no paths, `file:`, URLs or subpaths), so neither the environment nor a config
 * can turn a package reference into a path to arbitrary code.
 */
import { ConfigError } from '../../shared/errors.js';

export const PACKAGES_ENV = 'IMESH_CONNECTOR_PACKAGES';

/** npm's rules for a published name (lower case, optional scope, no path segments). */
const PACKAGE_NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

export function isPackageName(name: string): boolean {
  return name.length <= 214 && PACKAGE_NAME.test(name);
}

/** The allowlisted names; an entry that is not a package name is an error naming it. */
export function allowedPackages(env: NodeJS.ProcessEnv = process.env): readonly string[] {
  const names = (env[PACKAGES_ENV] ?? '').split(',').map((name) => name.trim()).filter((name) => name !== '');
  for (const name of names) {
    if (!isPackageName(name)) {
      throw new ConfigError('ConnectorPackageInvalid', `${PACKAGES_ENV} lists "${name}", which is not an npm package name; list installed packages by name (@acme/imesh-connector-foo), comma-separated`);
    }
  }
  return [...new Set(names)];
}
