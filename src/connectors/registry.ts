/**
 * Connector types → factories. Each factory imports its connector module on first use, so a vendor
 * library (pg, mssql, ldapts …) is loaded only when a connector of that type is opened.
 *
 * To add a type: one line in `connectorFactories`, importing `./<type>/<type>-connector.js`, and one in
 * `destinationFinders`, importing `./<type>/<type>-destinations.js` (where the type sends its secrets).
 */
import type { ConnectorModel, ConnectorType } from '../config/model.js';
import { ConfigError } from '../shared/errors.js';
import type { ConnectorContext, IdentityConnector } from './sdk.js';

/** Opens a connector for one connector definition (config revision). */
export type LazyConnectorFactory = (context: ConnectorContext) => Promise<IdentityConnector>;

export const connectorFactories: Readonly<Partial<Record<ConnectorType, LazyConnectorFactory>>> = {
  'active-directory': async (context) => (await import('./ldap/index.js')).createActiveDirectoryConnector(context),
  ldap: async (context) => (await import('./ldap/index.js')).createLdapConnector(context),
  csv: async (context) => (await import('./csv/csv-connector.js')).createCsvConnector(context),
  sql: async (context) => (await import('./sql/sql-connector.js')).createSqlConnector(context),
  okta: async (context) => (await import('./okta/okta-connector.js')).createOktaConnector(context),
  'entra-id': async (context) => (await import('./entra/entra-connector.js')).createEntraConnector(context),
  scim: async (context) => (await import('./scim/scim-connector.js')).createScimConnector(context),
  'scim-inbound': async (context) => (await import('./scim-inbound/scim-inbound-connector.js')).createScimInboundConnector(context),
};

/**
 * Where a connector sends the secrets of its spec: URL origins, or scheme://host:port[/database]. Read
 * from the spec as written (references unresolved); `[]` when it sends nothing anywhere (local files, an
 * inbound token that is only compared). Throws ConfigError when the spec is invalid.
 */
export type DestinationFinder = (model: ConnectorModel, configPath: string) => Promise<readonly string[]>;

/** Every type must say where its secrets go (DESIGN §8, security model): a Record, not a Partial. */
export const destinationFinders: Readonly<Record<ConnectorType, DestinationFinder>> = {
  'active-directory': async (model, configPath) => (await import('./ldap/ldap-destinations.js')).ldapDestinations(model, configPath),
  ldap: async (model, configPath) => (await import('./ldap/ldap-destinations.js')).ldapDestinations(model, configPath),
  csv: async () => [],
  sql: async (model) => (await import('./sql/sql-destinations.js')).sqlDestinations(model),
  okta: async (model) => (await import('./okta/okta-destinations.js')).oktaDestinations(model),
  'entra-id': async (model) => (await import('./entra/entra-destinations.js')).entraDestinations(model),
  scim: async (model) => (await import('./scim/scim-destinations.js')).scimDestinations(model),
  // The bearer token is what clients must present to us; it is compared, never sent.
  'scim-inbound': async () => [],
};

/** The factory for `type`; an unknown or not yet available type is a configuration error. */
export function connectorFactory(type: string): LazyConnectorFactory {
  const factory = (connectorFactories as Readonly<Record<string, LazyConnectorFactory | undefined>>)[type];
  if (!factory) {
    const known = Object.keys(connectorFactories).sort().join(', ');
    throw new ConfigError('ConnectorTypeUnavailable', `connector type "${type}" is not available in this build (available: ${known})`);
  }
  return factory;
}
