/* Generated from schemas/mesh.schema.json by `npm run gen:types`. Do not edit: change the schema and regenerate. */

/**
 * The version of the config language. Only `identitymesh.dev/v1alpha1` exists.
 */
export type ApiVersion = 'identitymesh.dev/v1alpha1';
/**
 * An object type or attribute name.
 */
export type Identifier = string;
/**
 * The delay before the first retry inside a cycle; it doubles with each further retry, up to 30 seconds.
 */
export type Duration = string;
/**
 * The delta cycle interval.
 */
export type Duration1 = string;
/**
 * Cron (UTC) for full cycles; a full cycle also sweeps deletions.
 */
export type Cron = string;
/**
 * The token, as a secret reference.
 */
export type SecretRef = string;
/**
 * Changes older than this are deleted after each reconcile cycle. `0s` turns history off: nothing is recorded, and what was is deleted.
 */
export type Duration2 = string;

/**
 * The mesh: the object types every source flows into and every projection reads from, plus the settings of the whole installation. Exactly one per config repository.
 */
export interface MeshDocument {
  apiVersion: ApiVersion;
  /**
   * The document kind.
   */
  kind: 'Mesh';
  metadata: Metadata;
  spec: MeshSpec;
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
 * The mesh's object types and installation-wide settings.
 *
 * This interface was referenced by `MeshDocument`'s JSON-Schema
 * via the `definition` "MeshSpec".
 */
export interface MeshSpec {
  /**
   * The mesh object types (the metaverse), by name.
   */
  objectTypes: {
    [k: string]: MeshObjectType | undefined;
  };
  safety?: Safety;
  exportRetry?: ExportRetry;
  reports?: Reports;
  schedule?: Schedule;
  /**
   * Stop every import and export until set back to false (validation and reports continue).
   */
  suspend?: boolean;
  api?: Api;
  history?: History;
}
/**
 * A mesh object type and its attributes.
 *
 * This interface was referenced by `MeshDocument`'s JSON-Schema
 * via the `definition` "MeshObjectType".
 */
export interface MeshObjectType {
  /**
   * The attributes, by name.
   */
  attributes: {
    [k: string]: MeshAttribute | undefined;
  };
}
/**
 * One attribute of a mesh object type.
 *
 * This interface was referenced by `MeshDocument`'s JSON-Schema
 * via the `definition` "MeshAttribute".
 */
export interface MeshAttribute {
  /**
   * `string`, `boolean`, `integer`, or `reference` (points at mesh objects of the types in `to`).
   */
  type: 'string' | 'boolean' | 'integer' | 'reference';
  /**
   * The attribute holds a set of values rather than one.
   */
  multiValued?: boolean;
  /**
   * For `reference` attributes: the mesh object types a value may point at.
   *
   * @minItems 1
   */
  to?: [Identifier, ...Identifier[]];
}
/**
 * Delete, disable and attribute-clear thresholds per target connector per cycle; exceeding one blocks every export to that connector for the cycle (exit 3). The delete limits also guard full imports against a source that suddenly returns far fewer objects.
 */
export interface Safety {
  /**
   * At most this many deletions and disables per target connector per cycle.
   */
  maxDeletes?: number;
  /**
   * At most this percentage of a connector's objects of one type deleted or disabled per cycle, rounded down: with the default 20, a target of fewer than 5 objects trips on its first deletion (README, Small targets).
   */
  maxDeletePercent?: number;
  /**
   * At most this many objects of one type per target connector may lose one attribute (written empty, or held back because a template's attribute became empty) per cycle; more blocks every export to that connector (condition AttributeClearThresholdExceeded, exit 3; `--allow-clears N` lets them through once).
   */
  maxClears?: number;
  /**
   * At most this percentage of a connector's objects of one type may lose one attribute per cycle (the same count as `maxClears`), rounded down: with the default 20, a target of fewer than 5 objects trips on its first clear (README, Small targets).
   */
  maxClearPercent?: number;
}
/**
 * How a change whose export failed is sent again. A failure the connector calls retryable (a timeout, a 5xx, a rate limit) is retried inside the cycle after a growing delay (never a create, whose outcome may be unknown), then by the next cycles (the first three at once, then after 1, 2, 4 … minutes, at most an hour apart); one that is not retryable (a rejected value, a missing permission) is not retried inside the cycle, and is sent again when its object changes or on a full cycle. A change that failed in `maxAttempts` cycles is given up: it is not sent again — also not by a full cycle — and status, the job and the reports list it with its error code, until its desired state changes or an operator runs `imesh reconcile --retry-failed`.
 */
export interface ExportRetry {
  /**
   * Cycles that may send one failed change before it is given up.
   */
  maxAttempts?: number;
  /**
   * Further tries, inside the same cycle, of changes that failed retryably (0: none).
   */
  retries?: number;
  backoff?: Duration;
}
/**
 * Where status, drift and conflict reports are committed.
 */
export interface Reports {
  /**
   * The Git branch reports are committed to (outside Git: ignored, reports go under `.imesh/<path>/`).
   */
  branch?: string;
  /**
   * The folder, in that branch (or under `.imesh/`), that holds the reports.
   */
  path?: string;
}
/**
 * When `imesh run` starts cycles. A Connector's `spec.schedule` overrides it for that connector.
 */
export interface Schedule {
  interval?: Duration1;
  full?: Cron;
}
/**
 * Who may use the operator API (`/api/v1/`) and dashboard (`/`). Without it, the API answers 401 to everything.
 *
 * This interface was referenced by `MeshDocument`'s JSON-Schema
 * via the `definition` "Api".
 */
export interface Api {
  /**
   * The accepted bearer tokens.
   */
  tokens: ApiToken[];
}
/**
 * A bearer token and what it may do.
 *
 * This interface was referenced by `MeshDocument`'s JSON-Schema
 * via the `definition` "ApiToken".
 */
export interface ApiToken {
  /**
   * Who holds the token (appears in logs).
   */
  name: string;
  /**
   * `viewer` reads; `operator` also triggers work.
   */
  role: 'viewer' | 'operator';
  token: SecretRef;
}
/**
 * How long the store keeps the history of every value (`imesh history`): each mesh value's changes with their source, confidence, revision and run, and each export applied to a target.
 */
export interface History {
  retain?: Duration2;
}
/**
 * Delete, disable and attribute-clear thresholds per target connector per cycle; exceeding one blocks every export to that connector for the cycle (exit 3). The delete limits also guard full imports against a source that suddenly returns far fewer objects.
 *
 * This interface was referenced by `MeshDocument`'s JSON-Schema
 * via the `definition` "Safety".
 */
export interface Safety1 {
  /**
   * At most this many deletions and disables per target connector per cycle.
   */
  maxDeletes?: number;
  /**
   * At most this percentage of a connector's objects of one type deleted or disabled per cycle, rounded down: with the default 20, a target of fewer than 5 objects trips on its first deletion (README, Small targets).
   */
  maxDeletePercent?: number;
  /**
   * At most this many objects of one type per target connector may lose one attribute (written empty, or held back because a template's attribute became empty) per cycle; more blocks every export to that connector (condition AttributeClearThresholdExceeded, exit 3; `--allow-clears N` lets them through once).
   */
  maxClears?: number;
  /**
   * At most this percentage of a connector's objects of one type may lose one attribute per cycle (the same count as `maxClears`), rounded down: with the default 20, a target of fewer than 5 objects trips on its first clear (README, Small targets).
   */
  maxClearPercent?: number;
}
/**
 * How a change whose export failed is sent again. A failure the connector calls retryable (a timeout, a 5xx, a rate limit) is retried inside the cycle after a growing delay (never a create, whose outcome may be unknown), then by the next cycles (the first three at once, then after 1, 2, 4 … minutes, at most an hour apart); one that is not retryable (a rejected value, a missing permission) is not retried inside the cycle, and is sent again when its object changes or on a full cycle. A change that failed in `maxAttempts` cycles is given up: it is not sent again — also not by a full cycle — and status, the job and the reports list it with its error code, until its desired state changes or an operator runs `imesh reconcile --retry-failed`.
 *
 * This interface was referenced by `MeshDocument`'s JSON-Schema
 * via the `definition` "ExportRetry".
 */
export interface ExportRetry1 {
  /**
   * Cycles that may send one failed change before it is given up.
   */
  maxAttempts?: number;
  /**
   * Further tries, inside the same cycle, of changes that failed retryably (0: none).
   */
  retries?: number;
  backoff?: Duration;
}
/**
 * Where status, drift and conflict reports are committed.
 *
 * This interface was referenced by `MeshDocument`'s JSON-Schema
 * via the `definition` "Reports".
 */
export interface Reports1 {
  /**
   * The Git branch reports are committed to (outside Git: ignored, reports go under `.imesh/<path>/`).
   */
  branch?: string;
  /**
   * The folder, in that branch (or under `.imesh/`), that holds the reports.
   */
  path?: string;
}
/**
 * When `imesh run` starts cycles. A Connector's `spec.schedule` overrides it for that connector.
 *
 * This interface was referenced by `MeshDocument`'s JSON-Schema
 * via the `definition` "Schedule".
 */
export interface Schedule1 {
  interval?: Duration1;
  full?: Cron;
}
/**
 * How long the store keeps the history of every value (`imesh history`): each mesh value's changes with their source, confidence, revision and run, and each export applied to a target.
 *
 * This interface was referenced by `MeshDocument`'s JSON-Schema
 * via the `definition` "History".
 */
export interface History1 {
  retain?: Duration2;
}
