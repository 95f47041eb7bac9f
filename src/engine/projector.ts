/**
 * Projection: what a mesh object should look like in a target. Renders the key or DN, the attributes
 * and the enabled state from the projection's templates. A template with a missing attribute holds the
 * object back (reported), never rendering a literal `{{department}}`.
 */
import { escapeDnValue } from '../config/escape.js';
import type { CompiledTemplate, ProjectionAttribute, ProjectionModel, Scalar, Value } from '../config/model.js';
import type { ObjectTypeCapabilities } from '../connectors/sdk.js';
import type { MeshObject } from './mesh-object.js';
import { inScope } from './scope.js';
import { isEmpty, parseBoolean, sortedUnique, toList } from './values.js';
import { ownValue } from '../shared/own-property.js';
import { encodeStructured, structuredField } from '../config/structured-value.js';

export interface DesiredObject {
  readonly item: string;
  readonly key?: string;
  readonly dn?: string;
  readonly attributes: Readonly<Record<string, Value>>;
  readonly enabled?: boolean;
  /** Reference attributes whose referenced mesh objects are not (yet) projected to this target: their mesh ids. */
  readonly unresolved?: Readonly<Record<string, readonly string[]>>;
}

export type Evaluation =
  | { readonly kind: 'present'; readonly item: string; readonly desired: DesiredObject }
  | { readonly kind: 'held'; readonly item: string; readonly reason: string; readonly missing: readonly string[] };

/** Maps a referenced mesh object to its projected object in the same target (DN, key or id). */
export type ReferenceMapper = (meshId: string) => string | undefined;

export function referenceAttributes(projection: ProjectionModel, meshTypes: ReadonlyMap<string, { attributes: ReadonlyMap<string, { type: string; multiValued: boolean }> }>): Set<string> {
  const type = meshTypes.get(projection.meshType);
  const names = new Set<string>();
  for (const attribute of projection.attributes) {
    if (attribute.template.attributes.some((name) => type?.attributes.get(name)?.type === 'reference')) names.add(attribute.name);
  }
  return names;
}

/** The mesh reference attributes the projection's templates read (`manager` in `manager_id: "{{manager}}"`). */
export function meshReferenceNames(projection: ProjectionModel, meshTypes: ReadonlyMap<string, { attributes: ReadonlyMap<string, { type: string; multiValued: boolean }> }>): Set<string> {
  const type = meshTypes.get(projection.meshType);
  const names = new Set<string>();
  for (const attribute of projection.attributes) {
    for (const name of attribute.template.attributes) if (type?.attributes.get(name)?.type === 'reference') names.add(name);
  }
  return names;
}

/** The desired target objects of one mesh object (none when deleted or out of scope). */
export function project(
  projection: ProjectionModel,
  object: MeshObject,
  caps: ObjectTypeCapabilities,
  referenceTypes: ReadonlySet<string>,
  mapReference: ReferenceMapper,
): Evaluation[] {
  if (object.deleted || !inScope(projection.scope, object.attributes)) return [];
  const items: string[] = projection.forEach ? toList(ownValue(object.attributes, projection.forEach)).map(String) : [''];
  return items.map((item) => evaluate(projection, object, item, caps, referenceTypes, mapReference));
}

function evaluate(
  projection: ProjectionModel,
  object: MeshObject,
  item: string,
  caps: ObjectTypeCapabilities,
  referenceTypes: ReadonlySet<string>,
  mapReference: ReferenceMapper,
): Evaluation {
  const lookup = (name: string): Value | undefined => {
    if (projection.forEach && name === 'item') return item;
    if (projection.forEach && name.startsWith('item.')) return structuredField(item, name.slice('item.'.length));
    const value = ownValue(object.attributes, name);
    if (referenceTypes.has(name)) {
      const mapped = toList(value).map((id) => mapReference(String(id))).filter((v): v is string => v !== undefined);
      return mapped;
    }
    return value;
  };
  const missing = new Set<string>();
  const render = (template: CompiledTemplate, escape?: (value: string) => string): Value | undefined => {
    const result = template.render(lookup, escape);
    if (!result.ok) {
      for (const name of result.missing) missing.add(name);
      return undefined;
    }
    return result.value;
  };

  const attributes: Record<string, Value> = {};
  let unresolved: Record<string, string[]> | undefined;
  for (const attribute of projection.attributes) {
    if (attribute.structured) {
      const value = renderStructured(attribute.structured, lookup, missing);
      if (value !== undefined) attributes[attribute.name] = value;
      continue;
    }
    const isReference = referenceTypes.size > 0 && attribute.template.attributes.some((name) => referenceTypes.has(name));
    if (isReference) {
      for (const name of attribute.template.attributes) {
        if (!referenceTypes.has(name)) continue;
        const missingIds = toList(ownValue(object.attributes, name)).map(String).filter((id) => mapReference(id) === undefined);
        if (missingIds.length > 0) (unresolved ??= {})[attribute.name] = missingIds;
      }
      // Members we cannot map yet (not projected) are simply not written; an empty list is fine.
      const result = attribute.template.render(lookup);
      attributes[attribute.name] = result.ok ? result.value : [];
      continue;
    }
    const value = render(attribute.template);
    if (value !== undefined) attributes[attribute.name] = value;
  }
  let dn: string | undefined;
  if (caps.addressing === 'dn') {
    const rdn = projection.rdn ? render(projection.rdn, escapeDnValue) : undefined;
    const container = projection.container ? render(projection.container, escapeDnValue) : undefined;
    if (rdn !== undefined && container !== undefined) dn = `${String(rdn)},${String(container)}`;
  }
  let enabled: boolean | undefined;
  if (projection.enabled) {
    const result = projection.enabled.render(lookup);
    if (result.ok) enabled = parseBoolean(result.value as Scalar);
  }
  if (missing.size > 0) {
    const names = [...missing];
    return { kind: 'held', item, missing: names, reason: `held back: ${names.map((n) => `"${n}"`).join(', ')} ${names.length === 1 ? 'is' : 'are'} empty on the mesh object` };
  }
  let key: string | undefined;
  if (caps.addressing === 'key' && caps.keyAttribute) {
    const value = attributes[caps.keyAttribute];
    if (isEmpty(value)) return { kind: 'held', item, missing: [caps.keyAttribute], reason: `held back: the key "${caps.keyAttribute}" renders empty` };
    key = String(value);
  }
  if (caps.addressing === 'dn' && dn === undefined) {
    return { kind: 'held', item, missing: [], reason: 'held back: the projection needs container and rdn templates for a directory target' };
  }
  return { kind: 'present', item, desired: unresolved ? { item, key, dn, attributes, enabled, unresolved } : { item, key, dn, attributes, enabled } };
}

/**
 * A multi-valued complex attribute (`{ forEach, fields }`): one structured value per value of `forEach`,
 * its fields rendered with `{{item}}` / `{{item.FIELD}}`. A field whose template reads a missing field of
 * the item is left out of that entry (a structured role without `teamId`); any other missing attribute
 * is added to `missing` and holds the object back. No values: the attribute is empty (cleared).
 */
function renderStructured(
  structured: NonNullable<ProjectionAttribute['structured']>,
  lookup: (name: string) => Value | undefined,
  missing: Set<string>,
): Value | undefined {
  const entries: string[] = [];
  for (const item of toList(lookup(structured.forEach)).map(String)) {
    const itemLookup = (name: string): Value | undefined => {
      if (name === 'item') return item;
      if (name.startsWith('item.')) return structuredField(item, name.slice('item.'.length));
      return lookup(name);
    };
    const fields: Record<string, Scalar> = {};
    for (const field of structured.fields) {
      const result = field.template.render(itemLookup);
      if (result.ok) {
        if (!Array.isArray(result.value)) fields[field.name] = result.value as Scalar;
        else fields[field.name] = toList(result.value).map(String).join(';');
        continue;
      }
      for (const name of result.missing) if (!name.startsWith('item.') && name !== 'item') missing.add(name);
    }
    if (Object.keys(fields).length > 0) entries.push(encodeStructured(fields));
  }
  return entries.length > 0 ? sortedUnique(entries) : [];
}
