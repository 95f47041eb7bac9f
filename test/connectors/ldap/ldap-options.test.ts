import { describe, expect, it } from 'vitest';
import type { ConnectorModel } from '../../../src/config/model.js';
import { compileLdapOptions } from '../../../src/connectors/ldap/ldap-options.js';

/** A hand-built model; some specs are invalid on purpose (the options refuse them). */
function model(type: 'active-directory' | 'ldap', connection: Record<string, unknown>, objectTypes: Record<string, unknown> = {}): ConnectorModel<'active-directory' | 'ldap'> {
  return {
    name: 'corp',
    type,
    location: { file: 'c.yaml', line: 3, column: 1 },
    spec: { type, connection: { baseDn: 'DC=corp,DC=test', ...connection }, objectTypes },
    objectTypes: Object.keys(objectTypes),
    suspend: false,
  } as unknown as ConnectorModel<'active-directory' | 'ldap'>;
}

describe('LDAP connector options', () => {
  it('applies defaults once', () => {
    const options = compileLdapOptions(model('ldap', { url: 'ldap://dir.example.test' }, { user: { searchBase: 'OU=u,DC=corp,DC=test', filter: 'objectClass=person' } }), '/cfg');
    expect(options).toMatchObject({ secure: false, port: 389, pageSize: 500, timeoutMs: 60_000, tls: { rejectUnauthorized: true, startTls: false } });
    expect(options.types.get('user')).toMatchObject({ filter: '(objectClass=person)', scope: 'sub', createContainers: false, attributes: [] });
    expect(compileLdapOptions(model('ldap', { url: 'ldaps://dir:1636', timeout: '1m30s', tls: { caFile: 'ca.pem' } }), '/cfg')).toMatchObject({ secure: true, port: 1636, timeoutMs: 90_000, tls: { caFile: '/cfg/ca.pem' } });
  });

  it('a bare host, as the product documents write host, means TLS: ldaps://, or ldap:// with StartTLS', () => {
    expect(compileLdapOptions(model('active-directory', { url: 'dc01.company.com' }), '/cfg')).toMatchObject({ url: 'ldaps://dc01.company.com', secure: true, host: 'dc01.company.com', port: 636 });
    expect(compileLdapOptions(model('ldap', { url: 'ldap.acme.com:1636' }), '/cfg')).toMatchObject({ url: 'ldaps://ldap.acme.com:1636', secure: true, port: 1636 });
    expect(compileLdapOptions(model('ldap', { url: 'ldap.acme.com', tls: { startTls: true } }), '/cfg')).toMatchObject({ url: 'ldap://ldap.acme.com', secure: false, port: 389, tls: { startTls: true } });
  });

  it('rejects contradictions, naming both settings', () => {
    expect(() => compileLdapOptions(model('ldap', { url: 'ldaps://dir', tls: { startTls: true } }), '/cfg')).toThrow(/tls\.startTls .*ldaps:\/\/ spec\.connection\.url/);
    expect(() => compileLdapOptions(model('ldap', { url: 'ldap://dir', tls: { caFile: '/ca.pem' } }), '/cfg')).toThrow(/caFile.*plain ldap:\/\//);
    expect(() => compileLdapOptions(model('active-directory', { url: 'ldap://dc' }, { user: { searchBase: 'DC=corp,DC=test', filter: '(objectClass=user)', disabled: { attribute: 'x', value: 'y' } } }), '/cfg')).toThrow(
      /c\.yaml:3:1: .*spec\.objectTypes\.user\.disabled is for type ldap/,
    );
    expect(() => compileLdapOptions(model('ldap', { url: 'ldap://dir', baseDn: 'not a dn' }), '/cfg')).toThrow(/baseDn is not a valid DN/);
  });
});
