#!/usr/bin/env node
/**
 * Trims a production node_modules (after `npm ci --omit=dev`) for the container image: files Node never
 * loads at run time. Measured on this lockfile: 137 MiB → 69 MiB.
 *
 * - Source maps and TypeScript declarations (38 + 18 MiB).
 * - Packages only a browser build loads: tedious requires @azure/identity at start-up (for Entra ID
 *   logins to SQL Server), and @azure/identity's Node build never requires @azure/msal-browser (19 MiB);
 *   tedious's Azure Key Vault keystore (Always Encrypted) is not loaded by its index either. Each
 *   @azure package's dist/browser and dist/react-native builds go too.
 * test/deploy/production-modules.test.ts loads every runtime dependency and fails if any of it comes
 * from a trimmed path.
 *
 * Usage: node scripts/trim-production-modules.mjs [NODE_MODULES_DIR]   (default ./node_modules)
 */
import { readdirSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Whole packages no Node code path requires. */
export const TRIMMED_PACKAGES = ['@azure/msal-browser', '@azure/keyvault-keys', '@azure/keyvault-common'];
/** File name endings never loaded at run time. */
export const TRIMMED_FILES = ['.map', '.d.ts', '.d.mts', '.d.cts'];
/** Build folders of @azure packages that only the browser and react-native export conditions select. */
export const TRIMMED_AZURE_BUILDS = ['browser', 'react-native'];

/** Whether a path below node_modules is one the trim removes. */
export function isTrimmed(path) {
  const p = path.replaceAll('\\', '/');
  if (TRIMMED_PACKAGES.some((pkg) => p.includes(`/node_modules/${pkg}/`))) return true;
  if (TRIMMED_FILES.some((end) => p.endsWith(end))) return true;
  return TRIMMED_AZURE_BUILDS.some((dir) => /\/node_modules\/@azure(-rest)?\/[^/]+\/dist\//.test(p) && p.includes(`/dist/${dir}/`));
}

/** Removes what isTrimmed names below `root` (a node_modules folder, whatever it is called). */
export function trim(root, dir = root) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const named = `/node_modules/${relative(root, path).replaceAll('\\', '/')}`;
    if (entry.isDirectory()) {
      if (isTrimmed(`${named}/`)) rmSync(path, { recursive: true, force: true });
      else trim(root, path);
    } else if (isTrimmed(named)) rmSync(path, { force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  trim(resolve(process.argv[2] ?? 'node_modules'));
}
