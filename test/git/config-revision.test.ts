import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configRevision } from '../../src/git/config-revision.js';
import { git, head, removeTempDirs, repoWithConfig, tempDir, write } from './temp-repo.js';

afterAll(removeTempDirs);

describe('configRevision', () => {
  it('is not in Git for a plain directory (the caller uses the content hash)', async () => {
    const dir = tempDir();
    write(dir, 'mesh.yaml', 'kind: Mesh\n');
    expect(await configRevision(dir)).toEqual({ inGit: false, reason: 'not-a-work-tree' });
  });

  it('is the HEAD commit when the config path matches HEAD', async () => {
    const root = repoWithConfig();
    const rev = await configRevision(join(root, 'config'));
    expect(rev).toMatchObject({ inGit: true, head: head(root), revision: head(root), dirty: false, dirtyPaths: [] });
    if (rev.inGit) expect(rev.repoRoot).toBe(git(root, 'rev-parse', '--show-toplevel').trim());
  });

  it('is -dirty when a tracked file under the config path is modified', async () => {
    const root = repoWithConfig();
    write(root, 'config/data/hr.csv', 'employee_id,name\nE1,Alicia\n');
    const rev = await configRevision(join(root, 'config'));
    expect(rev).toMatchObject({ inGit: true, revision: `${head(root)}-dirty`, dirty: true, dirtyPaths: ['config/data/hr.csv'] });
  });

  it('names modified, staged and new paths that hold spaces or non-ASCII letters exactly', async () => {
    const root = repoWithConfig();
    write(root, 'config/data/hr.csv', 'employee_id,name\nE1,Alicia\n');
    write(root, 'config/my notes/Zoë 2.yaml', 'kind: Mesh\n');
    write(root, 'config/staged file.yaml', 'kind: Mesh\n');
    git(root, 'add', 'config/staged file.yaml');
    const rev = await configRevision(join(root, 'config'));
    expect(rev).toMatchObject({ dirty: true, dirtyPaths: ['config/data/hr.csv', 'config/my notes/Zoë 2.yaml', 'config/staged file.yaml'] });
  });

  it('is -dirty when a change is staged but not committed', async () => {
    const root = repoWithConfig();
    write(root, 'config/mesh.yaml', 'kind: Mesh\nmetadata: { name: corp }\n');
    git(root, 'add', 'config/mesh.yaml');
    expect(await configRevision(join(root, 'config'))).toMatchObject({ revision: `${head(root)}-dirty` });
  });

  it('is -dirty when a tracked file under the config path is deleted', async () => {
    const root = repoWithConfig();
    rmSync(join(root, 'config/mesh.yaml'));
    expect(await configRevision(join(root, 'config'))).toMatchObject({ dirty: true, dirtyPaths: ['config/mesh.yaml'] });
  });

  it('is -dirty when an untracked, non-ignored file appears under the config path', async () => {
    const root = repoWithConfig();
    write(root, 'config/projections/new.yaml', 'kind: Projection\n');
    expect(await configRevision(join(root, 'config'))).toMatchObject({ revision: `${head(root)}-dirty`, dirtyPaths: ['config/projections/new.yaml'] });
  });

  it('stays clean for ignored files and for our own .imesh folder under the config path', async () => {
    const root = repoWithConfig();
    write(root, 'config/debug.log', 'noise\n');
    write(root, 'config/.imesh/state/PG_VERSION', '17\n');
    write(root, 'config/.imesh/reports/status.json', '{}\n');
    expect(await configRevision(join(root, 'config'))).toMatchObject({ revision: head(root), dirty: false });
  });

  it('ignores changes outside the config path', async () => {
    const root = repoWithConfig();
    write(root, 'README.md', '# edited\n');
    write(root, 'notes/todo.txt', 'later\n');
    expect(await configRevision(join(root, 'config'))).toMatchObject({ revision: head(root), dirty: false });
    // …but the same changes count when the config path is the repository root.
    expect(await configRevision(root)).toMatchObject({ revision: `${head(root)}-dirty`, dirtyPaths: ['README.md', 'notes/todo.txt'] });
  });

  it('treats the config path literally, not as a glob', async () => {
    const root = repoWithConfig();
    write(root, 'conf[1]/mesh.yaml', 'kind: Mesh\n');
    write(root, 'conf1/mesh.yaml', 'kind: Mesh\n');
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'two configs');
    write(root, 'conf1/mesh.yaml', 'kind: Mesh\n# edited\n');
    expect(await configRevision(join(root, 'conf[1]'))).toMatchObject({ dirty: false });
    expect(await configRevision(join(root, 'conf1'))).toMatchObject({ dirty: true });
  });

  it('has no revision on a branch with no commit yet, and says so rather than failing', async () => {
    const root = tempDir();
    git(root, 'init', '-q', '-b', 'main');
    write(root, 'config/mesh.yaml', 'kind: Mesh\n');
    expect(await configRevision(join(root, 'config'))).toMatchObject({ inGit: true, head: null, revision: null, dirty: true, dirtyPaths: ['config/mesh.yaml'] });
  });

  it('is not in Git inside the .git directory itself', async () => {
    const root = repoWithConfig();
    mkdirSync(join(root, '.git', 'imesh-probe'), { recursive: true });
    expect(await configRevision(join(root, '.git', 'imesh-probe'))).toMatchObject({ inGit: false });
  });

  it('fails with a clear message for a config path that does not exist', async () => {
    await expect(configRevision(join(tempDir(), 'missing'))).rejects.toThrow(/config path .*missing cannot be read/);
  });
});
