/**
 * The config repository as the controller (and `imesh reconcile --repo`) sees it: a bare mirror of
 * one branch, and one read-only snapshot (a detached `git worktree`) per revision in use, so the last
 * good revision keeps running from its own files (data files included) while a newer, invalid one is
 * only reported — the way Flux serves each source revision as an immutable artifact.
 *
 * Layout under `workDir`: `repo.git/` (bare; remote `origin`), `snapshots/<commit>/`, `ssh/`.
 *
 * Transports: HTTPS (optionally with a token, sent as an `Authorization: Basic` header scoped to the
 * repository's origin through `GIT_CONFIG_*` environment variables, so it is never written to
 * `.git/config`, a URL, or a command line), SSH (a private key written 0600 to `ssh/`, host keys from a
 * known_hosts secret with StrictHostKeyChecking=yes, or learned on first use with accept-new), and
 * `file://` URLs or local paths. Credentials never appear in logs or errors: every value is registered
 * for redaction and git's output goes through `withoutCredentials`.
 */
import { chmod, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { ImeshError } from '../shared/errors.js';
import { registerSecret } from '../shared/logger.js';
import { GitCommandError, gitAt, withoutCredentials, type Git } from './git-command.js';
import { pushReports, type PushReportsResult } from './report-push.js';
import { branchTip, checkBranchName } from './report-tree.js';

export interface GitCredentials {
  /** HTTPS: a personal access token, deploy token or app installation token. */
  readonly token?: string;
  /** HTTPS: the user name sent with the token (default `x-access-token`; GitLab accepts any). */
  readonly username?: string;
  /** SSH: the private key (OpenSSH or PEM text). */
  readonly sshKey?: string;
  /** SSH: known_hosts lines; without them, host keys are accepted on first use and then pinned. */
  readonly knownHosts?: string;
}

export interface GitConfigSourceOptions {
  /** `https://…`, `ssh://…`, `git@host:path`, `file://…` or a local path. */
  readonly url: string;
  readonly branch: string;
  /** The config path inside the repository (`.` for its root). */
  readonly path: string;
  /** Where the mirror and snapshots live (writable; an emptyDir in Kubernetes). */
  readonly workDir: string;
  readonly credentials?: GitCredentials;
  /** Give up on a fetch or push that prints nothing for this long. Default 120 s. */
  readonly networkTimeoutMs?: number;
}

export interface ConfigCheckout {
  /** The commit. */
  readonly revision: string;
  /** The snapshot's work tree root. */
  readonly root: string;
  /** `root` joined with the config path. */
  readonly configPath: string;
}

const DEFAULT_TOKEN_USER = 'x-access-token';
const COMMIT = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/** `git@host:path` (scp-like SSH syntax). */
function isScpLike(url: string): boolean {
  return /^[A-Za-z0-9._-]+@[^/:]+:/.test(url) && !url.includes('://');
}

type Transport = 'https' | 'http' | 'ssh' | 'file';

function transportOf(url: string): Transport {
  if (isScpLike(url)) return 'ssh';
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) return 'file';
  if (scheme === 'https' || scheme === 'http' || scheme === 'ssh' || scheme === 'file') return scheme;
  if (scheme === 'git+ssh' || scheme === 'ssh+git') return 'ssh';
  throw new ImeshError('GitUrlUnsupported', `--repo ${withoutCredentials(url)}: unsupported scheme "${scheme}" (use https://, ssh://, git@host:path, file:// or a local path)`);
}

/** Single-quotes a path for GIT_SSH_COMMAND (run by a shell). */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Refuses config paths that are absolute or climb out of the repository. */
function checkConfigPath(path: string): string {
  const normalized = path.replace(/\\/g, '/').replace(/^\.\/+/, '').replace(/\/+$/, '');
  if (isAbsolute(path) || normalized.split('/').includes('..')) {
    throw new ImeshError('GitPathInvalid', `--path ${path}: give a path inside the repository, such as "config" or "." (no absolute paths, no "..")`);
  }
  return normalized === '' ? '.' : normalized;
}

export class GitConfigSource {
  readonly branch: string;
  readonly path: string;
  /** The URL without credentials, for messages. */
  readonly displayUrl: string;
  readonly mirrorDir: string;
  private readonly url: string;
  private readonly workDir: string;
  private readonly snapshotsDir: string;
  private readonly transport: Transport;
  private readonly credentials: GitCredentials;
  private readonly networkTimeoutMs: number;
  private networkEnv: Record<string, string> = {};
  private readonly git: Git;
  /** Worktree commands (add, remove, prune) run one at a time: git keeps their metadata in shared files. */
  private worktreeQueue: Promise<unknown> = Promise.resolve();

  constructor(options: GitConfigSourceOptions) {
    this.transport = transportOf(options.url);
    const credentials = { ...options.credentials };
    let url = options.url;
    if (this.transport === 'https' || this.transport === 'http') {
      // Credentials written into the URL move to the header, so they never reach .git/config.
      const parsed = new URL(url);
      if (parsed.password !== '' || parsed.username !== '') {
        if (credentials.token === undefined) {
          credentials.token = decodeURIComponent(parsed.password || parsed.username);
          if (parsed.password !== '') credentials.username = decodeURIComponent(parsed.username);
        }
        parsed.username = '';
        parsed.password = '';
        url = parsed.toString();
      }
    } else if (this.transport === 'file' && !/^file:\/\//i.test(url)) {
      url = resolve(url);
    }
    this.url = url;
    this.displayUrl = withoutCredentials(url);
    this.branch = options.branch;
    this.path = checkConfigPath(options.path);
    this.credentials = credentials;
    this.workDir = resolve(options.workDir);
    this.mirrorDir = join(this.workDir, 'repo.git');
    this.snapshotsDir = join(this.workDir, 'snapshots');
    this.networkTimeoutMs = options.networkTimeoutMs ?? 120_000;
    this.git = gitAt(this.mirrorDir);
    for (const value of [credentials.token, credentials.sshKey]) if (value) registerSecret(value);
  }

  /** Creates (or reuses) the mirror, points `origin` at the URL, and clears stale snapshots. */
  async open(): Promise<void> {
    await mkdir(this.workDir, { recursive: true, mode: 0o700 });
    await checkBranchName(gitAt(this.workDir), this.branch).catch((error: unknown) => {
      throw new ImeshError('GitBranchInvalid', `--branch ${this.branch} is not a valid branch name`, { cause: error });
    });
    this.networkEnv = await transportEnvironment({ url: this.url, credentials: this.credentials, sshDir: join(this.workDir, 'ssh') });
    if (!(await exists(join(this.mirrorDir, 'HEAD')))) {
      await mkdir(this.mirrorDir, { recursive: true });
      await this.git.run(['init', '--quiet', '--bare']);
      await this.git.run(['remote', 'add', 'origin', this.url]);
    } else {
      await this.git.run(['remote', 'set-url', 'origin', this.url]);
    }
    await rm(this.snapshotsDir, { recursive: true, force: true });
    await mkdir(this.snapshotsDir, { recursive: true });
    await this.git.run(['worktree', 'prune']);
  }

  /** Fetches the branch and returns its tip commit. */
  async fetch(): Promise<string> {
    const ref = `refs/remotes/origin/${this.branch}`;
    try {
      await this.git.run(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', 'origin', `+refs/heads/${this.branch}:${ref}`], this.network());
    } catch (error) {
      throw this.fetchError(error, this.branch);
    }
    const tip = await branchTip(this.git, ref);
    if (tip === null) throw new ImeshError('GitBranchMissing', `${this.displayUrl} has no branch ${this.branch}`, { retryable: true });
    return tip;
  }

  /** True when the mirror holds this commit (for example the last applied revision, after a restart). */
  async hasCommit(revision: string): Promise<boolean> {
    if (!COMMIT.test(revision)) return false;
    try {
      await this.git.run(['cat-file', '-e', `${revision}^{commit}`]);
      return true;
    } catch {
      return false;
    }
  }

  /** A read-only snapshot of one revision (created once, reused while it exists). */
  async checkout(revision: string): Promise<ConfigCheckout> {
    if (!COMMIT.test(revision)) throw new ImeshError('GitRevisionInvalid', `"${revision}" is not a commit id`);
    const root = join(this.snapshotsDir, revision);
    await this.worktrees(async () => {
      if (await exists(join(root, '.git'))) return;
      await rm(root, { recursive: true, force: true });
      await this.git.run(['worktree', 'prune']);
      await this.git.run(['worktree', 'add', '--quiet', '--detach', '--force', root, revision]);
    });
    return { revision, root, configPath: this.path === '.' ? root : join(root, this.path) };
  }

  /** Removes a snapshot that is no longer in use. */
  async release(revision: string): Promise<void> {
    await this.worktrees(() => this.remove(revision));
  }

  /** Every snapshot on disk but these, removed. */
  async releaseAllBut(keep: ReadonlySet<string>): Promise<void> {
    await this.worktrees(async () => {
      const entries = await readdir(this.snapshotsDir).catch(() => [] as string[]);
      for (const name of entries) if (!keep.has(name)) await this.remove(name);
    });
  }

  private async remove(revision: string): Promise<void> {
    const root = join(this.snapshotsDir, revision);
    await this.git.run(['worktree', 'remove', '--force', root]).catch(() => rm(root, { recursive: true, force: true }));
  }

  private worktrees<T>(work: () => Promise<T>): Promise<T> {
    const next = this.worktreeQueue.then(work, work);
    this.worktreeQueue = next.catch(() => undefined);
    return next;
  }

  /**
   * Brings the local reports branch up to the remote's tip when the remote is ahead (another replica
   * or an earlier leader pushed), so the next report commit builds on it and the volatile-field
   * comparison sees what the remote shows. Returns the remote tip, or null when the remote has none.
   */
  async syncReportsBranch(branch: string): Promise<string | null> {
    await checkBranchName(this.git, branch);
    const tracking = `refs/remotes/origin/${branch}`;
    try {
      await this.git.run(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', 'origin', `+refs/heads/${branch}:${tracking}`], this.network());
    } catch (error) {
      if (error instanceof GitCommandError && /couldn't find remote ref|no such ref/i.test(error.output)) return null;
      throw this.fetchError(error, branch);
    }
    const remote = await branchTip(this.git, tracking);
    if (remote === null) return null;
    const local = await branchTip(this.git, `refs/heads/${branch}`);
    if (local === remote) return remote;
    if (local === null || (await this.isAncestor(local, remote))) {
      await this.git.run(['update-ref', '-m', 'identity-mesh: reports from the remote', `refs/heads/${branch}`, remote, local ?? '']).catch(() => undefined);
    }
    return remote;
  }

  /** Pushes the reports branch to `origin` (recommitting on the remote tip after a non-fast-forward). */
  async pushReports(branch: string, path: string): Promise<PushReportsResult> {
    return pushReports({ repoRoot: this.mirrorDir, remote: 'origin', branch, path, env: this.networkEnv, networkTimeoutMs: this.networkTimeoutMs });
  }

  /** The local reports branch tip (null before the first report commit). */
  async reportsTip(branch: string): Promise<string | null> {
    return branchTip(this.git, `refs/heads/${branch}`);
  }

  private network() {
    return { env: this.networkEnv, silenceTimeoutMs: this.networkTimeoutMs };
  }

  private async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    try {
      await this.git.run(['merge-base', '--is-ancestor', ancestor, descendant]);
      return true;
    } catch {
      return false;
    }
  }

  private fetchError(error: unknown, branch: string): ImeshError {
    const output = error instanceof GitCommandError ? error.output : withoutCredentials(String(error));
    if (/couldn't find remote ref/i.test(output)) {
      return new ImeshError('GitBranchMissing', `${this.displayUrl} has no branch ${branch} (check --branch)`, { retryable: true });
    }
    const hint = /authentication|could not read username|permission denied|403|401/i.test(output)
      ? ' (check the git-token or git-ssh-key secret)'
      : /host key verification/i.test(output)
        ? ' (check the git-known-hosts secret)'
        : '';
    return new ImeshError('GitFetchFailed', `fetching ${branch} from ${this.displayUrl} failed: ${output || 'no output'}${hint}`, { cause: error, retryable: true });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

export interface TransportEnvironmentOptions {
  readonly url: string;
  readonly credentials: GitCredentials;
  /** Where the SSH key and known_hosts files are written (created 0700). */
  readonly sshDir: string;
}

/**
 * Environment for network commands: the token as an `Authorization: Basic` header for HTTPS, or the
 * SSH command with our key and host-key policy. The result holds credentials: never log it.
 */
export async function transportEnvironment(options: TransportEnvironmentOptions): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  const transport = transportOf(options.url);
  const { token, username, sshKey, knownHosts } = options.credentials;
  if ((transport === 'https' || transport === 'http') && token) {
    const basic = Buffer.from(`${username ?? DEFAULT_TOKEN_USER}:${token}`, 'utf8').toString('base64');
    registerSecret(token);
    registerSecret(basic);
    // Scoped to the repository's origin (http.<url>.extraHeader), so a redirect elsewhere never gets it.
    const origin = new URL(options.url).origin;
    env.GIT_CONFIG_COUNT = '1';
    env.GIT_CONFIG_KEY_0 = `http.${origin}/.extraHeader`;
    env.GIT_CONFIG_VALUE_0 = `Authorization: Basic ${basic}`;
  }
  if (transport === 'ssh') {
    await mkdir(options.sshDir, { recursive: true, mode: 0o700 });
    const args = ['ssh'];
    if (sshKey) {
      registerSecret(sshKey);
      const keyFile = join(options.sshDir, 'id');
      // OpenSSH refuses a key file others can read, and a key without its final newline.
      await writeFile(keyFile, sshKey.endsWith('\n') ? sshKey : `${sshKey}\n`, { mode: 0o600 });
      await chmod(keyFile, 0o600);
      args.push('-i', shellQuote(keyFile), '-o', 'IdentitiesOnly=yes');
    }
    const hostsFile = join(options.sshDir, 'known_hosts');
    if (knownHosts) {
      await writeFile(hostsFile, knownHosts.endsWith('\n') ? knownHosts : `${knownHosts}\n`, { mode: 0o600 });
      args.push('-o', 'StrictHostKeyChecking=yes');
    } else {
      // Trust on first use, then pinned in our own file (never the user's ~/.ssh).
      args.push('-o', 'StrictHostKeyChecking=accept-new');
    }
    args.push('-o', `UserKnownHostsFile=${shellQuote(hostsFile)}`, '-o', 'BatchMode=yes');
    env.GIT_SSH_COMMAND = args.join(' ');
  }
  return env;
}
