import { describe, expect, it } from 'vitest';
import { encodeUnicodePwd, guidToBytes, guidToString, sidToString } from '../../../src/connectors/ldap/active-directory.js';

describe('Active Directory binary values', () => {
  it('writes objectGUID in GUID string order (Data1-3 little-endian, [MS-DTYP] 2.3.4.2)', () => {
    const packet = Buffer.from('e004253f894fd3119a0c0305e82c3301', 'hex');
    expect(guidToString(packet)).toBe('3f2504e0-4f89-11d3-9a0c-0305e82c3301');
    expect(guidToBytes('3F2504E0-4F89-11D3-9A0C-0305E82C3301').equals(packet)).toBe(true);
    expect(() => guidToString(Buffer.alloc(15))).toThrow(/16 bytes/);
  });

  it('writes objectSid as S-R-I-S… (authority big-endian, sub-authorities little-endian)', () => {
    const administrators = Buffer.from('01020000000000052000000020020000', 'hex');
    expect(sidToString(administrators)).toBe('S-1-5-32-544');
    const domainUser = Buffer.from('010500000000000515000000a065b1c31c4e16447df7b05ff4010000', 'hex');
    expect(sidToString(domainUser)).toBe('S-1-5-21-3283183008-1142312476-1605433213-500');
    expect(() => sidToString(Buffer.from('0105000000000005', 'hex'))).toThrow(/truncated/);
  });

  it('encodes unicodePwd as the quoted password in UTF-16LE', () => {
    expect(encodeUnicodePwd('Pä$s')).toEqual(Buffer.from([0x22, 0, 0x50, 0, 0xe4, 0, 0x24, 0, 0x73, 0, 0x22, 0]));
  });
});
