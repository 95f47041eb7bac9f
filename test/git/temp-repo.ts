/**
 * Real repositories on disk for the git tests. The helpers drive git directly (as a person would);
 * only the code under test goes through src/git. No global or system git config is read, so the
 * tests also prove the reports commits need no user identity configured on the machine.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

process.env.GIT_CONFIG_GLOBAL = '/dev/null';
process.env.GIT_CONFIG_NOSYSTEM = '1';

const created: string[] = [];

export function tempDir(prefix = 'imesh-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Runs git as a person at a terminal would, with a throwaway identity. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test Person', '-c', 'user.email=person@example.com', ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Like git(), but a failing command yields '' (e.g. rev-parse HEAD on an unborn branch). */
export function tryGit(cwd: string, ...args: string[]): string {
  try {
    return git(cwd, ...args);
  } catch {
    return '';
  }
}

export function write(root: string, path: string, content: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
}

/** A work tree with one commit on `main`: config/mesh.yaml, config/data/hr.csv and README.md. */
export function repoWithConfig(): string {
  const root = tempDir('imesh-repo-');
  git(root, 'init', '-q', '-b', 'main');
  write(root, 'config/mesh.yaml', 'kind: Mesh\n');
  write(root, 'config/data/hr.csv', 'employee_id,name\nE1,Alice\n');
  write(root, 'README.md', '# config repo\n');
  write(root, '.gitignore', '*.log\n');
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'initial config');
  return root;
}

export function head(root: string): string {
  return git(root, 'rev-parse', 'HEAD').trim();
}

/** Everything a person would notice about a work tree: HEAD, branch, status, index and files. */
export function workTreeState(root: string, files: readonly string[]): Record<string, string> {
  const state: Record<string, string> = {
    head: tryGit(root, 'rev-parse', '--verify', '--quiet', 'HEAD').trim(),
    branch: git(root, 'symbolic-ref', 'HEAD').trim(),
    status: git(root, 'status', '--porcelain=v1', '--untracked-files=all'),
    index: git(root, 'ls-files', '--stage'),
    staged: git(root, 'diff', '--cached', '--name-status'),
  };
  for (const f of files) state[`file:${f}`] = execFileSync('cat', [join(root, f)], { encoding: 'utf8' });
  return state;
}
