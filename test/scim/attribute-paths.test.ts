import { describe, expect, it } from 'vitest';
import { formatPath, parsePath } from '../../src/scim/attribute-paths.js';
import { flattenResource, setPath } from '../../src/scim/attributes.js';
import { equalsFilter } from '../../src/scim/filter.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describe('SCIM attribute paths', () => {
  it('parses and formats simple, sub-attribute, value-filter and extension paths', () => {
    expect(parsePath('userName')).toEqual({ attribute: 'userName' });
    expect(parsePath('name.givenName')).toEqual({ attribute: 'name', sub: 'givenName' });
    expect(parsePath('emails[type eq "work"].value')).toEqual({ attribute: 'emails', type: 'work', sub: 'value' });
    expect(parsePath(`${ENTERPRISE}:manager.value`)).toEqual({ urn: ENTERPRISE, attribute: 'manager', sub: 'value' });
    expect(parsePath('emails[value co "x"]')).toBeUndefined();
    for (const name of ['userName', 'name.givenName', 'emails[type eq "work"].value', `${ENTERPRISE}:employeeNumber`]) expect(formatPath(parsePath(name)!)).toBe(name);
  });

  it('flattens a resource and writes the same names back into an equal body', () => {
    const resource = {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
      id: 'u1',
      meta: { version: 'W/"1"' },
      userName: 'ada',
      name: { givenName: 'Ada', familyName: 'Lovelace' },
      emails: [{ type: 'work', value: 'ada@x', primary: true }, { value: 'untyped@x' }],
      groups: [{ value: 'g1', display: 'G' }],
      [ENTERPRISE]: { employeeNumber: '7', manager: { value: 'u0', displayName: 'Boss' } },
    };
    const flat = flattenResource(resource);
    expect(flat).toEqual({
      userName: 'ada',
      'name.givenName': 'Ada',
      'name.familyName': 'Lovelace',
      'emails[type eq "work"].value': 'ada@x',
      'emails.value': ['untyped@x'],
      groups: ['g1'],
      [`${ENTERPRISE}:employeeNumber`]: '7',
      [`${ENTERPRISE}:manager.value`]: 'u0',
      [`${ENTERPRISE}:manager.displayName`]: 'Boss',
    });
    const body: Record<string, unknown> = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'] };
    for (const [name, value] of Object.entries(flat)) setPath(body, parsePath(name)!, value);
    expect(body).toMatchObject({ userName: 'ada', name: { givenName: 'Ada', familyName: 'Lovelace' }, emails: [{ type: 'work', value: 'ada@x' }], [ENTERPRISE]: { employeeNumber: '7', manager: { value: 'u0' } } });
    expect(body.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE]);
    expect(body.groups).toBeUndefined();
  });

  it('quotes filter values as JSON strings', () => {
    expect(equalsFilter('userName', 'o"brien\\x')).toBe('userName eq "o\\"brien\\\\x"');
  });
});
