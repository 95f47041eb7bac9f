/**
 * Where the controller's config comes from: a directory (`--config DIR`, re-read on every poll) or a
 * Git repository (`--repo URL --branch B --path P`, fetched on every poll and on webhooks, each
 * revision checked out into its own snapshot).
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { configRevision } from '../git/config-revision.js';
import type { GitConfigSource } from '../git/config-source.js';

export interface SourceState {
  /** The directory to load. */
  readonly configPath: string;
  /** The Git commit when the source is a repository; undefined for a directory (derived from its files). */
  readonly revision?: string;
}

export interface ControllerConfigSource {
  /** For logs and status: the directory, or the repository URL (no credentials) and branch. */
  readonly description: string;
  readonly kind: 'directory' | 'git';
  open(): Promise<void>;
  /** The newest state, or null when nothing can have changed since the last call. */
  poll(): Promise<SourceState | null>;
  /** A revision applied before (after a restart whose newest revision is invalid), if it can be had. */
  restore(revision: string): Promise<SourceState | undefined>;
  /** Revisions still in use; others may be cleaned up. */
  retain(revisions: ReadonlySet<string>): Promise<void>;
}

/** The revision of a directory's files, as `imesh reconcile` names it: HEAD(-dirty) in Git, else a content hash. */
export async function directoryRevision(configPath: string, files: readonly { path: string; content: string }[], contentHash?: string): Promise<string> {
  const git = await configRevision(configPath).catch(() => undefined);
  if (git?.inGit && git.revision !== null) return git.revision;
  return `sha256:${(contentHash ?? filesHash(files)).slice(0, 16)}`;
}

/** A hash of config files (path and content), to notice edits that keep the same revision name. */
export function filesHash(files: readonly { path: string; content: string }[]): string {
  const hash = createHash('sha256');
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) hash.update(f.path).update('\0').update(f.content).update('\0');
  return hash.digest('hex');
}

export function directorySource(configDir: string): ControllerConfigSource {
  const configPath = resolve(configDir);
  return {
    description: configPath,
    kind: 'directory',
    async open() {},
    async poll() {
      return { configPath };
    },
    async restore() {
      return undefined;
    },
    async retain() {},
  };
}

export function gitSource(git: GitConfigSource): ControllerConfigSource {
  let lastTip: string | undefined;
  // Snapshots being created or validated: a cycle starting meanwhile must not clean them up.
  const pending = new Set<string>();
  return {
    description: `${git.displayUrl} (branch ${git.branch}, path ${git.path})`,
    kind: 'git',
    open: () => git.open(),
    async poll() {
      const tip = await git.fetch();
      if (tip === lastTip) return null;
      pending.add(tip);
      try {
        const checkout = await git.checkout(tip);
        lastTip = tip;
        return { configPath: checkout.configPath, revision: tip };
      } finally {
        pending.delete(tip);
      }
    },
    async restore(revision) {
      if (!(await git.hasCommit(revision))) return undefined;
      const checkout = await git.checkout(revision);
      return { configPath: checkout.configPath, revision };
    },
    async retain(revisions) {
      // The newest tip stays too: it is the one being validated, or the invalid one just reported.
      await git.releaseAllBut(new Set([...revisions, ...pending, ...(lastTip ? [lastTip] : [])]));
    },
  };
}
