/**
 * `drift.md`: per projection, which target objects differ from what the configuration says, and what
 * was done about it (corrected, only reported, or an export pending).
 */
import { redact } from '../shared/logger.js';
import { document, moreLine, table } from './markdown.js';
import { sortDrift } from './report-json.js';
import type { DriftEntry, DriftReport } from './types.js';
// A multi-valued attribute shows, under "Desired", what would make the target right (`+ added; − removed`).
import { count, formatChange, formatTime, formatValue, mdCode, mdText, plural, shortRevision } from './value-format.js';

export interface DriftMarkdownOptions {
  /** Rows shown per projection before "… and N more" (drift.json has them all). Default 100. */
  readonly rowsPerProjection?: number;
}

const ACTION: Readonly<Record<DriftEntry['action'], string>> = {
  corrected: '✅ corrected',
  reported: '⚠️ reported only',
  pending: '⏳ pending',
};

function tally(entries: readonly DriftEntry[]): string {
  const objects = new Set(entries.map((e) => `${e.connector}\u0000${e.object}`)).size;
  return `${plural(entries.length, 'drifted attribute')} on ${plural(objects, 'object')}`;
}

export function renderDriftMarkdown(report: DriftReport, options: DriftMarkdownOptions = {}): string {
  const limit = options.rowsPerProjection ?? 100;
  const entries = sortDrift(report.drift);
  const byAction = (action: DriftEntry['action']): number => entries.filter((e) => e.action === action).length;
  const summary =
    entries.length === 0
      ? `**No drift**: every managed target object matches its projection · revision ${mdCode(shortRevision(report.revision))}`
      : [
          `**${tally(entries)}**`,
          `${count(byAction('corrected'))} corrected`,
          `${count(byAction('reported'))} reported only`,
          `${count(byAction('pending'))} pending`,
          `revision ${mdCode(shortRevision(report.revision))}`,
        ].join(' · ');

  const groups = new Map<string, DriftEntry[]>();
  for (const e of entries) {
    const key = `${e.projection}\u0000${e.connector}`;
    const list = groups.get(key) ?? [];
    list.push(e);
    groups.set(key, list);
  }
  const sections: string[] = [];
  for (const list of groups.values()) {
    const first = list[0]!;
    sections.push(`## ${mdText(first.projection)} → ${mdText(first.connector)}`);
    sections.push(tally(list));
    sections.push(
      table(
        [{ title: 'Object' }, { title: 'Attribute' }, { title: 'Desired' }, { title: 'Actual' }, { title: 'Action' }],
        list.slice(0, limit).map((e) => {
          const isList = Array.isArray(e.desired) || Array.isArray(e.actual);
          return [
            mdCode(e.object),
            mdText(e.attribute),
            isList ? formatChange(e.actual, e.desired, 'markdown') : formatValue(e.desired, 'markdown'),
            isList ? plural(Array.isArray(e.actual) ? e.actual.length : e.actual === null ? 0 : 1, 'value') : formatValue(e.actual, 'markdown'),
            ACTION[e.action] ?? mdText(e.action),
          ];
        }),
      ),
    );
    const more = moreLine(list.length, limit, 'see drift.json');
    if (more) sections.push(more);
  }
  return redact(document([`# Identity Mesh drift`, summary, `Generated ${formatTime(report.generatedAt)}`, ...sections]));
}
