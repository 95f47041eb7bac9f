/**
 * Commits report files to the reports branch without touching the checked-out branch, the index or
 * the working tree. The first commit creates the branch as an orphan; each later one has the previous
 * tip as parent. The `path/` folder on the branch becomes exactly the given files (reports are
 * snapshots, so a report that is no longer produced disappears); everything outside it is kept.
 * No commit when the tree would not change.
 */
import { ImeshError } from '../shared/errors.js';
import { reportPathSegments } from '../reports/report-path.js';
import { gitAt } from './git-command.js';
import { branchTip, buildTree, checkBranchName, commitTree, ensureNotCheckedOut, isUnder, listTree, moveBranch, readBlobs, treeOf, writeBlobs, type TreeEntry } from './report-tree.js';

export interface CommitReportsOptions {
  /** A directory of the repository (its work tree root, usually). */
  readonly repoRoot: string;
  /** `spec.reports.branch`, e.g. `identity-mesh/status`. */
  readonly branch: string;
  /** `spec.reports.path`, e.g. `reports`; `''` or `.` is the root of the branch. */
  readonly path: string;
  /** File name (relative to `path`, `/` allowed) → content. */
  readonly files: Readonly<Record<string, string>>;
  readonly message: string;
}

const ATTEMPTS = 3;

/** The `path/` prefix as the tree spells it (no trailing slash; `''` for the root). */
export function reportPrefix(path: string): string {
  return reportPathSegments(path, 'spec.reports.path').join('/');
}

/** Returns the new commit, or null when the reports on the branch are already exactly these files. */
export async function commitReports(options: CommitReportsOptions): Promise<string | null> {
  const git = gitAt(options.repoRoot);
  await checkBranchName(git, options.branch);
  const prefix = reportPrefix(options.path);
  const names = Object.keys(options.files).sort();
  const paths = names.map((name) => {
    const segments = reportPathSegments(name, 'report file name');
    if (segments.length === 0) throw new ImeshError('InvalidReportPath', `report file name "${name}" is empty`);
    return [prefix, ...segments].filter((s) => s !== '').join('/');
  });
  const blobs = await writeBlobs(git, names.map((n) => options.files[n]!));
  const entries: TreeEntry[] = paths.map((path, i) => ({ mode: '100644', sha: blobs[i]!, path }));

  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    await ensureNotCheckedOut(git, options.branch);
    const tip = await branchTip(git, `refs/heads/${options.branch}`);
    const tree = await buildTree(git, tip, prefix, entries);
    if (tip !== null && tree === (await treeOf(git, tip))) return null;
    const commit = await commitTree(git, tree, tip, options.message);
    if (await moveBranch(git, options.branch, commit, tip, 'identity-mesh: commit reports')) return commit;
  }
  throw new ImeshError(
    'ReportsBranchBusy',
    `reports branch "${options.branch}" in ${options.repoRoot} kept moving while committing (${ATTEMPTS} attempts); is another Identity Mesh process writing to it?`,
    { retryable: true },
  );
}

export interface ReadReportsOptions {
  readonly repoRoot: string;
  readonly branch: string;
  readonly path: string;
}

/** The report files at the tip of the reports branch (names relative to `path`), or null if none. */
export async function readCommittedReports(options: ReadReportsOptions): Promise<Record<string, string> | null> {
  const git = gitAt(options.repoRoot);
  await checkBranchName(git, options.branch);
  const prefix = reportPrefix(options.path);
  const tip = await branchTip(git, `refs/heads/${options.branch}`);
  if (tip === null) return null;
  const entries = (await listTree(git, tip)).filter((e) => isUnder(e.path, prefix) && e.path !== prefix);
  if (entries.length === 0) return null;
  const contents = await readBlobs(git, entries.map((e) => e.sha));
  const files: Record<string, string> = {};
  entries.forEach((e, i) => {
    files[prefix === '' ? e.path : e.path.slice(prefix.length + 1)] = contents[i]!;
  });
  return files;
}
