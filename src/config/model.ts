/**
 * The compiled configuration: an immutable, typed model built once per config revision. Nothing after
 * the config stage reads YAML; the engine, connectors and controller consume only this.
 */
import type { ConnectorSpec } from './generated/connector.js';
import type { DateBound, DateTest } from './relative-date.js';

/** Where a definition came from, for messages: path relative to the config path, 1-based. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export type Scalar = string | number | boolean;
/** An attribute value: a scalar, or a list for multi-valued attributes. Absent values are `undefined`. */
export type Value = Scalar | readonly Scalar[];

export type RenderResult =
  | { readonly ok: true; readonly value: Value }
  | { readonly ok: false; readonly missing: readonly string[] };

/** A compiled `{{attr | filter}}` template. */
export interface CompiledTemplate {
  readonly source: string;
  /** Attribute names the template reads (`item` included when used with forEach). */
  readonly attributes: readonly string[];
  /**
   * Renders the template. A template that is a single expression with no literal text keeps the
   * value's own type (a boolean, a list); anything else renders to a string. `escape` is applied to
   * every substituted value (not to literal text), e.g. RFC 4514 escaping for DN templates.
   * A missing attribute (absent, null or empty) without a `default` filter is reported, never rendered.
   */
  render(lookup: (name: string) => Value | undefined, escape?: (value: string) => string): RenderResult;
  /** True when a filter compares a date with today (`onOrBefore:"today"`): its value changes with the date. */
  readonly usesToday?: boolean;
}

export interface SecretRef {
  readonly secret: string;
}

export type MeshAttributeType = 'string' | 'boolean' | 'integer' | 'reference';

export interface MeshAttribute {
  readonly name: string;
  readonly type: MeshAttributeType;
  readonly multiValued: boolean;
  /** For references: the mesh object types a value may point at. */
  readonly to: readonly string[];
}

export interface MeshObjectType {
  readonly name: string;
  readonly attributes: ReadonlyMap<string, MeshAttribute>;
}

export interface SafetyModel {
  readonly maxDeletes: number;
  readonly maxDeletePercent: number;
  /** Objects of one type per target connector that may lose one attribute in a cycle. */
  readonly maxClears: number;
  readonly maxClearPercent: number;
}

/** How failed exports are sent again (Mesh `spec.exportRetry`). */
export interface ExportRetryModel {
  /** Cycles that may send one failed change before it is given up. */
  readonly maxAttempts: number;
  /** Further tries inside a cycle of changes that failed retryably. */
  readonly retries: number;
  /** Delay before the first retry inside a cycle; doubles per retry. */
  readonly backoffMs: number;
}

export interface ScheduleModel {
  /** Delta cycle interval in milliseconds. */
  readonly intervalMs: number;
  /** Cron expression (UTC) for full cycles. */
  readonly full: string;
}

export interface ApiTokenModel {
  readonly name: string;
  readonly role: 'viewer' | 'operator';
  readonly token: SecretRef;
}

export interface MeshModel {
  readonly name: string;
  readonly location: SourceLocation;
  readonly objectTypes: ReadonlyMap<string, MeshObjectType>;
  readonly safety: SafetyModel;
  readonly exportRetry: ExportRetryModel;
  readonly reports: { readonly branch: string; readonly path: string };
  readonly schedule: ScheduleModel;
  readonly suspend: boolean;
  readonly api?: { readonly tokens: readonly ApiTokenModel[] };
  /** Value and export history older than `retainMs` is pruned after each reconcile cycle. */
  readonly history: { readonly retainMs: number };
}

/** The connector types: the `type` values the Connector schema accepts (schemas/connector.schema.json). */
export type ConnectorType = ConnectorSpec['type'];

/** The validated spec of a connector of type `T`, as its schema describes it (src/config/generated/connector.ts). */
export type ConnectorSpecOf<T extends ConnectorType> = Extract<ConnectorSpec, { readonly type: T }>;

interface ConnectorModelBase<T extends ConnectorType> {
  readonly name: string;
  readonly type: T;
  readonly location: SourceLocation;
  /**
   * The validated `spec` as written (schema defaults applied), typed by the connector's schema. Secret
   * references stay as `{{secret:NAME}}` strings; connectors resolve them at run time through their context.
   */
  readonly spec: Readonly<ConnectorSpecOf<T>>;
  /** The object type names the connector declares. */
  readonly objectTypes: readonly string[];
  /** Its own timetable (a scoped run), or `manual`: only on request; none: the Mesh's schedule. */
  readonly schedule?: Partial<ScheduleModel> & { readonly manual?: boolean };
  readonly suspend: boolean;
  /**
   * When a target object type without change tracking is read whole for drift on a delta cycle:
   * every cycle, only on full cycles, or when the last whole read is older than this many milliseconds.
   * Left out: `full-only`.
   */
  readonly driftCheck?: DriftCheckModel;
}

/**
 * One compiled connector. `ConnectorModel` (every type) is a union discriminated by `type`, so
 * `model.type === 'sql'` narrows `model.spec` to the sql spec; `ConnectorModel<'okta'>` is one type's.
 */
export type ConnectorModel<T extends ConnectorType = ConnectorType> = T extends ConnectorType ? ConnectorModelBase<T> : never;

export type DriftCheckModel = { readonly kind: 'every-cycle' } | { readonly kind: 'full-only' } | { readonly kind: 'interval'; readonly ms: number; readonly text: string };

export interface ObjectRef {
  readonly connector: string;
  readonly objectType: string;
}

export interface FlowJoinRule {
  /** Source attribute name. */
  readonly source: string;
  /** Mesh attribute name. */
  readonly mesh: string;
}

export interface FlowAttribute {
  readonly mesh: string;
  /** Exactly one of source and template. */
  readonly source?: string;
  readonly template?: CompiledTemplate;
  readonly confidence: number;
  readonly location: SourceLocation;
}

export interface MembershipFlow {
  /** Source attribute holding the group's external id. */
  readonly group: string;
  /** Source attribute holding the member's external id. */
  readonly member: string;
  /** Mesh reference attribute on the group that receives the member. */
  readonly attribute: string;
  readonly confidence: number;
}

export interface RoleMapping {
  readonly group: string;
  /** The role value: a plain string, or a structured role's canonical string (structured-value.ts). */
  readonly role: string;
}

export interface RoleMappingsFlow {
  readonly mappings: readonly RoleMapping[];
  /** Mesh attribute (multi-valued string) that receives the roles. */
  readonly attribute: string;
  readonly confidence: number;
}

interface FlowRuleBase {
  readonly name: string;
  readonly location: SourceLocation;
  readonly source: ObjectRef;
  readonly meshType: string;
  readonly join: readonly FlowJoinRule[];
  readonly provision: boolean;
  readonly attributes: readonly FlowAttribute[];
}

/** Each source object is an identity: it joins or provisions a mesh object and contributes `attributes`. */
export interface AttributeFlowRule extends FlowRuleBase {
  readonly kind: 'attributes';
  readonly membership?: never;
  readonly roleMappings?: never;
}

/** Each source object is one membership: it adds a member to a group mesh object. */
export interface MembershipFlowRule extends FlowRuleBase {
  readonly kind: 'membership';
  readonly membership: MembershipFlow;
  readonly roleMappings?: never;
}

/** Each source object is a group whose members get the roles mapped to it. */
export interface RoleMappingFlowRule extends FlowRuleBase {
  readonly kind: 'roleMappings';
  readonly roleMappings: RoleMappingsFlow;
  readonly membership?: never;
}

/** A flow rule; `kind` says what its source objects are (validation keeps the three forms apart). */
export type FlowRuleModel = AttributeFlowRule | MembershipFlowRule | RoleMappingFlowRule;
export type FlowRuleKind = FlowRuleModel['kind'];

export type ScopeCondition =
  | { readonly all: readonly ScopeCondition[] }
  | { readonly any: readonly ScopeCondition[] }
  | { readonly attribute: string; readonly present: boolean }
  | { readonly attribute: string; readonly equals: Scalar }
  | { readonly attribute: string; readonly in: readonly Scalar[] }
  | { readonly attribute: string; readonly matches: RegExp }
  /** `before`, `onOrBefore`, `after`, `onOrAfter` a date bound (`today+14d`): see relative-date.ts. */
  | { readonly attribute: string; readonly date: { readonly test: DateTest; readonly bound: DateBound } };

export interface ProjectionJoinRule {
  /** Target attribute name. */
  readonly target: string;
  /** Mesh attribute name. */
  readonly mesh: string;
}

export interface ProjectionAttribute {
  readonly name: string;
  /** For a structured attribute: `{{forEach}}`, the mesh attribute it reads. */
  readonly template: CompiledTemplate;
  /** A multi-valued complex attribute: one structured value per value of `forEach`, from field templates. */
  readonly structured?: { readonly forEach: string; readonly fields: readonly { readonly name: string; readonly template: CompiledTemplate }[] };
}

export interface PasswordPolicy {
  readonly initial?: SecretRef;
  readonly generate: boolean;
  readonly length: number;
}

export interface ProjectionModel {
  readonly name: string;
  readonly location: SourceLocation;
  readonly meshType: string;
  readonly target: ObjectRef;
  readonly scope?: ScopeCondition;
  readonly join: readonly ProjectionJoinRule[];
  readonly container?: CompiledTemplate;
  readonly rdn?: CompiledTemplate;
  /** In declared order. */
  readonly attributes: readonly ProjectionAttribute[];
  readonly enabled?: CompiledTemplate;
  readonly password?: PasswordPolicy;
  readonly onRemove: 'disable' | 'delete' | 'keep';
  readonly drift: 'enforce' | 'report';
  /** Project one target object per value of this multi-valued mesh attribute (`{{item}}`). */
  readonly forEach?: string;
}

/** At most `max` objects, and at most `maxPercent` of the target's objects of the type, per run. */
export interface PolicyLimitModel {
  readonly max?: number;
  readonly maxPercent?: number;
}

export type PolicyOperation = 'creates' | 'updates' | 'moves' | 'disables' | 'deletes';

export interface PolicyInvariantModel {
  /** A target attribute the covered projections write. */
  readonly attribute: string;
  readonly present: boolean;
  readonly unique: boolean;
  readonly pattern?: RegExp;
  readonly maxLength?: number;
  readonly resolvable: boolean;
  readonly description?: string;
  readonly location: SourceLocation;
}

/** A `kind: Policy` document: limits on one run's changes and invariants over the projected objects. */
export interface PolicyModel {
  readonly name: string;
  readonly location: SourceLocation;
  /** The projections it covers, by name. */
  readonly projections: readonly string[];
  readonly limits: Readonly<Partial<Record<PolicyOperation, PolicyLimitModel>>>;
  /** Objects on which one target attribute changes, by attribute name. */
  readonly attributeLimits: ReadonlyMap<string, PolicyLimitModel>;
  readonly invariants: readonly PolicyInvariantModel[];
}

export interface CompiledConfig {
  /** Absolute config directory. */
  readonly configPath: string;
  /** Content hash of every config file read (sha256 hex), used as the revision outside Git. */
  readonly contentHash: string;
  readonly mesh: MeshModel;
  readonly connectors: ReadonlyMap<string, ConnectorModel>;
  readonly flowRules: readonly FlowRuleModel[];
  readonly projections: readonly ProjectionModel[];
  readonly policies: readonly PolicyModel[];
}

/** A validation problem, as printed `file:line:column: message`. */
export interface Problem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  readonly key?: string;
}
