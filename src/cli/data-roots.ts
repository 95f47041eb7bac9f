/**
 * `--data-root DIR` (repeatable) and `IMESH_DATA_ROOTS` (colon-separated): the directories besides the
 * config path and the working directory where csv connectors may read and write. They are operator
 * settings, outside the config repository, so a config change cannot widen them.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from './verb.js';

export const DATA_ROOTS_ENV = 'IMESH_DATA_ROOTS';

/** The parseArgs option for the verbs that open connectors. */
export const dataRootOption = { 'data-root': { type: 'string', multiple: true } } as const;

export const dataRootHelp = `  --data-root DIR         let csv files live under DIR (repeatable; also ${DATA_ROOTS_ENV}=DIR:DIR…)`;

/** Absolute data roots from the flag values and the environment; each must be an existing directory. */
export function dataRootsFrom(flag: readonly string[] | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  const given = (flag ?? []).map((dir) => ({ dir, from: '--data-root' }));
  for (const dir of (env[DATA_ROOTS_ENV] ?? '').split(':')) if (dir.trim() !== '') given.push({ dir: dir.trim(), from: DATA_ROOTS_ENV });
  const roots: string[] = [];
  for (const { dir, from } of given) {
    const absolute = resolve(dir);
    let isDirectory = false;
    try {
      isDirectory = statSync(absolute).isDirectory();
    } catch {
      // reported below
    }
    if (!isDirectory) throw new UsageError(`${from} ${dir}: not an existing directory`);
    if (!roots.includes(absolute)) roots.push(absolute);
  }
  return roots;
}
