import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { commitReports, readCommittedReports } from '../../src/git/report-commit.js';
import { git, head, removeTempDirs, repoWithConfig, tempDir, tryGit, workTreeState, write } from './temp-repo.js';

afterAll(removeTempDirs);

const BRANCH = 'identity-mesh/status';
const files = (n: number): Record<string, string> => ({
  'status.json': `{\n  "cycle": ${n}\n}\n`,
  'status.md': `# Status ${n}\n`,
  'drift.json': '{ "drift": [] }\n',
});

function parents(root: string, commit: string): string[] {
  return git(root, 'rev-list', '--parents', '-n', '1', commit).trim().split(' ').slice(1);
}

function treeFiles(root: string, ref: string): string[] {
  return git(root, 'ls-tree', '-r', '--name-only', ref).trim().split('\n').filter(Boolean);
}

describe('commitReports', () => {
  it('creates the reports branch as an orphan with the files under path/', async () => {
    const root = repoWithConfig();
    const commit = await commitReports({ repoRoot: root, branch: BRANCH, path: 'reports', files: files(1), message: 'reports: abc — 3 created' });
    expect(commit).toMatch(/^[0-9a-f]{40}$/);
    expect(git(root, 'rev-parse', `refs/heads/${BRANCH}`).trim()).toBe(commit);
    expect(parents(root, commit!)).toEqual([]);
    expect(treeFiles(root, commit!)).toEqual(['reports/drift.json', 'reports/status.json', 'reports/status.md']);
    expect(git(root, 'show', `${commit}:reports/status.json`)).toBe(files(1)['status.json']);
    expect(git(root, 'log', '-1', '--format=%s', commit!).trim()).toBe('reports: abc — 3 created');
  });

  it('commits as Identity Mesh, with no git identity configured on the machine', async () => {
    const root = repoWithConfig();
    expect(() => execFileSync('git', ['config', 'user.email'], { cwd: root, stdio: 'pipe' })).toThrow();
    const commit = await commitReports({ repoRoot: root, branch: BRANCH, path: 'reports', files: files(1), message: 'm' });
    expect(git(root, 'log', '-1', '--format=%an <%ae>|%cn <%ce>', commit!).trim()).toBe(
      'Identity Mesh <identity-mesh@localhost>|Identity Mesh <identity-mesh@localhost>',
    );
  });

  it('chains later commits on the previous tip and keeps files outside path/', async () => {
    const root = repoWithConfig();
    const first = await commitReports({ repoRoot: root, branch: BRANCH, path: 'reports', files: files(1), message: 'one' });
    const other = await commitReports({ repoRoot: root, branch: BRANCH, path: 'other-mesh', files: { 'status.json': '{}\n' }, message: 'two' });
    const third = await commitReports({ repoRoot: root, branch: BRANCH, path: 'reports', files: { 'status.json': '{ "cycle": 3 }\n' }, message: 'three' });
    expect(parents(root, other!)).toEqual([first]);
    expect(parents(root, third!)).toEqual([other]);
    // other-mesh/ is preserved; reports/ is exactly the new snapshot (stale status.md and drift.json gone).
    expect(treeFiles(root, third!)).toEqual(['other-mesh/status.json', 'reports/status.json']);
    expect(git(root, 'rev-list', '--count', `refs/heads/${BRANCH}`).trim()).toBe('3');
  });

  it('makes no commit when the files are identical to the tip', async () => {
    const root = repoWithConfig();
    const first = await commitReports({ repoRoot: root, branch: BRANCH, path: 'reports', files: files(1), message: 'one' });
    expect(await commitReports({ repoRoot: root, branch: BRANCH, path: 'reports/', files: files(1), message: 'again' })).toBeNull();
    expect(git(root, 'rev-parse', `refs/heads/${BRANCH}`).trim()).toBe(first);
  });

  it('leaves HEAD, the index and a dirty working tree exactly as they were', async () => {
    const root = repoWithConfig();
    write(root, 'config/mesh.yaml', 'kind: Mesh\n# unstaged edit\n');
    write(root, 'README.md', '# staged edit\n');
    git(root, 'add', 'README.md');
    write(root, 'config/new.yaml', 'kind: Projection\n');
    write(root, 'reports/status.json', 'a file in the working tree where the branch keeps its reports\n');
    const watched = ['config/mesh.yaml', 'README.md', 'config/new.yaml', 'reports/status.json'];
    const before = workTreeState(root, watched);

    const c1 = await commitReports({ repoRoot: root, branch: BRANCH, path: 'reports', files: files(1), message: 'one' });
    const c2 = await commitReports({ repoRoot: root, branch: BRANCH, path: 'reports', files: files(2), message: 'two' });
    expect(c1).not.toBeNull();
    expect(c2).not.toBeNull();

    expect(workTreeState(root, watched)).toEqual(before);
    expect(before.status).toContain('M  README.md');
    expect(before.status).toContain(' M config/mesh.yaml');
  });

  it('works in a repository whose current branch has no commit yet', async () => {
    const root = tempDir();
    git(root, 'init', '-q', '-b', 'main');
    write(root, 'config/mesh.yaml', 'kind: Mesh\n');
    const before = workTreeState(root, ['config/mesh.yaml']);
    const commit = await commitReports({ repoRoot: root, branch: BRANCH, path: 'reports', files: files(1), message: 'first' });
    expect(commit).not.toBeNull();
    expect(workTreeState(root, ['config/mesh.yaml'])).toEqual(before);
    expect(tryGit(root, 'rev-parse', '--verify', '--quiet', 'HEAD')).toBe('');
  });

  it('refuses to move the checked-out branch', async () => {
    const root = repoWithConfig();
    const before = head(root);
    await expect(commitReports({ repoRoot: root, branch: 'main', path: 'reports', files: files(1), message: 'no' })).rejects.toThrow(
      /reports branch "main" is checked out in .*never committed to a checked-out branch/,
    );
    expect(head(root)).toBe(before);
  });

  it('refuses branch names and paths that would escape', async () => {
    const root = repoWithConfig();
    await expect(commitReports({ repoRoot: root, branch: 'bad..name', path: 'reports', files: files(1), message: 'm' })).rejects.toThrow(/not a valid Git branch name/);
    await expect(commitReports({ repoRoot: root, branch: '--force', path: 'reports', files: files(1), message: 'm' })).rejects.toThrow(/not a valid Git branch name/);
    await expect(commitReports({ repoRoot: root, branch: BRANCH, path: '../outside', files: files(1), message: 'm' })).rejects.toThrow(/spec.reports.path "..\/outside"/);
    await expect(commitReports({ repoRoot: root, branch: BRANCH, path: 'reports', files: { '/etc/passwd': 'x' }, message: 'm' })).rejects.toThrow(/is absolute/);
    expect(tryGit(root, 'rev-parse', '--verify', '--quiet', `refs/heads/${BRANCH}`)).toBe('');
  });

  it('loses nothing when two commits race for the branch', async () => {
    const root = repoWithConfig();
    await commitReports({ repoRoot: root, branch: BRANCH, path: 'reports', files: files(0), message: 'zero' });
    const [a, b] = await Promise.all([
      commitReports({ repoRoot: root, branch: BRANCH, path: 'a', files: { 'x.json': 'a\n' }, message: 'a' }),
      commitReports({ repoRoot: root, branch: BRANCH, path: 'b', files: { 'x.json': 'b\n' }, message: 'b' }),
    ]);
    expect(a).not.toBeNull();
    expect(b).not.toBeNull();
    expect(treeFiles(root, `refs/heads/${BRANCH}`)).toEqual(['a/x.json', 'b/x.json', 'reports/drift.json', 'reports/status.json', 'reports/status.md']);
    expect(git(root, 'rev-list', '--count', `refs/heads/${BRANCH}`).trim()).toBe('3');
  });

  it('reads back what it committed, byte for byte', async () => {
    const root = repoWithConfig();
    expect(await readCommittedReports({ repoRoot: root, branch: BRANCH, path: 'reports' })).toBeNull();
    const content = { 'status.json': '{\n  "name": "Zoë — ünïcode"\n}\n', 'status.md': '# x\n\n\n', 'nested/deep.md': 'trailing spaces   \n', 'empty.md': '', 'no-newline.md': 'last' };
    await commitReports({ repoRoot: root, branch: BRANCH, path: 'reports', files: content, message: 'm' });
    expect(await readCommittedReports({ repoRoot: root, branch: BRANCH, path: 'reports' })).toEqual(content);
  });
});
