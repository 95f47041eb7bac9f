/**
 * Connector types → factories. Each factory imports its connector module on first use, so a vendor
 * library (pg, mssql, ldapts …) is loaded only when a connector of that type is opened.
 *
 * To add a type: one line in `connectorFactories`, importing `./<type>/<type>-connector.js`.
 */
import type { ConnectorType } from '../config/model.js';
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

/** The factory for `type`; an unknown or not yet available type is a configuration error. */
export function connectorFactory(type: string): LazyConnectorFactory {
  const factory = (connectorFactories as Readonly<Record<string, LazyConnectorFactory | undefined>>)[type];
  if (!factory) {
    const known = Object.keys(connectorFactories).sort().join(', ');
    throw new ConfigError('ConnectorTypeUnavailable', `connector type "${type}" is not available in this build (available: ${known})`);
  }
  return factory;
}
