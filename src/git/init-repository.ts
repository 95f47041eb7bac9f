import { gitAt } from './git-command.js';

const identity = {
  GIT_AUTHOR_NAME: 'Identity Mesh',
  GIT_AUTHOR_EMAIL: 'identity-mesh@localhost',
  GIT_COMMITTER_NAME: 'Identity Mesh',
  GIT_COMMITTER_EMAIL: 'identity-mesh@localhost',
};

/** Makes a directory a Git repository with everything in it committed on `main` (the quickstart). */
export async function initConfigRepository(dir: string, message: string): Promise<void> {
  const git = gitAt(dir);
  await git.run(['init', '--quiet', '--initial-branch=main']);
  await git.run(['add', '--all']);
  await git.run(['commit', '--quiet', '--no-gpg-sign', '-m', message], { env: identity });
}
