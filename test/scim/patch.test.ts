import { describe, expect, it } from 'vitest';
import { applyPatch, readPatchRequest } from '../../src/scim/patch.js';
import { ScimError } from '../../src/scim/scim-error.js';
import { SCHEMA } from '../../src/scim/urns.js';

const request = (...Operations: unknown[]) => ({ schemas: [SCHEMA.patch], Operations });
const plain = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

describe('SCIM PATCH', () => {
  it("reads Entra's shapes as RFC operations: capitalised ops, string booleans, path keys, removal by value", () => {
    const operations = readPatchRequest(
      request(
        { op: 'Replace', value: { active: 'False', 'name.givenName': 'Ada', 'emails[type eq "work"].value': 'a@x', displayName: 'Ada L' } },
        { op: 'Remove', path: 'members', value: [{ value: 'u1' }, { value: 'u2', display: 'Bob' }] },
        { op: 'Add', path: 'members', value: [{ value: 'u3' }] },
      ),
    );
    expect(plain(operations)).toEqual([
      { op: 'replace', path: 'name.givenName', value: 'Ada' },
      { op: 'replace', path: 'emails[type eq "work"].value', value: 'a@x' },
      { op: 'replace', value: { active: false, displayName: 'Ada L' } },
      { op: 'remove', path: 'members[value eq "u1"]' },
      { op: 'remove', path: 'members[value eq "u2"]' },
      { op: 'add', path: 'members', value: [{ value: 'u3' }] },
    ]);
  });

  it('keeps an extension object whose key is its schema URN as one plain attribute', () => {
    const ext = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
    expect(plain(readPatchRequest(request({ op: 'add', value: { [ext]: { employeeNumber: '7' } } })))).toEqual([{ op: 'add', value: { [ext]: { employeeNumber: '7' } } }]);
    expect(plain(readPatchRequest(request({ op: 'add', value: { [`${ext}:employeeNumber`]: '7' } })))).toEqual([{ op: 'add', path: `${ext}:employeeNumber`, value: '7' }]);
  });

  it('applies operations without changing the input, and refuses what cannot apply', () => {
    const group = { id: 'g1', displayName: 'Ops', members: [{ value: 'u1', display: 'Ada' }, { value: 'u2' }] };
    const patched = applyPatch(group, 'Group', readPatchRequest(request({ op: 'Remove', path: 'members', value: [{ value: 'u1' }] }, { op: 'Add', path: 'members', value: [{ value: 'u3' }] })));
    expect(patched.members).toEqual([{ value: 'u2' }, { value: 'u3' }]);
    expect(group.members).toHaveLength(2);
    let refused: unknown;
    try {
      applyPatch(group, 'Group', [{ op: 'replace', path: 'displayName[value eq "x"]', value: 'y' }]);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(ScimError);
    expect(refused).toMatchObject({ status: 400, scimType: 'invalidSyntax' });
  });

  it('refuses malformed requests with the scimType a client can act on', () => {
    const scimType = (body: Record<string, unknown>) => {
      try {
        readPatchRequest(body);
      } catch (error) {
        return (error as ScimError).scimType;
      }
      return undefined;
    };
    expect(scimType({ Operations: [{ op: 'add', value: {} }] })).toBe('invalidSyntax');
    expect(scimType(request())).toBe('invalidSyntax');
    expect(scimType(request({ op: 'move', path: 'x' }))).toBe('invalidSyntax');
    expect(scimType(request({ op: 'remove' }))).toBe('noTarget');
    expect(scimType(request({ op: 'add', path: 'title' }))).toBe('invalidValue');
    expect(scimType(request({ op: 'add', path: '__proto__.polluted', value: 1 }))).toBe('invalidPath');
  });
});
