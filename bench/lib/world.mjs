// The benchmarks' shared world: one Mesh with a `person` type, a flow rule from a source into it and a
// projection out of it, written as a config folder. Each benchmark picks its connectors and names the
// source's attributes; the rest is the same everywhere, so figures compare across benchmarks.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';

const API_VERSION = 'identitymesh.dev/v1alpha1';

/** Confidence of each mesh attribute's flow (the source is authoritative for its key and state). */
const CONFIDENCE = { employeeId: 100, firstName: 90, lastName: 90, email: 70, department: 90, title: 80, active: 100 };

export const DEPARTMENTS = ['Sales', 'Engineering', 'Research', 'Operations', 'Support', 'Finance', 'Legal', 'Marketing'];

export function mesh(name) {
  const attributes = Object.fromEntries(Object.keys(CONFIDENCE).map((attribute) => [attribute, { type: attribute === 'active' ? 'boolean' : 'string' }]));
  return { apiVersion: API_VERSION, kind: 'Mesh', metadata: { name }, spec: { objectTypes: { person: { attributes } }, safety: { maxDeletes: 500, maxDeletePercent: 20 } } };
}

export function connector(name, spec) {
  return { apiVersion: API_VERSION, kind: 'Connector', metadata: { name }, spec };
}

/**
 * A flow rule from `source` ({ connector, objectType }) into `person`, provisioning, joined on
 * employeeId. `sourceOf` names the source attribute of each mesh attribute (at least employeeId).
 */
export function personFlowRule(name, source, sourceOf) {
  const attributes = Object.entries(sourceOf).map(([meshAttribute, sourceAttribute]) => ({ mesh: meshAttribute, source: sourceAttribute, confidence: CONFIDENCE[meshAttribute] }));
  return {
    apiVersion: API_VERSION,
    kind: 'FlowRule',
    metadata: { name },
    spec: { source, meshType: 'person', join: [{ source: sourceOf.employeeId, mesh: 'employeeId' }], provision: true, attributes },
  };
}

/**
 * A projection of `person` to `target` ({ connector, objectType }): target attribute → template.
 * `onRemove` defaults to disable (the target needs an active column); `delete` otherwise.
 */
export function personProjection(name, target, attributes, { enabled, onRemove = 'disable' } = {}) {
  return {
    apiVersion: API_VERSION,
    kind: 'Projection',
    metadata: { name },
    spec: { meshType: 'person', target, attributes, ...(enabled ? { enabled } : {}), onRemove },
  };
}

/** Writes the documents as one multi-document `config.yaml` in `dir` (created). */
export function writeConfig(dir, documents) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.yaml'), documents.map((document) => stringify(document)).join('---\n'));
}

/** The five attributes every benchmark projects (the target's key named by `key`). */
export function projectedAttributes(key) {
  return { [key]: '{{employeeId}}', display_name: '{{firstName}} {{lastName}}', email: '{{email}}', department: '{{department}}', title: '{{title}}' };
}
