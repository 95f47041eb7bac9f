/**
 * The plan as Markdown for a pull-request comment: what merging would change, per projection, with a
 * sample of each operation, the conflicts that would appear and any safety gate that would trip.
 * Kept under GitHub's comment size limit by shrinking the samples when needed.
 */
import { redact } from '../shared/logger.js';
import { conflictSections, conflictTally } from './conflicts-markdown.js';
import { alert, document, moreLine, table } from './markdown.js';
import { OPS, blockedConnectors, gateLine, hasChanges, opTotal, planSummaryLine, type OpInfo } from './plan-summary.js';
import type { PlanChange, PlanProjection, PlanReport } from './types.js';
import { count, formatChange, formatValue, mdCode, mdText, plural, shortRevision } from './value-format.js';

export interface PlanMarkdownOptions {
  /** Changes shown per operation per projection before "… and N more". Default 20. */
  readonly samplesPerOp?: number;
  /** Longest document; samples shrink until it fits. Default 60,000 (GitHub comments stop at 65,536). */
  readonly maxLength?: number;
}

/** Attributes shown for one created object. */
const CREATE_ATTRIBUTES = 8;

const LABEL: Readonly<Record<PlanChange['op'], string>> = {
  create: '➕ Create',
  update: '✏️ Update',
  move: '➡️ Move',
  enable: '🔓 Enable',
  disable: '⛔ Disable',
  delete: '🗑️ Delete',
};

function dnCell(dn: string | undefined): string {
  return dn ? mdCode(dn) : '—';
}

function attributeLines(change: PlanChange, mode: 'create' | 'update'): string {
  const entries = Object.entries(change.attributes ?? {});
  if (entries.length === 0) return '—';
  const shown = mode === 'create' ? entries.slice(0, CREATE_ATTRIBUTES) : entries;
  const lines = shown.map(([name, { from, to }]) =>
    mode === 'create' ? `${mdText(name)}: ${formatValue(to, 'markdown')}` : `${mdText(name)}: ${formatChange(from, to, 'markdown')}`,
  );
  if (entries.length > shown.length) lines.push(`*… +${count(entries.length - shown.length)} more*`);
  return lines.join('<br>');
}

function opTable(info: OpInfo, changes: readonly PlanChange[]): string {
  switch (info.op) {
    case 'create':
      return table([{ title: 'Object' }, { title: 'DN' }, { title: 'Attributes' }], changes.map((c) => [mdCode(c.object), dnCell(c.dn), attributeLines(c, 'create')]));
    case 'update':
      return table([{ title: 'Object' }, { title: 'DN' }, { title: 'Changes' }], changes.map((c) => [mdCode(c.object), dnCell(c.dn), attributeLines(c, 'update')]));
    case 'move':
      return table([{ title: 'Object' }, { title: 'From' }, { title: 'To' }], changes.map((c) => [mdCode(c.object), dnCell(c.dn), dnCell(c.newDn)]));
    default:
      return table([{ title: 'Object' }, { title: 'DN' }], changes.map((c) => [mdCode(c.object), dnCell(c.dn)]));
  }
}

function projectionTitle(p: PlanProjection): string {
  return `${mdText(p.name)} → ${mdText(p.connector)}/${mdText(p.objectType)}`;
}

function projectionSection(p: PlanProjection, samples: number): string[] {
  const blocks = [`### ${projectionTitle(p)}`];
  for (const info of OPS) {
    const total = opTotal(p, info);
    if (total === 0) continue;
    const changes = p.changes.filter((c) => c.op === info.op);
    blocks.push(`**${LABEL[info.op]}** (${count(total)})`);
    const shown = changes.slice(0, samples);
    if (shown.length > 0) blocks.push(opTable(info, shown));
    const more = moreLine(total, shown.length, 'see `imesh plan --format json`');
    if (more) blocks.push(more);
  }
  return blocks;
}

function overview(plan: PlanReport): string | undefined {
  const withChanges = plan.projections.filter((p) => OPS.some((o) => opTotal(p, o) > 0));
  if (withChanges.length === 0) return undefined;
  return table(
    [{ title: 'Projection' }, { title: 'Target' }, ...OPS.map((o) => ({ title: o.verb[0]!.toUpperCase() + o.verb.slice(1), align: 'right' as const }))],
    withChanges.map((p) => [mdText(p.name), `${mdText(p.connector)}/${mdText(p.objectType)}`, ...OPS.map((o) => count(opTotal(p, o)))]),
  );
}

function gateAlert(plan: PlanReport): string | undefined {
  if (plan.gates.length === 0) return undefined;
  const blocked = blockedConnectors(plan.gates).map(mdText).join(', ');
  return alert('CAUTION', [
    `**${plan.gates.length === 1 ? 'A safety gate would trip' : `${count(plan.gates.length)} safety gates would trip`}: exports to ${blocked} would be blocked.**`,
    '',
    ...plan.gates.map((g) => `- ${mdText(gateLine(g))}`),
  ]);
}

function render(plan: PlanReport, samples: number): string {
  const changes = hasChanges(plan);
  const summary = changes ? `**${planSummaryLine(plan)}**` : '**No changes.** The targets match the configuration.';
  const conflictNote = plan.conflicts.length > 0 ? ` · ${plural(plan.conflicts.length, 'conflict')} would appear` : '';
  return document([
    `## Identity Mesh plan · revision ${mdCode(shortRevision(plan.revision))}`,
    gateAlert(plan),
    `${summary}${conflictNote}`,
    overview(plan),
    ...plan.projections.flatMap((p) => (OPS.some((o) => opTotal(p, o) > 0) ? projectionSection(p, samples) : [])),
    plan.conflicts.length > 0 ? `### Conflicts that would appear\n\n${conflictTally(plan.conflicts)}` : undefined,
    ...conflictSections(plan.conflicts, samples, 4, 'see `imesh plan --format json`'),
  ]);
}

export function renderPlanMarkdown(plan: PlanReport, options: PlanMarkdownOptions = {}): string {
  const maxLength = options.maxLength ?? 60_000;
  let samples = options.samplesPerOp ?? 20;
  let out = render(plan, samples);
  while (out.length > maxLength && samples > 0) {
    samples = Math.floor(samples / 2);
    out = render(plan, samples);
  }
  return redact(out);
}
