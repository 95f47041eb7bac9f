/**
 * What the semantic checks share: the documents by name, and one way to report a problem at a path of
 * a document.
 */
import type { ConfigDocument, ConnectorDoc, DocumentSet, MeshDoc } from './documents.js';
import type { MeshAttribute as MeshAttributeSpec, MeshObjectType as MeshObjectTypeSpec } from './generated/mesh.js';
import type { Problem } from './model.js';
import { formatPath, type PathSegment } from './positions.js';
import type { Kind } from './schema-validator.js';
import { ownValue } from '../shared/own-property.js';

export interface CheckContext {
  readonly set: DocumentSet;
  /** Absolute config directory. */
  readonly configPath: string;
  readonly mesh?: MeshDoc;
  readonly connectors: ReadonlyMap<string, ConnectorDoc>;
  report(document: ConfigDocument, path: readonly PathSegment[], message: string, part?: 'key' | 'value'): void;
  /** Adds a problem already located (schema problems of a connector package's spec). */
  add(problem: Problem): void;
  /** A name that belongs to a document which already failed its schema: do not call it dangling. */
  isInvalid(kind: Kind, name: string): boolean;
  /** Some document of this kind failed its schema. */
  isInvalidKind(kind: Kind): boolean;
  meshType(name: string): MeshObjectTypeSpec | undefined;
  meshAttribute(type: string, attribute: string): MeshAttributeSpec | undefined;
}

export function checkContext(set: DocumentSet, configPath: string, problems: Problem[]): CheckContext {
  const connectors = new Map<string, ConnectorDoc>();
  for (const doc of set.connectors) if (!connectors.has(doc.name)) connectors.set(doc.name, doc);
  const mesh = set.meshes[0];
  return {
    set,
    configPath,
    mesh,
    connectors,
    report(document, path, message, part = 'value') {
      problems.push({ ...document.locate.at(path, part), message, key: formatPath(path) });
    },
    add: (problem) => problems.push(problem),
    isInvalid: (kind, name) => set.unparsed || (set.invalidNames.get(kind)?.has(name) ?? false),
    isInvalidKind: (kind) => set.unparsed || set.invalidKinds.has(kind),
    meshType: (name) => (mesh ? ownValue(mesh.value.spec.objectTypes, name) : undefined),
    meshAttribute: (type, attribute) => {
      const definition = mesh ? ownValue(mesh.value.spec.objectTypes, type) : undefined;
      return definition ? ownValue(definition.attributes, attribute) : undefined;
    },
  };
}
