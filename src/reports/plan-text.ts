/**
 * The plan for a terminal, in the manner of `terraform plan`: one block per projection, a line per
 * object (`+ create`, `~ update`, `→ move`, `↑ enable`, `⊘ disable`, `- delete`), attribute changes
 * as `attr: "from" → "to"`, then `Plan: …`. What failed and what a safety gate would trip are printed
 * first, with what the plan therefore cannot show or a reconcile would hold back, and again last: a
 * plan never ends in "No changes" when it could not see everything.
 */
import { redact } from '../shared/logger.js';
import { sortConflicts } from './report-json.js';
import { OPS, allowDeletesNeeded, clearedObjectsLine, conflictCounts, failureConsequence, failureLine, failures, gateConsequence, gateLine, hasChanges, heldBackTotal, noChangeLine, notContactedNote, opTotal, planSummaryLine, type Op } from './plan-summary.js';
import { painter, type Paint } from './terminal-style.js';
import { approvalFlags } from './gate-kinds.js';
import { existingViolations, newViolations, violationConsequence, violationObjects, violationTitle } from './policy-violations.js';
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
  const title = paint.bold(`${p.name} → ${p.connector}/${p.objectType}`);
  const lines = [p.heldBack ? `${title}  ${paint.red('(held back: a safety gate would block these)')}` : title];
  for (const info of OPS) {
    const total = opTotal(p, info);
    if (total === 0) continue;
    const shown = p.changes.filter((c) => c.op === info.op).slice(0, samples);
    for (const change of shown) lines.push(...changeLines(change, paint));
    if (total > shown.length) lines.push(paint.dim(`  … and ${count(total - shown.length)} more to ${info.verb} (imesh plan --format json lists them all)`));
  }
  return lines;
}

/** `person/E1005` (the object already names its type), else `group CN=Sales,…`. */
function conflictSubject(c: ConflictEntry): string {
  return c.object.startsWith(`${c.meshType}/`) ? c.object : `${c.meshType} ${c.object}`;
}

function conflictLine(c: ConflictEntry): string {
  const what = c.kind === 'attribute' ? 'attribute conflict' : c.kind === 'ambiguousJoin' ? 'ambiguous join' : 'held back';
  const status = c.status ? `${c.status.padEnd(8)}  ` : '';
  return `  ${status}${what}: ${conflictSubject(c)}${c.attribute ? ` ${c.attribute}` : ''}: ${c.reason}`;
}

function failureBlock(plan: PlanReport, paint: Paint): string[] {
  const failed = failures(plan);
  if (failed.length === 0) return [];
  return [
    paint.boldRed(`!! FAILED: the plan is incomplete (${failed.length === 1 ? 'a connector' : `${count(failed.length)} connectors`} could not be read)`),
    ...failed.flatMap((f) => [paint.red(`!!   ${failureLine(f)}`), paint.red(`!!     ${failureConsequence(f)}`)]),
    '',
  ];
}

function gateBlock(plan: PlanReport, paint: Paint): string[] {
  if (plan.gates.length === 0) return [];
  const held = heldBackTotal(plan);
  return [
    paint.boldRed(`!! SAFETY GATE: ${gateConsequence(plan.gates)}`),
    ...plan.gates.flatMap((g) => {
      const objects = clearedObjectsLine(g);
      return [paint.red(`!!   ${gateLine(g)}`), ...(objects ? [paint.red(`!!     objects: ${objects}`)] : [])];
    }),
    paint.red(`!!   A reconcile would hold back ${held > 0 ? `the ${plural(held, "change")} listed as held back below` : 'what these gates guard'} until approved (${approvalFlags(plan.gates)}).`),
    '',
  ];
}

function policyBlock(plan: PlanReport, paint: Paint): string[] {
  const fresh = newViolations(plan);
  const existing = existingViolations(plan);
  const lines: string[] = [];
  if (fresh.length > 0) {
    lines.push(paint.boldRed(`!! POLICY: this change would violate ${fresh.length === 1 ? 'a policy' : `${count(fresh.length)} policy rules`}`));
    for (const v of fresh) lines.push(paint.red(`!!   ${violationTitle(v)}: ${violationConsequence(v)}`), paint.red(`!!     objects: ${violationObjects(v)}`));
    lines.push('');
  }
  if (existing.length > 0) {
    lines.push(paint.yellow('Existing policy violations (reported, not blocking):'));
    for (const v of existing) lines.push(`  ${violationTitle(v)}`, `      objects: ${violationObjects(v)}`);
    lines.push('');
  }
  return lines;
}

/** Connectors the plan did not contact, and what that left out. */
function skippedBlock(plan: PlanReport, paint: Paint): string[] {
  if (plan.skipped.length === 0) return [];
  const lines = [paint.yellow(`Not contacted (${count(plan.skipped.length)}):`)];
  for (const s of plan.skipped) {
    lines.push(`  ${paint.bold(s.connector)}: ${s.reason}`);
    if (s.flowRules.length > 0) lines.push(`      its objects were not read: flow rule${s.flowRules.length === 1 ? '' : 's'} ${s.flowRules.join(', ')} not synced (nothing planned from them, no deletes)`);
    if (s.projections.length > 0) lines.push(`      not planned: projection${s.projections.length === 1 ? '' : 's'} ${s.projections.join(', ')}`);
  }
  lines.push('');
  return lines;
}

export function renderPlanText(plan: PlanReport, options: PlanTextOptions = {}): string {
  const paint = painter(options.color ?? false);
  const samples = options.samplesPerOp ?? 100;
  const warnings = (plan.warnings ?? []).flatMap((w) => [paint.boldRed(`!! WARNING: ${w}`), '']);
  const lines: string[] = [`Identity Mesh plan · revision ${shortRevision(plan.revision)}`, '', ...warnings, ...failureBlock(plan, paint), ...gateBlock(plan, paint), ...policyBlock(plan, paint)];
  for (const p of plan.projections) {
    if (!OPS.some((o) => opTotal(p, o) > 0)) continue;
    lines.push(...projectionLines(p, samples, paint), '');
  }
  const guarded = plan.heldBack ?? [];
  if (guarded.length > 0) {
    lines.push(paint.boldRed(`Held back by the import guard: a reconcile makes these only once approved (--allow-deletes ${allowDeletesNeeded(plan.gates)}):`), '');
    for (const p of guarded) lines.push(...projectionLines({ ...p, heldBack: false }, samples, paint), '');
  }
  const resolved = plan.resolvedConflicts ?? 0;
  if (plan.conflicts.length > 0) {
    // New conflicts first: they are what this change would cause.
    const sorted = sortConflicts(plan.conflicts).sort((a, b) => Number(a.status === 'existing') - Number(b.status === 'existing'));
    lines.push(paint.yellow(`Conflicts (${conflictCounts(plan.conflicts)}${resolved > 0 ? `; ${count(resolved)} existing would be resolved` : ''}):`));
    lines.push(...sorted.slice(0, samples).map(conflictLine));
    if (sorted.length > samples) lines.push(`  … and ${count(sorted.length - samples)} more`);
    lines.push('');
  } else if (resolved > 0) {
    lines.push(paint.green(`Conflicts: ${plural(resolved, 'existing conflict')} would be resolved.`), '');
  }
  lines.push(...skippedBlock(plan, paint));
  const clean = !hasChanges(plan) && plan.gates.length === 0 && failures(plan).length === 0 && newViolations(plan).length === 0;
  const noChange = plan.skipped.length > 0 ? paint.yellow : paint.green;
  lines.push(hasChanges(plan) ? paint.bold(planSummaryLine(plan)) + notContactedNote(plan) : clean ? noChange(noChangeLine(plan)) : paint.boldRed(noChangeLine(plan)));
  const failed = failures(plan);
  if (failed.length > 0 && hasChanges(plan)) {
    lines.push(paint.boldRed(`Incomplete: ${[...new Set(failed.map((f) => f.connector))].join(', ')} failed (see above); changes that depend on ${failed.length === 1 ? 'it' : 'them'} are not shown.`));
  }
  if (plan.gates.length > 0) {
    const held = heldBackTotal(plan);
    lines.push(
      paint.boldRed(
        `Blocked: ${plural(plan.gates.length, 'safety gate')} would trip (see above): ${gateConsequence(plan.gates)}${held > 0 ? `; ${plural(held, 'change')} would be held back` : ''}.`,
      ),
    );
  }
  return redact(`${lines.join('\n')}\n`);
}
