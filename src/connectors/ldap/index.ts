/**
 * The `active-directory` and `ldap` connector types. One core (ldap-connector.ts)
 * on ldapts; the directory quirks live in active-directory.ts and openldap.ts.
 */
import type { ConnectorFactory } from '../sdk.js';
import { createActiveDirectoryVendor } from './active-directory.js';
import { LdapConnector } from './ldap-connector.js';
import { createOpenLdapVendor } from './openldap.js';

/** `type: active-directory`: objectGUID anchors, uSNChanged deltas, tombstones, userAccountControl. */
export const createActiveDirectoryConnector: ConnectorFactory = (context) => new LdapConnector(context, createActiveDirectoryVendor);

/** `type: ldap`: entryUUID anchors, modifyTimestamp deltas, deletions by full-import sweep. */
export const createLdapConnector: ConnectorFactory = (context) => new LdapConnector(context, createOpenLdapVendor);
