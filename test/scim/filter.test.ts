import { describe, expect, it } from 'vitest';
import { indexedTerm, matchesFilter, parseScimFilter } from '../../src/scim/filter.js';
import { ScimError } from '../../src/scim/scim-error.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const ada = {
  id: 'A1',
  userName: 'Ada@Example.com',
  externalId: 'E-7',
  active: true,
  name: { givenName: 'Ada' },
  emails: [{ type: 'work', value: 'ada@work.example' }, { type: 'home', value: 'ada@home.example' }],
  meta: { lastModified: '2024-05-01T10:00:00.000Z' },
  [ENTERPRISE]: { employeeNumber: '42', manager: { value: 'B2' } },
};
const match = (text: string, resource: Record<string, unknown> = ada) => matchesFilter(parseScimFilter(text), resource);

describe('SCIM filters', () => {
  it('compares strings case-insensitively, caseExact attributes exactly', () => {
    expect(match('userName eq "ada@example.com"')).toBe(true);
    expect(match('externalId eq "e-7"')).toBe(false);
    expect(match('externalId eq "E-7"')).toBe(true);
    expect(match('id eq "a1"')).toBe(false);
    expect(match('userName sw "ADA" and userName ew ".COM" and userName co "@"')).toBe(true);
  });

  it('reads sub-attributes, value paths, extension paths, booleans and presence', () => {
    expect(match('name.givenName eq "ada"')).toBe(true);
    expect(match('emails[type eq "work" and value co "work"]')).toBe(true);
    expect(match('emails[type eq "mobile"]')).toBe(false);
    expect(match('emails.value eq "ada@home.example"')).toBe(true);
    expect(match(`${ENTERPRISE}:employeeNumber eq "42"`)).toBe(true);
    expect(match(`${ENTERPRISE}:manager.value eq "B2"`)).toBe(true);
    expect(match('active eq true')).toBe(true);
    expect(match('title pr')).toBe(false);
    expect(match('not (title pr) and (active eq false or userName pr)')).toBe(true);
    expect(match('title ne "x"')).toBe(true);
  });

  it('compares timestamps chronologically (RFC 7644 §3.4.2.2), whatever their precision or offset', () => {
    expect(match('meta.lastModified gt "2024-05-01T09:59:59Z"')).toBe(true);
    expect(match('meta.lastModified eq "2024-05-01T12:00:00+02:00"')).toBe(true);
    expect(match('meta.lastModified lt "2024-05-01T10:00:00Z"')).toBe(false);
  });

  it('refuses filters that do not parse or name a reserved attribute, as invalidFilter', () => {
    for (const text of ['userName eq', '__proto__ pr', 'emails[constructor eq "x"]', 'userName eq "\u0000"']) {
      const error = (() => {
        try {
          parseScimFilter(text);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error, text).toBeInstanceOf(ScimError);
      expect((error as ScimError).scimType).toBe('invalidFilter');
    }
  });

  it('finds the eq term an index can answer', () => {
    expect(indexedTerm(parseScimFilter('id eq "g1" and members eq "u1"'))).toEqual({ attribute: 'id', value: 'g1' });
    expect(indexedTerm(parseScimFilter('UserName eq "ada"'))).toEqual({ attribute: 'userName', value: 'ada' });
    expect(indexedTerm(parseScimFilter('userName eq "a" or userName eq "b"'))).toBeUndefined();
  });
});
