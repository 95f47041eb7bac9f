/**
 * The config revision that reports and status name: inside a Git work tree, the HEAD commit, with `-dirty` appended
 * when any file under the config path differs from HEAD in the working tree (modified, deleted, or
 * untracked and not ignored) — `plan` and `reconcile` read the working tree, so an edit is previewed
 * before it is committed. Outside Git the caller uses the config content hash.
 *
 * Our own `.imesh/` folders (state, fallback reports) never make a revision dirty.
 */
import { realpath, stat } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';
import { ImeshError } from '../shared/errors.js';
import { GitCommandError, gitAt } from './git-command.js';

export type ConfigRevision =
  | { readonly inGit: false; readonly reason: 'not-a-work-tree' | 'git-not-installed' }
  | {
      readonly inGit: true;
      readonly repoRoot: string;
      /** The HEAD commit; null on an unborn branch (a repository with no commit yet). */
      readonly head: string | null;
      /** `head`, or `head-dirty`; null on an unborn branch (the caller then uses the content hash). */
      readonly revision: string | null;
      readonly dirty: boolean;
      /** Repository-relative paths that make it dirty (at most 100), for messages. */
      readonly dirtyPaths: readonly string[];
    };

const MAX_DIRTY_PATHS = 100;

/**
 * `git status --porcelain=v2 -z --branch`: `# branch.oid <sha|(initial)>` then one record per path;
 * ordinary (`1`), unmerged (`u`) and untracked (`?`) records end with the repository-relative path
 * (renames are off, so no `2` records). On an unborn branch every path is new, so all are listed.
 */
function parseStatus(output: string): { head: string | null; paths: string[] } {
  let head: string | null = null;
  const paths: string[] = [];
  for (const record of output.split('\0')) {
    if (record.startsWith('# branch.oid ')) {
      const oid = record.slice('# branch.oid '.length);
      head = oid === '(initial)' ? null : oid;
    } else if (record.startsWith('? ')) {
      paths.push(record.slice(2));
    } else if (record.startsWith('1 ')) {
      paths.push(fieldsAfter(record, 8));
    } else if (record.startsWith('u ')) {
      paths.push(fieldsAfter(record, 10));
    }
  }
  return { head, paths };
}

/** The rest of a space-separated record after its first `count` fields (a path may hold spaces). */
function fieldsAfter(record: string, count: number): string {
  let at = 0;
  for (let i = 0; i < count; i++) at = record.indexOf(' ', at) + 1;
  return record.slice(at);
}

export async function configRevision(configPath: string): Promise<ConfigRevision> {
  let absolute: string;
  let directory: string;
  try {
    absolute = await realpath(resolve(configPath));
    directory = (await stat(absolute)).isDirectory() ? absolute : dirname(absolute);
  } catch (error) {
    throw new ImeshError('ConfigPathNotFound', `config path ${configPath} cannot be read: ${(error as Error).message} (check --config)`, { cause: error });
  }

  let top: string;
  try {
    const out = await gitAt(directory).run(['rev-parse', '--is-inside-work-tree', '--show-toplevel']);
    const [inside, toplevel] = out.trim().split('\n');
    if (inside !== 'true' || !toplevel) return { inGit: false, reason: 'not-a-work-tree' };
    top = toplevel;
  } catch (error) {
    const output = error instanceof GitCommandError ? error.output : String(error);
    if (/not a git repository|must be run in a work tree/i.test(output)) return { inGit: false, reason: 'not-a-work-tree' };
    if (/ENOENT/.test(output)) return { inGit: false, reason: 'git-not-installed' };
    throw error;
  }

  const repoRoot = await realpath(top);
  const git = gitAt(repoRoot);
  const rel = relative(repoRoot, absolute).split(sep).join('/');
  const pathspec = rel === '' ? [] : ['--', `:(top,literal)${rel}`];
  // One `git status` gives HEAD and every path that differs from it (staged, unstaged, deleted,
  // untracked and not ignored); `--no-optional-locks` keeps a reader from refreshing the index.
  const status = await git.run(['--no-optional-locks', 'status', '--porcelain=v2', '-z', '--branch', '--untracked-files=all', '--no-renames', '--ignore-submodules=none', ...pathspec]);
  const { head, paths } = parseStatus(status);
  const inConfig = (p: string): boolean => {
    const below = rel === '' ? p : p.slice(rel.length + 1);
    return !below.split('/').includes('.imesh');
  };
  const dirtyPaths = [...new Set(paths)].filter(inConfig).sort();
  const dirty = dirtyPaths.length > 0;
  return {
    inGit: true,
    repoRoot,
    head,
    revision: head === null ? null : dirty ? `${head}-dirty` : head,
    dirty: head === null ? true : dirty,
    dirtyPaths: dirtyPaths.slice(0, MAX_DIRTY_PATHS),
  };
}
