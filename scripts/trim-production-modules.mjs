#!/usr/bin/env node
/**
 * Trims a production node_modules (after `npm ci --omit=dev`) for the container image: files Node never
 * loads at run time. Measured on this lockfile (npm ci --omit=dev, better-sqlite3 compiled from source):
 * 158 MiB → 62 MiB.
 *
 * - Source maps and TypeScript declarations (38 + 18 MiB).
 * - better-sqlite3's sources and build intermediates (10 MiB of SQLite sources always; ~17 MiB more
 *   when it was compiled here): Node loads only its .node binary.
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
/**
 * better-sqlite3's build inputs and intermediates: only build/Release/better_sqlite3.node is loaded. A
 * prebuilt binary brings none of these; a compile from source leaves ~27 MiB (sources, objects, archive).
 */
export const TRIMMED_NATIVE_BUILD = ['better-sqlite3/deps/', 'better-sqlite3/src/', 'better-sqlite3/build/deps/', 'better-sqlite3/build/Release/obj/', 'better-sqlite3/build/Release/obj.target/', 'better-sqlite3/build/Release/.deps/', 'better-sqlite3/build/Release/sqlite3.a', 'better-sqlite3/build/Release/test_extension.node'];
/** File name endings never loaded at run time. */
export const TRIMMED_FILES = ['.map', '.d.ts', '.d.mts', '.d.cts'];
/** Build folders of @azure packages that only the browser and react-native export conditions select. */
export const TRIMMED_AZURE_BUILDS = ['browser', 'react-native'];

/** Whether a path below node_modules is one the trim removes. */
export function isTrimmed(path) {
  const p = path.replaceAll('\\', '/');
  if (TRIMMED_PACKAGES.some((pkg) => p.includes(`/node_modules/${pkg}/`))) return true;
  if (TRIMMED_FILES.some((end) => p.endsWith(end))) return true;
  if (TRIMMED_NATIVE_BUILD.some((part) => (part.endsWith('/') ? p.includes(`/node_modules/${part}`) : p.endsWith(`/node_modules/${part}`)))) return true;
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
