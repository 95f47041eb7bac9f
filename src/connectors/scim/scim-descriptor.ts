/** The `scim` connector type (outbound SCIM 2.0 client), as the rest of Identity Mesh sees it. */
import { checkHttpUrl } from '../../config/setting-checks.js';
import type { ConnectorDescriptor } from '../connector-descriptor.js';

export const scimDescriptor: ConnectorDescriptor<'scim'> = {
  type: 'scim',
  directory: false,
  // SCIM Users carry `active`; Groups have no enabled state.
  targetTraits: (spec, objectType) => ({ canExport: true, canDisable: spec.objectTypes[objectType]?.resource === 'User', columns: false }),
  checkSpec(ctx, doc, spec) {
    checkHttpUrl(ctx, doc, ['spec', 'connection', 'baseUrl'], spec.connection.baseUrl);
  },
  hasCredentials: () => true,
  secretDestinations: async (model) => (await import('./scim-destinations.js')).scimDestinations(model),
  load: async () => (await import('./scim-connector.js')).createScimConnector,
};
