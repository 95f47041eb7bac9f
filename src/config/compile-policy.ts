/** Compiles a validated Policy document into its model (policy-checks.ts has already accepted it). */
import type { PolicyDoc } from './documents.js';
import type { PolicyLimitModel, PolicyModel, PolicyOperation, ProjectionModel } from './model.js';
import { coveredProjections } from './policy-checks.js';

const OPERATIONS: readonly PolicyOperation[] = ['creates', 'updates', 'moves', 'disables', 'deletes'];

export function compilePolicy(doc: PolicyDoc, projections: readonly ProjectionModel[]): PolicyModel {
  const spec = doc.value.spec;
  const limits: Partial<Record<PolicyOperation, PolicyLimitModel>> = {};
  for (const operation of OPERATIONS) {
    const limit = spec.limits?.[operation];
    if (limit) limits[operation] = limitModel(limit);
  }
  return {
    name: doc.name,
    location: doc.location,
    projections: coveredProjections(spec, projections).map((p) => p.name),
    limits,
    attributeLimits: new Map(Object.entries(spec.limits?.attributes ?? {}).flatMap(([name, limit]) => (limit ? [[name, limitModel(limit)] as const] : []))),
    invariants: (spec.invariants ?? []).map((invariant, i) => ({
      attribute: invariant.attribute,
      present: invariant.present === true,
      unique: invariant.unique === true,
      ...(invariant.pattern !== undefined ? { pattern: new RegExp(invariant.pattern, 'u') } : {}),
      ...(invariant.maxLength !== undefined ? { maxLength: invariant.maxLength } : {}),
      resolvable: invariant.resolvable === true,
      ...(invariant.description !== undefined ? { description: invariant.description } : {}),
      location: doc.locate.at(['spec', 'invariants', i]),
    })),
  };
}

function limitModel(limit: { max?: number; maxPercent?: number }): PolicyLimitModel {
  return { ...(limit.max !== undefined ? { max: limit.max } : {}), ...(limit.maxPercent !== undefined ? { maxPercent: limit.maxPercent } : {}) };
}
