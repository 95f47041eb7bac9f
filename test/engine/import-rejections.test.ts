/** Objects from any connector that hold a NUL character are held back, not fatal to the import (issue 14). */
import { describe, expect, it } from 'vitest';
import { nulProblem, printable } from '../../src/engine/import-rejections.js';

describe('nulProblem', () => {
  it('names the attribute (or the id, or the DN) that holds a NUL character', () => {
    expect(nulProblem({ externalId: 'E1', attributes: { name: 'Ada' } })).toBeUndefined();
    expect(nulProblem({ externalId: 'E1', attributes: { name: 'A\0da' } })).toBe('attribute name contains a NUL character (U+0000), which the store cannot hold');
    expect(nulProblem({ externalId: 'E1', attributes: { groups: ['a', 'b\0'] } })).toMatch(/^attribute groups contains a NUL/);
    expect(nulProblem({ externalId: 'E\u00001', attributes: {} })).toMatch(/^the external id contains a NUL/);
    expect(nulProblem({ externalId: 'E1', dn: 'cn=a\0,dc=x', attributes: {} })).toMatch(/^the DN contains a NUL/);
  });

  it('prints control characters escaped (subjects and messages stay storable and readable)', () => {
    expect(printable('E\u00001\n')).toBe('E\\u00001\\u000a');
  });
});
