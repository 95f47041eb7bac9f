/**
 * Validation of the relative paths reports are written under (`spec.reports.path`, file names): the
 * same rules for the Git tree and the file system, so a path can never climb out of its place.
 */
import { ImeshError } from '../shared/errors.js';

/**
 * Splits a relative `/`-separated path into segments; `''` and `'.'` are the root (no segments).
 * Refuses absolute paths, `..`, backslashes, control characters and `.git`.
 */
export function reportPathSegments(path: string, what: string): string[] {
  const trimmed = path.replace(/^\.\/+/, '').replace(/\/+$/, '');
  if (trimmed === '' || trimmed === '.') return [];
  const problem =
    path.startsWith('/') ? 'is absolute'
    : /\\/.test(path) ? 'contains a backslash'
    : /[\u0000-\u001f\u007f]/.test(path) ? 'contains a control character'
    : undefined;
  const segments = trimmed.split('/');
  const bad = segments.find((s) => s === '' || s === '.' || s === '..' || s.toLowerCase() === '.git');
  if (problem || bad !== undefined) {
    throw new ImeshError('InvalidReportPath', `${what} "${path}" ${problem ?? `has a "${bad}" segment`}: give a relative path inside the repository, such as "reports"`);
  }
  return segments;
}
