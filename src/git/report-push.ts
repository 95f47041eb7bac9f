/**
 * Pushes the reports branch. When the remote moved on (another replica, a person), our reports are
 * whole-file snapshots, so "rebase" means: fetch the remote tip and commit our latest report files on
 * top of it (keeping what the remote has outside our reports path), then push again. A failed push is
 * a result for the caller to report, never an exception, and never blocks reconciliation.
 */
import { ImeshError } from '../shared/errors.js';
import { GitCommandError, gitAt, withoutCredentials, type Git } from './git-command.js';
import { reportPrefix } from './report-commit.js';
import { branchTip, buildTree, checkBranchName, commitTree, isUnder, listTree, moveBranch, treeOf } from './report-tree.js';

export interface PushReportsOptions {
  readonly repoRoot: string;
  /** A remote name (`origin`) or URL. */
  readonly remote: string;
  readonly branch: string;
  /**
   * `spec.reports.path`. When given, a rebase keeps the remote's files outside it; when left out,
   * our whole tree replaces the remote's.
   */
  readonly path?: string;
  /** Retries after a non-fast-forward rejection. Default 3. */
  readonly retries?: number;
  /** Extra environment for the transport (GIT_SSH_COMMAND with a key file, GIT_CONFIG_* for a token header). */
  readonly env?: Readonly<Record<string, string>>;
  /** Give up on a push or fetch that prints nothing for this long. Default 120 s. */
  readonly networkTimeoutMs?: number;
}

export type PushReportsResult =
  | {
      readonly ok: true;
      /** `up-to-date`: the remote already had these reports. */
      readonly status: 'pushed' | 'up-to-date';
      /** The commit the remote branch now points at. */
      readonly commit: string;
      readonly attempts: number;
      /** Whether our reports were recommitted on top of the remote's tip. */
      readonly rebased: boolean;
    }
  | {
      readonly ok: false;
      /** `rejected`: still not a fast-forward after every retry; `failed`: anything else (auth, network, hooks). */
      readonly status: 'rejected' | 'failed';
      /** What went wrong, without credentials. */
      readonly message: string;
      readonly attempts: number;
    };

function describeRemote(remote: string): string {
  return withoutCredentials(remote);
}

function errorText(error: unknown): string {
  return error instanceof GitCommandError ? error.output : withoutCredentials(error instanceof Error ? error.message : String(error));
}

async function isAncestor(git: Git, ancestor: string, descendant: string): Promise<boolean> {
  const base = (await git.run(['merge-base', ancestor, descendant])).trim();
  return base === ancestor;
}

export async function pushReports(options: PushReportsOptions): Promise<PushReportsResult> {
  const git = gitAt(options.repoRoot);
  await checkBranchName(git, options.branch);
  if (options.remote.startsWith('-') || options.remote.trim() === '') {
    throw new ImeshError('InvalidRemote', `remote "${describeRemote(options.remote)}" is not a remote name or URL`);
  }
  const prefix = options.path === undefined ? undefined : reportPrefix(options.path);
  const localRef = `refs/heads/${options.branch}`;
  const fetchedRef = `refs/identity-mesh/fetched/${options.branch}`;
  const network = { env: options.env ?? {}, silenceTimeoutMs: options.networkTimeoutMs ?? 120_000 };
  const where = `reports branch ${options.branch} to ${describeRemote(options.remote)}`;
  const retries = options.retries ?? 3;

  const start = await branchTip(git, localRef);
  if (start === null) {
    throw new ImeshError('ReportsBranchMissing', `cannot push ${where}: the branch does not exist in ${options.repoRoot} (commit reports first)`);
  }

  let local: string = start;
  let rebased = false;
  let attempts = 0;
  let lastRejection = '';
  try {
    while (attempts <= retries) {
      attempts++;
      let pushError: string;
      try {
        const out = await git.run(['push', '--porcelain', options.remote, `${local}:${localRef}`], network);
        const upToDate = out.split('\n').some((line) => line.startsWith('=\t'));
        return { ok: true, status: upToDate ? 'up-to-date' : 'pushed', commit: local, attempts, rebased };
      } catch (error) {
        pushError = errorText(error);
      }

      // Was it because the remote moved on? Look at what it has now.
      let remoteTip: string | null;
      try {
        await git.run(['fetch', '--no-tags', '--no-write-fetch-head', '--quiet', options.remote, `+${localRef}:${fetchedRef}`], network);
        remoteTip = await branchTip(git, fetchedRef);
      } catch {
        remoteTip = null;
      }
      if (remoteTip === null || (await isAncestor(git, remoteTip, local))) {
        return { ok: false, status: 'failed', message: `push of ${where} failed: ${pushError}`, attempts };
      }
      lastRejection = pushError;

      // Non-fast-forward: recommit our reports on top of the remote tip.
      const ours = await treeOf(git, local);
      const tree: string =
        prefix === undefined
          ? ours
          : await buildTree(git, remoteTip, prefix, (await listTree(git, local)).filter((e) => isUnder(e.path, prefix)));
      const message = await git.run(['log', '-1', '--format=%B', local]);
      const next: string = tree === (await treeOf(git, remoteTip)) ? remoteTip : await commitTree(git, tree, remoteTip, message.trimEnd());
      if (!(await moveBranch(git, options.branch, next, local, 'identity-mesh: reports on top of the remote'))) {
        // A newer local report commit arrived meanwhile; push that one next.
        local = (await branchTip(git, localRef)) ?? local;
        continue;
      }
      rebased = true;
      local = next;
      if (next === remoteTip) return { ok: true, status: 'up-to-date', commit: next, attempts, rebased };
    }
  } finally {
    await git.run(['update-ref', '-d', fetchedRef]).catch(() => undefined);
  }
  return {
    ok: false,
    status: 'rejected',
    message: `push of ${where} was still rejected after ${attempts} attempt${attempts === 1 ? '' : 's'} (the remote keeps moving; the next push starts from its tip): ${lastRejection}`,
    attempts,
  };
}
