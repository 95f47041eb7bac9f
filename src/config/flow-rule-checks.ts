/**
 * Checks on FlowRule documents: the source and mesh type resolve, mesh attributes exist and have the
 * shape their use needs, templates parse, and the keys that exclude each other are not combined.
 */
import { descriptorOf } from '../connectors/registry.js';
import type { CheckContext } from './check-context.js';
import type { ConnectorDoc, FlowRuleDoc } from './documents.js';
import type { AttributeFlow } from './generated/flowrule.js';
import { checkMeshAttribute, checkMeshType, checkTemplate, resolveObjectRef } from './reference-checks.js';
import { compileTemplate } from './template.js';

export function checkFlowRule(ctx: CheckContext, doc: FlowRuleDoc): void {
  const spec = doc.value.spec;
  const connector = resolveObjectRef(ctx, doc, ['spec', 'source'], spec.source);
  const meshType = checkMeshType(ctx, doc, ['spec', 'meshType'], spec.meshType) ? spec.meshType : undefined;
  const attribute = (path: (string | number)[], name: string): boolean => meshType === undefined || checkMeshAttribute(ctx, doc, path, meshType, name);

  (spec.join ?? []).forEach((rule, i) => attribute(['spec', 'join', i, 'mesh'], rule.mesh));

  const seen = new Map<string, number>();
  (spec.attributes ?? []).forEach((flow, i) => {
    const path = ['spec', 'attributes', i];
    if (attribute([...path, 'mesh'], flow.mesh)) {
      const first = seen.get(flow.mesh);
      if (first !== undefined) ctx.report(doc, [...path, 'mesh'], `attributes[${i}] sets "${flow.mesh}" again (attributes[${first}] already does); one rule contributes one value per attribute`);
      else seen.set(flow.mesh, i);
    }
    checkAttributeFlow(ctx, doc, flow, i);
  });

  checkContributions(ctx, doc);
  if (spec.membership && meshType) {
    const path = ['spec', 'membership', 'attribute'];
    if (attribute(path, spec.membership.attribute)) {
      const definition = ctx.meshAttribute(meshType, spec.membership.attribute);
      if (definition && (definition.type !== 'reference' || definition.multiValued !== true)) {
        ctx.report(doc, path, `membership.attribute "${spec.membership.attribute}" must be a multi-valued reference attribute of mesh type "${meshType}" (it is ${describe(definition)})`);
      }
    }
  }
  if (spec.roleMappings && spec.attribute !== undefined && meshType) {
    const path = ['spec', 'attribute'];
    if (attribute(path, spec.attribute)) {
      const definition = ctx.meshAttribute(meshType, spec.attribute);
      if (definition && (definition.type !== 'string' || definition.multiValued !== true)) {
        ctx.report(doc, path, `attribute "${spec.attribute}" receives roles, so it must be a multi-valued string attribute of mesh type "${meshType}" (it is ${describe(definition)})`);
      }
    }
  }
  if (connector) checkLoadedColumns(ctx, doc, connector);
}

function checkAttributeFlow(ctx: CheckContext, doc: FlowRuleDoc, flow: AttributeFlow, i: number): void {
  const path = ['spec', 'attributes', i];
  if (flow.source !== undefined && flow.template !== undefined) {
    ctx.report(doc, [...path, 'template'], `attributes[${i}] has both source and template; give exactly one`, 'key');
  } else if (flow.source === undefined && flow.template === undefined) {
    ctx.report(doc, path, `attributes[${i}] needs a source or a template`);
  }
  if (flow.template !== undefined) {
    checkTemplate(ctx, doc, [...path, 'template'], flow.template, { owner: 'the source', noSecrets: true });
    let usesToday = false;
    try {
      usesToday = compileTemplate(flow.template).usesToday === true;
    } catch {
      // reported by the template check
    }
    // A flow's value is computed when its source object changes, so a comparison with today would go stale.
    if (usesToday) ctx.report(doc, [...path, 'template'], `attributes[${i}].template compares a date with today, but a flow rule computes its value only when the source object changes; flow the date itself and compare it in the projection (scope: { attribute, onOrBefore: today+14d } or enabled)`);
  }
}

/** membership, roleMappings and attributes each describe what a source object is; they do not mix. */
function checkContributions(ctx: CheckContext, doc: FlowRuleDoc): void {
  const spec = doc.value.spec;
  const attributes = (spec.attributes ?? []).length > 0;
  if (spec.membership && spec.roleMappings) {
    ctx.report(doc, ['spec', 'roleMappings'], 'membership and roleMappings describe different sources; a flow rule has one of them', 'key');
  }
  for (const key of ['membership', 'roleMappings'] as const) {
    if (spec[key] && attributes) {
      ctx.report(doc, ['spec', key], `${key} contradicts attributes: a ${key} rule contributes only its ${key === 'membership' ? 'members' : 'roles'}; move the attributes to another flow rule`, 'key');
    }
  }
  (spec.roleMappings ?? []).forEach((mapping, i) => checkRoleMapping(ctx, doc, mapping, i));
  if (!spec.roleMappings) {
    if (spec.attribute !== undefined) ctx.report(doc, ['spec', 'attribute'], 'attribute is only used with roleMappings', 'key');
    if (doc.locate.has(['spec', 'confidence'])) ctx.report(doc, ['spec', 'confidence'], 'spec.confidence is only used with roleMappings; give confidence on each attribute flow', 'key');
  }
}

/** A source that lists the attributes it loads (sql columnsToLoad) must load every one the rule reads. */
function checkLoadedColumns(ctx: CheckContext, doc: FlowRuleDoc, connector: ConnectorDoc): void {
  const spec = connector.value.spec;
  const loaded = descriptorOf(spec.type).loadedAttributes?.(spec, doc.value.spec.source.objectType);
  if (loaded === undefined) return;
  const rule = doc.value.spec;
  const reads: { path: (string | number)[]; column: string }[] = [];
  (rule.join ?? []).forEach((j, i) => reads.push({ path: ['spec', 'join', i, 'source'], column: j.source }));
  (rule.attributes ?? []).forEach((a, i) => {
    if (a.source !== undefined) reads.push({ path: ['spec', 'attributes', i, 'source'], column: a.source });
    if (a.template !== undefined) {
      try {
        for (const name of compileTemplate(a.template).attributes) reads.push({ path: ['spec', 'attributes', i, 'template'], column: name });
      } catch {
        // reported by the template check
      }
    }
  });
  if (rule.membership) {
    reads.push({ path: ['spec', 'membership', 'group'], column: rule.membership.group });
    reads.push({ path: ['spec', 'membership', 'member'], column: rule.membership.member });
  }
  const label = `${connector.name}/${rule.source.objectType}`;
  for (const read of reads) {
    if (!loaded.attributes.includes(read.column)) {
      ctx.report(doc, read.path, `column "${read.column}" is not loaded by ${label} (its ${loaded.setting} leave it out, ${connector.file}:${connector.locate.at(['spec', 'objectTypes', rule.source.objectType, loaded.setting]).line})`);
    }
  }
}

function describe(definition: { type: string; multiValued?: boolean }): string {
  return `${definition.multiValued ? 'a multi-valued' : 'a single-valued'} ${definition.type}`;
}

/** A role mapping is `{ group, role }` or the SCIM guide's `{ scimGroup, type, teamId, teamMemberRole }`, not a mix. */
function checkRoleMapping(ctx: CheckContext, doc: FlowRuleDoc, mapping: NonNullable<FlowRuleDoc['value']['spec']['roleMappings']>[number], i: number): void {
  const path = ['spec', 'roleMappings', i];
  const at = `roleMappings[${i}]`;
  if (mapping.group !== undefined && mapping.scimGroup !== undefined) ctx.report(doc, [...path, 'scimGroup'], `${at} has both group and scimGroup; give one of them`, 'key');
  if (mapping.group === undefined && mapping.scimGroup === undefined) ctx.report(doc, path, `${at} needs group (or scimGroup, as the SCIM guide writes it): the source group's name`);
  const seedFields = (['type', 'teamId', 'teamMemberRole'] as const).filter((key) => mapping[key] !== undefined);
  if (mapping.role !== undefined) {
    for (const key of seedFields) ctx.report(doc, [...path, key], `${at} has both role and ${key}; give the role once: role: { type, teamId, teamMemberRole } or type, teamId, teamMemberRole beside scimGroup`, 'key');
    return;
  }
  if (mapping.type === undefined) {
    ctx.report(doc, path, `${at} needs role (a string or { type, teamId, teamMemberRole }) or the SCIM guide's type (organizationOwner or teamMemberRole)`);
    return;
  }
  if (mapping.type === 'teamMemberRole') {
    for (const key of ['teamId', 'teamMemberRole'] as const) {
      if (mapping[key] === undefined) ctx.report(doc, path, `${at} is a teamMemberRole mapping, so it needs ${key}`);
    }
  }
}
