/**
 * The FlowRules every converted source gets: users into the mesh type `person` (one attribute flow per
 * mapped attribute, joined on the identifying attributes it maps) and groups into `group` (name,
 * description, members). The product documents map "mesh attribute → source attribute"; those mesh
 * attribute names are kept as they are written, so two inputs that map `email` meet in one attribute.
 */
import type { ConvertedRepository } from './repository.js';
import { entry, list, map, type YamlEntry, type YamlMap } from './yaml-writer.js';

export interface AttributeMapping {
  readonly mesh: string;
  readonly source: string;
  readonly comment?: readonly string[];
  readonly type?: 'string' | 'boolean';
}

export interface RuleTarget {
  readonly repo: ConvertedRepository;
  /** Output file (without .yaml) and the input it came from. */
  readonly file: string;
  readonly input: string;
  readonly connector: string;
}

/** Identifying mesh attributes, in the order joins try them. */
const IDENTIFYING = ['employeeId', 'externalId', 'email', 'username', 'userName', 'login'];

export function userFlowRule(target: RuleTarget, objectType: string, mappings: readonly AttributeMapping[], comment: readonly string[] = []): void {
  const { repo } = target;
  const seen = new Set<string>();
  const flows: YamlMap[] = [];
  const notes: YamlEntry[] = [];
  for (const m of mappings) {
    if (seen.has(m.mesh)) continue;
    seen.add(m.mesh);
    repo.addAttribute('person', m.mesh, { type: m.type ?? 'string' });
    flows.push(map([entry('mesh', m.mesh), entry('source', m.source)], true));
    if (m.comment) notes.push({ key: '', comment: [`${m.mesh}: ${m.comment.join(' ')}`] });
  }
  const joins = IDENTIFYING.filter((name) => seen.has(name)).map((name) => {
    const m = mappings.find((x) => x.mesh === name)!;
    return map([entry('source', m.source), entry('mesh', name)], true);
  });
  const spec = map([
    entry('source', map([entry('connector', target.connector), entry('objectType', objectType)], true)),
    entry('meshType', 'person'),
    joins.length > 0
      ? entry('join', list(joins), 'Ordered: the first rule that matches exactly one person wins.')
      : entry('join', undefined, 'No identifying attribute is mapped (employeeId, externalId, email, username): nothing joins, every user is a new person.'),
    entry('provision', true, 'Create a person for a user no join finds.'),
    ...notes,
    entry(
      'attributes',
      list(flows),
      'Every flow has confidence 50 (the default): where two sources map the same attribute, raise the',
      'authoritative one (0–100, the highest wins per attribute; equal confidence with different values is a conflict).',
    ),
  ]);
  repo.add(target.file, target.input, { kind: 'FlowRule', name: repo.uniqueName(`${target.connector}-users`), spec, comment });
}

export interface GroupAttributes {
  readonly name: string;
  readonly description?: string;
  /** The source attribute listing members (DNs or ids of objects of the same connector). */
  readonly members?: string;
}

export function addGroupMeshType(repo: ConvertedRepository): void {
  repo.addAttribute('group', 'name');
  repo.addAttribute('group', 'description');
  repo.addAttribute('group', 'members', { type: 'reference', to: ['person', 'group'], multiValued: true });
}

export function groupFlowRule(target: RuleTarget, objectType: string, attributes: GroupAttributes): void {
  const { repo } = target;
  addGroupMeshType(repo);
  const flows = [
    map([entry('mesh', 'name'), entry('source', attributes.name)], true),
    attributes.description ? map([entry('mesh', 'description'), entry('source', attributes.description)], true) : undefined,
    attributes.members ? map([entry('mesh', 'members'), entry('source', attributes.members)], true) : undefined,
  ].filter((f): f is YamlMap => f !== undefined);
  const spec = map([
    entry('source', map([entry('connector', target.connector), entry('objectType', objectType)], true)),
    entry('meshType', 'group'),
    entry('join', list([map([entry('source', attributes.name), entry('mesh', 'name')], true)]), 'Groups of the same name from several sources are one group; join on an id attribute to keep them apart.'),
    entry('provision', true),
    entry('attributes', list(flows), ...(attributes.members ? ['members: each value names a user or group of this connector; it resolves to the mesh object that source object is linked to.'] : [])),
  ]);
  repo.add(target.file, target.input, { kind: 'FlowRule', name: repo.uniqueName(`${target.connector}-groups`), spec });
}

/** A membership rule for membership objects (Okta's `<groupId>:<userId>`). */
export function membershipFlowRule(target: RuleTarget, objectType: string): void {
  const { repo } = target;
  addGroupMeshType(repo);
  const spec = map([
    entry('source', map([entry('connector', target.connector), entry('objectType', objectType)], true)),
    entry('meshType', 'group'),
    entry('membership', map([entry('group', 'groupId'), entry('member', 'memberId'), entry('attribute', 'members')], true)),
  ]);
  repo.add(target.file, target.input, { kind: 'FlowRule', name: repo.uniqueName(`${target.connector}-memberships`), spec });
}
