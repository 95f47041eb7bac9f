/**
 * Checks on Projection documents: the target resolves and can be written, templates read attributes
 * the mesh type has, the scope is well formed, and settings that depend on the target agree with it.
 */
import type { CheckContext } from './check-context.js';
import type { ConnectorDoc, ProjectionDoc } from './documents.js';
import type { Scope, StructuredAttribute } from './generated/projection.js';
import type { PathSegment } from './positions.js';
import { checkMeshAttribute, checkMeshType, checkTemplate, type TemplateCheck } from './reference-checks.js';
import { resolveObjectRef } from './reference-checks.js';
import { CONNECTOR_TYPES, descriptorOf } from '../connectors/registry.js';
import { DATE_TESTS, parseDateBound } from './relative-date.js';

export function checkProjection(ctx: CheckContext, doc: ProjectionDoc): void {
  const spec = doc.value.spec;
  const meshType = checkMeshType(ctx, doc, ['spec', 'meshType'], spec.meshType) ? spec.meshType : undefined;
  const connector = resolveObjectRef(ctx, doc, ['spec', 'target'], spec.target);
  const attributeNames = new Set(Object.keys(meshType ? (ctx.meshType(meshType)?.attributes ?? {}) : {}));
  const attribute = (path: PathSegment[], name: string): boolean => meshType === undefined || checkMeshAttribute(ctx, doc, path, meshType, name);

  if (spec.forEach !== undefined && attribute(['spec', 'forEach'], spec.forEach) && meshType) {
    if (ctx.meshAttribute(meshType, spec.forEach)?.multiValued !== true) {
      ctx.report(doc, ['spec', 'forEach'], `forEach "${spec.forEach}" must name a multi-valued attribute of mesh type "${meshType}"`);
    }
    if (attributeNames.has('item')) ctx.report(doc, ['spec', 'forEach'], `mesh type "${meshType}" has an attribute named "item", which forEach's {{item}} would hide; rename it`);
  }
  const allowed = new Set(attributeNames);
  if (spec.forEach !== undefined) allowed.add('item');
  const templates: TemplateCheck = meshType ? { allowed, owner: `mesh type "${meshType}"`, noSecrets: true, itemFields: spec.forEach !== undefined } : { owner: 'the mesh type', noSecrets: true };

  (spec.join ?? []).forEach((rule, i) => attribute(['spec', 'join', i, 'mesh'], rule.mesh));
  if (spec.scope) checkScope(ctx, doc, ['spec', 'scope'], spec.scope, attribute);
  if (spec.container !== undefined) checkTemplate(ctx, doc, ['spec', 'container'], spec.container, templates);
  if (spec.rdn !== undefined) checkTemplate(ctx, doc, ['spec', 'rdn'], spec.rdn, templates);
  if (typeof spec.enabled === 'string') checkTemplate(ctx, doc, ['spec', 'enabled'], spec.enabled, templates);
  for (const [name, source] of Object.entries(spec.attributes)) {
    if (source === undefined) continue;
    if (typeof source !== 'string') {
      checkStructuredAttribute(ctx, doc, name, source, meshType, attributeNames, templates);
      continue;
    }
    const template = checkTemplate(ctx, doc, ['spec', 'attributes', name], source, templates);
    const reference = template?.attributes.find((a) => meshType !== undefined && ctx.meshAttribute(meshType, a)?.type === 'reference');
    if (reference && !new RegExp(`^\\{\\{\\s*${reference.replace(/[.]/g, '\\.')}\\s*\\}\\}$`).test(source.trim())) {
      ctx.report(doc, ['spec', 'attributes', name], `attributes.${name}: the reference attribute "${reference}" must be the whole template, "{{${reference}}}" (it renders the referenced objects as they are projected in this target)`);
    }
  }
  if (connector) checkTarget(ctx, doc, connector);
}

/** `{ forEach, fields }`: forEach names a multi-valued mesh attribute; the fields are templates over it. */
function checkStructuredAttribute(
  ctx: CheckContext,
  doc: ProjectionDoc,
  name: string,
  source: StructuredAttribute,
  meshType: string | undefined,
  attributeNames: ReadonlySet<string>,
  templates: TemplateCheck,
): void {
  const path: PathSegment[] = ['spec', 'attributes', name, 'forEach'];
  if (meshType !== undefined && checkMeshAttribute(ctx, doc, path, meshType, source.forEach)) {
    const definition = ctx.meshAttribute(meshType, source.forEach);
    if (definition?.multiValued !== true || definition.type === 'reference') {
      ctx.report(doc, path, `attributes.${name}.forEach "${source.forEach}" must name a multi-valued attribute of mesh type "${meshType}" that is not a reference`);
    }
  }
  if (doc.value.spec.forEach !== undefined) {
    ctx.report(doc, path, `attributes.${name} has its own forEach; it cannot be used in a projection with spec.forEach (whose {{item}} it would hide)`, 'key');
    return;
  }
  const allowed = new Set(attributeNames);
  allowed.add('item');
  const fieldTemplates: TemplateCheck = meshType ? { ...templates, allowed, itemFields: true } : templates;
  for (const [field, text] of Object.entries(source.fields)) {
    if (text !== undefined) checkTemplate(ctx, doc, ['spec', 'attributes', name, 'fields', field], text, fieldTemplates);
  }
}

function checkTarget(ctx: CheckContext, doc: ProjectionDoc, connector: ConnectorDoc): void {
  const spec = doc.value.spec;
  const connectorSpec = connector.value.spec;
  const type = connectorSpec.type;
  const descriptor = descriptorOf(type);
  const target = `${connector.name}/${spec.target.objectType}`;
  const traits = descriptor.targetTraits(connectorSpec, spec.target.objectType);
  if (!traits.canExport) {
    ctx.report(doc, ['spec', 'target', 'connector'], `target ${target} cannot be written: ${traits.exportNote ?? `${type} connectors are read-only`}`);
    return;
  }
  if (descriptor.directory) {
    for (const key of ['container', 'rdn'] as const) {
      if (spec[key] === undefined) ctx.report(doc, ['spec'], `missing key "${key}" in spec: target ${target} is a directory (${type}), so objects need a container and an rdn`, 'key');
    }
  } else {
    for (const key of ['container', 'rdn'] as const) {
      if (spec[key] !== undefined) ctx.report(doc, ['spec', key], `${key} is only for directory targets (${directoryTypes()}); ${target} is ${type}`, 'key');
    }
    if (spec.password) ctx.report(doc, ['spec', 'password'], `password is only for directory targets (${directoryTypes()}); ${target} is ${type}`, 'key');
  }
  descriptor.checkTarget?.(ctx, doc, connector, connectorSpec);
  if (spec.password) {
    const { initial, generate } = spec.password;
    if (initial !== undefined && generate === true) ctx.report(doc, ['spec', 'password', 'generate'], 'password.generate: true contradicts password.initial; give one of them', 'key');
    if (initial === undefined && generate !== true) ctx.report(doc, ['spec', 'password'], 'password needs initial: "{{secret:NAME}}" or generate: true', 'key');
    if (initial !== undefined && doc.locate.has(['spec', 'password', 'length'])) ctx.report(doc, ['spec', 'password', 'length'], 'password.length applies only with password.generate: true, not with password.initial', 'key');
  }
  if (traits.keyColumn !== undefined && !(traits.keyColumn in spec.attributes)) {
    ctx.report(doc, ['spec', 'attributes'], `attributes must include "${traits.keyColumn}", the externalIdColumn of ${target} (its template is the row's key, e.g. ${traits.keyColumn}: "{{employeeId}}")`, 'key');
  }
  if (traits.columns) {
    if (spec.enabled !== undefined && traits.activeColumn === undefined) {
      ctx.report(doc, ['spec', 'enabled'], `enabled needs objectTypes.${spec.target.objectType}.isActiveColumn on connector "${connector.name}" (the column that holds the enabled state)`, 'key');
    }
    if (traits.activeColumn !== undefined && traits.activeColumn in spec.attributes) {
      ctx.report(doc, ['spec', 'attributes', traits.activeColumn], `attributes.${traits.activeColumn} is the isActiveColumn of ${target}; write it through enabled instead`, 'key');
    }
  }
  if (spec.onRemove === 'disable' && !traits.canDisable) {
    const why = traits.columns ? `it has no isActiveColumn (connector "${connector.name}", objectTypes.${spec.target.objectType})` : `${type} ${spec.target.objectType} objects cannot be disabled`;
    ctx.report(doc, ['spec', 'onRemove'], `onRemove: disable is not possible for target ${target}: ${why}; add one, or choose onRemove: delete or keep`);
  }
  if (spec.onRemove === undefined && !traits.canDisable) {
    ctx.report(doc, ['spec'], `missing key "onRemove" in spec: target ${target} cannot disable objects, so say what happens when one leaves the scope (delete or keep)`, 'key');
  }
  checkTargetAttributesLoaded(ctx, doc, connector);
}

/** The types whose targets are addressed by DN, for messages ("active-directory, ldap"). */
function directoryTypes(): string {
  return CONNECTOR_TYPES.filter((type) => descriptorOf(type).directory).join(', ');
}

/** A target that lists the attributes it loads (sql columnsToLoad) must load the ones the projection compares and writes. */
function checkTargetAttributesLoaded(ctx: CheckContext, doc: ProjectionDoc, connector: ConnectorDoc): void {
  const spec = connector.value.spec;
  const loaded = descriptorOf(spec.type).loadedAttributes?.(spec, doc.value.spec.target.objectType);
  if (loaded === undefined) return;
  for (const name of Object.keys(doc.value.spec.attributes)) {
    if (!loaded.attributes.includes(name)) {
      ctx.report(doc, ['spec', 'attributes', name], `column "${name}" is written but not loaded by ${connector.name}/${doc.value.spec.target.objectType} (add it to its ${loaded.setting}, or drift cannot be seen)`, 'key');
    }
  }
}

function checkScope(ctx: CheckContext, doc: ProjectionDoc, path: PathSegment[], scope: Scope, attribute: (path: PathSegment[], name: string) => boolean): void {
  const operators = (['all', 'any', 'attribute'] as const).filter((key) => scope[key] !== undefined);
  const tests = (['present', 'equals', 'in', 'matches', 'before', 'onOrBefore', 'after', 'onOrAfter'] as const).filter((key) => scope[key] !== undefined);
  if (operators.length !== 1) {
    const message =
      operators.length === 0
        ? 'a scope condition needs one of all, any, or attribute with a test (present, equals, in, matches, before, onOrBefore, after, onOrAfter)'
        : `a scope condition has one of all, any, attribute; this one has ${operators.join(' and ')}`;
    ctx.report(doc, path, message, 'key');
    return;
  }
  if (scope.all) scope.all.forEach((child, i) => checkScope(ctx, doc, [...path, 'all', i], child, attribute));
  if (scope.any) scope.any.forEach((child, i) => checkScope(ctx, doc, [...path, 'any', i], child, attribute));
  if (scope.attribute === undefined) {
    if (tests.length > 0) ctx.report(doc, [...path, tests[0] as string], `${tests[0]} needs an attribute to test`, 'key');
    return;
  }
  attribute([...path, 'attribute'], scope.attribute);
  if (tests.length !== 1) {
    const message = tests.length === 0 ? `attribute "${scope.attribute}" needs one test: present, equals, in, matches, before, onOrBefore, after or onOrAfter` : `a scope condition has one test; this one has ${tests.join(' and ')}`;
    ctx.report(doc, tests.length === 0 ? [...path, 'attribute'] : [...path, tests[1] as string], message, 'key');
  }
  for (const test of DATE_TESTS) {
    const text = scope[test];
    if (text !== undefined && parseDateBound(text) === undefined) ctx.report(doc, [...path, test], `${test} "${text}" is not today, today+Nd, today-Nd or a calendar date that exists (YYYY-MM-DD)`);
  }
  if (scope.matches !== undefined) {
    try {
      new RegExp(scope.matches);
    } catch (error) {
      ctx.report(doc, [...path, 'matches'], `matches is not a valid regular expression: ${(error as Error).message.replace(/^Invalid regular expression: /, '')}`);
    }
  }
}
