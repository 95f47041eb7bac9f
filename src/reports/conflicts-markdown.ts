/**
 * `conflicts.md`: attribute conflicts (equal confidence, different values), ambiguous joins and
 * objects held back, each kind in its own table.
 */
import { redact } from '../shared/logger.js';
import { document, moreLine, table } from './markdown.js';
import { sortConflicts } from './report-json.js';
import type { ConflictEntry, ConflictsReport } from './types.js';
import { count, formatTime, formatValue, mdCode, mdText, plural, shortRevision } from './value-format.js';

export interface ConflictsMarkdownOptions {
  /** Rows shown per kind before "… and N more" (conflicts.json has them all). Default 100. */
  readonly rowsPerKind?: number;
}

const TITLES: Readonly<Record<ConflictEntry['kind'], string>> = {
  attribute: 'Attribute conflicts',
  ambiguousJoin: 'Ambiguous joins',
  heldBack: 'Held back',
};

function candidates(entry: ConflictEntry): string {
  if (!entry.values || entry.values.length === 0) return '—';
  return entry.values
    .map((v) => `${formatValue(v.value, 'markdown')} (${mdText(v.rule)} · ${mdText(v.connector)}/${mdCode(v.externalId)} · ${v.confidence})`)
    .join('<br>');
}

function rowsFor(kind: ConflictEntry['kind'], entry: ConflictEntry): string[] {
  const object = mdCode(entry.object);
  const type = mdText(entry.meshType);
  switch (kind) {
    case 'attribute':
      return [type, object, mdText(entry.attribute ?? ''), candidates(entry), entry.winner ? `${formatValue(entry.winner.value, 'markdown')} (${mdText(entry.winner.rule)})` : '—', mdText(entry.reason)];
    case 'ambiguousJoin':
      return [type, object, mdText(entry.attribute ?? ''), candidates(entry), mdText(entry.reason)];
    case 'heldBack':
      return [type, object, mdText(entry.attribute ?? ''), mdText(entry.reason)];
  }
}

const COLUMNS: Readonly<Record<ConflictEntry['kind'], readonly string[]>> = {
  attribute: ['Mesh type', 'Object', 'Attribute', 'Values (rule · source · confidence)', 'Winner', 'Reason'],
  ambiguousJoin: ['Mesh type', 'Object', 'Attribute', 'Candidates', 'Reason'],
  heldBack: ['Mesh type', 'Object', 'Attribute', 'Reason'],
};

/** Conflict tables for a set of entries; shared with the plan, which lists conflicts that would appear. */
export function conflictSections(entries: readonly ConflictEntry[], limit: number, headingLevel: number, where: string): string[] {
  const sorted = sortConflicts(entries);
  const blocks: string[] = [];
  for (const kind of Object.keys(TITLES) as ConflictEntry['kind'][]) {
    const list = sorted.filter((e) => e.kind === kind);
    if (list.length === 0) continue;
    blocks.push(`${'#'.repeat(headingLevel)} ${TITLES[kind]} (${count(list.length)})`);
    blocks.push(table(COLUMNS[kind].map((title) => ({ title })), list.slice(0, limit).map((e) => rowsFor(kind, e))));
    const more = moreLine(list.length, limit, where);
    if (more) blocks.push(more);
  }
  return blocks;
}

export function conflictTally(entries: readonly ConflictEntry[]): string {
  const n = (kind: ConflictEntry['kind']): number => entries.filter((e) => e.kind === kind).length;
  return [plural(n('attribute'), 'attribute conflict'), plural(n('ambiguousJoin'), 'ambiguous join'), `${count(n('heldBack'))} held back`].join(' · ');
}

export function renderConflictsMarkdown(report: ConflictsReport, options: ConflictsMarkdownOptions = {}): string {
  const entries = report.conflicts;
  const summary =
    entries.length === 0
      ? `**No conflicts** · revision ${mdCode(shortRevision(report.revision))}`
      : `**${plural(entries.length, 'conflict')}** · ${conflictTally(entries)} · revision ${mdCode(shortRevision(report.revision))}`;
  return redact(
    document([
      '# Identity Mesh conflicts',
      summary,
      `Generated ${formatTime(report.generatedAt)}`,
      ...conflictSections(entries, options.rowsPerKind ?? 100, 2, 'see conflicts.json'),
    ]),
  );
}
