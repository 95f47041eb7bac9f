/**
 * What `imesh convert` builds up from its inputs before writing: one Mesh (the object types and the
 * attributes the inputs map), and per connector a file with the Connector, its FlowRules and any
 * Projections. Every input converter adds to one `ConvertedRepository`, so several input files become one
 * repository with one Mesh.
 */
import { entry, list, map, yamlDocument, type YamlEntry, type YamlMap, type YamlValue } from './yaml-writer.js';

const API_VERSION = 'identitymesh.dev/v1alpha1';

export type MeshAttributeKind = 'string' | 'boolean' | 'reference';

export interface MeshAttributeSpec {
  readonly type: MeshAttributeKind;
  readonly multiValued?: boolean;
  readonly to?: readonly string[];
}

interface Document {
  readonly kind: 'Connector' | 'FlowRule' | 'Projection';
  readonly name: string;
  readonly spec: YamlMap;
  readonly comment?: readonly string[];
}

/** A secret the user must create: its name and what to put in it (never the value itself). */
export interface SecretToCreate {
  readonly name: string;
  readonly holds: string;
}

export class ConvertedRepository {
  private readonly meshTypes = new Map<string, Map<string, MeshAttributeSpec>>();
  private readonly files = new Map<string, { inputs: string[]; documents: Document[] }>();
  private readonly names = new Set<string>();
  private readonly meshComments: string[] = [];
  readonly secrets: SecretToCreate[] = [];

  /** A kebab-case name for a new document, unique in the repository (`corporate-ad`, `corporate-ad-2`). */
  uniqueName(wanted: string): string {
    const base = kebab(wanted) || 'connector';
    let name = base;
    for (let i = 2; this.names.has(name); i++) name = `${base}-${i}`;
    this.names.add(name);
    return name;
  }

  /** Adds a mesh attribute; the first definition of a name wins (later ones must agree on the type). */
  addAttribute(meshType: string, name: string, spec: MeshAttributeSpec = { type: 'string' }): void {
    const attributes = this.meshTypes.get(meshType) ?? new Map<string, MeshAttributeSpec>();
    this.meshTypes.set(meshType, attributes);
    if (!attributes.has(name)) attributes.set(name, spec);
  }

  attributeNames(meshType: string): ReadonlySet<string> {
    return new Set(this.meshTypes.get(meshType)?.keys() ?? []);
  }

  hasMeshType(meshType: string): boolean {
    return this.meshTypes.has(meshType);
  }

  addSecret(secret: SecretToCreate): void {
    if (!this.secrets.some((s) => s.name === secret.name)) this.secrets.push(secret);
  }

  noteOnMesh(...lines: string[]): void {
    for (const line of lines) if (!this.meshComments.includes(line)) this.meshComments.push(line);
  }

  /** Adds a document to `<file>.yaml`, converted from `input`. */
  add(file: string, input: string, document: Document): void {
    const entryFor = this.files.get(file) ?? { inputs: [], documents: [] };
    this.files.set(file, entryFor);
    if (!entryFor.inputs.includes(input)) entryFor.inputs.push(input);
    entryFor.documents.push(document);
  }

  /** Documents of a kind already added (to find the connector an update body applies to). */
  documents(kind: Document['kind']): readonly Document[] {
    return [...this.files.values()].flatMap((f) => f.documents.filter((d) => d.kind === kind));
  }

  /** Replaces a document's spec (an update body merged into an earlier connection). */
  replace(kind: Document['kind'], name: string, spec: YamlMap, comment?: readonly string[]): void {
    for (const file of this.files.values()) {
      const index = file.documents.findIndex((d) => d.kind === kind && d.name === name);
      if (index >= 0) file.documents[index] = { kind, name, spec, ...(comment ? { comment } : {}) };
    }
  }

  /** The repository as files: path (relative to the output directory) → content. */
  render(): Map<string, string> {
    const out = new Map<string, string>();
    out.set('mesh.yaml', this.renderMesh());
    for (const [file, { inputs, documents }] of this.files) {
      const header = [`Converted by \`imesh convert\` from ${inputs.join(', ')}.`];
      const text = documents
        .map((doc, i) => {
          const body = map([entry('apiVersion', API_VERSION), entry('kind', doc.kind), entry('metadata', map([entry('name', doc.name)], true)), entry('spec', doc.spec)]);
          return (i > 0 ? '---\n' : '') + yamlDocument(body, [...(i === 0 ? header : []), ...(doc.comment ?? [])]);
        })
        .join('');
      out.set(`${file}.yaml`, text);
    }
    return out;
  }

  private renderMesh(): string {
    const types: YamlEntry[] = [];
    for (const [name, attributes] of this.meshTypes) {
      const attrs: (YamlEntry | undefined)[] = [...attributes].map(([attribute, spec]) =>
        entry(
          attribute,
          map(
            [
              entry('type', spec.type),
              spec.to ? entry('to', list([...spec.to], true)) : undefined,
              spec.multiValued ? entry('multiValued', true) : undefined,
            ],
            true,
          ),
        ),
      );
      types.push(entry(name, map([entry('attributes', map(attrs))]))!);
    }
    const spec: YamlValue = map([
      entry('objectTypes', map(types)),
      entry(
        'safety',
        map([entry('maxDeletes', 500), entry('maxDeletePercent', 20)], true),
        'The defaults, written out: a cycle that would delete or disable more than this per target is blocked.',
      ),
      entry(
        'schedule',
        map([entry('interval', '5m'), entry('full', '0 2 * * 0')], true),
        'Delta cycles every 5 minutes read only what changed; a full cycle (cron, UTC) also finds deletions.',
        'A connector may override it with its own spec.schedule.',
      ),
    ]);
    const body = map([entry('apiVersion', API_VERSION), entry('kind', 'Mesh'), entry('metadata', map([entry('name', 'converted')], true)), entry('spec', spec)]);
    return yamlDocument(body, [
      'Converted by `imesh convert`: the one Mesh of this repository, with the object types and attributes the inputs map.',
      'Configuration lives in Git now: review it in a pull request, `imesh validate` it in CI, `imesh plan` before merging.',
      ...this.meshComments,
    ]);
  }
}

export function kebab(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** `EmployeeId` → `employeeId`, `first_name` → `firstName`, `Email` → `email`. */
export function camel(text: string): string {
  const words = text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  return words.map((w, i) => (i === 0 ? w.toLowerCase() : w[0]!.toUpperCase() + w.slice(1).toLowerCase())).join('');
}
