/**
 * The `active-directory` and `ldap` connector types, as the rest of Identity Mesh sees them. One core
 * (ldap-import.ts, ldap-export.ts on ldapts) serves both; the vendor quirks live in
 * active-directory.ts and openldap.ts.
 */
import type { ConnectorType } from '../../config/model.js';
import type { ConnectorDescriptor, TargetTraits } from '../connector-descriptor.js';
import { checkDirectorySpec, checkDirectoryTarget } from './ldap-checks.js';

type DirectoryType = Extract<ConnectorType, 'active-directory' | 'ldap'>;

/** Directories address objects by DN and can disable accounts (AD by userAccountControl, LDAP by its `disabled` mapping). */
const DIRECTORY_TARGET: TargetTraits = { canExport: true, canDisable: true, columns: false };

function directoryDescriptor<T extends DirectoryType>(type: T, load: ConnectorDescriptor<T>['load']): ConnectorDescriptor<T> {
  return {
    type,
    directory: true,
    targetTraits: () => DIRECTORY_TARGET,
    checkSpec: checkDirectorySpec,
    checkTarget: checkDirectoryTarget,
    hasCredentials: () => true,
    secretDestinations: async (model, configPath) => (await import('./ldap-destinations.js')).ldapDestinations(model, configPath),
    load,
  };
}

/** `type: active-directory`: objectGUID anchors, uSNChanged deltas, tombstones, userAccountControl. */
export const activeDirectoryDescriptor = directoryDescriptor('active-directory', async () => (await import('./index.js')).createActiveDirectoryConnector);

/** `type: ldap`: entryUUID anchors, modifyTimestamp deltas, deletions by full-import sweep. */
export const ldapDescriptor = directoryDescriptor('ldap', async () => (await import('./index.js')).createLdapConnector);
