/* Generated from schemas/connector.schema.json by `npm run gen:types`. Do not edit: change the schema and regenerate. */

/**
 * The version of the config language. Only `identitymesh.dev/v1alpha1` exists.
 */
export type ApiVersion = 'identitymesh.dev/v1alpha1';
/**
 * The connector's settings; `type` selects which keys apply.
 *
 * This interface was referenced by `ConnectorDocument`'s JSON-Schema
 * via the `definition` "ConnectorSpec".
 */
export type ConnectorSpec =
  | ActiveDirectoryConnectorSpec
  | LdapConnectorSpec
  | SqlConnectorSpec
  | OktaConnectorSpec
  | EntraIdConnectorSpec
  | ScimConnectorSpec
  | ScimInboundConnectorSpec
  | CsvConnectorSpec
  | RestConnectorSpec
  | WorkdayConnectorSpec
  | PackageConnectorSpec;
/**
 * The bind password, as a secret reference.
 */
export type SecretRef = string;
/**
 * Connect and operation timeout.
 */
export type Duration = string;
/**
 * Delta run interval for this connector.
 */
export type Duration1 = string;
/**
 * Cron (UTC) for this connector's full runs.
 */
export type Cron = string;
/**
 * When this connector's target object types that have no change tracking (csv files; tables without a watermark column) are read whole to find drift: `every-cycle`, `full-only` (only on full cycles: `--full`, the Mesh's `schedule.full`), or a duration (on a delta cycle when the last whole read is older than that). Types with change tracking are read by delta every cycle whatever this says, and an object type a flow rule reads is always imported. After an export, what was written is read back by key either way. Default `full-only`.
 */
export type DriftCheck = ('every-cycle' | 'full-only') | Duration2;
/**
 * A duration: a number with a unit (`ms`, `s`, `m`, `h`, `d`), optionally combined, e.g. `30s`, `5m`, `1h30m`.
 */
export type Duration2 = string;
/**
 * An API token, sent as `Authorization: SSWS …`.
 */
export type SecretRef1 = string;
/**
 * A duration: a number with a unit (`ms`, `s`, `m`, `h`, `d`), optionally combined, e.g. `30s`, `5m`, `1h30m`.
 */
export type Duration3 = string;
/**
 * The client secret.
 */
export type SecretRef2 = string;
/**
 * A duration: a number with a unit (`ms`, `s`, `m`, `h`, `d`), optionally combined, e.g. `30s`, `5m`, `1h30m`.
 */
export type Duration4 = string;
/**
 * The bearer token sent in `Authorization`.
 */
export type SecretRef3 = string;
/**
 * A duration: a number with a unit (`ms`, `s`, `m`, `h`, `d`), optionally combined, e.g. `30s`, `5m`, `1h30m`.
 */
export type Duration5 = string;
/**
 * The token the identity provider sends (its "Secret Token").
 */
export type SecretRef4 = string;
/**
 * How requests authenticate: `bearer` (a token), `basic` (user and password), `apiKey` (a key in a header or a query parameter) or `oauth2` (the client-credentials grant; the access token is cached until shortly before it expires and fetched again once when the API answers 401). Left out: no credentials.
 *
 * This interface was referenced by `ConnectorDocument`'s JSON-Schema
 * via the `definition` "RestAuth".
 */
export type RestAuth = RestBearerAuth | RestBasicAuth | RestApiKeyAuth | RestOAuth2Auth;
/**
 * The bearer token.
 */
export type SecretRef5 = string;
/**
 * The password.
 */
export type SecretRef6 = string;
/**
 * The key.
 */
export type SecretRef7 = string;
/**
 * The client secret.
 */
export type SecretRef8 = string;
/**
 * A duration: a number with a unit (`ms`, `s`, `m`, `h`, `d`), optionally combined, e.g. `30s`, `5m`, `1h30m`.
 */
export type Duration6 = string;
/**
 * Where the array of items is in a page's body (`""`: the body is the array).
 */
export type JsonPointer = string;
/**
 * `cursor`: where the next cursor is in the body.
 */
export type JsonPointer1 = string;
/**
 * `offset`/`page`: where the total number of items is in the body (also what `imesh check` counts).
 */
export type JsonPointer2 = string;
/**
 * Where in an item its stable id (the anchor) is.
 */
export type JsonPointer3 = string;
/**
 * A JSON Pointer (RFC 6901) into a JSON value: `` (the value itself), `/id`, `/profile/email`, `/emails/0/value`. A `*` segment stands for every element of an array (`/emails/* /value`: every email's value, a multi-valued attribute).
 *
 * This interface was referenced by `ConnectorDocument`'s JSON-Schema
 * via the `definition` "RestJsonPointer".
 */
export type JsonPointer4 = string;
/**
 * A JSON Pointer (RFC 6901) into a JSON value: `` (the value itself), `/id`, `/profile/email`, `/emails/0/value`. A `*` segment stands for every element of an array (`/emails/* /value`: every email's value, a multi-valued attribute).
 */
export type JsonPointer5 = string;
/**
 * A duration: a number with a unit (`ms`, `s`, `m`, `h`, `d`), optionally combined, e.g. `30s`, `5m`, `1h30m`.
 */
export type Duration7 = string;
/**
 * A JSON Pointer (RFC 6901) into a JSON value: `` (the value itself), `/id`, `/profile/email`, `/emails/0/value`. A `*` segment stands for every element of an array (`/emails/* /value`: every email's value, a multi-valued attribute).
 */
export type JsonPointer6 = string;
/**
 * A JSON Pointer (RFC 6901) into a JSON value: `` (the value itself), `/id`, `/profile/email`, `/emails/0/value`. A `*` segment stands for every element of an array (`/emails/* /value`: every email's value, a multi-valued attribute).
 */
export type JsonPointer7 = string;
/**
 * A JSON Pointer (RFC 6901) into a JSON value: `` (the value itself), `/id`, `/profile/email`, `/emails/0/value`. A `*` segment stands for every element of an array (`/emails/* /value`: every email's value, a multi-valued attribute).
 */
export type JsonPointer8 = string;
/**
 * A JSON Pointer (RFC 6901) into a JSON value: `` (the value itself), `/id`, `/profile/email`, `/emails/0/value`. A `*` segment stands for every element of an array (`/emails/* /value`: every email's value, a multi-valued attribute).
 */
export type JsonPointer9 = string;
/**
 * How requests authenticate: `basic` (an integration system user and its password) or `oauth2` (an API client for integrations with a refresh token; the access token is cached until shortly before it expires and fetched again once when the report answers 401).
 *
 * This interface was referenced by `ConnectorDocument`'s JSON-Schema
 * via the `definition` "WorkdayAuth".
 */
export type WorkdayAuth = WorkdayBasicAuth | WorkdayOAuth2Auth;
/**
 * The integration system user's password.
 */
export type SecretRef9 = string;
/**
 * The API client's secret.
 */
export type SecretRef10 = string;
/**
 * A non-expiring refresh token generated for the integration system user (Manage Refresh Tokens for Integrations).
 */
export type SecretRef11 = string;
/**
 * A duration: a number with a unit (`ms`, `s`, `m`, `h`, `d`), optionally combined, e.g. `30s`, `5m`, `1h30m`.
 */
export type Duration8 = string;
/**
 * A duration: a number with a unit (`ms`, `s`, `m`, `h`, `d`), optionally combined, e.g. `30s`, `5m`, `1h30m`.
 */
export type Duration9 = string;

/**
 * A connected system: where identities are read from (a source) and/or written to (a target).
 */
export interface ConnectorDocument {
  apiVersion: ApiVersion;
  /**
   * The document kind.
   */
  kind: 'Connector';
  metadata: Metadata;
  spec: ConnectorSpec;
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
 * Microsoft Active Directory over LDAP(S): objectGUID anchors, userAccountControl for enabled state, ranged `member` reads, tombstones for deletions.
 *
 * This interface was referenced by `ConnectorDocument`'s JSON-Schema
 * via the `definition` "ActiveDirectoryConnectorSpec".
 */
export interface ActiveDirectoryConnectorSpec {
  /**
   * The connector type.
   */
  type: 'active-directory';
  connection: LdapConnection;
  /**
   * The object types this connector reads and writes, by name.
   */
  objectTypes: {
    [k: string]: ActiveDirectoryObjectType | undefined;
  };
  schedule?: ConnectorSchedule;
  /**
   * Stop importing from and exporting to this connector until set back to false.
   */
  suspend?: boolean;
  driftCheck?: DriftCheck;
}
/**
 * How to reach and bind to the directory.
 *
 * This interface was referenced by `ConnectorDocument`'s JSON-Schema
 * via the `definition` "LdapConnection".
 */
export interface LdapConnection {
  /**
   * `ldaps://host:636`, or `ldap://host:389` (plain; add `tls.startTls: true` to upgrade). A bare host (`dc01.example.com`, or `dc01.example.com:636`, as the product documents write `host`) means `ldaps://`, or `ldap://` with `tls.startTls: true`. Binding with a password over plain LDAP logs a warning unless the host is loopback.
   */
  url: string;
  /**
   * The DN (or, for Active Directory, a user principal name) to bind as. Left out: anonymous bind.
   */
  bindDn?: string;
  bindPassword?: SecretRef;
  /**
   * The naming context; searches and deletion tracking start here.
   */
  baseDn: string;
  tls?: TlsOptions;
  /**
   * Entries per page of a paged search (RFC 2696).
   */
  pageSize?: number;
  timeout?: Duration;
}
/**
 * TLS settings for the connection.
 */
export interface TlsOptions {
  /**
   * PEM file with the certificate authorities to trust (relative paths resolve against the config path). Left out: the system's trusted authorities.
   */
  caFile?: string;
  /**
   * The host name expected in the server's certificate, when it differs from the URL's host.
   */
  servername?: string;
  /**
   * Verify the server's certificate. `false` is accepted only as a deliberate choice and is logged as a warning on every connect.
   */
  rejectUnauthorized?: boolean;
  /**
   * Upgrade a plain `ldap://` connection with StartTLS before binding.
   */
  startTls?: boolean;
}
/**
 * One kind of directory object (users, groups …) and where to find it. Objects are anchored by `objectGUID`; deletions are read from tombstones.
 *
 * This interface was referenced by `ConnectorDocument`'s JSON-Schema
 * via the `definition` "ActiveDirectoryObjectType".
 */
export interface ActiveDirectoryObjectType {
  /**
   * Where to search, below `connection.baseDn`.
   */
  searchBase: string;
  /**
   * LDAP filter (RFC 4515) selecting the objects of this type.
   */
  filter: string;
  /**
   * `sub`: the whole subtree below `searchBase`; `one`: its direct children only.
   */
  searchScope?: 'sub' | 'one';
  /**
   * Attributes to read. Left out: every user attribute the directory returns.
   */
  attributes?: string[];
  /**
   * Object classes for objects this connector creates. For Active Directory users the default is `[top, person, organizationalPerson, user]`, for groups `[top, group]`.
   *
   * @minItems 1
   */
  objectClasses?: [string, ...string[]];
  /**
   * Create missing OUs for templated containers. Otherwise an object whose container is missing is held back and reported.
   */
  createContainers?: boolean;
}
/**
 * This connector's own timetable: its runs are scoped to it (its import and rules, and the objects they change exported to every target; as a target, its import and projections). A key left out keeps the Mesh's value. Without `schedule` the connector follows the Mesh's schedule, in one run with the others that do.
 */
export interface ConnectorSchedule {
  interval?: Duration1;
  full?: Cron;
  /**
   * Run this connector only on request (`imesh reconcile --connector`, the API's sync); not with `interval` or `full`.
   */
  manual?: boolean;
}
/**
 * A generic LDAPv3 directory (OpenLDAP, 389 Directory Server …).
 *
 * This interface was referenced by `ConnectorDocument`'s JSON-Schema
 * via the `definition` "LdapConnectorSpec".
 */
export interface LdapConnectorSpec {
  /**
   * The connector type.
   */
  type: 'ldap';
  connection: LdapConnection;
  /**
   * The object types this connector reads and writes, by name.
   */
  objectTypes: {
    [k: string]: LdapObjectType | undefined;
  };
  schedule?: ConnectorSchedule;
  /**
   * Stop importing from and exporting to this connector until set back to false.
   */
  suspend?: boolean;
  driftCheck?: DriftCheck;
}
/**
 * One kind of directory object and where to find it.
 *
 * This interface was referenced by `ConnectorDocument`'s JSON-Schema
 * via the `definition` "LdapObjectType".
 */
export interface LdapObjectType {
  /**
   * Where to search, below `connection.baseDn`.
   */
  searchBase: string;
  /**
   * LDAP filter (RFC 4515) selecting the objects of this type.
   */
  filter: string;
  /**
   * `sub`: the whole subtree below `searchBase`; `one`: its direct children only.
   */
  searchScope?: 'sub' | 'one';
  /**
   * Attributes to read. Left out: every user attribute the directory returns.
   */
  attributes?: string[];
  /**
   * Object classes for objects this connector creates.
   *
   * @minItems 1
   */
  objectClasses?: [string, ...string[]];
  /**
   * Create missing organizational units for templated containers. Otherwise an object whose container is missing is held back and reported.
   */
  createContainers?: boolean;
  /**
   * The operational attribute that anchors an entry across renames and moves.
   */
  externalIdAttribute?: string;
  /**
   * How a disabled entry is marked, for directories without a standard account flag. With it the type can disable (`enabled`, `onRemove: disable`).
   */
  disabled?: {
    /**
     * The attribute that marks a disabled entry.
     */
    attribute: string;
    /**
     * The attribute's value on a disabled entry; an enabled entry has the attribute removed.
     */
    value: string;
  };
}
/**
 * A SQL database: PostgreSQL, SQL Server, or the embedded PGlite. Values are always bound parameters.
 *
 * This interface was referenced by `ConnectorDocument`'s JSON-Schema
 * via the `definition` "SqlConnectorSpec".
 */
export interface SqlConnectorSpec {
  /**
   * The connector type.
   */
  type: 'sql';
  connection: SqlConnection;
  /**
   * The object types this connector reads and writes, by name.
   */
  objectTypes: {
    [k: string]: SqlObjectType | undefined;
  };
  schedule?: ConnectorSchedule;
  /**
   * Stop importing from and exporting to this connector until set back to false.
   */
  suspend?: boolean;
  driftCheck?: DriftCheck;
}
/**
 * Which database and how to reach it.
 *
 * This interface was referenced by `ConnectorDocument`'s JSON-Schema
 * via the `definition` "SqlConnection".
 */
export interface SqlConnection {
  /**
   * `postgres` (PostgreSQL), `mssql` (SQL Server) or `embedded` (PGlite, a PostgreSQL in a local folder, no server).
   */
  driver: 'postgres' | 'mssql' | 'embedded';
  /**
   * For `postgres` and `mssql`: the connection string or URL. Put any password in a secret reference (the whole string may be one: `{{secret:hr-db-url}}`).
   */
  connectionString?: string;
  /**
   * For `embedded`: the PGlite data directory, relative to the working directory (not the config path).
   */
  path?: string;
  /**
   * For `mssql`: encrypt the connection (TLS). Left out: the connection string's setting, else true. Turning it off is logged as a warning.
   */
  encrypt?: boolean;
  /**
   * For `mssql`: accept the server's certificate without verifying it (default false). Only by explicit choice; logged as a warning.
   */
  trustServerCertificate?: boolean;
  /**
   * For `postgres` and `mssql`: the most connections the connector opens at once.
   */
  poolSize?: number;
  /**
   * For `postgres` and `mssql`: how long one statement may run before it is cancelled (a PostgreSQL full import, one `COPY`: how long the server may send no rows while the connector waits for them).
   */
  statementTimeoutSeconds?: number;
  /**
   * For `postgres` and `mssql`: how long to wait for a connection.
   */
  connectTimeoutSeconds?: number;
}
/**
 * A table or query whose rows are objects of one type. Give exactly one of `table`, `query` and `importQuery`.
 *
 * This interface was referenced by `ConnectorDocument`'s JSON-Schema
 * via the `definition` "SqlObjectType".
 */
export interface SqlObjectType {
  /**
   * The table (optionally schema-qualified). A target needs a table.
   */
  table?: string;
  /**
   * A SELECT whose rows are the objects (read-only: a query cannot be a target). For delta imports, the watermark condition is added around it.
   */
  query?: string;
  /**
   * The product documents' name for the source: a table name (`dbo.Employees`) or a read-only SELECT. A name is taken as `table`, a statement starting with SELECT or WITH as `query`. Give one of `table`, `query` and `importQuery`.
   */
  importQuery?: string;
  /**
   * The column holding the row's stable key (the anchor). On a target, the projection must render it.
   */
  externalIdColumn: string;
  /**
   * The column delta imports compare against the last watermark. Left out: every import is a full read.
   */
  watermarkColumn?: string;
  /**
   * Another name for `watermarkColumn` (the product documents use both). Give one of them.
   */
  deltaColumn?: string;
  /**
   * What `watermarkColumn` holds: `datetime` (a timestamp; read with an `overlapSeconds` look-back), `bigint` or its alias `long` (a number that grows on every change), `rowversion` (SQL Server) or `binary` (an 8-byte binary counter that grows on every change, compared byte by byte, e.g. a `binary(8)` copy of a rowversion or a PostgreSQL `bytea`). `date` is rejected: a date has no time part, so same-day changes would be missed.
   */
  deltaColumnType?: 'datetime' | 'bigint' | 'long' | 'rowversion' | 'binary';
  /**
   * For `datetime` watermarks: how far before the last watermark delta reads start, to catch rows committed late with an earlier timestamp.
   */
  overlapSeconds?: number;
  /**
   * A boolean column. As a source, a row where it is false is a deleted object; as a target, it holds the object's enabled state (what `enabled` writes and `onRemove: disable` sets).
   */
  isActiveColumn?: string;
  /**
   * As a source: the column that marks a deleted row (with `softDeleteValue`).
   */
  softDeleteColumn?: string;
  /**
   * The `softDeleteColumn` value of a deleted row (booleans compare as booleans: `true`, `1`, `yes`). Default with a `softDeleteColumn`: `true`.
   */
  softDeleteValue?: string | number | boolean;
  /**
   * The columns to read (`SELECT col, …` instead of `SELECT *`). The external id, watermark, `isActiveColumn` and `softDeleteColumn` columns are always added, so they need not be listed. Left out or `[]`: every column.
   */
  columnsToLoad?: string[];
  /**
   * With the `embedded` driver only: create the table when it does not exist (text columns, the external id column as primary key, a boolean `isActiveColumn`).
   */
  createTable?: boolean;
  /**
   * How a multi-valued value is joined in a column that is not an array.
   */
  multiValueSeparator?: string;
  /**
   * Rows per import batch.
   */
  pageSize?: number;
}
/**
 * Okta Universal Directory over its management API. Hard deletes are read from the System Log.
 *
 * This interface was referenced by `ConnectorDocument`'s JSON-Schema
 * via the `definition` "OktaConnectorSpec".
 */
export interface OktaConnectorSpec {
  /**
   * The connector type.
   */
  type: 'okta';
  connection: OktaConnection;
  /**
   * The object types to import and export; a type left out is not imported.
   */
  objectTypes: {
    user?: OktaSearchObjectType;
    group?: OktaSearchObjectType;
    /**
     * Group memberships, one object per member; external id `<groupId>:<userId>`, attributes `groupId` and `memberId`.
     */
    membership?: {};
  };
  schedule?: ConnectorSchedule;
  /**
   * Stop importing from and exporting to this connector until set back to false.
   */
  suspend?: boolean;
  driftCheck?: DriftCheck;
}
/**
 * The Okta org and its API token.
 *
 * This interface was referenced by `ConnectorDocument`'s JSON-Schema
 * via the `definition` "OktaConnection".
 */
export interface OktaConnection {
  /**
   * The org's URL, or its bare domain as the Okta runbook writes `OrgDomain` (`contoso.okta.com` means `https://contoso.okta.com`). `https://`, or `http://` written out for a loopback host (tests).
   */
  orgUrl: string;
  apiToken: SecretRef1;
  /**
   * Objects per page (Okta allows at most 200).
   */
  pageSize?: number;
  timeout?: Duration3;
}
/**
 * Okta users (`user`) or groups (`group`, type OKTA_GROUP).
 *
 * This interface was referenced by `ConnectorDocument`'s JSON-Schema
 * via the `definition` "OktaSearchObjectType".
 */
export interface OktaSearchObjectType {
  /**
   * An Okta `search` expression limiting the objects imported; ANDed with `lastUpdated gt "…"` on delta runs.
   */
  search?: string;
  /**
   * The attribute that anchors the object.
   */
  externalIdAttribute?: string;
}
/**
 * Microsoft Entra ID through Microsoft Graph; delta queries for changes and deletions.
 *
 * This interface was referenced by `ConnectorDocument`'s JSON-Schema
 * via the `definition` "EntraIdConnectorSpec".
 */
export interface EntraIdConnectorSpec {
  /**
   * The connector type.
   */
  type: 'entra-id';
  connection: EntraIdConnection;
  /**
   * The object types to import and export; a type left out is not imported.
   */
  objectTypes: {
    user?: EntraIdObjectType;
    group?: EntraIdObjectType;
  };
  schedule?: ConnectorSchedule;
  /**
   * Stop importing from and exporting to this connector until set back to false.
   */
  suspend?: boolean;
  driftCheck?: DriftCheck;
}
/**
 * The tenant and the app registration used with the client-credentials grant.
 *
 * This interface was referenced by `ConnectorDocument`'s JSON-Schema
 * via the `definition` "EntraIdConnection".
 */
export interface EntraIdConnection {
  /**
   * The directory (tenant) id.
   */
  tenantId: string;
  /**
   * The application (client) id.
   */
  clientId: string;
  clientSecret: SecretRef2;
  /**
   * The token authority; override for national clouds and tests. `https://`, or `http://` for a loopback host.
   */
  authorityUrl?: string;
  /**
   * The Microsoft Graph endpoint; override for national clouds and tests.
   */
  graphUrl?: string;
  /**
   * Objects per page (`$top`; Graph allows at most 999).
   */
  pageSize?: number;
  timeout?: Duration4;
}
/**
 * Entra ID users (`user`) or groups (`group`).
 *
 * This interface was referenced by `ConnectorDocument`'s JSON-Schema
 * via the `definition` "EntraIdObjectType".
 */
export interface EntraIdObjectType {
  /**
   * Properties to read (`$select`). Left out: Graph's default set.
   */
  select?: string[];
  /**
   * An OData `$filter` limiting the objects imported.
   */
  filter?: string;
}
/**
 * An application we provision over SCIM 2.0 (RFC 7643/7644).
 *
 * This interface was referenced by `ConnectorDocument`'s JSON-Schema
 * via the `definition` "ScimConnectorSpec".
 */
export interface ScimConnectorSpec {
  /**
   * The connector type.
   */
  type: 'scim';
  connection: ScimConnection;
  /**
   * The object types (SCIM resource types), by name.
   */
  objectTypes: {
    [k: string]: ScimObjectType | undefined;
  };
  schedule?: ConnectorSchedule;
  /**
   * Stop importing from and exporting to this connector until set back to false.
   */
  suspend?: boolean;
  driftCheck?: DriftCheck;
}
/**
 * The SCIM 2.0 service provider we provision.
 *
 * This interface was referenced by `ConnectorDocument`'s JSON-Schema
 * via the `definition` "ScimConnection".
 */
export interface ScimConnection {
  /**
   * The SCIM base URL (the one that `/Users` is relative to). `https://`, or `http://` for a loopback host.
   */
  baseUrl: string;
  bearerToken: SecretRef3;
  /**
   * Resources per page (`count`).
   */
  pageSize?: number;
  timeout?: Duration5;
}
/**
 * A SCIM resource type.
 *
 * This interface was referenced by `ConnectorDocument`'s JSON-Schema
 * via the `definition` "ScimObjectType".
 */
export interface ScimObjectType {
  /**
   * The resource type's name at the service provider (its endpoint without the slash).
   */
  resource: string;
  /**
   * A SCIM filter limiting the resources imported.
   */
  filter?: string;
}
/**
 * A SCIM 2.0 endpoint served by `imesh run` at `/scim/<connector-name>/v2/`, for an identity provider that provisions us. A source only.
 *
 * This interface was referenced by `ConnectorDocument`'s JSON-Schema
 * via the `definition` "ScimInboundConnectorSpec".
 */
export interface ScimInboundConnectorSpec {
  /**
   * The connector type.
   */
  type: 'scim-inbound';
  connection: ScimInboundConnection;
  /**
   * The resource types accepted; a type left out is refused.
   */
  objectTypes: {
    /**
     * SCIM Users.
     */
    user?: {};
    /**
     * SCIM Groups.
     */
    group?: {};
  };
  schedule?: ConnectorSchedule;
  /**
   * Stop importing from this connector until set back to false.
   */
  suspend?: boolean;
}
/**
 * How the identity provider authenticates when it provisions us.
 *
 * This interface was referenced by `ConnectorDocument`'s JSON-Schema
 * via the `definition` "ScimInboundConnection".
 */
export interface ScimInboundConnection {
  bearerToken: SecretRef4;
}
/**
 * CSV files, as a source or a target; no server needed.
 *
 * This interface was referenced by `ConnectorDocument`'s JSON-Schema
 * via the `definition` "CsvConnectorSpec".
 */
export interface CsvConnectorSpec {
  /**
   * The connector type.
   */
  type: 'csv';
  /**
   * The object types (one file each), by name.
   */
  objectTypes: {
    [k: string]: CsvObjectType | undefined;
  };
  schedule?: ConnectorSchedule;
  /**
   * Stop importing from and exporting to this connector until set back to false.
   */
  suspend?: boolean;
  driftCheck?: DriftCheck;
}
/**
 * A CSV file whose rows are objects of one type. A source file is read whole on every cycle.
 *
 * This interface was referenced by `ConnectorDocument`'s JSON-Schema
 * via the `definition` "CsvObjectType".
 */
export interface CsvObjectType {
  /**
   * The file, relative to the config path or absolute. It must resolve, symlinks included, to a regular file under the config repository (sources only), the working directory, or a data root the operator names (`--data-root DIR`, `IMESH_DATA_ROOTS`); a target file never resolves inside the config repository.
   */
  file: string;
  /**
   * The column holding the row's stable key. A target file's header starts with it.
   */
  externalIdColumn: string;
  /**
   * The field delimiter.
   */
  delimiter?: string;
  /**
   * The file's character encoding (any encoding iconv-lite knows, e.g. `utf-8`, `windows-1252`, `latin1`, `utf-16le`).
   */
  encoding?: string;
  /**
   * A boolean column (`true/false`, `1/0`, `yes/no`). As a source, a row where it is false is a deleted object; as a target, it holds the enabled state and is written after the projection's attributes.
   */
  isActiveColumn?: string;
  /**
   * As a source: the column that marks a deleted row (with `softDeleteValue`).
   */
  softDeleteColumn?: string;
  /**
   * The `softDeleteColumn` value of a deleted row.
   */
  softDeleteValue?: string;
  /**
   * How the values of a multi-valued attribute are joined in one cell.
   */
  multiValueSeparator?: string;
  /**
   * Columns whose cells hold several values joined by `multiValueSeparator`; they import as lists. Other cells stay single strings (a multi-valued mesh attribute still splits them). A target column that a projection fills with a multi-valued mesh attribute (`members: "{{members}}"`) is added automatically.
   */
  multiValuedColumns?: string[];
  /**
   * As a target: a cell starting with `=`, `@`, a tab or a carriage return, or with `+`/`-` unless the rest is a plain number or phone number, is written with a leading `'` so spreadsheet programs show it as text instead of running it (CSV injection). Reading strips that prefix again, so values round-trip unchanged. Set false for files read by programs that want the raw text.
   */
  neutralizeFormulas?: boolean;
}
/**
 * A REST/JSON API described by configuration: list endpoints, pagination, JSON pointers to the values, and (as a target) one request template per operation. Credentials go only to `connection.baseUrl`'s origin and, for OAuth2, the token URL's; URL templates fill only the path and query.
 *
 * This interface was referenced by `ConnectorDocument`'s JSON-Schema
 * via the `definition` "RestConnectorSpec".
 */
export interface RestConnectorSpec {
  /**
   * The connector type.
   */
  type: 'rest';
  connection: RestConnection;
  /**
   * The object types, by name.
   */
  objectTypes: {
    [k: string]: RestObjectType | undefined;
  };
  schedule?: ConnectorSchedule;
  /**
   * Stop importing from and exporting to this connector until set back to false.
   */
  suspend?: boolean;
  driftCheck?: DriftCheck;
}
/**
 * Where the API is and how to authenticate to it.
 *
 * This interface was referenced by `ConnectorDocument`'s JSON-Schema
 * via the `definition` "RestConnection".
 */
export interface RestConnection {
  /**
   * The API's base URL; every configured path is relative to it (`/users` under `https://api.example.com/v2` is `https://api.example.com/v2/users`). `https://`, or `http://` for a loopback host. Credentials are sent to this origin only.
   */
  baseUrl: string;
  auth?: RestAuth;
  /**
   * Extra request headers (a value may be a `{{secret:NAME}}` reference; it is sent to the base URL's origin only). `Authorization` is set by `auth`.
   */
  headers?: {
    [k: string]: string | undefined;
  };
  tls?: RestTls;
  /**
   * Objects asked for per page (sent in the pagination's `limitParam`).
   */
  pageSize?: number;
  /**
   * Requests in flight at once.
   */
  concurrency?: number;
  timeout?: Duration6;
}
export interface RestBearerAuth {
  /**
   * `Authorization: Bearer <token>`.
   */
  type: 'bearer';
  token: SecretRef5;
}
export interface RestBasicAuth {
  /**
   * `Authorization: Basic <base64(user:password)>` (RFC 7617).
   */
  type: 'basic';
  /**
   * The user name.
   */
  username: string;
  password: SecretRef6;
}
export interface RestApiKeyAuth {
  /**
   * An API key in a header or a query parameter.
   */
  type: 'apiKey';
  /**
   * Where the key goes.
   */
  in?: 'header' | 'query';
  /**
   * The header or query parameter name.
   */
  name: string;
  value: SecretRef7;
}
export interface RestOAuth2Auth {
  /**
   * OAuth 2.0 client credentials (RFC 6749 §4.4); the access token is sent as `Authorization: Bearer`.
   */
  type: 'oauth2';
  /**
   * The token endpoint. `https://`, or `http://` for a loopback host. The client secret is sent to this origin only.
   */
  tokenUrl: string;
  /**
   * The client id.
   */
  clientId: string;
  clientSecret: SecretRef8;
  /**
   * The scope asked for (space-separated).
   */
  scope?: string;
  /**
   * How the client authenticates to the token endpoint: `post` (client_id and client_secret in the form) or `basic` (HTTP Basic, RFC 6749 §2.3.1).
   */
  clientAuth?: 'post' | 'basic';
}
/**
 * TLS settings of the API's and the token URL's connections.
 *
 * This interface was referenced by `ConnectorDocument`'s JSON-Schema
 * via the `definition` "RestTls".
 */
export interface RestTls {
  /**
   * PEM file with extra certificate authorities to trust (relative paths resolve against the config path). Left out: the system's trusted authorities.
   */
  caFile?: string;
}
/**
 * One kind of object of the API: how to list it, where its id and attributes are, and how to write it.
 *
 * This interface was referenced by `ConnectorDocument`'s JSON-Schema
 * via the `definition` "RestObjectType".
 */
export interface RestObjectType {
  list: RestList;
  externalId: JsonPointer3;
  /**
   * Attribute name → JSON pointer into an item. A nested array of values is a multi-valued attribute; objects are not values (point into them). Left out: every top-level member of the item that is a value or an array of values.
   */
  attributes?: {
    [k: string]: JsonPointer4 | undefined;
  };
  /**
   * Where the account's enabled state is: the item is enabled when the value at `pointer` equals `value`. Read as the boolean attribute `accountEnabled`; as a target, written at `pointer` (`value` or `disabledValue`).
   */
  enabled?: {
    pointer: JsonPointer4;
    /**
     * The value meaning enabled.
     */
    value?: string | number | boolean;
    /**
     * The value a disable writes.
     */
    disabledValue?: string | number | boolean;
  };
  /**
   * Items the API still lists but that are deleted (a soft delete): the value at `pointer` equals `value`. They import as deleted objects. Objects that disappear from the list are found by full imports (a sweep).
   */
  deleted?: {
    pointer: JsonPointer4;
    /**
     * The value meaning deleted.
     */
    value: string | number | boolean;
  };
  /**
   * Delta imports: the list is asked for changes since the newest `watermark` value seen, less `overlap`, in the query parameter `param`. Left out: every import reads everything.
   */
  delta?: {
    /**
     * The query parameter that takes the lower bound.
     */
    param: string;
    watermark: JsonPointer5;
    overlap?: Duration7;
  };
  /**
   * Reading one object by its id, for the confirming import after an export (the engine then reads back only what it wrote instead of the whole list). A 404 or 410 means the object does not exist. Left out: the list is read.
   */
  get?: {
    /**
     * Path template with `{{externalId}}`, relative to the base URL.
     */
    path: string;
    item?: JsonPointer6;
  };
  /**
   * How `imesh check` counts the objects: a request whose response holds the total at `pointer`. Left out: the list's total (`pagination.total`) or the first page's size.
   */
  count?: {
    /**
     * The count endpoint's path (and query), relative to the base URL.
     */
    path: string;
    pointer: JsonPointer7;
  };
  export?: RestExport;
}
/**
 * The list endpoint of an object type.
 *
 * This interface was referenced by `ConnectorDocument`'s JSON-Schema
 * via the `definition` "RestList".
 */
export interface RestList {
  /**
   * Path (and query) relative to the base URL.
   */
  path: string;
  /**
   * Extra query parameters.
   */
  query?: {
    [k: string]: string | undefined;
  };
  items?: JsonPointer;
  pagination?: RestPagination;
}
/**
 * How the list is paged. `link`: follow `Link: <…>; rel="next"` (RFC 8288) until a page has none. `cursor`: send the value at `cursor` in the body as the query parameter `param`, until it is absent, null or empty. `offset`: `offsetParam`/`limitParam`, until a page is short or empty, or `total` items were read. `page`: a page number in `pageParam` from `firstPage`, until a page is short or empty (or `total`). `none`: one request.
 *
 * This interface was referenced by `ConnectorDocument`'s JSON-Schema
 * via the `definition` "RestPagination".
 */
export interface RestPagination {
  /**
   * The pagination style (see above).
   */
  style: 'none' | 'link' | 'cursor' | 'offset' | 'page';
  /**
   * The query parameter that takes the page size (`connection.pageSize`). Default `limit` for `offset`; otherwise none is sent unless given.
   */
  limitParam?: string;
  cursor?: JsonPointer1;
  /**
   * `cursor`: the query parameter that takes the cursor.
   */
  param?: string;
  /**
   * `offset`: the query parameter that takes the offset (0 first). Default `offset`.
   */
  offsetParam?: string;
  /**
   * `page`: the query parameter that takes the page number. Default `page`.
   */
  pageParam?: string;
  /**
   * `page`: the number of the first page. Default 1.
   */
  firstPage?: 0 | 1;
  total?: JsonPointer2;
}
/**
 * Writes. An operation left out is not supported (a change that needs it fails with NotSupported). `disable`/`enable` left out: an `update` that writes `enabled.pointer`, when both are given.
 *
 * This interface was referenced by `ConnectorDocument`'s JSON-Schema
 * via the `definition` "RestExport".
 */
export interface RestExport {
  create?: RestOperation;
  update?: RestOperation;
  delete?: RestOperation;
  disable?: RestOperation;
  enable?: RestOperation;
  /**
   * Look-up before create, so a create replayed after a crash adopts the object it made instead of duplicating it: a GET whose items are matched; exactly one match is adopted (its id returned, nothing created), several are an error. A `create` with method PUT to the object's own path needs no look-up.
   */
  lookup?: {
    /**
     * Path and query template, e.g. filtering by the join attribute.
     */
    path: string;
    items?: JsonPointer9;
  };
}
/**
 * One write request. `path` is a template filled with the object's attributes and `{{externalId}}`, each value percent-encoded: values fill the path and query only, never the scheme, host or port. `body` is JSON whose string leaves are templates (a leaf that is one `{{attribute}}` keeps the value's type: a boolean, a list); a leaf whose attributes are all absent is left out. Without `body`, creates and updates send the attributes placed at their `attributes` pointers.
 *
 * This interface was referenced by `ConnectorDocument`'s JSON-Schema
 * via the `definition` "RestOperation".
 */
export interface RestOperation {
  /**
   * The HTTP method. PUT and DELETE are retried after a transport failure or a 5xx; POST and PATCH are not (a create is never sent twice).
   */
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /**
   * Path (and query) template relative to the base URL.
   */
  path: string;
  /**
   * The JSON body template.
   */
  body?: {
    [k: string]: unknown | undefined;
  };
  id?: JsonPointer8;
}
/**
 * Workers from Workday (source only), read from a Reports-as-a-Service (RaaS) custom report as JSON. Credentials go only to `connection.baseUrl`'s origin and, for OAuth2, the token URL's.
 *
 * This interface was referenced by `ConnectorDocument`'s JSON-Schema
 * via the `definition` "WorkdayConnectorSpec".
 */
export interface WorkdayConnectorSpec {
  /**
   * The connector type.
   */
  type: 'workday';
  connection: WorkdayConnection;
  /**
   * The object types: `worker` only.
   */
  objectTypes: {
    worker: WorkdayWorkerType;
  };
  schedule?: ConnectorSchedule;
  /**
   * Stop importing from this connector until set back to false.
   */
  suspend?: boolean;
}
/**
 * The tenant's custom-report service and how to authenticate to it.
 *
 * This interface was referenced by `ConnectorDocument`'s JSON-Schema
 * via the `definition` "WorkdayConnection".
 */
export interface WorkdayConnection {
  /**
   * The tenant's RaaS base URL, `https://<host>/ccx/service/customreport2/<tenant>` (Workday: View URLs of the report, without the owner, report name and query). `https://`, or `http://` for a loopback host. Credentials are sent to this origin only.
   */
  baseUrl: string;
  auth: WorkdayAuth;
  tls?: RestTls;
  timeout?: Duration8;
}
export interface WorkdayBasicAuth {
  /**
   * HTTP Basic with the integration system user (ISU).
   */
  type: 'basic';
  /**
   * The integration system user's name (Workday expects `user@tenant` on some data centres).
   */
  username: string;
  password: SecretRef9;
}
export interface WorkdayOAuth2Auth {
  /**
   * OAuth 2.0 refresh-token grant (RFC 6749 §6) of an API client for integrations; the access token is sent as `Authorization: Bearer`.
   */
  type: 'oauth2';
  /**
   * The token endpoint, `https://<host>/ccx/oauth2/<tenant>/token` (Workday: View API Clients). The client secret and refresh token are sent to this origin only.
   */
  tokenUrl: string;
  /**
   * The API client's id.
   */
  clientId: string;
  clientSecret: SecretRef10;
  refreshToken: SecretRef11;
}
/**
 * The report that lists the workers, and how its columns map to worker attributes.
 *
 * This interface was referenced by `ConnectorDocument`'s JSON-Schema
 * via the `definition` "WorkdayWorkerType".
 */
export interface WorkdayWorkerType {
  /**
   * The report's owner and name, as in its URL: `<owner>/<report name>` (letters, digits, `_`, `-`, `.`, `@`).
   */
  report: string;
  /**
   * Prompt values sent on every read, by prompt name (the report's query parameters), e.g. to include future-dated hires.
   */
  prompts?: {
    [k: string]: string | undefined;
  };
  delta?: WorkdayDelta;
  /**
   * Column names (the report fields' XML aliases) by worker attribute, overriding the defaults in the connector's README (`employeeId: Employee_ID`, `hireDate: Hire_Date` …). A column left out of the report is simply absent.
   */
  columns?: {
    [k: string]: string | undefined;
  };
  positions?: WorkdayPositions;
}
/**
 * Changes since the last read through the report's "changed since" prompts (a date-time window). Left out: every read is a full read.
 *
 * This interface was referenced by `ConnectorDocument`'s JSON-Schema
 * via the `definition` "WorkdayDelta".
 */
export interface WorkdayDelta {
  /**
   * The prompt that takes the start of the window (inclusive).
   */
  from: string;
  /**
   * The prompt that takes the end of the window (the time the read began). Left out: open-ended.
   */
  through?: string;
  overlap?: Duration9;
}
/**
 * A report whose position fields sit in a multi-instance group (one entry per position a worker holds): the position attributes (`positionId`, `title`, `jobProfile`, `organization`, `costCenter`, `company`, `location`, `managerId` and their ids) are read from the primary entry.
 *
 * This interface was referenced by `ConnectorDocument`'s JSON-Schema
 * via the `definition` "WorkdayPositions".
 */
export interface WorkdayPositions {
  /**
   * The group's name in the report (its XML alias).
   */
  group: string;
  /**
   * The field in each entry that is true (`1`) for the primary position. Left out, or no entry flagged: the first entry.
   */
  primary?: string;
}
/**
 * A connector type from an installed npm package (docs/connector-sdk.md). The package is loaded from the controller's own installation, never from the config repository, and only when `IMESH_CONNECTOR_PACKAGES` (comma-separated, in the controller's environment) lists it. The keys besides `type`, `package`, `schedule`, `suspend` and `driftCheck` are the package's own, validated by the JSON Schema its descriptor exports.
 *
 * This interface was referenced by `ConnectorDocument`'s JSON-Schema
 * via the `definition` "PackageConnectorSpec".
 */
export interface PackageConnectorSpec {
  /**
   * The connector type.
   */
  type: 'package';
  /**
   * The npm package name, exactly as `IMESH_CONNECTOR_PACKAGES` lists it (`@acme/imesh-connector-foo`). A name only: paths, `file:` and other specifiers are refused.
   */
  package: string;
  /**
   * The object types, by name; each one's settings are described by the package's schema.
   */
  objectTypes: {
    [k: string]: {} | undefined;
  };
  schedule?: ConnectorSchedule;
  /**
   * Stop importing from and exporting to this connector until set back to false.
   */
  suspend?: boolean;
  driftCheck?: DriftCheck;
  [k: string]: unknown | undefined;
}
