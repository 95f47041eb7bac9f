/**
 * Checks beyond the schema, over the whole repository: exactly one Mesh, unique names, references that
 * resolve, well-formed secret references, settings that agree, no cycles. Runs on the documents that
 * passed their schema; names of documents that did not are never reported as dangling.
 */
import { checkContext, type CheckContext } from './check-context.js';
import { checkConnector, checkCron } from './connector-checks.js';
import { checkCycles } from './cycle-checks.js';
import type { ConfigDocument, DocumentSet, MeshDoc } from './documents.js';
import { checkFlowRule } from './flow-rule-checks.js';
import type { Problem } from './model.js';
import type { PathSegment } from './positions.js';
import { checkPolicy } from './policy-checks.js';
import { checkProjection } from './projection-checks.js';
import { checkReservedNames } from './reserved-name-checks.js';
import { secretRefProblems } from './secrets.js';
import { didYouMean } from './suggest.js';

export interface SemanticCheckOptions {
  /** Absolute config directory. */
  readonly configPath: string;
}

/** Where problems about the repository as a whole are reported. */
export const REPOSITORY_LOCATION = { file: '.', line: 1, column: 1 } as const;

export function semanticProblems(set: DocumentSet, options: SemanticCheckOptions): Problem[] {
  const problems: Problem[] = [];
  const ctx = checkContext(set, options.configPath, problems);
  checkMeshCount(ctx, problems);
  checkUniqueNames(ctx);
  const all: ConfigDocument[] = [...set.meshes, ...set.connectors, ...set.flowRules, ...set.projections, ...set.policies];
  for (const doc of all) checkSecretRefs(ctx, doc, [], doc.value);
  for (const doc of all) checkReservedNames(ctx, doc);
  if (ctx.mesh) checkMesh(ctx, ctx.mesh);
  for (const doc of set.connectors) checkConnector(ctx, doc);
  for (const doc of set.flowRules) checkFlowRule(ctx, doc);
  for (const doc of set.projections) checkProjection(ctx, doc);
  for (const doc of set.policies) checkPolicy(ctx, doc);
  checkCycles(ctx);
  return problems;
}

function checkMeshCount(ctx: CheckContext, problems: Problem[]): void {
  const [first, ...others] = ctx.set.meshes;
  if (!first && !ctx.isInvalidKind('Mesh')) {
    problems.push({ ...REPOSITORY_LOCATION, message: 'no Mesh document: a config repository needs exactly one document of kind Mesh (its object types and settings)' });
  }
  for (const doc of others) {
    ctx.report(doc, ['kind'], `a second Mesh ("${doc.name}"); a config repository has exactly one, and "${first?.name}" is already defined at ${first?.file}:${first?.location.line}:${first?.location.column}`);
  }
}

function checkUniqueNames(ctx: CheckContext): void {
  const groups: readonly (readonly ConfigDocument[])[] = [ctx.set.connectors, ctx.set.flowRules, ctx.set.projections, ctx.set.policies];
  for (const group of groups) {
    const seen = new Map<string, ConfigDocument>();
    for (const doc of group) {
      const first = seen.get(doc.name);
      if (first) {
        ctx.report(doc, ['metadata', 'name'], `duplicate ${doc.kind} name "${doc.name}" (also defined at ${first.file}:${first.location.line}:${first.location.column}); names are unique per kind`);
      } else {
        seen.set(doc.name, doc);
      }
    }
  }
}

function checkSecretRefs(ctx: CheckContext, doc: ConfigDocument, path: PathSegment[], value: unknown): void {
  if (typeof value === 'string') {
    for (const problem of secretRefProblems(value)) ctx.report(doc, path, problem.message);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => checkSecretRefs(ctx, doc, [...path, i], item));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) checkSecretRefs(ctx, doc, [...path, key], item);
  }
}

function checkMesh(ctx: CheckContext, doc: MeshDoc): void {
  const spec = doc.value.spec;
  const types = Object.keys(spec.objectTypes);
  for (const [typeName, type] of Object.entries(spec.objectTypes)) {
    for (const [name, attribute] of Object.entries(type?.attributes ?? {})) {
      if (!attribute) continue;
      const path = ['spec', 'objectTypes', typeName, 'attributes', name];
      if (attribute.type !== 'reference' && attribute.to !== undefined) {
        ctx.report(doc, [...path, 'to'], `"to" is only for reference attributes; ${typeName}.${name} is type ${attribute.type}`, 'key');
      }
      (attribute.to ?? []).forEach((target, i) => {
        if (!types.includes(target)) {
          ctx.report(doc, [...path, 'to', i], `reference ${typeName}.${name} points at unknown mesh type "${target}"${didYouMean(target, types)}; known types: ${types.map((t) => `"${t}"`).join(', ')}`);
        }
      });
    }
  }
  const tokens = new Map<string, number>();
  (spec.api?.tokens ?? []).forEach((token, i) => {
    const first = tokens.get(token.name);
    if (first !== undefined) ctx.report(doc, ['spec', 'api', 'tokens', i, 'name'], `api.tokens[${i}] repeats the name "${token.name}" of api.tokens[${first}]`);
    else tokens.set(token.name, i);
  });
  if (spec.schedule?.full !== undefined) checkCron(ctx, doc, ['spec', 'schedule', 'full'], spec.schedule.full);
}
