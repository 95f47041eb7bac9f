/* Generated from schemas/projection.schema.json by `npm run gen:types`. Do not edit: change the schema and regenerate. */

/**
 * The version of the config language. Only `identitymesh.dev/v1alpha1` exists.
 */
export type ApiVersion = 'identitymesh.dev/v1alpha1';
/**
 * For directory targets: the parent DN; substituted values are escaped per RFC 4514. Changing it moves objects, never re-creates them.
 */
export type Template = string;
/**
 * For directory targets: the relative DN; substituted values are escaped per RFC 4514.
 */
export type Template1 = string;
/**
 * A template: literal text with `{{attribute}}` expressions and filters chained with `|`, applied left to right, e.g. `{{employeeId | lower}}`. Filters: `lower`, `upper`, `trim`; `default:"x"` (only when the attribute is absent or empty — never replaces `false`; makes the attribute optional); `replace:"a":"b"` (every occurrence of the text a becomes b); `truncate:N` (at most N characters, no ellipsis); `first:N` (the first N characters, e.g. initials `{{givenName | first:1}}`); `ascii` (transliteration to ASCII: NFKD without combining marks plus ß→ss, Æ→AE, Ø→O, Ł→L, đ→d …; characters with no ASCII form are dropped: `Zoë Ångström` → `Zoe Angstrom`); `eq:attribute` or `eq:"text"` (`true` or `false`: equal after trimming, ignoring case; with a list on either side, any value matching counts — e.g. `{{userName | eq:workEmail}}`); `before`, `onOrBefore`, `after`, `onOrAfter` with a quoted bound `"today"`, `"today+14d"`, `"today-30d"` or `"2026-04-01"` (`true` or `false`: the value compared as a calendar date, today being the UTC date when the cycle runs, e.g. `enabled: '{{hireDate | onOrBefore:"today"}}'`; a value that is not a date holds the object back; not in flow rules, whose values would go stale). Filters work on each value of a list. A missing attribute (also the one `eq` compares with) holds the object back unless a `default` follows; values are escaped for their destination after the filters.
 */
export type Template2 = string;
/**
 * A fixed initial password, as a secret reference.
 */
export type SecretRef = string;

/**
 * An outbound flow: how mesh objects of one type become objects of a target connector's object type.
 */
export interface ProjectionDocument {
  apiVersion: ApiVersion;
  /**
   * The document kind.
   */
  kind: 'Projection';
  metadata: Metadata;
  spec: ProjectionSpec;
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
 * Which mesh objects are projected, where, and how they look there.
 *
 * This interface was referenced by `ProjectionDocument`'s JSON-Schema
 * via the `definition` "ProjectionSpec".
 */
export interface ProjectionSpec {
  /**
   * The mesh object type projected.
   */
  meshType: string;
  target: TargetRef;
  scope?: Scope;
  /**
   * Join rules, in order, that correlate a mesh object with an existing target object before creating one; a joined object is adopted and managed from then on. Left out: nothing correlates.
   */
  join?: ProjectionJoinRule[];
  container?: Template;
  rdn?: Template1;
  /**
   * Target attribute (or column) name → template over the mesh object's attributes. Only these attributes are written. For sql and csv targets they are the columns and must include the `externalIdColumn`. A single `{{reference}}` renders the referenced objects as they are projected in the same target (DN, id or key). A multi-valued complex attribute (SCIM `roles`) takes `{ forEach, fields }` instead of a template.
   */
  attributes: {
    [k: string]: Template2 | StructuredAttribute | undefined;
  };
  /**
   * The target object's enabled state: a template rendering `true`/`false` (also `1/0`, `yes/no`), or a constant. Left out: the enabled state is not managed.
   */
  enabled?: string | boolean;
  password?: PasswordPolicy;
  /**
   * What happens to the target object when the mesh object leaves the scope or is gone: `disable`, `delete`, or `keep`. Default `disable` where the target can disable; otherwise it must be given.
   */
  onRemove?: 'disable' | 'delete' | 'keep';
  /**
   * When a target object differs from its projection: `enforce` corrects it, `report` only reports it.
   */
  drift?: 'enforce' | 'report';
  /**
   * Project one target object per value of this multi-valued mesh attribute; `{{item}}` is the value in the templates.
   */
  forEach?: string;
}
/**
 * The target: a connector and one of its object types.
 *
 * This interface was referenced by `ProjectionDocument`'s JSON-Schema
 * via the `definition` "TargetRef".
 */
export interface TargetRef {
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
 * Which mesh objects are projected. Exactly one of: `all` (every condition holds), `any` (at least one holds), or `attribute` with one test (`present`, `equals`, `in`, `matches`, or a date test `before`, `onOrBefore`, `after`, `onOrAfter`). Nestable. Left out: every object.
 *
 * This interface was referenced by `ProjectionDocument`'s JSON-Schema
 * via the `definition` "Scope".
 */
export interface Scope {
  /**
   * Every condition holds.
   *
   * @minItems 1
   */
  all?: [Scope, ...Scope[]];
  /**
   * At least one condition holds.
   *
   * @minItems 1
   */
  any?: [Scope, ...Scope[]];
  /**
   * The mesh attribute tested.
   */
  attribute?: string;
  /**
   * `true`: the attribute has a value; `false`: it has none.
   */
  present?: boolean;
  /**
   * The attribute (or one of its values) equals this.
   */
  equals?: string | number | boolean;
  /**
   * The attribute (or one of its values) is one of these.
   *
   * @minItems 1
   */
  in?: [string | number | boolean, ...(string | number | boolean)[]];
  /**
   * The attribute (or one of its values) matches this JavaScript regular expression.
   */
  matches?: string;
  /**
   * The attribute (or one of its values) is a date before this bound: `today`, `today+14d`, `today-30d` or a calendar date `2026-04-01` (values compare as calendar days, YYYY-MM-DD; today is the UTC date when the cycle runs; a value that is not a date never passes).
   */
  before?: string;
  /**
   * The attribute (or one of its values) is a date on or before this bound (`today+14d`: at most 14 days ahead, e.g. provision 14 days before `hireDate`).
   */
  onOrBefore?: string;
  /**
   * The attribute (or one of its values) is a date after this bound (`today`: not reached yet, e.g. a `terminationDate` still ahead).
   */
  after?: string;
  /**
   * The attribute (or one of its values) is a date on or after this bound.
   */
  onOrAfter?: string;
}
/**
 * Joins a mesh object to the target object whose `target` attribute equals the mesh object's `mesh` attribute.
 *
 * This interface was referenced by `ProjectionDocument`'s JSON-Schema
 * via the `definition` "JoinRule".
 */
export interface ProjectionJoinRule {
  /**
   * The target attribute.
   */
  target: string;
  /**
   * The mesh attribute.
   */
  mesh: string;
}
/**
 * A multi-valued complex target attribute: one entry per value of the multi-valued mesh attribute `forEach`, whose fields are templates that read `{{item}}` and a structured value's fields as `{{item.FIELD}}` (SCIM `roles` from structured roles: `value`, `type`, `display`). A field that renders empty is left out of its entry; any other missing attribute holds the object back.
 *
 * This interface was referenced by `ProjectionDocument`'s JSON-Schema
 * via the `definition` "StructuredAttribute".
 */
export interface StructuredAttribute {
  /**
   * The multi-valued mesh attribute whose values become entries.
   */
  forEach: string;
  /**
   * Entry field name → template.
   */
  fields: {
    [k: string]: Template2 | undefined;
  };
}
/**
 * The initial password of accounts created in a directory target (sent over TLS only, at create only). Give `initial` or `generate: true`.
 *
 * This interface was referenced by `ProjectionDocument`'s JSON-Schema
 * via the `definition` "Password".
 */
export interface PasswordPolicy {
  initial?: SecretRef;
  /**
   * Generate a random password for each account created.
   */
  generate?: boolean;
  /**
   * The generated password's length.
   */
  length?: number;
}
