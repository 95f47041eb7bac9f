/**
 * The Git config source against real repositories on disk: a bare "remote", snapshots per revision,
 * the reports branch kept in step with the remote, and credentials that never leak.
 */
import { chmodSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GitReportPublisher } from '../../src/controller/report-publisher.js';
import { GitConfigSource, transportEnvironment } from '../../src/git/config-source.js';
import { commitReports } from '../../src/git/report-commit.js';
import { git, removeTempDirs, tempDir, tryGit, write } from '../git/temp-repo.js';
import { quietLogger } from './quiet-logger.js';

afterAll(removeTempDirs);

function remoteWithConfig(): { remote: string; seed: string } {
  const seed = tempDir('imesh-seed-');
  git(seed, 'init', '-q', '-b', 'main');
  write(seed, 'config/mesh.yaml', 'kind: Mesh # one\n');
  write(seed, 'README.md', 'config repo\n');
  git(seed, 'add', '-A');
  git(seed, 'commit', '-q', '-m', 'one');
  const remote = join(tempDir('imesh-remote-'), 'remote.git');
  git(seed, 'clone', '-q', '--bare', seed, remote);
  git(seed, 'remote', 'add', 'origin', remote);
  return { remote, seed };
}

function push(seed: string, path: string, content: string): string {
  write(seed, path, content);
  git(seed, 'add', '-A');
  git(seed, 'commit', '-q', '-m', `edit ${path}`);
  git(seed, 'push', '-q', 'origin', 'main');
  return git(seed, 'rev-parse', 'HEAD').trim();
}

const reports = { branch: 'identity-mesh/status', path: 'reports' };

describe('GitConfigSource', () => {
  it('fetches the branch and checks out each revision into its own snapshot (file:// and plain paths)', async () => {
    for (const form of ['path', 'file-url']) {
      const { remote, seed } = remoteWithConfig();
      const url = form === 'path' ? remote : `file://${remote}`;
      const source = new GitConfigSource({ url, branch: 'main', path: 'config', workDir: tempDir('imesh-work-') });
      await source.open();
      const first = await source.fetch();
      expect(first).toBe(git(seed, 'rev-parse', 'HEAD').trim());
      const one = await source.checkout(first);
      expect(readFileSync(join(one.configPath, 'mesh.yaml'), 'utf8')).toBe('kind: Mesh # one\n');

      const second = push(seed, 'config/mesh.yaml', 'kind: Mesh # two\n');
      expect(await source.fetch()).toBe(second);
      const two = await source.checkout(second);
      expect(readFileSync(join(two.configPath, 'mesh.yaml'), 'utf8')).toBe('kind: Mesh # two\n');
      // The older snapshot is untouched until released: the last good revision keeps its own files.
      expect(readFileSync(join(one.configPath, 'mesh.yaml'), 'utf8')).toBe('kind: Mesh # one\n');
      expect(await source.hasCommit(first)).toBe(true);
      await source.releaseAllBut(new Set([second]));
      expect(() => statSync(one.root)).toThrow();
      expect(statSync(two.root).isDirectory()).toBe(true);
    }
  });

  it('refuses config paths outside the repository and names a missing branch', async () => {
    const { remote } = remoteWithConfig();
    expect(() => new GitConfigSource({ url: remote, branch: 'main', path: '../etc', workDir: tempDir() })).toThrow(/inside the repository/);
    expect(() => new GitConfigSource({ url: remote, branch: 'main', path: '/etc', workDir: tempDir() })).toThrow(/inside the repository/);
    const source = new GitConfigSource({ url: remote, branch: 'nope', path: '.', workDir: tempDir() });
    await source.open();
    await expect(source.fetch()).rejects.toThrow(/has no branch nope/);
  });

  it('commits reports in the mirror, pushes them, and catches up with a remote that moved on', async () => {
    const { remote } = remoteWithConfig();
    const a = new GitConfigSource({ url: remote, branch: 'main', path: 'config', workDir: tempDir('imesh-a-') });
    const b = new GitConfigSource({ url: remote, branch: 'main', path: 'config', workDir: tempDir('imesh-b-') });
    await a.open();
    await b.open();
    const publisher = (source: GitConfigSource) =>
      new GitReportPublisher({
        git: source,
        log: quietLogger(),
        commit: async (location, _revision, files, message) => {
          const commit = await commitReports({ repoRoot: source.mirrorDir, branch: location.branch, path: location.path, files, message });
          return commit ? `committed ${commit}` : 'unchanged';
        },
      });
    const pa = publisher(a);
    expect(await pa.publish(reports, 'r1', { 'status.json': '{"n":1}\n' }, 'reports: one')).toContain('pushed');
    expect(git(remote, 'show', 'identity-mesh/status:reports/status.json')).toBe('{"n":1}\n');

    // Another replica (b) publishes next: it starts from the remote's tip, not from nothing.
    const pb = publisher(b);
    await pb.publish(reports, 'r1', { 'status.json': '{"n":2}\n' }, 'reports: two');
    const log = git(remote, 'log', '--format=%s', 'identity-mesh/status').trim().split('\n');
    expect(log).toEqual(['reports: two', 'reports: one']);

    // And a publishes again on top of b's commit.
    await pa.publish(reports, 'r1', { 'status.json': '{"n":3}\n' }, 'reports: three');
    expect(git(remote, 'log', '--format=%s', 'identity-mesh/status').trim().split('\n')).toEqual(['reports: three', 'reports: two', 'reports: one']);
    expect(pa.conditions('now')).toEqual([]);
  });

  it('reports a push failure as a condition, without throwing, and recovers on the next publish', async () => {
    const { remote } = remoteWithConfig();
    const source = new GitConfigSource({ url: remote, branch: 'main', path: 'config', workDir: tempDir('imesh-hook-') });
    await source.open();
    // The remote refuses every push to the reports branch.
    write(remote, 'hooks/pre-receive', '#!/bin/sh\necho "reports are frozen" >&2\nexit 1\n');
    chmodSync(join(remote, 'hooks/pre-receive'), 0o755);
    const failures: string[] = [];
    const publisher = new GitReportPublisher({
      git: source,
      log: quietLogger(),
      onPushFailed: (m) => failures.push(m),
      commit: async (location, _r, files, message) => String(await commitReports({ repoRoot: source.mirrorDir, branch: location.branch, path: location.path, files, message })),
    });
    const line = await publisher.publish(reports, 'r1', { 'status.json': '{"n":1}\n' }, 'reports: one');
    expect(line).toContain('push failed');
    expect(failures).toHaveLength(1);
    const [condition] = publisher.conditions('2024-01-01T00:00:00Z');
    expect(condition).toMatchObject({ type: 'ReportsPushFailed', status: 'True', reason: 'PushFailed' });
    expect(condition?.message).toContain('reports are frozen');
    expect(tryGit(remote, 'rev-parse', '--verify', '--quiet', 'refs/heads/identity-mesh/status').trim()).toBe('');

    write(remote, 'hooks/pre-receive', '#!/bin/sh\nexit 0\n');
    // Nothing new to commit, but the unpushed commit goes out now.
    expect(await publisher.publish(reports, 'r1', { 'status.json': '{"n":1}\n' }, 'reports: one')).toContain('pushed');
    expect(publisher.conditions('now')).toEqual([]);
    expect(git(remote, 'show', 'identity-mesh/status:reports/status.json')).toBe('{"n":1}\n');
  });
});

describe('Git credentials', () => {
  it('sends an HTTPS token as a Basic header scoped to the repository origin, never in the URL', async () => {
    const env = await transportEnvironment({ url: 'https://git.example.com/org/config.git', credentials: { token: 'ghp_supersecret' }, sshDir: tempDir() });
    expect(env).toEqual({
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'http.https://git.example.com/.extraHeader',
      GIT_CONFIG_VALUE_0: `Authorization: Basic ${Buffer.from('x-access-token:ghp_supersecret').toString('base64')}`,
    });
    const gitlab = await transportEnvironment({ url: 'https://gitlab.example.com/g/c.git', credentials: { token: 't0ken-value', username: 'oauth2' }, sshDir: tempDir() });
    expect(gitlab.GIT_CONFIG_VALUE_0).toBe(`Authorization: Basic ${Buffer.from('oauth2:t0ken-value').toString('base64')}`);
    expect(await transportEnvironment({ url: 'https://git.example.com/public.git', credentials: {}, sshDir: tempDir() })).toEqual({});
  });

  it('uses an SSH key file (0600) and pins host keys: known_hosts when given, accept-new otherwise', async () => {
    const dir = join(tempDir(), 'ssh');
    const withHosts = await transportEnvironment({
      url: 'git@github.com:org/config.git',
      credentials: { sshKey: '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----', knownHosts: 'github.com ssh-ed25519 AAAA' },
      sshDir: dir,
    });
    expect(withHosts.GIT_SSH_COMMAND).toBe(
      `ssh -i '${dir}/id' -o IdentitiesOnly=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile='${dir}/known_hosts' -o BatchMode=yes`,
    );
    expect(statSync(join(dir, 'id')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'id'), 'utf8').endsWith('-----\n')).toBe(true);
    expect(readFileSync(join(dir, 'known_hosts'), 'utf8')).toBe('github.com ssh-ed25519 AAAA\n');
    const tofu = await transportEnvironment({ url: 'ssh://git@example.com/org/config.git', credentials: {}, sshDir: dir });
    expect(tofu.GIT_SSH_COMMAND).toContain('StrictHostKeyChecking=accept-new');
    expect(tofu.GIT_SSH_COMMAND).not.toContain(' -i ');
  });

  it('keeps a token from the URL out of .git/config and out of errors', async () => {
    const workDir = tempDir('imesh-cred-');
    const source = new GitConfigSource({ url: 'https://someone:pat-very-secret-123@127.0.0.1:9/org/config.git', branch: 'main', path: '.', workDir, networkTimeoutMs: 5_000 });
    expect(source.displayUrl).toBe('https://127.0.0.1:9/org/config.git');
    await source.open();
    expect(readFileSync(join(workDir, 'repo.git', 'config'), 'utf8')).not.toContain('pat-very-secret-123');
    const error = await source.fetch().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeDefined();
    expect(error!.message).toMatch(/fetching main from https:\/\/127\.0\.0\.1:9\/org\/config\.git failed/);
    expect(error!.message).not.toContain('pat-very-secret-123');
    expect(error!.message).not.toContain(Buffer.from('someone:pat-very-secret-123').toString('base64'));
  });
});
