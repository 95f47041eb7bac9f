/**
 * Reports: render status, drift, conflicts and plan as JSON, Markdown and terminal text; decide
 * whether a new set is worth committing; write it outside Git.
 */
export { renderStatusJson, renderDriftJson, renderConflictsJson, renderPlanJson } from './report-json.js';
export { renderStatusMarkdown } from './status-markdown.js';
export { renderDriftMarkdown, type DriftMarkdownOptions } from './drift-markdown.js';
export { renderConflictsMarkdown, type ConflictsMarkdownOptions } from './conflicts-markdown.js';
export { renderPlanMarkdown, type PlanMarkdownOptions } from './plan-markdown.js';
export { renderPlanText, type PlanTextOptions } from './plan-text.js';
export { renderStatusText, type StatusTextOptions } from './status-text.js';
export { planSummaryLine, hasChanges as planHasChanges } from './plan-summary.js';
export { reportFiles, REPORT_FILE_NAMES, type ReportFileName } from './report-files.js';
export { onlyVolatileChanges, VOLATILE_FIELDS } from './report-changes.js';
export { reportCommitMessage, type CommitMessageExtras } from './commit-message.js';
export { writeReportFiles, readReportFiles, reportDirectory, type ReportDirectoryOptions } from './report-directory.js';
export type * from './types.js';
