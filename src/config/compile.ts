/**
 * Builds the immutable compiled model from documents that passed every check. Defaults are applied
 * here or by the schema; templates and regular expressions are compiled once.
 */
import { createHash } from 'node:crypto';
import { descriptorOf } from '../connectors/registry.js';
import { inferredListColumns } from './csv-list-columns.js';
import type { DocumentSet, FlowRuleDoc, MeshDoc } from './documents.js';
import { parseDuration } from './duration.js';
import type { ConnectorSpec } from './generated/connector.js';
import type { Scope, StructuredAttribute } from './generated/projection.js';
import type {
  CompiledConfig,
  ConnectorModel,
  DriftCheckModel,
  FlowRuleModel,
  MeshAttribute,
  MeshModel,
  MeshObjectType,
  ProjectionAttribute,
  ProjectionModel,
  RoleMapping,
  ScheduleModel,
  ScopeCondition,
  SecretRef,
} from './model.js';
import { secretNames } from './secrets.js';
import { encodeStructured } from './structured-value.js';
import { targetTraits } from './target-traits.js';
import { compileTemplate } from './template.js';
import { DATE_TESTS, parseDateBound } from './relative-date.js';
import { compilePolicy } from './compile-policy.js';

export const DEFAULTS = {
  maxDeletes: 500,
  maxDeletePercent: 20,
  maxClears: 500,
  maxClearPercent: 20,
  reportsBranch: 'identity-mesh/status',
  reportsPath: 'reports',
  interval: '5m',
  full: '0 2 * * 0',
  exportMaxAttempts: 5,
  exportRetries: 2,
  exportBackoff: '1s',
  confidence: 50,
  passwordLength: 20,
  historyRetain: '400d',
} as const;

export function compileModel(set: DocumentSet, configPath: string, files: readonly { path: string; content: string }[]): CompiledConfig {
  const mesh = set.meshes[0];
  if (!mesh) throw new Error('compileModel needs a validated document set with one Mesh');
  const connectors = new Map<string, ConnectorModel>();
  const listColumns = inferredListColumns(set);
  for (const doc of set.connectors) {
    const spec = withListColumns(doc.value.spec, listColumns.get(doc.name));
    const schedule: { intervalMs?: number; full?: string; manual?: boolean } = {};
    if (spec.schedule?.manual === true) schedule.manual = true;
    if (spec.schedule?.interval !== undefined) schedule.intervalMs = duration(spec.schedule.interval);
    if (spec.schedule?.full !== undefined) schedule.full = spec.schedule.full;
    const model = {
      name: doc.name,
      type: spec.type,
      location: doc.location,
      spec,
      objectTypes: Object.keys(spec.objectTypes),
      ...(Object.keys(schedule).length > 0 ? { schedule } : {}),
      suspend: spec.suspend ?? false,
      driftCheck: driftCheck('driftCheck' in spec ? spec.driftCheck : undefined),
    };
    // `type` is `spec.type`: the pair is one member of the ConnectorModel union, which TypeScript cannot see here.
    connectors.set(doc.name, model as ConnectorModel);
  }
  const projections = set.projections.map((doc) => compileProjection(doc, set));
  const config: CompiledConfig = {
    configPath,
    contentHash: contentHash(files),
    mesh: compileMesh(mesh),
    connectors,
    flowRules: set.flowRules.map(compileFlowRule),
    projections,
    policies: set.policies.map((doc) => compilePolicy(doc, projections)),
  };
  return deepFreeze(config);
}

/** The spec with the inferred list columns marked multi-valued, for types whose columns hold lists (csv). */
function withListColumns(spec: ConnectorSpec, inferred: Map<string, Set<string>> | undefined): ConnectorSpec {
  const descriptor = descriptorOf(spec.type);
  return inferred === undefined || descriptor.withListColumns === undefined ? spec : descriptor.withListColumns(spec, inferred);
}

/** sha256 over every file's relative path and content, in path order. */
export function contentHash(files: readonly { path: string; content: string }[]): string {
  const hash = createHash('sha256');
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    hash.update(file.path).update('\0').update(file.content).update('\0');
  }
  return hash.digest('hex');
}

function compileMesh(doc: MeshDoc): MeshModel {
  const spec = doc.value.spec;
  const objectTypes = new Map<string, MeshObjectType>();
  for (const [name, type] of Object.entries(spec.objectTypes)) {
    const attributes = new Map<string, MeshAttribute>();
    for (const [attributeName, attribute] of Object.entries(type?.attributes ?? {})) {
      if (!attribute) continue;
      attributes.set(attributeName, { name: attributeName, type: attribute.type, multiValued: attribute.multiValued ?? false, to: attribute.to ?? [] });
    }
    objectTypes.set(name, { name, attributes });
  }
  const schedule: ScheduleModel = {
    intervalMs: duration(spec.schedule?.interval ?? DEFAULTS.interval),
    full: spec.schedule?.full ?? DEFAULTS.full,
  };
  return {
    name: doc.name,
    location: doc.location,
    objectTypes,
    safety: {
      maxDeletes: spec.safety?.maxDeletes ?? DEFAULTS.maxDeletes,
      maxDeletePercent: spec.safety?.maxDeletePercent ?? DEFAULTS.maxDeletePercent,
      maxClears: spec.safety?.maxClears ?? DEFAULTS.maxClears,
      maxClearPercent: spec.safety?.maxClearPercent ?? DEFAULTS.maxClearPercent,
    },
    exportRetry: {
      maxAttempts: spec.exportRetry?.maxAttempts ?? DEFAULTS.exportMaxAttempts,
      retries: spec.exportRetry?.retries ?? DEFAULTS.exportRetries,
      backoffMs: duration(spec.exportRetry?.backoff ?? DEFAULTS.exportBackoff),
    },
    reports: { branch: spec.reports?.branch ?? DEFAULTS.reportsBranch, path: spec.reports?.path ?? DEFAULTS.reportsPath },
    schedule,
    suspend: spec.suspend ?? false,
    history: { retainMs: duration(spec.history?.retain ?? DEFAULTS.historyRetain) },
    ...(spec.api ? { api: { tokens: spec.api.tokens.map((t) => ({ name: t.name, role: t.role, token: secretRef(t.token) })) } } : {}),
  };
}

function compileFlowRule(doc: DocumentSet['flowRules'][number]): FlowRuleModel {
  const spec = doc.value.spec;
  const base = {
    name: doc.name,
    location: doc.location,
    source: { connector: spec.source.connector, objectType: spec.source.objectType },
    meshType: spec.meshType,
    join: (spec.join ?? []).map((rule) => ({ source: rule.source, mesh: rule.mesh })),
    provision: spec.provision ?? false,
    attributes: (spec.attributes ?? []).map((flow, i) => ({
      mesh: flow.mesh,
      ...(flow.source !== undefined ? { source: flow.source } : {}),
      ...(flow.template !== undefined ? { template: compileTemplate(flow.template) } : {}),
      confidence: flow.confidence ?? DEFAULTS.confidence,
      location: doc.locate.at(['spec', 'attributes', i]),
    })),
  };
  if (spec.membership) {
    const { group, member, attribute, confidence } = spec.membership;
    return { ...base, kind: 'membership', membership: { group, member, attribute, confidence: confidence ?? DEFAULTS.confidence } };
  }
  if (spec.roleMappings && spec.attribute !== undefined) {
    return { ...base, kind: 'roleMappings', roleMappings: { mappings: spec.roleMappings.map(compileRoleMapping), attribute: spec.attribute, confidence: spec.confidence ?? DEFAULTS.confidence } };
  }
  return { ...base, kind: 'attributes' };
}

function compileProjection(doc: DocumentSet['projections'][number], set: DocumentSet): ProjectionModel {
  const spec = doc.value.spec;
  const written = doc.locate.keys(['spec', 'attributes']);
  const order = written.length > 0 ? written : Object.keys(spec.attributes);
  const connector = set.connectors.find((c) => c.name === spec.target.connector);
  const canDisable = connector ? targetTraits(connector.value.spec, spec.target.objectType).canDisable : false;
  const onRemove = spec.onRemove ?? (canDisable ? 'disable' : undefined);
  if (onRemove === undefined) throw new Error(`projection ${doc.name}: onRemove has no default here; semantic checks should have refused it`);
  return {
    name: doc.name,
    location: doc.location,
    meshType: spec.meshType,
    target: { connector: spec.target.connector, objectType: spec.target.objectType },
    ...(spec.scope ? { scope: compileScope(spec.scope) } : {}),
    join: (spec.join ?? []).map((rule) => ({ target: rule.target, mesh: rule.mesh })),
    ...(spec.container !== undefined ? { container: compileTemplate(spec.container) } : {}),
    ...(spec.rdn !== undefined ? { rdn: compileTemplate(spec.rdn) } : {}),
    attributes: order.map((name) => compileProjectionAttribute(name, spec.attributes[name] ?? '')),
    ...(spec.enabled !== undefined ? { enabled: compileTemplate(String(spec.enabled)) } : {}),
    ...(spec.password
      ? {
          password: {
            ...(spec.password.initial !== undefined ? { initial: secretRef(spec.password.initial) } : {}),
            generate: spec.password.generate ?? false,
            length: spec.password.length ?? DEFAULTS.passwordLength,
          },
        }
      : {}),
    onRemove,
    drift: spec.drift ?? 'enforce',
    ...(spec.forEach !== undefined ? { forEach: spec.forEach } : {}),
  };
}

/** `{ group, role }`, or the SCIM guide's `{ scimGroup, type, teamId, teamMemberRole }` (checked to be one or the other). */
function compileRoleMapping(mapping: NonNullable<FlowRuleDoc['value']['spec']['roleMappings']>[number]): RoleMapping {
  const group = mapping.group ?? mapping.scimGroup ?? '';
  if (mapping.role !== undefined) return { group, role: typeof mapping.role === 'string' ? mapping.role : encodeStructured(mapping.role) };
  return { group, role: encodeStructured({ type: mapping.type, teamId: mapping.teamId, teamMemberRole: mapping.teamMemberRole }) };
}

function compileProjectionAttribute(name: string, source: string | StructuredAttribute): ProjectionAttribute {
  if (typeof source === 'string') return { name, template: compileTemplate(source) };
  return {
    name,
    template: compileTemplate(`{{${source.forEach}}}`),
    structured: { forEach: source.forEach, fields: Object.entries(source.fields).map(([field, text]) => ({ name: field, template: compileTemplate(text ?? '') })) },
  };
}

function compileScope(scope: Scope): ScopeCondition {
  if (scope.all) return { all: scope.all.map(compileScope) };
  if (scope.any) return { any: scope.any.map(compileScope) };
  const attribute = scope.attribute ?? '';
  if (scope.present !== undefined) return { attribute, present: scope.present };
  if (scope.equals !== undefined) return { attribute, equals: scope.equals };
  if (scope.in !== undefined) return { attribute, in: scope.in };
  for (const test of DATE_TESTS) {
    const text = scope[test];
    const bound = text === undefined ? undefined : parseDateBound(text);
    if (bound) return { attribute, date: { test, bound } };
  }
  return { attribute, matches: new RegExp(scope.matches ?? '') };
}

function secretRef(text: string): SecretRef {
  const [name] = secretNames(text);
  if (name === undefined) throw new Error('a validated secret reference has a name');
  return { secret: name };
}

/** `full-only` by default: a whole read of a target without change tracking costs O(target), not O(changes). */
function driftCheck(text: string | undefined): DriftCheckModel {
  if (text === undefined || text === 'full-only') return { kind: 'full-only' };
  if (text === 'every-cycle') return { kind: 'every-cycle' };
  return { kind: 'interval', ms: duration(text), text };
}

function duration(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new Error(`"${text}" passed the schema but is not a duration`);
  return ms;
}

function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value) || value instanceof RegExp) return value;
  if (value instanceof Map) {
    for (const item of value.values()) deepFreeze(item);
  } else {
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return Object.freeze(value);
}
