import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commitReports } from '../../src/git/report-commit.js';
import { pushReports } from '../../src/git/report-push.js';
import { git, removeTempDirs, repoWithConfig, tempDir, tryGit, workTreeState, write } from './temp-repo.js';

afterAll(removeTempDirs);

const BRANCH = 'identity-mesh/status';

/** A bare "remote" and a controller work tree cloned from it (with the config commit). */
function remoteAndClone(): { remote: string; local: string } {
  const seed = repoWithConfig();
  const remote = join(tempDir('imesh-remote-'), 'remote.git');
  git(seed, 'clone', '-q', '--bare', seed, remote);
  const local = join(tempDir('imesh-clone-'), 'work');
  git(seed, 'clone', '-q', remote, local);
  return { remote, local };
}

function remoteTip(remote: string): string {
  return tryGit(remote, 'rev-parse', '--verify', '--quiet', `refs/heads/${BRANCH}`).trim();
}

describe('pushReports', () => {
  it('pushes the reports branch, then reports up-to-date when there is nothing new', async () => {
    const { remote, local } = remoteAndClone();
    const commit = await commitReports({ repoRoot: local, branch: BRANCH, path: 'reports', files: { 'status.json': '{"n":1}\n' }, message: 'one' });
    expect(await pushReports({ repoRoot: local, remote: 'origin', branch: BRANCH, path: 'reports' })).toEqual({ ok: true, status: 'pushed', commit, attempts: 1, rebased: false });
    expect(remoteTip(remote)).toBe(commit);
    expect(await pushReports({ repoRoot: local, remote: 'origin', branch: BRANCH, path: 'reports' })).toMatchObject({ ok: true, status: 'up-to-date', commit });
  });

  it('recommits our reports on top of a concurrent remote commit and pushes (non-fast-forward)', async () => {
    const { remote, local } = remoteAndClone();
    const first = await commitReports({ repoRoot: local, branch: BRANCH, path: 'reports', files: { 'status.json': '{"n":1}\n' }, message: 'reports: one' });
    await pushReports({ repoRoot: local, remote: 'origin', branch: BRANCH, path: 'reports' });

    // Another replica pushes its own report commit, plus a file outside our path.
    const other = join(tempDir('imesh-other-'), 'work');
    git(remote, 'clone', '-q', '--branch', BRANCH, remote, other);
    write(other, 'reports/status.json', '{"n":"other"}\n');
    write(other, 'README.md', 'the reports branch of corp\n');
    git(other, 'add', '-A');
    git(other, 'commit', '-q', '-m', 'someone else');
    git(other, 'push', '-q', 'origin', BRANCH);
    const theirs = remoteTip(remote);

    const before = workTreeState(local, ['config/mesh.yaml']);
    const ours = await commitReports({ repoRoot: local, branch: BRANCH, path: 'reports', files: { 'status.json': '{"n":2}\n' }, message: 'reports: two' });
    expect(git(local, 'rev-list', '--parents', '-n', '1', ours!).trim().split(' ')[1]).toBe(first);

    const result = await pushReports({ repoRoot: local, remote: 'origin', branch: BRANCH, path: 'reports' });
    expect(result).toMatchObject({ ok: true, status: 'pushed', attempts: 2, rebased: true });
    const tip = remoteTip(remote);
    expect(result.ok && result.commit).toBe(tip);
    expect(git(remote, 'rev-list', '--parents', '-n', '1', tip).trim().split(' ')[1]).toBe(theirs);
    expect(git(remote, 'show', `${tip}:reports/status.json`)).toBe('{"n":2}\n');
    expect(git(remote, 'show', `${tip}:README.md`)).toBe('the reports branch of corp\n');
    expect(git(remote, 'log', '-1', '--format=%s', tip).trim()).toBe('reports: two');
    // The local branch follows, and the controller's work tree was never touched.
    expect(git(local, 'rev-parse', `refs/heads/${BRANCH}`).trim()).toBe(tip);
    expect(workTreeState(local, ['config/mesh.yaml'])).toEqual(before);
    expect(tryGit(local, 'rev-parse', '--verify', '--quiet', `refs/identity-mesh/fetched/${BRANCH}`)).toBe('');
  });

  it('reports up-to-date when the remote already has exactly our reports', async () => {
    const { remote, local } = remoteAndClone();
    await commitReports({ repoRoot: local, branch: BRANCH, path: 'reports', files: { 'status.json': '{"n":1}\n' }, message: 'one' });
    const other = join(tempDir('imesh-other-'), 'work');
    git(remote, 'clone', '-q', remote, other);
    await commitReports({ repoRoot: other, branch: BRANCH, path: 'reports', files: { 'status.json': '{"n":1}\n' }, message: 'same content, other replica' });
    git(other, 'push', '-q', 'origin', BRANCH);
    const theirs = remoteTip(remote);
    expect(await pushReports({ repoRoot: local, remote: 'origin', branch: BRANCH, path: 'reports' })).toMatchObject({ ok: true, status: 'up-to-date', commit: theirs, rebased: true });
    expect(remoteTip(remote)).toBe(theirs);
  });

  it('gives up as "rejected" when the remote is still ahead after the allowed retries', async () => {
    const { remote, local } = remoteAndClone();
    const other = join(tempDir('imesh-other-'), 'work');
    git(remote, 'clone', '-q', remote, other);
    await commitReports({ repoRoot: other, branch: BRANCH, path: 'reports', files: { 'status.json': '{"n":"other"}\n' }, message: 'other' });
    git(other, 'push', '-q', 'origin', BRANCH);
    const ours = await commitReports({ repoRoot: local, branch: BRANCH, path: 'reports', files: { 'status.json': '{"n":1}\n' }, message: 'ours' });
    const result = await pushReports({ repoRoot: local, remote: 'origin', branch: BRANCH, path: 'reports', retries: 0 });
    expect(result).toMatchObject({ ok: false, status: 'rejected', attempts: 1 });
    expect(!result.ok && result.message).toMatch(/still rejected after 1 attempt/);
    expect(remoteTip(remote)).not.toBe(ours);
  });

  it('returns a failure, never throws, when the remote refuses the push', async () => {
    const { remote, local } = remoteAndClone();
    write(remote, 'hooks/pre-receive', '#!/bin/sh\necho "reports are frozen" >&2\nexit 1\n');
    chmodSync(join(remote, 'hooks/pre-receive'), 0o755);
    await commitReports({ repoRoot: local, branch: BRANCH, path: 'reports', files: { 'status.json': '{}\n' }, message: 'one' });
    const result = await pushReports({ repoRoot: local, remote: 'origin', branch: BRANCH, path: 'reports' });
    expect(result).toMatchObject({ ok: false, status: 'failed', attempts: 1 });
    expect(!result.ok && result.message).toMatch(/reports are frozen/);
  });

  it('keeps credentials out of the failure message', async () => {
    const local = repoWithConfig();
    await commitReports({ repoRoot: local, branch: BRANCH, path: 'reports', files: { 'status.json': '{}\n' }, message: 'one' });
    const result = await pushReports({ repoRoot: local, remote: 'https://mesh-bot:ghp_S3cretToken@127.0.0.1:1/corp/config.git', branch: BRANCH, networkTimeoutMs: 20_000 });
    expect(result).toMatchObject({ ok: false, status: 'failed' });
    const message = result.ok ? '' : result.message;
    expect(message).toContain('https://127.0.0.1:1/corp/config.git');
    expect(message).not.toMatch(/S3cret|mesh-bot/);
  });

  it('refuses to push a branch that was never committed', async () => {
    const { local } = remoteAndClone();
    await expect(pushReports({ repoRoot: local, remote: 'origin', branch: BRANCH })).rejects.toThrow(/does not exist .*commit reports first/);
  });
});
