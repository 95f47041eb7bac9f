/**
 * `imesh status` on a terminal: readiness and revisions, problems first, then connectors with their
 * object types, approvals, mesh object counts, pending exports and the last cycles.
 */
import { redact } from '../shared/logger.js';
import { isAbnormal, problemName } from './condition-polarity.js';
import { painter } from './terminal-style.js';
import type { StatusReport } from './types.js';
import { count, formatCounters, formatDuration, formatTime, shortRevision } from './value-format.js';

export interface StatusTextOptions {
  readonly color?: boolean;
}

/** Left-aligned columns (right-aligned where asked), two spaces apart. */
function columns(rows: readonly (readonly string[])[], rightAligned: ReadonlySet<number> = new Set()): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, [...cell].length)));
  return rows.map((row) =>
    row
      .map((cell, i) => {
        const pad = ' '.repeat((widths[i] ?? 0) - [...cell].length);
        return rightAligned.has(i) ? pad + cell : i === row.length - 1 ? cell : cell + pad;
      })
      .join('  ')
      .trimEnd(),
  );
}

export function renderStatusText(report: StatusReport, options: StatusTextOptions = {}): string {
  const paint = painter(options.color ?? false);
  const ready = report.conditions.find((c) => c.type === 'Ready');
  const readiness = !ready ? paint.yellow('Unknown') : ready.status === 'True' ? paint.green('Ready') : paint.boldRed('Not ready');
  const lines = [
    `Mesh ${paint.bold(report.mesh)}: ${readiness}`,
    ...columns([
      ['Revision', shortRevision(report.revision)],
      ['Last applied', shortRevision(report.lastAppliedRevision)],
      ['Last attempted', shortRevision(report.lastAttemptedRevision)],
      ['Pending exports', count(report.pendingExports)],
      ['Generated', formatTime(report.generatedAt)],
    ]),
  ];

  const problems = [
    ...report.conditions.filter(isAbnormal).map((c) => `${problemName(c)}: ${c.message || c.reason}`),
    ...report.connectors.flatMap((k) => k.conditions.filter(isAbnormal).map((c) => `${k.name}: ${problemName(c)}: ${c.message || c.reason}`)),
  ];
  if (problems.length > 0) lines.push('', paint.boldRed('Problems'), ...problems.map((p) => paint.red(`  ! ${p}`)));

  if (report.conditions.length > 0) {
    lines.push('', paint.bold('Conditions'));
    lines.push(...columns(report.conditions.map((c) => [`  ${c.type}`, c.status, c.reason, c.message])));
  }

  if (report.connectors.length > 0) {
    lines.push('', paint.bold('Connectors'));
    const rows: string[][] = [['  CONNECTOR / TYPE', 'KIND', 'HEALTH', 'OBJECTS', 'UNMANAGED', 'WATERMARK', 'LAST IMPORT', 'LAST EXPORT']];
    for (const k of report.connectors) {
      const total = Object.values(k.objectTypes).reduce((s, t) => s + t.count, 0);
      rows.push([`  ${k.name}`, k.type, k.health, count(total), k.unmanaged === undefined ? '' : count(k.unmanaged), '', '', '']);
      for (const [name, t] of Object.entries(k.objectTypes)) {
        rows.push([`    ${name}`, '', '', count(t.count), '', t.watermark ?? '—', formatTime(t.lastImport), formatTime(t.lastExport)]);
      }
    }
    lines.push(...columns(rows, new Set([3, 4])));
    for (const k of report.connectors) {
      if (k.driftCheck === undefined) continue;
      const reads = Object.entries(k.objectTypes).map(([name, t]) => `${name} ${t.lastWholeRead ? `read whole ${formatTime(t.lastWholeRead)}` : 'never read whole'}`);
      lines.push(`  ${k.name}: drift check ${k.driftCheck} (${reads.join(', ')})`);
    }
    for (const k of report.connectors) if (k.lastError) lines.push(paint.red(`  ${k.name}: last error: ${k.lastError}`));
  }

  const approvals = report.approvals ?? [];
  if (approvals.length > 0) {
    lines.push('', paint.bold('Approvals'));
    lines.push(
      ...columns(
        approvals.map((a) => [
          `  #${a.id}`,
          a.connector,
          a.state,
          `by ${a.approvedBy} ${formatTime(a.approvedAt)}`,
          a.state === 'pending' ? `expires ${formatTime(a.expiresAt)}` : a.letThrough.length > 0 ? `let through ${count(a.letThrough.length)}` : (a.note ?? ''),
          a.reason,
        ]),
      ),
    );
  }

  const mesh = Object.entries(report.meshObjects);
  if (mesh.length > 0) {
    lines.push('', paint.bold('Mesh objects'), ...columns(mesh.map(([t, n]) => [`  ${t}`, count(n)]), new Set([1])));
  }

  const cycles = report.cycles.length > 0 ? report.cycles : report.lastCycle ? [report.lastCycle] : [];
  if (cycles.length > 0) {
    lines.push('', paint.bold('Recent cycles'));
    lines.push(
      ...columns(
        cycles.map((c) => [
          `  #${c.id}`,
          `${c.kind}${c.mode === 'plan' ? ' (plan)' : ''}`,
          c.result,
          formatTime(c.startedAt),
          formatDuration(c.startedAt, c.finishedAt),
          shortRevision(c.revision),
          Object.entries(c.counts)
            .map(([group, counters]) => [group, formatCounters(counters)] as const)
            .filter(([, t]) => t !== '')
            .map(([group, t]) => `${group}: ${t}`)
            .join('; '),
        ]),
      ),
    );
  }
  return redact(`${lines.join('\n')}\n`);
}
