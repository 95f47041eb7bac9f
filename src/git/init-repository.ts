import { simpleGit } from 'simple-git';

const identity = {
  GIT_AUTHOR_NAME: 'Identity Mesh',
  GIT_AUTHOR_EMAIL: 'identity-mesh@localhost',
  GIT_COMMITTER_NAME: 'Identity Mesh',
  GIT_COMMITTER_EMAIL: 'identity-mesh@localhost',
};

/** Makes a directory a Git repository with everything in it committed on `main` (the quickstart). */
export async function initConfigRepository(dir: string, message: string): Promise<void> {
  const git = simpleGit(dir).env({ ...process.env, ...identity });
  await git.init(['--initial-branch=main']);
  await git.add(['--all']);
  await git.commit(message);
}
