/**
 * The plan as Markdown for a pull-request comment: what failed (the plan is then incomplete), any
 * safety gate that would trip and what it would hold back, then what merging would change, per
 * projection, with a sample of each operation, and the conflicts (new or existing).
 * Kept under GitHub's comment size limit by shrinking the samples when needed.
 */
import { redact } from '../shared/logger.js';
import { conflictSections, conflictTally } from './conflicts-markdown.js';
import { alert, document, moreLine, table } from './markdown.js';
import { OPS, allowDeletesNeeded, clearedObjectsLine, conflictCounts, failureConsequence, failureLine, failures, gateConsequence, gateLine, hasChanges, heldBackTotal, noChangeLine, opTotal, planSummaryLine, type OpInfo } from './plan-summary.js';
import { approvalFlags } from './gate-kinds.js';
import { existingViolations, newViolations, violationConsequence, violationObjects, violationTitle } from './policy-violations.js';
import type { PlanChange, PlanProjection, PlanReport, PolicyViolation } from './types.js';
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
  const blocks = [`### ${projectionTitle(p)}${p.heldBack ? ' · held back by a safety gate' : ''}`];
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

function failureAlert(plan: PlanReport): string | undefined {
  const failed = failures(plan);
  if (failed.length === 0) return undefined;
  return alert('WARNING', [
    `**The plan is incomplete: ${failed.length === 1 ? 'a connector' : `${count(failed.length)} connectors`} could not be read.**`,
    '',
    ...failed.map((f) => `- ${mdText(failureLine(f))} — ${mdText(failureConsequence(f))}`),
  ]);
}

function gateAlert(plan: PlanReport): string | undefined {
  if (plan.gates.length === 0) return undefined;
  const held = heldBackTotal(plan);
  return alert('CAUTION', [
    `**${plan.gates.length === 1 ? 'A safety gate would trip' : `${count(plan.gates.length)} safety gates would trip`}: ${mdText(gateConsequence(plan.gates))}.**`,
    '',
    ...plan.gates.flatMap((g) => {
      const objects = clearedObjectsLine(g);
      return [`- ${mdText(gateLine(g))}`, ...(objects ? [`  - objects: ${mdText(objects)}`] : [])];
    }),
    '',
    `A reconcile would hold back ${held > 0 ? `the ${plural(held, "change")} listed as held back below` : 'what these gates guard'} until approved (\`${approvalFlags(plan.gates)}\`).`,
  ]);
}

/** New violations first (they block: exit 3), then those the target already had (reported, not blocking). */
function policyBlocks(plan: PlanReport): string[] {
  const fresh = newViolations(plan);
  const existing = existingViolations(plan);
  const item = (v: PolicyViolation) => [`- **${mdText(violationTitle(v))}**${v.status === 'new' ? ` — ${mdText(violationConsequence(v))}` : ''}`, `  - objects: ${mdText(violationObjects(v))}`];
  return [
    ...(fresh.length > 0
      ? [alert('CAUTION', [`**This change would violate ${fresh.length === 1 ? 'a policy' : `${count(fresh.length)} policy rules`}.**`, '', ...fresh.flatMap(item)])]
      : []),
    ...(existing.length > 0 ? [`### Existing policy violations (reported, not blocking)\n\n${existing.flatMap(item).join('\n')}`] : []),
  ];
}

function conflictBlocks(plan: PlanReport, samples: number): string[] {
  const resolved = plan.resolvedConflicts ?? 0;
  if (plan.conflicts.length === 0) return resolved > 0 ? [`### Conflicts\n\n${plural(resolved, 'existing conflict')} would be resolved.`] : [];
  const where = 'see `imesh plan --format json`';
  const fresh = plan.conflicts.filter((c) => c.status === 'new');
  const existing = plan.conflicts.filter((c) => c.status === 'existing');
  const unmarked = plan.conflicts.filter((c) => c.status === undefined);
  return [
    `### Conflicts (${conflictCounts(plan.conflicts)}${resolved > 0 ? `; ${count(resolved)} existing would be resolved` : ''})\n\n${conflictTally(plan.conflicts)}`,
    ...(fresh.length > 0 ? [`#### New: this change would cause them`, ...conflictSections(fresh, samples, 5, where)] : []),
    ...(existing.length > 0 ? [`#### Existing: already in the store`, ...conflictSections(existing, samples, 5, where)] : []),
    ...conflictSections(unmarked, samples, 4, where),
  ];
}

/** Connectors the plan did not contact: named with the secret NAME and destination, never a value. */
function skippedSection(plan: PlanReport): string | undefined {
  if (plan.skipped.length === 0) return undefined;
  const items = plan.skipped.map((s) => {
    const parts = [`- **${mdText(s.connector)}**: ${mdText(s.reason)}`];
    if (s.flowRules.length > 0) parts.push(`  - its objects were not read: ${s.flowRules.map(mdCode).join(', ')} not synced (nothing planned from them, no deletes)`);
    if (s.projections.length > 0) parts.push(`  - not planned: ${s.projections.map(mdCode).join(', ')}`);
    return parts.join('\n');
  });
  return `### Not contacted\n\n${items.join('\n')}`;
}

function render(plan: PlanReport, samples: number): string {
  const changes = hasChanges(plan);
  const clean = !changes && plan.gates.length === 0 && failures(plan).length === 0 && newViolations(plan).length === 0;
  const notContacted = plan.skipped.length > 0 ? ` · ${plural(plan.skipped.length, 'connector')} not contacted` : '';
  const unchanged = plan.skipped.length > 0 ? '**No changes** in what was read' : '**No changes.** The targets match the configuration.';
  const summary = (changes ? `**${planSummaryLine(plan)}**` : clean ? unchanged : `**${mdText(noChangeLine(plan))}**`) + notContacted;
  const fresh = plan.conflicts.filter((c) => c.status === 'new').length;
  const existing = plan.conflicts.filter((c) => c.status === 'existing').length;
  const unmarked = plan.conflicts.length - fresh - existing;
  const notes = [
    ...(fresh > 0 ? [`${plural(fresh, 'new conflict')} would appear`] : []),
    ...(existing > 0 ? [`${plural(existing, 'existing conflict')}`] : []),
    ...(unmarked > 0 ? [plural(unmarked, 'conflict')] : []),
  ];
  const conflictNote = notes.map((n) => ` · ${n}`).join('');
  return document([
    `## Identity Mesh plan · revision ${mdCode(shortRevision(plan.revision))}`,
    ...(plan.warnings ?? []).map((w) => alert('WARNING', [`**${mdText(w)}**`])),
    failureAlert(plan),
    gateAlert(plan),
    ...policyBlocks(plan).slice(0, newViolations(plan).length > 0 ? 1 : 0),
    `${summary}${conflictNote}`,
    overview(plan),
    ...plan.projections.flatMap((p) => (OPS.some((o) => opTotal(p, o) > 0) ? projectionSection(p, samples) : [])),
    ...((plan.heldBack ?? []).length > 0
      ? [
          `### Held back by the import guard\n\nA reconcile makes these changes only once the guarded imports are approved (\`--allow-deletes ${allowDeletesNeeded(plan.gates)}\`).`,
          ...(plan.heldBack ?? []).flatMap((p) => projectionSection({ ...p, heldBack: false }, samples).map((b, i) => (i === 0 ? `#${b}` : b))),
        ]
      : []),
    skippedSection(plan),
    ...policyBlocks(plan).slice(newViolations(plan).length > 0 ? 1 : 0),
    ...conflictBlocks(plan, samples),
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
