/**
 * `--repo URL --branch B --path P` for `imesh run` and `imesh reconcile`: the Git config source with
 * its credentials read from secrets (files under IMESH_SECRETS_DIR — a mounted Kubernetes Secret — or
 * IMESH_SECRET_<NAME> variables), and the publisher that commits and pushes the reports branch.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { envSecretResolver, secretEnvName } from '../config/secrets.js';
import { GitConfigSource, type GitCredentials } from '../git/config-source.js';
import { withoutCredentials } from '../git/git-command.js';
import { DEFAULT_CHECKOUT_DIR, GIT_KNOWN_HOSTS_SECRET, GIT_SSH_KEY_SECRET, GIT_TOKEN_SECRET } from './endpoints.js';

export interface RepoFlags {
  readonly url: string;
  readonly branch: string;
  readonly path: string;
  /** Default `.imesh/checkout/<hash of URL and branch>` below the working directory. */
  readonly checkoutDir?: string;
  readonly username?: string;
  readonly tokenSecret?: string;
  readonly sshKeySecret?: string;
  readonly knownHostsSecret?: string;
}

/** A secret's value, or undefined when it is not set at all (a set but unreadable secret still throws). */
export function optionalSecret(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const inEnv = env[secretEnvName(name)];
  const inDir = env.IMESH_SECRETS_DIR ? existsSync(join(env.IMESH_SECRETS_DIR, name)) : false;
  if ((inEnv === undefined || inEnv === '') && !inDir) return undefined;
  return envSecretResolver(env).resolve(`{{secret:${name}}}`);
}

export function gitCredentialsFromSecrets(flags: Pick<RepoFlags, 'username' | 'tokenSecret' | 'sshKeySecret' | 'knownHostsSecret'>): GitCredentials {
  const token = optionalSecret(flags.tokenSecret ?? GIT_TOKEN_SECRET);
  const sshKey = optionalSecret(flags.sshKeySecret ?? GIT_SSH_KEY_SECRET);
  const knownHosts = optionalSecret(flags.knownHostsSecret ?? GIT_KNOWN_HOSTS_SECRET);
  return {
    ...(token !== undefined ? { token } : {}),
    ...(flags.username !== undefined ? { username: flags.username } : {}),
    ...(sshKey !== undefined ? { sshKey } : {}),
    ...(knownHosts !== undefined ? { knownHosts } : {}),
  };
}

export function repoSource(flags: RepoFlags, workDir = process.cwd()): GitConfigSource {
  const id = createHash('sha256').update(`${withoutCredentials(flags.url)}\u0000${flags.branch}`).digest('hex').slice(0, 12);
  const checkoutDir = flags.checkoutDir ? resolve(workDir, flags.checkoutDir) : resolve(workDir, DEFAULT_CHECKOUT_DIR, id);
  return new GitConfigSource({ url: flags.url, branch: flags.branch, path: flags.path, workDir: checkoutDir, credentials: gitCredentialsFromSecrets(flags) });
}
