/**
 * The plan for a terminal, in the manner of `terraform plan`: one block per projection, a line per
 * object (`+ create`, `~ update`, `→ move`, `↑ enable`, `⊘ disable`, `- delete`), attribute changes
 * as `attr: "from" → "to"`, then `Plan: …`. A tripped safety gate is printed first and last.
 */
import { redact } from '../shared/logger.js';
import { OPS, blockedConnectors, gateLine, hasChanges, opTotal, planSummaryLine, type Op } from './plan-summary.js';
import { painter, type Paint } from './terminal-style.js';
import type { ConflictEntry, PlanChange, PlanProjection, PlanReport } from './types.js';
import { count, formatChange, formatValue, plural, shortRevision } from './value-format.js';

export interface PlanTextOptions {
  /** ANSI colours (the CLI passes `stdout.isTTY && !NO_COLOR`). Default false. */
  readonly color?: boolean;
  /** Changes printed per operation per projection. Default 100; `Infinity` prints all. */
  readonly samplesPerOp?: number;
}

const OP_COLOR: Readonly<Record<Op, keyof Paint>> = {
  create: 'green',
  update: 'yellow',
  move: 'cyan',
  enable: 'green',
  disable: 'red',
  delete: 'red',
};

function changeLines(change: PlanChange, paint: Paint): string[] {
  const info = OPS.find((o) => o.op === change.op)!;
  const head = `  ${paint[OP_COLOR[change.op]](`${info.symbol} ${change.op}`)} ${paint.bold(change.object)}`;
  const lines: string[] = [];
  if (change.op === 'move') {
    lines.push(head, `      ${formatValue(change.dn ?? null, 'text')} → ${formatValue(change.newDn ?? null, 'text')}`);
  } else {
    lines.push(change.dn && change.op !== 'create' ? `${head}  ${paint.dim(change.dn)}` : head);
    if (change.op === 'create' && change.dn) lines.push(`      dn: ${formatValue(change.dn, 'text')}`);
  }
  for (const [name, { from, to }] of Object.entries(change.attributes ?? {})) {
    lines.push(change.op === 'create' ? `      ${name}: ${formatValue(to, 'text')}` : `      ${name}: ${formatChange(from, to, 'text')}`);
  }
  return lines;
}

function projectionLines(p: PlanProjection, samples: number, paint: Paint): string[] {
  const lines = [paint.bold(`${p.name} → ${p.connector}/${p.objectType}`)];
  for (const info of OPS) {
    const total = opTotal(p, info);
    if (total === 0) continue;
    const shown = p.changes.filter((c) => c.op === info.op).slice(0, samples);
    for (const change of shown) lines.push(...changeLines(change, paint));
    if (total > shown.length) lines.push(paint.dim(`  … and ${count(total - shown.length)} more to ${info.verb} (imesh plan --format json lists them all)`));
  }
  return lines;
}

function conflictLine(c: ConflictEntry): string {
  const what = c.kind === 'attribute' ? 'attribute conflict' : c.kind === 'ambiguousJoin' ? 'ambiguous join' : 'held back';
  return `  ${what}: ${c.meshType} ${c.object}${c.attribute ? ` ${c.attribute}` : ''}: ${c.reason}`;
}

function gateBlock(plan: PlanReport, paint: Paint): string[] {
  if (plan.gates.length === 0) return [];
  const blocked = blockedConnectors(plan.gates).join(', ');
  return [
    paint.boldRed(`!! SAFETY GATE: exports to ${blocked} would be blocked`),
    ...plan.gates.map((g) => paint.red(`!!   ${gateLine(g)}`)),
    '',
  ];
}

export function renderPlanText(plan: PlanReport, options: PlanTextOptions = {}): string {
  const paint = painter(options.color ?? false);
  const samples = options.samplesPerOp ?? 100;
  const lines: string[] = [`Identity Mesh plan · revision ${shortRevision(plan.revision)}`, '', ...gateBlock(plan, paint)];
  for (const p of plan.projections) {
    if (!OPS.some((o) => opTotal(p, o) > 0)) continue;
    lines.push(...projectionLines(p, samples, paint), '');
  }
  if (plan.conflicts.length > 0) {
    lines.push(paint.yellow(`Conflicts that would appear (${count(plan.conflicts.length)}):`));
    lines.push(...plan.conflicts.slice(0, samples).map(conflictLine));
    if (plan.conflicts.length > samples) lines.push(`  … and ${count(plan.conflicts.length - samples)} more`);
    lines.push('');
  }
  lines.push(hasChanges(plan) ? paint.bold(planSummaryLine(plan)) : paint.green('No changes. The targets match the configuration.'));
  if (plan.gates.length > 0) {
    lines.push(paint.boldRed(`Blocked: ${plural(plan.gates.length, 'safety gate')} would trip (see above); nothing would be exported to ${blockedConnectors(plan.gates).join(', ')}.`));
  }
  return redact(`${lines.join('\n')}\n`);
}
