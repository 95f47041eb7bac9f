/**
 * What the rest of Identity Mesh knows about a connector type, without loading it. Each
 * `src/connectors/<type>/` folder exports one descriptor (`<type>-descriptor.ts`) and `registry.ts`
 * lists them; the config checks, the secret-destination model, the API's connection test, the SCIM
 * endpoint and the CLI ask the descriptor instead of switching on type names.
 *
 * A descriptor module must not import a vendor library (ldapts, pg, mssql, undici …), directly or
 * through another module: it is loaded by `imesh validate` and by the controller for every config.
 * Everything that needs the vendor library sits behind `load()`.
 */
import type { CheckContext } from '../config/check-context.js';
import type { ConnectorDoc, ProjectionDoc } from '../config/documents.js';
import type { ConnectorModel, ConnectorSpecOf, ConnectorType } from '../config/model.js';
import type { ConnectorFactory, TargetTraits } from './sdk.js';

export type { TargetTraits } from './sdk.js';

/** A push-based type: an identity provider writes to Identity Mesh's endpoint, which keeps an inbox. */
export interface InboxTraits<T extends ConnectorType> {
  /** The endpoint the provider calls, for messages (`/scim/NAME/v2/`). */
  endpoint(name: string): string;
  /** The `{{secret:NAME}}` reference of the token clients must present; compared, never sent. */
  bearerToken(spec: ConnectorSpecOf<T>): string;
}

export interface ConnectorDescriptor<T extends ConnectorType> {
  /** The `spec.type` value, as the Connector schema (schemas/connector.schema.json) spells it. */
  readonly type: T;
  /** Objects are directory entries addressed by DN: projections give a container and an rdn (and may set passwords). */
  readonly directory: boolean;
  /**
   * The traits of `objectType` as a projection target (`objectType` may be undeclared: a dangling
   * reference is reported elsewhere, the traits must still answer).
   */
  targetTraits(spec: ConnectorSpecOf<T>, objectType: string): TargetTraits;
  /**
   * Semantic checks of the Connector document the schema cannot express (contradicting settings,
   * plain-text credentials, insecure URLs). Report through `ctx.report(doc, path, message)`.
   */
  checkSpec?(ctx: CheckContext, doc: ConnectorDoc, spec: ConnectorSpecOf<T>): void;
  /** Checks of a Projection that writes to this connector, beyond the generic ones the traits drive. */
  checkTarget?(ctx: CheckContext, projection: ProjectionDoc, connector: ConnectorDoc, spec: ConnectorSpecOf<T>): void;
  /**
   * For types whose object types may list the attributes they load (sql `columnsToLoad`): the loaded
   * list of `objectType` and the setting's name, or undefined when it loads everything. The checks
   * report a flow rule that reads, or a projection that writes, an attribute left out.
   */
  loadedAttributes?(spec: ConnectorSpecOf<T>, objectType: string): { readonly attributes: readonly string[]; readonly setting: string } | undefined;
  /**
   * For types whose columns hold lists as joined text (csv): the spec with `columns` (object type →
   * column names) marked multi-valued. The config infers them from projections that write a whole
   * multi-valued mesh attribute into a column, so reading the file back splits them again.
   */
  withListColumns?(spec: ConnectorSpecOf<T>, columns: ReadonlyMap<string, ReadonlySet<string>>): ConnectorSpecOf<T>;
  /** Whether connecting presents credentials (false: local files, an embedded database). */
  hasCredentials(spec: ConnectorSpecOf<T>): boolean;
  /**
   * Where the connector sends the secrets of its spec: URL origins, or scheme://host:port[/database].
   * Read from the spec as written (references unresolved); `[]` when it sends nothing anywhere. Throws
   * ConfigError when the spec is invalid. May import the connector's spec module lazily.
   */
  secretDestinations(model: ConnectorModel<T>, configPath: string): Promise<readonly string[]>;
  /** Present for push-based types only. */
  readonly inbox?: InboxTraits<T>;
  /** Imports the connector's implementation (and its vendor libraries) and returns its factory. */
  load(): Promise<ConnectorFactory<T>>;
}
