/** The `csv` connector type (local files), as the rest of Identity Mesh sees it. */
import type { ConnectorDescriptor } from '../connector-descriptor.js';
import { checkCsvSpec, checkCsvTarget } from './csv-checks.js';

export const csvDescriptor: ConnectorDescriptor<'csv'> = {
  type: 'csv',
  directory: false,
  targetTraits(spec, objectType) {
    const type = spec.objectTypes[objectType];
    return {
      canExport: true,
      canDisable: type?.isActiveColumn !== undefined,
        columns: true,
      ...(type ? { keyColumn: type.externalIdColumn } : {}),
      ...(type?.isActiveColumn ? { activeColumn: type.isActiveColumn } : {}),
    };
  },
  checkSpec: checkCsvSpec,
  checkTarget: checkCsvTarget,
  withListColumns(spec, inferred) {
    const objectTypes = { ...spec.objectTypes };
    for (const [type, columns] of inferred) {
      const declared = objectTypes[type];
      if (!declared) continue;
      const listed = declared.multiValuedColumns ?? [];
      const added = [...columns].filter((c) => !listed.includes(c) && c !== declared.externalIdColumn);
      if (added.length > 0) objectTypes[type] = { ...declared, multiValuedColumns: [...listed, ...added] };
    }
    return { ...spec, objectTypes };
  },
  hasCredentials: () => false,
  // Local files: nothing is sent anywhere.
  secretDestinations: async () => [],
  load: async () => (await import('./csv-connector.js')).createCsvConnector,
};
