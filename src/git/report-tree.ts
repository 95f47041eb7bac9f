/**
 * Plumbing for the reports branch: blobs, trees and commits are built in the object database with a
 * private temporary index (GIT_INDEX_FILE), and the branch moves with a compare-and-swap `update-ref`.
 * Nothing here reads or writes HEAD, the repository's index or its working tree.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImeshError } from '../shared/errors.js';
import { GitCommandError, type Git } from './git-command.js';

export const REPORTS_IDENTITY: Readonly<Record<string, string>> = {
  GIT_AUTHOR_NAME: 'Identity Mesh',
  GIT_AUTHOR_EMAIL: 'identity-mesh@localhost',
  GIT_COMMITTER_NAME: 'Identity Mesh',
  GIT_COMMITTER_EMAIL: 'identity-mesh@localhost',
};

export interface TreeEntry {
  readonly mode: string;
  readonly sha: string;
  /** Repository-relative, `/`-separated. */
  readonly path: string;
}

export async function withTempDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'imesh-git-'));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Refuses names git would refuse, and names that would read as options. */
export async function checkBranchName(git: Git, branch: string): Promise<void> {
  const ref = `refs/heads/${branch}`;
  const normalized = branch.startsWith('-') ? '' : (await git.run(['check-ref-format', '--normalize', ref])).trim();
  if (normalized !== ref) {
    throw new ImeshError('InvalidReportsBranch', `reports branch "${branch}" is not a valid Git branch name (check spec.reports.branch)`);
  }
}

/** The commit a branch points at, or null when it does not exist. */
export async function branchTip(git: Git, ref: string): Promise<string | null> {
  return (await git.run(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).trim() || null;
}

export async function treeOf(git: Git, commit: string): Promise<string> {
  return (await git.run(['rev-parse', '--verify', `${commit}^{tree}`])).trim();
}

/** Refuses a branch checked out in any work tree: moving it would make that work tree look edited. */
export async function ensureNotCheckedOut(git: Git, branch: string): Promise<void> {
  const list = await git.run(['worktree', 'list', '--porcelain']);
  const lines = list.split('\n');
  const index = lines.indexOf(`branch refs/heads/${branch}`);
  if (index >= 0) {
    const worktree = lines.slice(0, index).reverse().find((l) => l.startsWith('worktree '))?.slice('worktree '.length) ?? git.dir;
    throw new ImeshError(
      'ReportsBranchCheckedOut',
      `reports branch "${branch}" is checked out in ${worktree}; reports are never committed to a checked-out branch (set spec.reports.branch to a branch of its own, such as identity-mesh/status)`,
    );
  }
}

/** Every file of a commit's tree. */
export async function listTree(git: Git, commit: string): Promise<TreeEntry[]> {
  const out = await git.run(['ls-tree', '-r', '-z', '--full-tree', commit]);
  const entries: TreeEntry[] = [];
  for (const record of out.split('\0')) {
    if (!record) continue;
    const tab = record.indexOf('\t');
    const [mode, , sha] = record.slice(0, tab).split(' ');
    entries.push({ mode: mode!, sha: sha!, path: record.slice(tab + 1) });
  }
  return entries;
}

/** The contents of blobs, in the order given, read by one `git cat-file --batch`. */
export async function readBlobs(git: Git, shas: readonly string[]): Promise<string[]> {
  if (shas.length === 0) return [];
  const out = await git.runWithInput(['cat-file', '--batch'], shas.map((sha) => `${sha}\n`).join(''));
  const contents: string[] = [];
  let at = 0;
  for (const sha of shas) {
    // Each object is "<sha> <type> <size>\n<size bytes>\n" (or "<sha> missing\n").
    const headerEnd = out.indexOf(0x0a, at);
    const [id, type, size] = out.subarray(at, headerEnd).toString('latin1').split(' ');
    if (id !== sha || type !== 'blob' || size === undefined) {
      throw new ImeshError('GitCommandFailed', `git cat-file --batch could not read blob ${sha} (${type ?? 'no answer'})`);
    }
    const start = headerEnd + 1;
    contents.push(out.subarray(start, start + Number(size)).toString('utf8'));
    at = start + Number(size) + 1;
  }
  return contents;
}

export function isUnder(path: string, prefix: string): boolean {
  return prefix === '' || path === prefix || path.startsWith(`${prefix}/`);
}

/** Stores each content as a blob; returns the blob ids in the same order. */
export async function writeBlobs(git: Git, contents: readonly string[]): Promise<string[]> {
  if (contents.length === 0) return [];
  return withTempDir(async (dir) => {
    const paths = await Promise.all(
      contents.map(async (content, i) => {
        const path = join(dir, `blob-${i}`);
        await writeFile(path, content, 'utf8');
        return path;
      }),
    );
    const ids: string[] = [];
    for (let i = 0; i < paths.length; i += 200) {
      const out = await git.run(['hash-object', '-w', '--no-filters', '--', ...paths.slice(i, i + 200)]);
      ids.push(...out.trim().split('\n'));
    }
    if (ids.length !== contents.length) throw new ImeshError('GitCommandFailed', `git hash-object returned ${ids.length} ids for ${contents.length} files`);
    return ids;
  });
}

/**
 * The tree of `base` (or an empty tree) with everything under `prefix` replaced by `entries`
 * (whose paths already include the prefix). Built in a temporary index.
 */
export async function buildTree(git: Git, base: string | null, prefix: string, entries: readonly TreeEntry[]): Promise<string> {
  const kept = base ? (await listTree(git, base)).filter((e) => !isUnder(e.path, prefix)) : [];
  const all = [...kept, ...entries];
  return withTempDir(async (dir) => {
    const env = { GIT_INDEX_FILE: join(dir, 'index') };
    for (let i = 0; i < all.length; i += 200) {
      const args = all.slice(i, i + 200).flatMap((e) => ['--cacheinfo', e.mode, e.sha, e.path]);
      await git.run(['update-index', '--add', '--replace', ...args], { env });
    }
    return (await git.run(['write-tree'], { env })).trim();
  });
}

export async function commitTree(git: Git, tree: string, parent: string | null, message: string): Promise<string> {
  const parents = parent ? ['-p', parent] : [];
  return (await git.run(['commit-tree', '--no-gpg-sign', '-m', message, ...parents, tree], { env: REPORTS_IDENTITY })).trim();
}

/**
 * Points `refs/heads/<branch>` at `commit` if it still points at `expected` (null: must not exist).
 * Returns false when someone else moved it first.
 */
export async function moveBranch(git: Git, branch: string, commit: string, expected: string | null, reason: string): Promise<boolean> {
  try {
    await git.run(['update-ref', '-m', reason, `refs/heads/${branch}`, commit, expected ?? '']);
    return true;
  } catch (error) {
    if (error instanceof GitCommandError && /cannot lock ref|but expected|already exists|is at /i.test(error.output)) return false;
    throw error;
  }
}
