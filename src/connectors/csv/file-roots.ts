/**
 * Where a csv file may live. A config change must not be able to read or write an arbitrary file of the
 * controller's host (`/proc/self/environ`, another connector's source, a FIFO that blocks forever), so
 * every file resolves, symlinks included, to a real path under one of the allowed roots:
 * - the config repository (the config path): readable, never written (a target there would rewrite the
 *   revision it runs from);
 * - the working directory (unless it is `/`, which would allow everything);
 * - the data roots the operator names (`--data-root DIR`, `IMESH_DATA_ROOTS`), settings that live outside
 *   the repository.
 * Only regular files are opened; kernel file systems (`/proc`, `/sys`, `/dev`) are refused whatever the
 * roots say.
 */
import { constants, statfsSync } from 'node:fs';
import { lstat, open, realpath, type FileHandle } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';

export interface FileRoots {
  /** The config path (absolute). */
  readonly config: string;
  /** The working directory (absolute). */
  readonly workDir: string;
  /** Operator-named data roots (absolute). */
  readonly data: readonly string[];
}

export type FileAccess = 'read' | 'write';

/** Why a path was refused; the connector turns it into a ConnectorError naming the file. */
export class FileRootError extends Error {
  constructor(
    readonly code: 'FileOutsideRoots' | 'TargetInsideConfig' | 'SpecialFile',
    message: string,
  ) {
    super(message);
  }
}

const KERNEL_TREES = ['/proc', '/sys', '/dev'];
// statfs f_type of procfs, sysfs, debugfs, devtmpfs/tmpfs is not refused (tmpfs is an ordinary place).
const KERNEL_FS_TYPES = new Set([0x9fa0, 0x62656572, 0x64626720, 0x73636673, 0x27e0eb]);

export function isUnder(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** The real path of `path`: symlinks resolved in every existing part; a missing tail is appended as given. */
export async function realPathOf(path: string): Promise<string> {
  const missing: string[] = [];
  let current = path;
  for (;;) {
    try {
      const real = await realpath(current);
      return missing.length === 0 ? real : join(real, ...missing.reverse());
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
      const parent = dirname(current);
      if (parent === current) return path;
      missing.push(basename(current));
      current = parent;
    }
  }
}

/** The roots as real paths (a root that does not exist is left out: nothing can be under it). */
async function realRoots(roots: FileRoots): Promise<{ config: string; workDir?: string; data: string[] }> {
  const real = async (path: string) => {
    try {
      return await realpath(path);
    } catch {
      return undefined;
    }
  };
  const workDir = await real(roots.workDir);
  const data = (await Promise.all(roots.data.map(real))).filter((root): root is string => root !== undefined);
  return { config: (await real(roots.config)) ?? roots.config, ...(workDir && workDir !== sep ? { workDir } : {}), data };
}

function onKernelFileSystem(real: string): boolean {
  if (KERNEL_TREES.some((tree) => isUnder(real, tree))) return true;
  try {
    return KERNEL_FS_TYPES.has(Number(statfsSync(dirname(real)).type));
  } catch {
    return false;
  }
}

/**
 * The real path a csv file at `path` (absolute, as configured) may be read or written at, or a
 * FileRootError saying which rule it breaks and what would make it allowed.
 */
export async function resolveUnderRoots(path: string, roots: FileRoots, access: FileAccess): Promise<string> {
  const real = await realPathOf(path);
  const allowed = await realRoots(roots);
  const via = real === path ? '' : ` (really ${real})`;
  if (onKernelFileSystem(real)) throw new FileRootError('SpecialFile', `${path}${via} is on a kernel file system (/proc, /sys, /dev): not a csv file`);
  if (access === 'write' && isUnder(real, allowed.config)) {
    const needsRoot = allowed.workDir !== undefined && isUnder(allowed.workDir, allowed.config);
    throw new FileRootError(
      'TargetInsideConfig',
      `a csv target must not live inside the config repository${via}` +
        (needsRoot
          ? `; the working directory is the repository, so put the file under a data root (--data-root DIR or IMESH_DATA_ROOTS) and point file: at it`
          : `; give a path under the working directory or a data root (--data-root DIR or IMESH_DATA_ROOTS)`),
    );
  }
  const candidates = [...(access === 'read' ? [allowed.config] : []), ...(allowed.workDir ? [allowed.workDir] : []), ...allowed.data];
  if (!candidates.some((root) => isUnder(real, root))) {
    const named = [access === 'read' ? 'the config repository' : undefined, allowed.workDir ? `the working directory (${allowed.workDir})` : undefined, allowed.data.length > 0 ? `the data roots (${allowed.data.join(', ')})` : undefined]
      .filter(Boolean)
      .join(', ');
    throw new FileRootError('FileOutsideRoots', `${real} is outside the allowed roots (${named || 'none'}); name its directory with --data-root DIR or IMESH_DATA_ROOTS to allow it`);
  }
  return real;
}

/** Is there a regular file at `real`? false when nothing is there; a FileRootError for anything else. */
export async function regularFileExists(real: string): Promise<boolean> {
  let stats;
  try {
    stats = await lstat(real);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  if (stats.isFile()) return true;
  if (stats.isDirectory()) throw Object.assign(new Error(`EISDIR: ${real} is a directory`), { code: 'EISDIR' });
  throw new FileRootError('SpecialFile', `${real} is ${kindOf(stats)}, not a regular file`);
}

function kindOf(stats: { isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSymbolicLink(): boolean }): string {
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSymbolicLink()) return 'a symbolic link that changed while it was checked';
  return 'a special file';
}

/**
 * Opens `real` for reading, refusing anything but a regular file: non-blocking (a FIFO swapped in after
 * the check cannot hang the open), without following a final symlink, and checked again on the open
 * descriptor (fstat), so what is read is what was checked.
 */
export async function openRegularFile(real: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw new FileRootError('SpecialFile', `${real} became a symbolic link while it was checked`);
    throw error;
  }
  try {
    const stats = await handle.stat();
    if (stats.isDirectory()) throw Object.assign(new Error(`EISDIR: ${real} is a directory`), { code: 'EISDIR' });
    if (!stats.isFile()) throw new FileRootError('SpecialFile', `${real} is ${kindOf(stats)}, not a regular file`);
    return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
}
