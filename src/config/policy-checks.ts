/**
 * Checks on Policy documents: it covers something (one projection, or the projections to a target),
 * requires something (limits or invariants), and names only attributes the covered projections write.
 */
import type { CheckContext } from './check-context.js';
import type { PolicyDoc, ProjectionDoc } from './documents.js';
import type { PathSegment } from './positions.js';
import { resolveObjectRef } from './reference-checks.js';
import { didYouMean } from './suggest.js';

const CHECKS = ['present', 'unique', 'pattern', 'maxLength', 'resolvable'] as const;

/** The projections a policy covers: its projection, or every projection to its target. */
export function coveredProjections<P extends { name: string; target: { connector: string; objectType: string } }>(
  spec: { projection?: string; target?: { connector: string; objectType?: string } },
  projections: readonly P[],
): P[] {
  if (spec.projection !== undefined) return projections.filter((p) => p.name === spec.projection);
  const target = spec.target;
  if (!target) return [];
  return projections.filter((p) => p.target.connector === target.connector && (target.objectType === undefined || p.target.objectType === target.objectType));
}

export function checkPolicy(ctx: CheckContext, doc: PolicyDoc): void {
  const spec = doc.value.spec;
  if ((spec.projection === undefined) === (spec.target === undefined)) {
    ctx.report(doc, ['spec'], spec.projection === undefined ? 'a Policy covers one projection ("projection: NAME") or a target ("target: { connector, objectType }"); it names neither' : 'a Policy names "projection" or "target", not both');
    return;
  }
  if (spec.limits === undefined && spec.invariants === undefined) ctx.report(doc, ['spec'], 'a Policy needs "limits", "invariants" or both; this one requires nothing');
  const projections = ctx.set.projections.map((p) => ({ name: p.name, target: p.value.spec.target, doc: p }));
  if (spec.projection !== undefined && !projections.some((p) => p.name === spec.projection)) {
    if (!ctx.isInvalid('Projection', spec.projection)) {
      const names = projections.map((p) => p.name);
      ctx.report(doc, ['spec', 'projection'], `unknown projection "${spec.projection}"${didYouMean(spec.projection, names)}${names.length > 0 ? `; known projections: ${names.map((n) => `"${n}"`).join(', ')}` : ''}`);
    }
    return;
  }
  if (spec.target !== undefined) {
    const { connector, objectType } = spec.target;
    if (objectType !== undefined) {
      if (!resolveObjectRef(ctx, doc, ['spec', 'target'], { connector, objectType })) return;
    } else if (!ctx.connectors.has(connector)) {
      if (!ctx.isInvalid('Connector', connector)) ctx.report(doc, ['spec', 'target', 'connector'], `unknown connector "${connector}"${didYouMean(connector, ctx.connectors.keys())}`);
      return;
    }
  }
  const covered = coveredProjections(spec, projections);
  if (covered.length === 0) {
    if (!ctx.isInvalidKind('Projection')) ctx.report(doc, ['spec', 'target'], `no projection writes to ${spec.target?.connector}${spec.target?.objectType ? `/${spec.target.objectType}` : ''}: the policy would cover nothing`);
    return;
  }
  if (ctx.isInvalidKind('Projection')) return; // attribute names cannot be checked against a projection that failed its schema
  const written = new Set(covered.flatMap((p) => Object.keys(p.doc.value.spec.attributes)));
  const attribute = (path: PathSegment[], name: string): boolean => {
    if (written.has(name)) return true;
    ctx.report(doc, path, `attribute "${name}" is not written by ${coverage(covered)}${didYouMean(name, written)}; ${covered.length === 1 ? 'it writes' : 'they write'} ${[...written].map((n) => `"${n}"`).join(', ')}`);
    return false;
  };
  for (const name of Object.keys(spec.limits?.attributes ?? {})) attribute(['spec', 'limits', 'attributes', name], name);
  (spec.invariants ?? []).forEach((invariant, i) => {
    const path: PathSegment[] = ['spec', 'invariants', i];
    if (!CHECKS.some((check) => invariant[check] !== undefined)) {
      ctx.report(doc, path, `invariant ${i + 1} on "${invariant.attribute}" checks nothing: give it at least one of ${CHECKS.join(', ')}`);
    }
    if (!attribute([...path, 'attribute'], invariant.attribute)) return;
    if (invariant.pattern !== undefined) {
      try {
        new RegExp(invariant.pattern, 'u');
      } catch (error) {
        ctx.report(doc, [...path, 'pattern'], `pattern is not a valid regular expression: ${(error as Error).message}`);
      }
    }
    if (invariant.resolvable === true) {
      const notReference = covered.filter((p) => !rendersReference(ctx, p.doc, invariant.attribute));
      if (notReference.length > 0) {
        ctx.report(doc, [...path, 'resolvable'], `"resolvable" is for attributes rendered from a reference attribute (such as manager: "{{manager}}"); projection ${notReference.map((p) => `"${p.name}"`).join(', ')} does not render "${invariant.attribute}" from one`);
      }
    }
  });
}

function coverage(covered: readonly { name: string }[]): string {
  return covered.length === 1 ? `projection "${covered[0]!.name}"` : `the projections ${covered.map((p) => `"${p.name}"`).join(', ')}`;
}

/** The projection writes `attribute` as `{{ref}}`, a reference attribute of its mesh type. */
function rendersReference(ctx: CheckContext, projection: ProjectionDoc, attribute: string): boolean {
  const source = projection.value.spec.attributes[attribute];
  if (typeof source !== 'string') return false;
  const name = /^\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$/.exec(source.trim())?.[1];
  return name !== undefined && ctx.meshAttribute(projection.value.spec.meshType, name)?.type === 'reference';
}
