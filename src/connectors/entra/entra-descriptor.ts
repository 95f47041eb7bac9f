/** The `entra-id` connector type (Microsoft Graph), as the rest of Identity Mesh sees it. */
import { checkHttpUrl } from '../../config/setting-checks.js';
import type { ConnectorDescriptor } from '../connector-descriptor.js';

export const entraDescriptor: ConnectorDescriptor<'entra-id'> = {
  type: 'entra-id',
  directory: false,
  // accountEnabled is a user property; groups have no enabled state.
  targetTraits: (_spec, objectType) => ({ canExport: true, canDisable: objectType === 'user', columns: false }),
  checkSpec(ctx, doc, spec) {
    if (spec.connection.authorityUrl) checkHttpUrl(ctx, doc, ['spec', 'connection', 'authorityUrl'], spec.connection.authorityUrl);
    if (spec.connection.graphUrl) checkHttpUrl(ctx, doc, ['spec', 'connection', 'graphUrl'], spec.connection.graphUrl);
  },
  hasCredentials: () => true,
  secretDestinations: async (model) => (await import('./entra-destinations.js')).entraDestinations(model),
  load: async () => (await import('./entra-connector.js')).createEntraConnector,
};
