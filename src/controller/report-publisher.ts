/**
 * Publishing reports after a cycle. With `--config DIR`, the CLI's publisher commits to the local
 * reports branch (or writes `.imesh/reports/`). With `--repo`, reports are committed in the mirror and
 * pushed to the remote: the local branch first catches up with the remote (another replica or an
 * earlier leader may have pushed), a commit is made only when something report-worthy changed (not
 * bare timestamps), and the push recommits on the remote's tip after a non-fast-forward. A push that
 * fails is logged, counted, and reported as the condition `ReportsPushFailed` in the next status — it
 * never fails or blocks the cycle; the next publish pushes again.
 */
import type { MeshModel } from '../config/model.js';
import type { GitConfigSource } from '../git/config-source.js';
import type { Condition } from '../reports/types.js';
import { errorMessage } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';

/** Where reports go: the Mesh's spec.reports (branch and path), compiled with their defaults. */
export type ReportsLocation = MeshModel['reports'];

export interface ReportPublisher {
  /** Publishes report files; returns a line saying where they went. Never throws for a push failure. */
  publish(reports: ReportsLocation, revision: string, files: Record<string, string>, message: string): Promise<string>;
  /** Conditions about publishing itself (ReportsPushFailed), for the next status. */
  conditions(now: string): Condition[];
}

/** Commits into a repository (the CLI's publishReports, bound to a repository root). */
export type LocalCommit = (reports: ReportsLocation, revision: string, files: Record<string, string>, message: string) => Promise<string>;

export function localPublisher(commit: LocalCommit): ReportPublisher {
  return { publish: commit, conditions: () => [] };
}

export interface GitPublisherOptions {
  readonly git: GitConfigSource;
  /** Commits (when report-worthy) to the mirror's local reports branch. */
  readonly commit: LocalCommit;
  readonly log: Logger;
  readonly onPushFailed?: (message: string) => void;
}

export class GitReportPublisher implements ReportPublisher {
  private pushError: string | undefined;

  constructor(private readonly options: GitPublisherOptions) {}

  async publish(reports: ReportsLocation, revision: string, files: Record<string, string>, message: string): Promise<string> {
    const { git, log } = this.options;
    const { branch, path } = reports;
    if (branch === git.branch) {
      // Pushing reports to the branch we follow would make every report a new config revision.
      return this.failed(`spec.reports.branch "${branch}" is the branch the controller follows (--branch); give the reports a branch of their own, such as identity-mesh/status`, 'not committed');
    }
    let remoteTip: string | null = null;
    try {
      remoteTip = await git.syncReportsBranch(branch);
    } catch (error) {
      // Cannot see the remote now; commit locally anyway and let the push sort it out.
      log.warn({ event: 'reports-sync-failed', branch, error: errorMessage(error) }, 'cannot fetch the reports branch; committing locally');
    }
    const committed = await this.options.commit(reports, revision, files, message);
    const local = await git.reportsTip(branch);
    if (local === null || local === remoteTip) {
      this.pushError = undefined;
      return committed;
    }
    try {
      const result = await git.pushReports(branch, path);
      if (result.ok) {
        this.pushError = undefined;
        log.info({ event: 'reports-pushed', branch, commit: result.commit, status: result.status, attempts: result.attempts, rebased: result.rebased }, 'reports pushed');
        return `${committed}; pushed to ${git.displayUrl}`;
      }
      return this.failed(result.message, committed);
    } catch (error) {
      return this.failed(errorMessage(error), committed);
    }
  }

  conditions(now: string): Condition[] {
    if (this.pushError === undefined) return [];
    return [{ type: 'ReportsPushFailed', status: 'True', reason: 'PushFailed', message: this.pushError, lastTransitionTime: now }];
  }

  private failed(message: string, committed: string): string {
    this.pushError = message;
    this.options.log.error({ event: 'reports-push-failed', error: message }, 'pushing the reports branch failed; reconciliation continues and the next cycle pushes again');
    this.options.onPushFailed?.(message);
    return `${committed}; push failed: ${message}`;
  }
}
