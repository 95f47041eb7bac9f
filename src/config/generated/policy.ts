/* Generated from schemas/policy.schema.json by `npm run gen:types`. Do not edit: change the schema and regenerate. */

/**
 * The version of the config language. Only `identitymesh.dev/v1alpha1` exists.
 */
export type ApiVersion = 'identitymesh.dev/v1alpha1';

/**
 * What must stay true of a target's objects, reviewed with the rest of the config: limits on how much one run may change, and invariants every object a run creates or changes must keep. Checked the same way by `imesh plan` and before every export: a violated limit blocks every export to the connector (exit 3, like a safety gate); an object a run would make violate an invariant is held back and reported (exit 3), and the rest proceeds. Objects that already violate an invariant are reported in status, never blocked (a report refreshed by full runs and by the first run after the invariants change).
 */
export interface PolicyDocument {
  apiVersion: ApiVersion;
  /**
   * The document kind.
   */
  kind: 'Policy';
  metadata: Metadata;
  spec: PolicySpec;
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
 * What the policy covers (one projection, or every projection to a target) and what it requires. Exactly one of `projection` and `target`; at least one of `limits` and `invariants`.
 *
 * This interface was referenced by `PolicyDocument`'s JSON-Schema
 * via the `definition` "PolicySpec".
 */
export interface PolicySpec {
  /**
   * The Projection's `metadata.name`: the policy covers its objects.
   */
  projection?: string;
  target?: PolicyTarget;
  limits?: PolicyLimits;
  /**
   * Conditions on the attributes of the projected objects, checked on each object a run creates or changes.
   *
   * @minItems 1
   */
  invariants?: [PolicyInvariant, ...PolicyInvariant[]];
}
/**
 * Every projection to this connector (and object type, when given).
 *
 * This interface was referenced by `PolicyDocument`'s JSON-Schema
 * via the `definition` "PolicyTarget".
 */
export interface PolicyTarget {
  /**
   * The Connector's `metadata.name`.
   */
  connector: string;
  /**
   * One of its object types; left out: each object type projections write to.
   */
  objectType?: string;
}
/**
 * How much one run may change, per target connector and object type; counted over the projections the policy covers. Percentages are of the target's objects of the type before the run.
 *
 * This interface was referenced by `PolicyDocument`'s JSON-Schema
 * via the `definition` "Limits".
 */
export interface PolicyLimits {
  creates?: PolicyLimit;
  updates?: PolicyLimit1;
  moves?: PolicyLimit2;
  disables?: PolicyLimit3;
  deletes?: PolicyLimit4;
  /**
   * Objects on which one attribute changes, by target attribute name.
   */
  attributes?: {
    [k: string]: PolicyLimit5 | undefined;
  };
}
/**
 * Objects created.
 */
export interface PolicyLimit {
  /**
   * At most this many objects per run.
   */
  max?: number;
  /**
   * At most this percentage of the target's objects of the type per run.
   */
  maxPercent?: number;
}
/**
 * Objects whose attributes are updated.
 */
export interface PolicyLimit1 {
  /**
   * At most this many objects per run.
   */
  max?: number;
  /**
   * At most this percentage of the target's objects of the type per run.
   */
  maxPercent?: number;
}
/**
 * Objects moved (a new DN).
 */
export interface PolicyLimit2 {
  /**
   * At most this many objects per run.
   */
  max?: number;
  /**
   * At most this percentage of the target's objects of the type per run.
   */
  maxPercent?: number;
}
/**
 * Objects disabled.
 */
export interface PolicyLimit3 {
  /**
   * At most this many objects per run.
   */
  max?: number;
  /**
   * At most this percentage of the target's objects of the type per run.
   */
  maxPercent?: number;
}
/**
 * Objects deleted (on top of `Mesh.spec.safety`).
 */
export interface PolicyLimit4 {
  /**
   * At most this many objects per run.
   */
  max?: number;
  /**
   * At most this percentage of the target's objects of the type per run.
   */
  maxPercent?: number;
}
/**
 * At most `max` objects, and at most `maxPercent` percent of the target's objects of the type, per run.
 *
 * This interface was referenced by `PolicyDocument`'s JSON-Schema
 * via the `definition` "Limit".
 */
export interface PolicyLimit5 {
  /**
   * At most this many objects per run.
   */
  max?: number;
  /**
   * At most this percentage of the target's objects of the type per run.
   */
  maxPercent?: number;
}
/**
 * What every object the policy covers must keep for one target attribute. An object a run would create or change so that it breaks the invariant is held back; on an update only the attributes it changes are checked.
 *
 * This interface was referenced by `PolicyDocument`'s JSON-Schema
 * via the `definition` "Invariant".
 */
export interface PolicyInvariant {
  /**
   * A target attribute the covered projections write.
   */
  attribute: string;
  /**
   * It must not be empty.
   */
  present?: true;
  /**
   * No two objects of the target may hold the same value (compared without case and surrounding spaces).
   */
  unique?: true;
  /**
   * Each value must match this regular expression (JavaScript syntax, unanchored unless written with `^…$`).
   */
  pattern?: string;
  /**
   * Each value may have at most this many characters.
   */
  maxLength?: number;
  /**
   * For an attribute rendered from a reference: every referenced mesh object must resolve to an object projected to the same target.
   */
  resolvable?: true;
  /**
   * Why the invariant exists, shown with its violations.
   */
  description?: string;
}
