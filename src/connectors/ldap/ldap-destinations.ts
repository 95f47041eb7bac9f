/** Where an `ldap` or `active-directory` connector sends its bind password: `ldap[s]://host:port`. */
import type { ConnectorModel } from '../../config/model.js';
import { compileLdapOptions } from './ldap-options.js';

export function ldapDestinations(model: ConnectorModel<'active-directory' | 'ldap'>, configPath: string): string[] {
  const options = compileLdapOptions(model, configPath);
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  // startTLS upgrades the same port; ldap:// vs ldaps:// stays part of the destination (a change from
  // one to the other changes whether the password crosses the network in clear).
  return [`${options.secure ? 'ldaps' : options.tls.startTls ? 'ldap+starttls' : 'ldap'}://${host.toLowerCase()}:${options.port}`];
}
