/**
 * What `validate` can tell about a csv `file` without the run-time roots (the working directory and
 * the operator's data roots are only known where the connector runs; the connector checks them, through
 * symlinks, on every read and write — src/connectors/csv/file-roots.ts):
 * - a kernel file system (`/proc`, `/sys`, `/dev`) is never a csv file;
 * - a relative path whose `..` climbs to the file system's root is a traversal, never the way to a data
 *   root (give that absolute path instead).
 */
import { isAbsolute, resolve, sep } from 'node:path';
import type { CheckContext } from './check-context.js';
import type { ConnectorDoc } from './documents.js';

const KERNEL_TREES = ['/proc', '/sys', '/dev'];

function climbsToRoot(configPath: string, file: string): boolean {
  let depth = resolve(configPath).split(sep).filter(Boolean).length;
  for (const segment of file.split(/[\\/]/)) {
    if (segment === '..') depth--;
    else if (segment !== '' && segment !== '.') depth++;
    if (depth <= 0) return true;
  }
  return false;
}

export function checkCsvFile(ctx: CheckContext, doc: ConnectorDoc, objectType: string, file: string): void {
  const path = ['spec', 'objectTypes', objectType, 'file'];
  const absolute = resolve(ctx.configPath, file);
  if (KERNEL_TREES.some((tree) => absolute === tree || absolute.startsWith(`${tree}/`))) {
    ctx.report(doc, path, `objectTypes.${objectType}.file "${file}" is on a kernel file system (/proc, /sys, /dev): a csv file must be a regular file under the config repository, the working directory or a data root`);
    return;
  }
  if (!isAbsolute(file) && climbsToRoot(ctx.configPath, file)) {
    ctx.report(
      doc,
      path,
      `objectTypes.${objectType}.file "${file}" climbs with .. to the file system's root: csv files resolve only under the config repository, the working directory and data roots (--data-root DIR, IMESH_DATA_ROOTS); give an absolute path under a data root`,
    );
  }
}
