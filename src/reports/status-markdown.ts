/**
 * `status.md`: what a person reading the reports branch on GitHub wants first — is it ready, which
 * revision runs, what is wrong — then the connectors, mesh object counts and recent cycles.
 */
import { redact } from '../shared/logger.js';
import { isAbnormal, problemName } from './condition-polarity.js';
import { alert, document, table } from './markdown.js';
import type { ApprovalRecord, Condition, ConnectorStatus, CycleSummary, StatusReport } from './types.js';
import { count, formatCounters, formatDuration, formatTime, mdCode, mdText, plural, shortRevision } from './value-format.js';

const HEALTH_MARK: Readonly<Record<ConnectorStatus['health'], string>> = {
  Healthy: '✅ Healthy',
  Degraded: '⚠️ Degraded',
  Failed: '❌ Failed',
  Unknown: '❔ Unknown',
};

function readiness(conditions: readonly Condition[]): string {
  const ready = conditions.find((c) => c.type === 'Ready');
  if (!ready) return '❔ **Readiness unknown**';
  return ready.status === 'True' ? '✅ **Ready**' : '❌ **Not ready**';
}

function conditionRows(conditions: readonly Condition[]): string[][] {
  return conditions.map((c) => {
    const strong = c.status === 'True';
    const mark = isAbnormal(c) ? ' ⚠️' : '';
    return [
      strong ? `**${mdText(c.type)}**` : mdText(c.type),
      strong ? `**True**${mark}` : `False${mark}`,
      mdText(c.reason),
      mdText(c.message),
      formatTime(c.lastTransitionTime),
    ];
  });
}

function conditionTable(conditions: readonly Condition[]): string {
  return table(
    [{ title: 'Condition' }, { title: 'Status' }, { title: 'Reason' }, { title: 'Message' }, { title: 'Since' }],
    conditionRows(conditions),
  );
}

function objectTotal(connector: ConnectorStatus): number {
  return Object.values(connector.objectTypes).reduce((sum, t) => sum + t.count, 0);
}

function latest(values: readonly (string | null)[]): string | null {
  let best: string | null = null;
  for (const v of values) if (v !== null && (best === null || Date.parse(v) > Date.parse(best))) best = v;
  return best;
}

function summaryLine(report: StatusReport): string {
  const parts = [readiness(report.conditions), `revision ${mdCode(shortRevision(report.revision))}`];
  const byHealth = new Map<string, number>();
  for (const c of report.connectors) byHealth.set(c.health, (byHealth.get(c.health) ?? 0) + 1);
  const health = [...byHealth].map(([h, n]) => `${count(n)} ${h.toLowerCase()}`).join(', ');
  parts.push(`${plural(report.connectors.length, 'connector')}${health ? ` (${health})` : ''}`);
  const meshTotal = Object.values(report.meshObjects).reduce((a, b) => a + b, 0);
  parts.push(plural(meshTotal, 'mesh object'));
  parts.push(plural(report.pendingExports, 'pending export'));
  return parts.join(' · ');
}

function problems(report: StatusReport): string | undefined {
  const lines: string[] = [];
  for (const c of report.conditions.filter(isAbnormal)) lines.push(`**${mdText(problemName(c))}**: ${mdText(c.message || c.reason)}`);
  for (const connector of report.connectors) {
    for (const c of connector.conditions.filter(isAbnormal)) {
      lines.push(`**${mdText(problemName(c))}** on ${mdText(connector.name)}: ${mdText(c.message || c.reason)}`);
    }
  }
  if (lines.length === 0) return undefined;
  return alert('WARNING', lines.flatMap((line, i) => (i === 0 ? [line] : ['', line])));
}

function revisions(report: StatusReport): string {
  return [
    `Generated ${formatTime(report.generatedAt)}`,
    `last applied revision ${mdCode(shortRevision(report.lastAppliedRevision))}`,
    `last attempted revision ${mdCode(shortRevision(report.lastAttemptedRevision))}`,
  ].join(' · ');
}

function connectorsSection(connectors: readonly ConnectorStatus[]): string[] {
  if (connectors.length === 0) return ['## Connectors', '*No connectors.*'];
  const overview = table(
    [
      { title: 'Connector' },
      { title: 'Type' },
      { title: 'Health' },
      { title: 'Objects', align: 'right' },
      { title: 'Unmanaged', align: 'right' },
      { title: 'Last import' },
      { title: 'Last export' },
    ],
    connectors.map((c) => {
      const types = Object.values(c.objectTypes);
      return [
        mdText(c.name),
        mdText(c.type),
        HEALTH_MARK[c.health] ?? mdText(c.health),
        count(objectTotal(c)),
        c.unmanaged === undefined ? '—' : count(c.unmanaged),
        formatTime(latest(types.map((t) => t.lastImport))),
        formatTime(latest(types.map((t) => t.lastExport))),
      ];
    }),
  );
  const blocks = ['## Connectors', overview];
  for (const c of connectors) {
    blocks.push(`### ${mdText(c.name)}`);
    blocks.push(`${mdText(c.type)} · ${HEALTH_MARK[c.health] ?? mdText(c.health)}${c.unmanaged ? ` · ${plural(c.unmanaged, 'unmanaged object')}` : ''}`);
    if (c.lastError) blocks.push(`Last error: ${mdCode(c.lastError)}`);
    const types = Object.entries(c.objectTypes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (types.length > 0) {
      blocks.push(
        table(
          [{ title: 'Object type' }, { title: 'Count', align: 'right' }, { title: 'Watermark' }, { title: 'Last import' }, { title: 'Last export' }],
          types.map(([name, t]) => [mdText(name), count(t.count), t.watermark === null ? '—' : mdCode(t.watermark), formatTime(t.lastImport), formatTime(t.lastExport)]),
        ),
      );
    }
    if (c.conditions.length > 0) blocks.push(conditionTable(c.conditions));
  }
  return blocks;
}

function meshSection(meshObjects: Readonly<Record<string, number>>): string[] {
  const entries = Object.entries(meshObjects).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return [];
  return ['## Mesh objects', table([{ title: 'Type' }, { title: 'Objects', align: 'right' }], entries.map(([t, n]) => [mdText(t), count(n)]))];
}

function cycleCounts(cycle: CycleSummary): string {
  return Object.entries(cycle.counts)
    .map(([group, counters]) => [group, formatCounters(counters)] as const)
    .filter(([, text]) => text !== '')
    .map(([group, text]) => `${mdText(group)}: ${mdText(text)}`)
    .join('<br>');
}

function cyclesSection(report: StatusReport): string[] {
  const cycles = report.cycles.length > 0 ? report.cycles : report.lastCycle ? [report.lastCycle] : [];
  if (cycles.length === 0) return [];
  return [
    '## Recent cycles',
    table(
      [{ title: 'Cycle' }, { title: 'Kind' }, { title: 'Result' }, { title: 'Started' }, { title: 'Duration' }, { title: 'Revision' }, { title: 'Counts' }],
      cycles.map((c) => [
        `#${c.id}`,
        `${mdText(c.kind)}${c.mode === 'plan' ? ' (plan)' : ''}`,
        c.result === 'succeeded' ? 'succeeded' : `**${mdText(c.result)}**`,
        formatTime(c.startedAt),
        formatDuration(c.startedAt, c.finishedAt),
        mdCode(shortRevision(c.revision)),
        cycleCounts(c) || '—',
      ]),
    ),
  ];
}

function approvalOutcome(a: ApprovalRecord): string {
  const through = a.letThrough.length > 0 ? `let through ${a.letThrough.map((o) => `${mdText(o.op)} ${mdCode(o.object)}`).join(', ')}` : '';
  const parts = [a.state === 'pending' ? `pending until ${formatTime(a.expiresAt)}` : `**${mdText(a.state)}**${a.jobId !== null ? ` in cycle #${a.jobId}` : ''}`, through, a.note ? mdText(a.note) : ''];
  return parts.filter((p) => p !== '').join('; ');
}

/** Who approved what, when and why, and what it let through: the audit trail the reports branch keeps. */
function approvalsSection(approvals: readonly ApprovalRecord[] | undefined): string[] {
  if (!approvals || approvals.length === 0) return [];
  return [
    '## Approvals',
    table(
      [{ title: 'Approval' }, { title: 'Connector' }, { title: 'By' }, { title: 'At' }, { title: 'Allows' }, { title: 'Reason' }, { title: 'Outcome' }],
      approvals.map((a) => [
        `#${a.id}`,
        mdText(a.connector),
        mdText(a.approvedBy),
        formatTime(a.approvedAt),
        `${plural(a.allowDeletes, 'delete')}${a.allowClears !== null ? `, ${plural(a.allowClears, 'clear')}` : ''}${a.allowLimits !== null ? `, ${plural(a.allowLimits, 'policy-limited change')}` : ''} of ${plural(a.objects.length, 'held-back object')}`,
        mdText(a.reason),
        approvalOutcome(a),
      ]),
    ),
  ];
}

/** What the Policy documents found in the last run: new ones held objects back or blocked, existing ones are only reported. */
function policySection(violations: StatusReport['policyViolations']): string[] {
  if (!violations || violations.length === 0) return [];
  return [
    '## Policy violations',
    table(
      [{ title: 'Policy' }, { title: 'Target' }, { title: 'Rule' }, { title: 'Status' }, { title: 'Objects', align: 'right' }, { title: 'Some of them' }],
      violations.map((v) => [mdText(v.policy), `${mdText(v.connector)}/${mdText(v.objectType)}`, mdText(v.rule), v.status === 'new' ? '**new** (held back / blocked)' : 'existing (not blocking)', String(v.count), v.objects.slice(0, 10).map(mdCode).join(', ')]),
    ),
  ];
}

export function renderStatusMarkdown(report: StatusReport): string {
  return redact(
    document([
      `# Identity Mesh status: ${mdText(report.mesh)}`,
      summaryLine(report),
      problems(report),
      revisions(report),
      report.conditions.length > 0 ? `## Conditions\n\n${conditionTable(report.conditions)}` : undefined,
      ...connectorsSection(report.connectors),
      ...approvalsSection(report.approvals),
      ...policySection(report.policyViolations),
      ...meshSection(report.meshObjects),
      ...cyclesSection(report),
    ]),
  );
}
