/**
 * Git for reports and config revisions. simple-git is imported only in this folder.
 */
export { configRevision, type ConfigRevision } from './config-revision.js';
export { commitReports, readCommittedReports, type CommitReportsOptions, type ReadReportsOptions } from './report-commit.js';
export { pushReports, type PushReportsOptions, type PushReportsResult } from './report-push.js';
export { withoutCredentials, GitCommandError } from './git-command.js';
export { initConfigRepository } from './init-repository.js';
