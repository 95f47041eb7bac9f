/**
 * What a connector's object type can do as a projection target, as far as the config can tell. The
 * connector's own capabilities stay authoritative at run time; these drive validation and defaults.
 */
import type { ConnectorSpec } from './generated/connector.js';
import { sqlSource } from './sql-object-type.js';

export interface TargetTraits {
  readonly canExport: boolean;
  /** Why it cannot export, for messages. */
  readonly exportNote?: string;
  readonly canDisable: boolean;
  /** Addressed by DN (directories): container and rdn apply. */
  readonly dn: boolean;
  /** Tables and files: the projection renders this key column. */
  readonly keyColumn?: string;
  /** Tables and files: the column that holds the enabled state. */
  readonly activeColumn?: string;
}

export function targetTraits(spec: ConnectorSpec, objectType: string): TargetTraits {
  switch (spec.type) {
    case 'active-directory':
    case 'ldap':
      return { canExport: true, canDisable: true, dn: true };
    case 'sql': {
      const type = spec.objectTypes[objectType];
      const table = type !== undefined && sqlSource(type).kind === 'table';
      return {
        canExport: table,
        ...(table ? {} : { exportNote: 'it reads a query; a target needs a table' }),
        canDisable: type?.isActiveColumn !== undefined,
        dn: false,
        ...(type ? { keyColumn: type.externalIdColumn } : {}),
        ...(type?.isActiveColumn ? { activeColumn: type.isActiveColumn } : {}),
      };
    }
    case 'csv': {
      const type = spec.objectTypes[objectType];
      return {
        canExport: true,
        canDisable: type?.isActiveColumn !== undefined,
        dn: false,
        ...(type ? { keyColumn: type.externalIdColumn } : {}),
        ...(type?.isActiveColumn ? { activeColumn: type.isActiveColumn } : {}),
      };
    }
    case 'okta':
    case 'entra-id':
      return { canExport: true, canDisable: objectType === 'user', dn: false };
    case 'scim': {
      const resource = spec.objectTypes[objectType]?.resource;
      return { canExport: true, canDisable: resource === 'User', dn: false };
    }
    case 'scim-inbound':
      return { canExport: false, exportNote: 'scim-inbound connectors are provisioned by an identity provider and cannot be written to', canDisable: false, dn: false };
  }
}

export function objectTypeNames(spec: ConnectorSpec): string[] {
  return Object.keys(spec.objectTypes);
}
