import { describe, expect, it } from 'vitest';
import { escapeDnValue } from '../../src/config/escape.js';
import { comparableDn, formatDn, isUnder, normalizeDn, parentDn, parseDn, sameDn } from '../../src/config/dn.js';

describe('DN parsing (RFC 4514)', () => {
  it('splits RDNs at unescaped commas and unescapes values', () => {
    expect(parseDn('CN=Doe\\, John,OU=R\\2bD,DC=corp')).toEqual([[{ type: 'CN', value: 'Doe, John' }], [{ type: 'OU', value: 'R+D' }], [{ type: 'DC', value: 'corp' }]]);
  });

  it('reads multi-valued RDNs, quoted values and UTF-8 hex pairs', () => {
    expect(parseDn('cn=a+uid=b,o="x, y",ou=J\\C3\\BCrgen')).toEqual([
      [{ type: 'cn', value: 'a' }, { type: 'uid', value: 'b' }],
      [{ type: 'o', value: 'x, y' }],
      [{ type: 'ou', value: 'Jürgen' }],
    ]);
  });

  it('keeps escaped leading/trailing spaces and drops unescaped ones', () => {
    expect(parseDn('CN=\\ a\\ , OU=b ')).toEqual([[{ type: 'CN', value: ' a ' }], [{ type: 'OU', value: 'b' }]]);
  });

  it('round-trips every special character through escapeDnValue', () => {
    const values = ['Doe, John +"\\<>;= Jr', '#hash', ' lead', 'trail ', 'a\\', 'nul\0x', 'ünï'];
    for (const value of values) {
      const dn = `CN=${escapeDnValue(value)},OU=${escapeDnValue(value)},DC=x`;
      const rdns = parseDn(dn);
      expect(rdns.map((r) => r[0]!.value)).toEqual([value, value, 'x']);
      expect(parseDn(formatDn(rdns))).toEqual(rdns);
    }
  });

  it('compares case-insensitively and ignores escaping style', () => {
    expect(sameDn('CN=Doe\\, John,OU=Sales,DC=X', 'cn=doe\\2c john,ou=sales,dc=x')).toBe(true);
    expect(sameDn('CN=a,DC=x', 'CN=b,DC=x')).toBe(false);
    expect(normalizeDn('UID=b+CN=a,DC=x')).toBe(normalizeDn('cn=A+uid=B,dc=X'));
  });

  it('gives references a comparison key: the normalized DN, or the lower-cased text when it is no DN', () => {
    expect(comparableDn('CN=Smith\\, J , OU=Sales,DC=x')).toBe(comparableDn('cn=smith\\, j,ou=sales,dc=x'));
    expect(comparableDn('CN=A,OU=Sales')).not.toBe(comparableDn('CN=A,OU=Support'));
    // Forms a split on commas would get wrong: a hex-escaped comma, RDN order inside a multi-valued RDN,
    // an escaped trailing space (part of the value) next to an unescaped one (not).
    expect(comparableDn('CN=Smith\\2C J,OU=Sales,DC=x')).toBe(comparableDn('cn=smith\\, j,ou=sales,dc=x'));
    expect(comparableDn('uid=b+cn=a,DC=x')).toBe(comparableDn('CN=A+UID=B,dc=x'));
    expect(comparableDn('CN=a\\ ,DC=x')).not.toBe(comparableDn('CN=a ,DC=x'));
    expect(comparableDn('00uAbC123')).toBe('00uabc123');
  });

  it('knows parents and subtrees', () => {
    expect(parentDn('CN=a\\,b,OU=c,DC=x')).toBe('OU=c,DC=x');
    expect(parentDn('DC=x')).toBeUndefined();
    expect(isUnder('CN=a,OU=b,DC=x', 'ou=B,dc=x')).toBe(true);
    expect(isUnder('OU=b,DC=x', 'OU=b,DC=x')).toBe(true);
    expect(isUnder('CN=a,OU=bb,DC=x', 'OU=b,DC=x')).toBe(false);
    expect(isUnder('CN=x\\,OU=b,DC=x', 'OU=b,DC=x')).toBe(false);
  });

  it('rejects malformed DNs', () => {
    expect(() => parseDn('CN=a,garbage')).toThrow(/malformed/);
    expect(() => parseDn('CN=a\\')).toThrow(/malformed/);
  });
});
