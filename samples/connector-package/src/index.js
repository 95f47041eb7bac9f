// @ts-check
/**
 * The package's entry: its connector descriptor, and nothing that opens a file or a connection.
 * Identity Mesh imports this module when IMESH_CONNECTOR_PACKAGES lists the package, and calls `load`
 * only when it opens a connector.
 */
import { specSchema } from './spec-schema.js';

/** @typedef {import('identity-mesh/sdk').PackageSpec & { objectTypes: Record<string, { file: string, keyAttribute?: string, activeAttribute?: string, pageSize?: number }> }} JsonFileSpec */

/** @type {import('identity-mesh/sdk').ConnectorPackageDescriptor<JsonFileSpec>} */
const descriptor = {
  sdkVersion: 1,
  type: 'json-file',
  specSchema,
  targetTraits: (spec, objectType) => {
    const settings = spec.objectTypes[objectType];
    return {
      canExport: true,
      canDisable: true,
      columns: true,
      keyColumn: settings?.keyAttribute ?? 'id',
      activeColumn: settings?.activeAttribute ?? 'active',
    };
  },
  // Local files: no credentials, so no secret goes anywhere.
  hasCredentials: () => false,
  secretDestinations: () => [],
  load: async () => (await import('./json-file-connector.js')).createJsonFileConnector,
};

export default descriptor;
