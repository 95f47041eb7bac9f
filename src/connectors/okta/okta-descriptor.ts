/** The `okta` connector type, as the rest of Identity Mesh sees it. */
import { checkHttpUrl } from '../../config/setting-checks.js';
import { withDefaultScheme } from '../../shared/default-scheme.js';
import type { ConnectorDescriptor } from '../connector-descriptor.js';

export const oktaDescriptor: ConnectorDescriptor<'okta'> = {
  type: 'okta',
  directory: false,
  // Okta deactivates users; groups have no enabled state.
  targetTraits: (_spec, objectType) => ({ canExport: true, canDisable: objectType === 'user', columns: false }),
  checkSpec(ctx, doc, spec) {
    checkHttpUrl(ctx, doc, ['spec', 'connection', 'orgUrl'], withDefaultScheme(spec.connection.orgUrl, 'https'));
  },
  hasCredentials: () => true,
  secretDestinations: async (model) => (await import('./okta-destinations.js')).oktaDestinations(model),
  load: async () => (await import('./okta-connector.js')).createOktaConnector,
};
