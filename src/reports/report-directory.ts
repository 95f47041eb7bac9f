/**
 * Reports outside Git: files under `<workDir>/.imesh/<path>/`, each replaced atomically (written to
 * a temporary file in the same directory, flushed, then renamed over the old one), so a reader never
 * sees half a report.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ImeshError } from '../shared/errors.js';
import { reportPathSegments } from './report-path.js';

export interface ReportDirectoryOptions {
  readonly workDir: string;
  /** `spec.reports.path`, relative (`reports`). */
  readonly path: string;
}

export function reportDirectory({ workDir, path }: ReportDirectoryOptions): string {
  return join(workDir, '.imesh', ...reportPathSegments(path, 'spec.reports.path'));
}

/** Writes every file; returns the directory they are in. */
export async function writeReportFiles(options: ReportDirectoryOptions & { readonly files: Readonly<Record<string, string>> }): Promise<string> {
  const dir = reportDirectory(options);
  for (const [name, content] of Object.entries(options.files)) {
    const segments = reportPathSegments(name, 'report file name');
    if (segments.length === 0) throw new ImeshError('InvalidReportPath', `report file name "${name}" is empty`);
    const target = join(dir, ...segments);
    const parent = join(dir, ...segments.slice(0, -1));
    await mkdir(parent, { recursive: true, mode: 0o700 });
    const temp = join(parent, `.${segments.at(-1)!}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      const handle = await open(temp, 'w', 0o600);
      try {
        await handle.writeFile(content, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw new ImeshError('ReportWriteFailed', `could not write report ${target}: ${(error as Error).message} (check that ${dir} is writable)`, { cause: error });
    }
  }
  return dir;
}

/** The report files last written there (top level only), or null when there are none yet. */
export async function readReportFiles(options: ReportDirectoryOptions): Promise<Record<string, string> | null> {
  const dir = reportDirectory(options);
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() && !e.name.startsWith('.')).map((e) => e.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  if (names.length === 0) return null;
  const files: Record<string, string> = {};
  for (const name of names.sort()) files[name] = await readFile(join(dir, name), 'utf8');
  return files;
}
