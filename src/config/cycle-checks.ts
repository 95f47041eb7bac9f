/**
 * Cycles: data that would flow out of the mesh and straight back in. In this language a cycle needs a
 * connector object type that is both a projection's target and a flow rule's source for the same mesh
 * type. Two shapes are refused:
 * - the flow rule provisions with no join on a column the projection writes: every object projected
 *   would come back as a new mesh object, which is projected again, without end;
 * - an attribute goes out and comes back into itself (mesh `email` → column `email` → mesh `email`):
 *   the target's copy would compete with the real sources, so a stale row could overwrite the mesh.
 * Attributes the flow rule joins on are exempt: they identify the object and do not change through
 * the round trip.
 */
import type { CheckContext } from './check-context.js';
import type { FlowRuleDoc, ProjectionDoc } from './documents.js';
import { compileTemplate } from './template.js';

export function checkCycles(ctx: CheckContext): void {
  for (const flow of ctx.set.flowRules) {
    for (const projection of ctx.set.projections) {
      const source = flow.value.spec.source;
      const target = projection.value.spec.target;
      if (source.connector !== target.connector || source.objectType !== target.objectType) continue;
      if (flow.value.spec.meshType !== projection.value.spec.meshType) continue;
      checkProvisionLoop(ctx, flow, projection);
      checkRoundTrips(ctx, flow, projection);
    }
  }
}

function checkProvisionLoop(ctx: CheckContext, flow: FlowRuleDoc, projection: ProjectionDoc): void {
  const spec = flow.value.spec;
  if (spec.provision !== true) return;
  const written = Object.keys(projection.value.spec.attributes);
  if ((spec.join ?? []).some((rule) => written.includes(rule.source))) return;
  const where = `${spec.source.connector}/${spec.source.objectType}`;
  ctx.report(
    flow,
    ['spec', 'provision'],
    `provision: true on ${where} makes a cycle with projection "${projection.name}" (${projection.file}:${projection.location.line}), which writes ${where} from ${spec.meshType}: every object it projects would come back as a new ${spec.meshType}; add a join rule on a column it writes (${written.join(', ')}) or set provision: false`,
  );
}

function checkRoundTrips(ctx: CheckContext, flow: FlowRuleDoc, projection: ProjectionDoc): void {
  const spec = flow.value.spec;
  const joined = new Set((spec.join ?? []).map((rule) => rule.mesh));
  const reads = new Map<string, readonly string[]>();
  for (const [column, source] of Object.entries(projection.value.spec.attributes)) {
    if (source === undefined) continue;
    if (typeof source !== 'string') {
      reads.set(column, [source.forEach]);
      continue;
    }
    try {
      reads.set(column, compileTemplate(source).attributes);
    } catch {
      // reported by the projection's template check
    }
  }
  (spec.attributes ?? []).forEach((attribute, i) => {
    if (joined.has(attribute.mesh)) return;
    let columns: readonly string[] = [];
    if (attribute.source !== undefined) columns = [attribute.source];
    else if (attribute.template !== undefined) {
      try {
        columns = compileTemplate(attribute.template).attributes;
      } catch {
        return;
      }
    }
    const column = columns.find((c) => reads.get(c)?.includes(attribute.mesh));
    if (column === undefined) return;
    ctx.report(
      flow,
      ['spec', 'attributes', i, 'mesh'],
      `"${attribute.mesh}" flows in a cycle: projection "${projection.name}" (${projection.file}:${projection.location.line}) writes it to ${spec.source.connector}/${spec.source.objectType}.${column}, and this rule reads it back from there; remove one direction`,
    );
  });
}
