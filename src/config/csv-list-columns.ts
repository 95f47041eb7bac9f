/**
 * csv target columns that hold lists. A projection that writes a multi-valued mesh attribute whole
 * (`members: "{{members}}"`) into a csv column writes the values joined by `multiValueSeparator`; the
 * connector must split that column when it reads the file back, or the plan compares a list with one
 * joined string and proposes the same change on every cycle. Such a column is multi-valued whether or
 * not it is listed in `multiValuedColumns`: it is inferred here from the mesh attribute.
 */
import { descriptorOf } from '../connectors/registry.js';
import type { DocumentSet } from './documents.js';

/** A template that is one expression of one attribute, with filters that keep it a list (not `eq`). */
const WHOLE = /^\s*\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*((?:\|\s*(?!eq\b)[A-Za-z]+(?:\s*:[^|{}]*)?\s*)*)\}\}\s*$/;

/** Connector name → object type → columns inferred as multi-valued. */
export function inferredListColumns(set: DocumentSet): Map<string, Map<string, Set<string>>> {
  const found = new Map<string, Map<string, Set<string>>>();
  const mesh = set.meshes[0]?.value.spec.objectTypes ?? {};
  const csv = new Set(set.connectors.filter((doc) => descriptorOf(doc.value.spec.type).withListColumns !== undefined).map((doc) => doc.name));
  for (const doc of set.projections) {
    const { target, meshType, attributes } = doc.value.spec;
    if (!csv.has(target.connector)) continue;
    const definitions = mesh[meshType]?.attributes ?? {};
    for (const [column, template] of Object.entries(attributes ?? {})) {
      if (typeof template !== 'string') continue;
      const name = WHOLE.exec(template)?.[1];
      if (name === undefined || !Object.hasOwn(definitions, name) || definitions[name]?.multiValued !== true) continue;
      const types = found.get(target.connector) ?? new Map<string, Set<string>>();
      found.set(target.connector, types);
      const columns = types.get(target.objectType) ?? new Set<string>();
      types.set(target.objectType, columns.add(column));
    }
  }
  return found;
}
