import { describe, expect, it } from 'vitest';
import { parseSchema } from '../../../src/connectors/ldap/directory-schema.js';

describe('directory schema', () => {
  it('reads AD aggregate definitions (quoted SYNTAX) and OpenLDAP ones (SUP inheritance)', () => {
    const schema = parseSchema([
      "( 1.2.840.113556.1.4.2 NAME 'objectGUID' SYNTAX '1.3.6.1.4.1.1466.115.121.1.40' SINGLE-VALUE NO-USER-MODIFICATION )",
      "( 2.5.4.31 NAME 'member' SYNTAX '1.3.6.1.4.1.1466.115.121.1.12' )",
      "( 2.5.4.41 NAME 'name' EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15{32768} )",
      "( 2.5.4.3 NAME ( 'cn' 'commonName' ) DESC 'RFC4519: common name(s)' SUP name )",
      "( 0.9.2342.19200300.100.1.60 NAME 'jpegPhoto' SYNTAX 1.3.6.1.4.1.1466.115.121.1.28 )",
    ]);
    expect(schema.attribute('OBJECTGUID')).toEqual({ name: 'objectGUID', singleValued: true, binary: true });
    expect(schema.attribute('member')).toEqual({ name: 'member', singleValued: false, binary: false });
    expect(schema.attribute('commonName')).toEqual({ name: 'commonName', singleValued: false, binary: false });
    expect(schema.attribute('jpegphoto')?.binary).toBe(true);
    expect(schema.attribute('unknown')).toBeUndefined();
  });
});
