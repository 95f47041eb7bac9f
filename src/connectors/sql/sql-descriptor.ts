/** The `sql` connector type (PostgreSQL, SQL Server, embedded), as the rest of Identity Mesh sees it. */
import { sqlLoadedColumns, sqlSource } from '../../config/sql-object-type.js';
import type { ConnectorDescriptor } from '../connector-descriptor.js';
import { checkSqlSpec } from './sql-checks.js';

export const sqlDescriptor: ConnectorDescriptor<'sql'> = {
  type: 'sql',
  directory: false,
  targetTraits(spec, objectType) {
    const type = spec.objectTypes[objectType];
    const table = type !== undefined && sqlSource(type).kind === 'table';
    return {
      canExport: table,
      ...(table ? {} : { exportNote: 'it reads a query; a target needs a table' }),
      canDisable: type?.isActiveColumn !== undefined,
        columns: true,
      ...(type ? { keyColumn: type.externalIdColumn } : {}),
      ...(type?.isActiveColumn ? { activeColumn: type.isActiveColumn } : {}),
    };
  },
  checkSpec: checkSqlSpec,
  loadedAttributes(spec, objectType) {
    const type = spec.objectTypes[objectType];
    const columns = type ? sqlLoadedColumns(type) : 'all';
    return columns === 'all' ? undefined : { attributes: columns, setting: 'columnsToLoad' };
  },
  // The embedded database is a local directory: nothing to authenticate to.
  hasCredentials: (spec) => spec.connection.driver !== 'embedded',
  secretDestinations: async (model) => (await import('./sql-destinations.js')).sqlDestinations(model),
  load: async () => (await import('./sql-connector.js')).createSqlConnector,
};
