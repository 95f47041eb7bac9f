/**
 * The `scim-inbound` connector type: an identity provider provisions into Identity Mesh's SCIM endpoint,
 * which keeps what it is sent in the store's inbox; imports read the inbox. Nothing is sent anywhere.
 */
import type { ConnectorDescriptor } from '../connector-descriptor.js';

export const scimInboundDescriptor: ConnectorDescriptor<'scim-inbound'> = {
  type: 'scim-inbound',
  directory: false,
  targetTraits: () => ({
    canExport: false,
    exportNote: 'scim-inbound connectors are provisioned by an identity provider and cannot be written to',
    canDisable: false,
    columns: false,
  }),
  hasCredentials: () => true,
  // The bearer token is what clients must present to us; it is compared, never sent.
  secretDestinations: async () => [],
  inbox: {
    endpoint: (name) => `/scim/${name}/v2/`,
    bearerToken: (spec) => spec.connection.bearerToken,
  },
  load: async () => (await import('./scim-inbound-connector.js')).createScimInboundConnector,
};
