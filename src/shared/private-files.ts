/**
 * Everything Identity Mesh keeps under `.imesh/` (the embedded store, embedded databases, fallback
 * reports, lock files) is private to its user: folders 0700, files 0600. PGlite writes its data
 * files 0666 whatever the umask, and creates more while it runs, so its directory is made private
 * when it is opened (new files inside a 0700 folder are unreachable by others) and its tree is
 * tightened again when it closes.
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * mkdir -p where every folder it creates is 0700. With `own`, `dir` is ours (a data directory) and is
 * made 0700 even when it existed; folders that existed above it are the user's and stay as they are.
 */
export function makePrivateDir(dir: string, options: { own?: boolean } = {}): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (options.own) chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Folders 0700 and files 0600 under `root` (itself included); symbolic links are left alone. */
export function makeTreePrivate(root: string): void {
  const stack = [root];
  while (stack.length > 0) {
    const path = stack.pop()!;
    let stats;
    try {
      stats = lstatSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // removed while we walked
      throw error;
    }
    if (stats.isSymbolicLink()) continue;
    if (stats.isDirectory()) {
      if ((stats.mode & 0o777) !== PRIVATE_DIR_MODE) chmodSync(path, PRIVATE_DIR_MODE);
      for (const name of readdirSync(path)) stack.push(join(path, name));
    } else if ((stats.mode & 0o777) !== PRIVATE_FILE_MODE) {
      chmodSync(path, PRIVATE_FILE_MODE);
    }
  }
}
