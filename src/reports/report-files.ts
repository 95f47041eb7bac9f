/**
 * The report files committed to the reports branch (or written under `.imesh/<path>/`), by name.
 */
import { renderConflictsMarkdown } from './conflicts-markdown.js';
import { renderDriftMarkdown } from './drift-markdown.js';
import { renderConflictsJson, renderDriftJson, renderStatusJson } from './report-json.js';
import { renderStatusMarkdown } from './status-markdown.js';
import type { ConflictsReport, DriftReport, StatusReport } from './types.js';

export const REPORT_FILE_NAMES = ['status.json', 'status.md', 'drift.json', 'drift.md', 'conflicts.json', 'conflicts.md'] as const;

export type ReportFileName = (typeof REPORT_FILE_NAMES)[number];

export function reportFiles(status: StatusReport, drift: DriftReport, conflicts: ConflictsReport): Record<ReportFileName, string> {
  return {
    'status.json': renderStatusJson(status),
    'status.md': renderStatusMarkdown(status),
    'drift.json': renderDriftJson(drift),
    'drift.md': renderDriftMarkdown(drift),
    'conflicts.json': renderConflictsJson(conflicts),
    'conflicts.md': renderConflictsMarkdown(conflicts),
  };
}
