/**
 * The `active-directory` and `ldap` connector factories (loaded by ldap-descriptor.ts on first use). One
 * core (ldap-connector.ts, ldap-import.ts, ldap-export.ts) on ldapts; the directory quirks live in
 * active-directory.ts and openldap.ts.
 */
import type { ConnectorContext, IdentityConnector } from '../sdk.js';
import { createActiveDirectoryVendor } from './active-directory.js';
import { LdapConnector } from './ldap-connector.js';
import { createOpenLdapVendor } from './openldap.js';

/** `type: active-directory`: objectGUID anchors, uSNChanged deltas, tombstones, userAccountControl. */
export function createActiveDirectoryConnector(context: ConnectorContext<'active-directory'>): IdentityConnector {
  return new LdapConnector(context, createActiveDirectoryVendor);
}

/** `type: ldap`: entryUUID anchors, modifyTimestamp deltas, deletions by full-import sweep. */
export function createLdapConnector(context: ConnectorContext<'ldap'>): IdentityConnector {
  return new LdapConnector(context, createOpenLdapVendor);
}
