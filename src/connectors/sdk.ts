/**
 * The connector contract. The engine talks to connectors only through these types.
 * Connectors never see the store (the one exception: a push-based `scim-inbound` connector reads its
 * own inbox through the narrow, optional `ConnectorContext.inbox`); the engine never sees a vendor library.
 */
import type { ConnectorModel, ConnectorType, Scalar, Value } from '../config/model.js';
import type { Logger } from '../shared/logger.js';

export type { Scalar, Value } from '../config/model.js';
export type { Logger } from '../shared/logger.js';

/**
 * The boolean source attribute that holds a user's enabled state, on every connector that knows it
 * (AD from userAccountControl, LDAP from the type's `disabled` mapping, Okta from `status`, Entra ID
 * natively, SCIM from `active`), so `{ mesh: active, source: accountEnabled }` reads it anywhere. A
 * source attribute of that name already returned by the system is left as it is.
 */
export const ENABLED_ATTRIBUTE = 'accountEnabled';

/** One object as a connected system holds it. */
export interface StagedObject {
  /** The anchor: a stable identifier that survives renames and moves (GUID, entryUUID, primary key). */
  readonly externalId: string;
  /** Distinguished name, for directories. */
  readonly dn?: string;
  /** Attribute values by the system's own attribute names. Absent/NULL attributes are left out. */
  readonly attributes: Readonly<Record<string, Value>>;
  /**
   * The object is gone (tombstone, soft-delete column/value). An INACTIVE row (isActiveColumn false) is
   * NOT deleted here: report it with `enabled: false`. The engine applies `inactiveMeansDeleted` for
   * flow rules itself, because the same table can also be a projection target, where a row we disabled
   * is a disabled object, never a missing one.
   */
  readonly deleted?: boolean;
  /** The observed enabled state, for types that can disable (isActiveColumn, userAccountControl …). */
  readonly enabled?: boolean;
}

export interface ImportBatch {
  readonly objects: readonly StagedObject[];
  /** On the last batch only: the watermark that covers everything returned. Human-readable. */
  readonly watermark?: string;
  /**
   * Set when this read returned every object of the type (a full import, or a delta import that fell
   * back to a full read). Only then may the engine sweep objects it did not see as deleted.
   */
  readonly complete?: boolean;
  /**
   * Objects read but not usable as they are (an unparseable boolean in an active column, say): the
   * engine holds each back on its own — keeps what it had staged for it, never sweeps it as deleted —
   * and reports it. Optional, additive.
   */
  readonly rejected?: readonly RejectedObject[];
}

/** One object a connector could not read correctly; `reason` names the file, line and column where it can. */
export interface RejectedObject {
  readonly externalId: string;
  readonly reason: string;
}

export interface ObjectTypeCapabilities {
  /** deltaImport is meaningful; otherwise the engine always runs fullImport. */
  readonly delta: boolean;
  /** export is supported. */
  readonly export: boolean;
  /**
   * How a created object is addressed: by DN (directories), by a key attribute the projection renders
   * (tables, files), or by an id the server assigns (SCIM, cloud APIs).
   */
  readonly addressing: 'dn' | 'key' | 'server-assigned';
  /** For `key` addressing: the attribute that holds the key (e.g. the sql/csv externalIdColumn). */
  readonly keyAttribute?: string;
  /** The type can hold a disabled object (so `onRemove: disable` and `enabled` make sense). */
  readonly canDisable: boolean;
  /** As a source, an inactive object is a deleted one (seed's inverted soft delete). */
  readonly inactiveMeansDeleted: boolean;
  /** The attribute that holds the enabled state, written by `enabled` (e.g. `is_active`), if any. */
  readonly enabledAttribute?: string;
  /** Attribute names compared case-insensitively (LDAP). */
  readonly caseInsensitiveNames?: boolean;
}

export interface AttributeChange {
  /** Value before (observed), for the plan and drift reports. */
  readonly from?: Value;
  /** Value to write; undefined clears the attribute. */
  readonly to?: Value;
  /** For multi-valued attributes: incremental changes, so values we do not manage survive. */
  readonly add?: readonly Scalar[];
  readonly remove?: readonly Scalar[];
}

interface ChangeBase {
  /** Correlates the change with its result. Unique within one export call. */
  readonly id: string;
}

export type ExportChange =
  | (ChangeBase & {
      readonly op: 'create';
      readonly dn?: string;
      readonly key?: string;
      readonly attributes: Readonly<Record<string, Value>>;
      readonly enabled?: boolean;
      /** Initial password, for directories; only sent over TLS. */
      readonly password?: string;
    })
  | (ChangeBase & {
      readonly op: 'update';
      readonly externalId: string;
      readonly dn?: string;
      readonly attributes: Readonly<Record<string, AttributeChange>>;
    })
  | (ChangeBase & { readonly op: 'move'; readonly externalId: string; readonly dn: string; readonly newDn: string })
  | (ChangeBase & { readonly op: 'enable' | 'disable'; readonly externalId: string; readonly dn?: string })
  | (ChangeBase & { readonly op: 'delete'; readonly externalId: string; readonly dn?: string });

export type ExportOp = ExportChange['op'];

export type ExportResult =
  | {
      readonly id: string;
      readonly ok: true;
      /** For creates: the anchor of the new object. */
      readonly externalId?: string;
      readonly dn?: string;
      /** A create was held back (e.g. missing parent container without createContainers). */
      readonly heldBack?: string;
    }
  | {
      readonly id: string;
      readonly ok: false;
      readonly error: { readonly code: string; readonly message: string; readonly retryable: boolean };
    };

export interface CheckResult {
  readonly ok: boolean;
  readonly latencyMs: number;
  /** Server product/version, where the system says. */
  readonly server?: string;
  readonly objectTypes: Readonly<Record<string, { readonly count: number }>>;
  readonly error?: { readonly code: string; readonly message: string };
  readonly warnings?: readonly string[];
}

/**
 * A cycle's exports to one object type, applied together. `add` only queues: nothing reaches the system
 * before `commit`, which applies every queued change and returns one result per change. The engine
 * records nothing as exported before `commit` has returned, so a crash before or during it loses nothing
 * (the next cycle plans the same changes again, and adopts by key what the commit already wrote).
 */
export interface ExportSession {
  /**
   * Queues changes (ids unique within the session). A session that writes them somewhere as they come
   * (the csv target spools creates to disk) returns a promise: await it before adding more, so memory
   * stays bounded. It never rejects; a failure surfaces at `commit`.
   */
  add(changes: readonly ExportChange[]): void | Promise<void>;
  /** Applies every queued change at once. Throwing means none of them was applied. */
  commit(): Promise<ExportResult[]>;
  /** Drops the queued changes unwritten. */
  abort(): void;
}

export interface IdentityConnector {
  capabilities(type: string): ObjectTypeCapabilities;
  check(): Promise<CheckResult>;
  fullImport(type: string): AsyncIterable<ImportBatch>;
  deltaImport(type: string, watermark: string): AsyncIterable<ImportBatch>;
  /**
   * Optional: the objects with these external ids, those that exist (never `complete`). The engine reads
   * back what it just exported this way, so a confirming import costs what the export changed.
   */
  readObjects?(type: string, externalIds: readonly string[]): AsyncIterable<ImportBatch>;
  /**
   * Optional, for a type without a change log (no `delta`): a cheap token that changes whenever a full
   * import could return something else (a file's content hash together with the read options). On a
   * delta cycle the engine skips the full import when the token equals the one taken just before the
   * last complete read; full cycles always read.
   */
  changeToken?(type: string): Promise<string>;
  /** Idempotent writes. Throws NotSupportedError when the type cannot be written. */
  export(type: string, changes: readonly ExportChange[]): Promise<ExportResult[]>;
  /**
   * Optional: for a system that writes more cheaply in one go than batch by batch (a file rewritten
   * whole), the engine sends a cycle's changes of one type through a session instead of `export`.
   */
  beginExport?(type: string): ExportSession;
  close(): Promise<void>;
}

/** Resolves `{{secret:NAME}}` references at run time. */
export interface SecretResolver {
  /** Replaces every `{{secret:NAME}}` in `text` with the secret's value. Throws ConfigError if unset. */
  resolve(text: string): string;
}

/** One resource an identity provider pushed to us (a `scim-inbound` connector's inbox). */
export interface InboundResource {
  /** The id we assigned when the resource was created: the staged object's external id. */
  readonly id: string;
  /** The SCIM resource as last written (no `meta`). */
  readonly resource: Readonly<Record<string, unknown>>;
  /** Deleted by the provider (a tombstone, kept so that a delta import sees it). */
  readonly deleted: boolean;
  /** The write sequence number: every write gets a higher one. */
  readonly seq: number;
}

export interface InboundSnapshot {
  readonly resources: readonly InboundResource[];
  /** The highest write sequence number the snapshot covers (0 when empty). */
  readonly watermark: number;
}

/**
 * Read access to the resources pushed to one push-based connector (`scim-inbound`), for its imports.
 * This is the one narrow window a connector has on the store: it is supplied by the CLI's connector
 * opener for `scim-inbound` connectors only, and reads nothing but that connector's own inbox.
 */
export interface InboundResources {
  /** Every live resource of `type` (`user`, `group`). */
  list(type: string): Promise<InboundSnapshot>;
  /** Resources of `type` written at or after sequence `watermark` (inclusive), tombstones included. */
  changedSince(type: string, watermark: number): Promise<InboundSnapshot>;
}

/** What a connector is opened with; `ConnectorContext<'okta'>` carries an okta model (typed spec). */
export interface ConnectorContext<T extends ConnectorType = ConnectorType> {
  readonly model: ConnectorModel<T>;
  /** Absolute config directory (csv `file` paths resolve against it). */
  readonly configPath: string;
  /** Working directory (embedded `path` and `.imesh/` resolve against it). */
  readonly workDir: string;
  /**
   * Directories the operator allows file connectors to use besides the config path and the working
   * directory (`--data-root DIR`, `IMESH_DATA_ROOTS`); absolute. Optional, additive: none when absent.
   */
  readonly dataRoots?: readonly string[];
  readonly secrets: SecretResolver;
  readonly log: Logger;
  /**
   * Optional, additive: the inbox of a push-based connector (`scim-inbound`), supplied by the opener
   * for that type only. Every other connector type ignores it; pull connectors never see the store.
   */
  readonly inbox?: InboundResources;
}

/** Opens a connector of type `T` for one connector definition (config revision). */
export type ConnectorFactory<T extends ConnectorType = ConnectorType> = (context: ConnectorContext<T>) => IdentityConnector | Promise<IdentityConnector>;

/**
 * What one object type of a connector can do as a projection target, as far as the config can tell.
 * The connector's `capabilities()` stay authoritative at run time; these drive validation and defaults.
 */
export interface TargetTraits {
  readonly canExport: boolean;
  /** Why it cannot export, for messages. */
  readonly exportNote?: string;
  readonly canDisable: boolean;
  /**
   * Rows of a table or file: the key and the enabled state are columns the connector declares
   * (`externalIdColumn`, `isActiveColumn`), so `enabled` needs an active column and writes it.
   */
  readonly columns: boolean;
  /** Tables and files: the projection renders this key column. */
  readonly keyColumn?: string;
  /** Tables and files: the column that holds the enabled state. */
  readonly activeColumn?: string;
}

/** The version of the connector package contract below; a package states the one it was written for. */
export const CONNECTOR_SDK_VERSION = 1;

/**
 * The keys of a `type: package` connector spec that Identity Mesh owns. A package sees (and its schema
 * validates) the spec without them.
 */
export const PACKAGE_OWNED_SPEC_KEYS = ['type', 'package', 'schedule', 'suspend', 'driftCheck'] as const;

/** A connector package's spec as its schema accepted it (defaults applied): its own keys, `objectTypes` among them. */
export interface PackageSpec {
  readonly objectTypes: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly [key: string]: unknown;
}

/** What a package's connector is opened with: the built-in context, with the package's own spec. */
export interface PackageConnectorContext<Spec extends PackageSpec = PackageSpec> extends Omit<ConnectorContext, 'model' | 'inbox'> {
  readonly model: {
    /** The Connector document's `metadata.name`: prefix messages and errors with it. */
    readonly name: string;
    readonly spec: Spec;
    readonly objectTypes: readonly string[];
  };
}

export type PackageConnectorFactory<Spec extends PackageSpec = PackageSpec> = (context: PackageConnectorContext<Spec>) => IdentityConnector | Promise<IdentityConnector>;

/**
 * What an installed connector package exports (as its default export, or as `descriptor`): the public
 * counterpart of a built-in type's descriptor. Identity Mesh reads it without opening a connection —
 * `imesh validate`, planning and the secret-destination model ask it — and calls `load` only to open one.
 * Its module must be cheap to import: keep client libraries behind `load`.
 */
export interface ConnectorPackageDescriptor<Spec extends PackageSpec = PackageSpec> {
  /** The contract version the package was written for (`CONNECTOR_SDK_VERSION`). */
  readonly sdkVersion: typeof CONNECTOR_SDK_VERSION;
  /** A short name for the kind of system (`acme-hr`): the connector's log lines carry it as `connectorType`. Lower-case letters, digits and `-`. */
  readonly type: string;
  /**
   * JSON Schema (draft 2020-12) of the spec without the keys Identity Mesh owns (`PACKAGE_OWNED_SPEC_KEYS`).
   * It must describe `objectTypes`. `imesh validate` checks each Connector against it and reports
   * problems at their file and line; defaults it declares are filled in.
   */
  readonly specSchema: Readonly<Record<string, unknown>>;
  /** What `objectType` can do as a projection target (validation and planning; no connection). */
  targetTraits(spec: Spec, objectType: string): TargetTraits;
  /** Whether connecting presents credentials (false: a local file). */
  hasCredentials(spec: Spec): boolean;
  /**
   * Every place the spec's secrets are sent: URL origins (`https://api.example.com`), or
   * `scheme://host:port`. Read from the spec as written (`{{secret:NAME}}` unresolved); `[]` when it sends
   * none. A secret is only ever handed to a connector whose destinations the operator has bound.
   */
  secretDestinations(spec: Spec): readonly string[] | Promise<readonly string[]>;
  /** Imports the implementation and returns its factory. */
  load(): Promise<PackageConnectorFactory<Spec>>;
}
