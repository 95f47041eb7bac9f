/* Generated from schemas/flowrule.schema.json by `npm run gen:types`. Do not edit: change the schema and regenerate. */

/**
 * The version of the config language. Only `identitymesh.dev/v1alpha1` exists.
 */
export type ApiVersion = 'identitymesh.dev/v1alpha1';
/**
 * A template over the source object's attributes, e.g. `{{first_name}} {{last_name}}`.
 */
export type Template = string;

/**
 * An inbound flow: how objects of one source connector's object type join mesh objects and which attributes they contribute.
 */
export interface FlowRuleDocument {
  apiVersion: ApiVersion;
  /**
   * The document kind.
   */
  kind: 'FlowRule';
  metadata: Metadata;
  spec: FlowRuleSpec;
}
/**
 * Identifies the document.
 */
export interface Metadata {
  /**
   * The document's name, unique within its kind. Lower-case letters, digits and `-`, starting with a letter (it appears in URLs, reports and log lines).
   */
  name: string;
  /**
   * Free-form key/value pairs for people and tools; Identity Mesh ignores them.
   */
  labels?: {
    [k: string]: string | undefined;
  };
  /**
   * Free-form key/value notes; Identity Mesh ignores them.
   */
  annotations?: {
    [k: string]: string | undefined;
  };
}
/**
 * The source, the mesh type it flows into, how objects join, and what they contribute: `attributes`, a `membership`, or `roleMappings`.
 *
 * This interface was referenced by `FlowRuleDocument`'s JSON-Schema
 * via the `definition` "FlowRuleSpec".
 */
export interface FlowRuleSpec {
  source: SourceRef;
  /**
   * The mesh object type the source objects flow into.
   */
  meshType: string;
  /**
   * Join rules, in order: the first rule that matches exactly one mesh object wins. Left out: nothing correlates (objects only join by being provisioned).
   */
  join?: FlowJoinRule[];
  /**
   * Create a mesh object when a source object joins none.
   */
  provision?: boolean;
  /**
   * Attribute flows: each sets one mesh attribute from a source attribute or a template. The highest confidence wins per attribute.
   */
  attributes?: AttributeFlow[];
  membership?: MembershipFlow;
  /**
   * Group-to-role mappings: members of the source group `group` get `role` in the mesh attribute `attribute`; removing the member revokes it.
   *
   * @minItems 1
   */
  roleMappings?: [RoleMapping, ...RoleMapping[]];
  /**
   * With `roleMappings`: the multi-valued string attribute of the mesh type that receives the roles.
   */
  attribute?: string;
  /**
   * With `roleMappings`: the confidence of the roles contributed.
   */
  confidence?: number;
}
/**
 * The source: a connector and one of its object types.
 *
 * This interface was referenced by `FlowRuleDocument`'s JSON-Schema
 * via the `definition` "SourceRef".
 */
export interface SourceRef {
  /**
   * The Connector's `metadata.name`.
   */
  connector: string;
  /**
   * An object type declared in that connector's `spec.objectTypes`.
   */
  objectType: string;
}
/**
 * Joins a source object to the mesh object whose `mesh` attribute equals the source object's `source` attribute.
 *
 * This interface was referenced by `FlowRuleDocument`'s JSON-Schema
 * via the `definition` "JoinRule".
 */
export interface FlowJoinRule {
  /**
   * The source attribute.
   */
  source: string;
  /**
   * The mesh attribute.
   */
  mesh: string;
}
/**
 * Sets one mesh attribute from exactly one of `source` (a source attribute, value kept as is) or `template` (source attributes rendered into a string).
 *
 * This interface was referenced by `FlowRuleDocument`'s JSON-Schema
 * via the `definition` "AttributeFlow".
 */
export interface AttributeFlow {
  /**
   * The mesh attribute set.
   */
  mesh: string;
  /**
   * The source attribute read.
   */
  source?: string;
  template?: Template;
  /**
   * 0–100; the highest confidence wins per attribute. Equal confidence with different values is a conflict, resolved by rule name and reported.
   */
  confidence?: number;
}
/**
 * Source objects that each stand for one membership (Okta's `<groupId>:<userId>`) add a member to a group's reference attribute.
 *
 * This interface was referenced by `FlowRuleDocument`'s JSON-Schema
 * via the `definition` "MembershipFlow".
 */
export interface MembershipFlow {
  /**
   * The source attribute holding the group's external id.
   */
  group: string;
  /**
   * The source attribute holding the member's external id.
   */
  member: string;
  /**
   * The multi-valued reference attribute of the mesh group type that receives the member.
   */
  attribute: string;
  /**
   * The confidence of the memberships contributed.
   */
  confidence?: number;
}
/**
 * Members of one source group get one role: `{ group, role }`, or the SCIM guide's `scimGroupMappings` entry as the document writes it, `{ scimGroup, type, teamId, teamMemberRole }` (the same as `{ group: scimGroup, role: { type, teamId, teamMemberRole } }`).
 *
 * This interface was referenced by `FlowRuleDocument`'s JSON-Schema
 * via the `definition` "RoleMapping".
 */
export interface RoleMapping {
  /**
   * The source group, by its name (display name or external id).
   */
  group?: string;
  /**
   * Seed 003's name for `group`.
   */
  scimGroup?: string;
  /**
   * Seed 003's form: the role's `type` (`organizationOwner`, `teamMemberRole`); use it instead of `role`.
   */
  type?: string;
  /**
   * Seed 003's form: the team, for a `teamMemberRole`.
   */
  teamId?: string;
  /**
   * Seed 003's form: the role in the team, for a `teamMemberRole`.
   */
  teamMemberRole?: string;
  /**
   * The role the members get in `attribute`: a string (`organizationOwner`, `team:marketing:Owner`), or a structured role with named fields, as the SCIM guide's `scimGroupMappings` write it (`{ type: teamMemberRole, teamId: marketing, teamMemberRole: Owner }`). A structured role is stored as one value with those fields; a projection reads them as `{{item.FIELD}}` (with `forEach`) or renders them as complex values (a SCIM `roles` entry).
   */
  role?: string | StructuredRole;
}
/**
 * A role with named fields (field name → non-empty string), e.g. the SCIM guide's `{ type: teamMemberRole, teamId: marketing, teamMemberRole: Owner }` or `{ type: organizationOwner }`.
 *
 * This interface was referenced by `FlowRuleDocument`'s JSON-Schema
 * via the `definition` "StructuredRole".
 */
export interface StructuredRole {
  [k: string]: string | undefined;
}
