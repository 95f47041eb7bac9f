/**
 * Sorts parsed YAML documents by kind and checks each against its JSON Schema. A document that passes
 * is typed by the schema-generated types, with the schema's defaults filled in.
 */
import type { ConnectorDocument } from './generated/connector.js';
import type { FlowRuleDocument } from './generated/flowrule.js';
import type { MeshDocument } from './generated/mesh.js';
import type { PolicyDocument } from './generated/policy.js';
import type { ProjectionDocument } from './generated/projection.js';
import type { Problem, SourceLocation } from './model.js';
import type { Locator, PathSegment } from './positions.js';
import { schemaProblems } from './schema-errors.js';
import { API_VERSION, KINDS, validateDocument, type Kind } from './schema-validator.js';
import { didYouMean } from './suggest.js';
import type { BrokenDocument, ParsedDocument } from './yaml-documents.js';

interface DocumentOf<K extends Kind, V> {
  readonly kind: K;
  readonly file: string;
  readonly name: string;
  readonly value: V;
  readonly locate: Locator;
  /** Where its `metadata.name` is written. */
  readonly location: SourceLocation;
}

export type MeshDoc = DocumentOf<'Mesh', MeshDocument>;
export type ConnectorDoc = DocumentOf<'Connector', ConnectorDocument>;
export type FlowRuleDoc = DocumentOf<'FlowRule', FlowRuleDocument>;
export type ProjectionDoc = DocumentOf<'Projection', ProjectionDocument>;
export type PolicyDoc = DocumentOf<'Policy', PolicyDocument>;
export type ConfigDocument = MeshDoc | ConnectorDoc | FlowRuleDoc | ProjectionDoc | PolicyDoc;

export interface DocumentSet {
  readonly meshes: MeshDoc[];
  readonly connectors: ConnectorDoc[];
  readonly flowRules: FlowRuleDoc[];
  readonly projections: ProjectionDoc[];
  readonly policies: PolicyDoc[];
  /** Names of documents that failed the schema, by kind: references to them are not reported again. */
  readonly invalidNames: ReadonlyMap<Kind, ReadonlySet<string>>;
  /** Kinds with at least one document that failed its schema. */
  readonly invalidKinds: ReadonlySet<Kind>;
  /** Some document could not be parsed at all: it may be the missing Mesh, or hold any name. */
  readonly unparsed: boolean;
}

export function sortDocuments(parsed: readonly ParsedDocument[], broken: readonly BrokenDocument[] = []): { set: DocumentSet; problems: Problem[] } {
  const problems: Problem[] = [];
  const set = { meshes: [] as MeshDoc[], connectors: [] as ConnectorDoc[], flowRules: [] as FlowRuleDoc[], projections: [] as ProjectionDoc[], policies: [] as PolicyDoc[] };
  const invalidNames = new Map<Kind, Set<string>>(KINDS.map((k) => [k, new Set<string>()]));
  const invalidKinds = new Set<Kind>();
  let unparsed = false;
  for (const doc of broken) {
    const kind = KINDS.find((k) => k === doc.kind);
    if (!kind) unparsed = true;
    else {
      invalidKinds.add(kind);
      if (doc.name !== undefined) invalidNames.get(kind)?.add(doc.name);
    }
  }
  for (const document of parsed) {
    const report = (path: PathSegment[], message: string, part: 'key' | 'value' = 'value', key?: string): void => {
      problems.push({ ...document.locate.at(path, part), message, ...(key ? { key } : {}) });
    };
    const value = document.value;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      report([], 'a document must be a mapping with apiVersion, kind, metadata and spec');
      unparsed = true;
      continue;
    }
    const record = value as Record<string, unknown>;
    if (!('apiVersion' in record)) {
      report([], 'missing key "apiVersion" (expected apiVersion: identitymesh.dev/v1alpha1)', 'value', 'apiVersion');
      unparsed = true;
      continue;
    }
    if (record.apiVersion !== API_VERSION) {
      report(['apiVersion'], `unknown apiVersion ${JSON.stringify(record.apiVersion)}; expected "${API_VERSION}" (keep other YAML, such as CI files, outside the config path)`, 'value', 'apiVersion');
      unparsed = true;
      continue;
    }
    if (!('kind' in record)) {
      report([], `missing key "kind" (one of ${KINDS.join(', ')})`, 'value', 'kind');
      unparsed = true;
      continue;
    }
    const kind = KINDS.find((k) => k === record.kind);
    if (!kind) {
      const text = typeof record.kind === 'string' ? record.kind : JSON.stringify(record.kind);
      report(['kind'], `unknown kind "${text}"${didYouMean(text, KINDS)}; expected one of ${KINDS.join(', ')}`, 'value', 'kind');
      unparsed = true;
      continue;
    }
    const errors = validateDocument(kind, record);
    const metadata = record.metadata as { name?: unknown } | undefined;
    const name = typeof metadata?.name === 'string' ? metadata.name : undefined;
    if (errors.length > 0) {
      for (const problem of schemaProblems(errors, record, document.locate)) problems.push(problem);
      if (name !== undefined) invalidNames.get(kind)?.add(name);
      invalidKinds.add(kind);
      continue;
    }
    // The schema has just accepted the value: this is where it takes the schema-derived type.
    const base = { file: document.file, name: name ?? '', locate: document.locate, location: document.locate.at(['metadata', 'name']) };
    const valid: unknown = record;
    if (kind === 'Mesh') set.meshes.push({ ...base, kind, value: valid as MeshDocument });
    else if (kind === 'Connector') set.connectors.push({ ...base, kind, value: valid as ConnectorDocument });
    else if (kind === 'FlowRule') set.flowRules.push({ ...base, kind, value: valid as FlowRuleDocument });
    else if (kind === 'Projection') set.projections.push({ ...base, kind, value: valid as ProjectionDocument });
    else set.policies.push({ ...base, kind, value: valid as PolicyDocument });
  }
  return { set: { ...set, invalidNames, invalidKinds, unparsed }, problems };
}
