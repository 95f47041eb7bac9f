import { describe, expect, it } from 'vitest';
import { escapeDnValue, escapeFilterValue, unescapeDnValue, unescapeFilterValue } from '../../src/config/escape.js';
import { randomString, seededRandom } from './random.js';

describe('RFC 4514 DN value escaping', () => {
  it.each([
    ['Smith, John', 'Smith\\, John'],
    ['#1 fan', '\\#1 fan'],
    [' padded ', '\\ padded\\ '],
    ['a+b=c;d<e>f"g\\h', 'a\\+b\\=c\\;d\\<e\\>f\\"g\\\\h'],
    ['nul\0byte', 'nul\\00byte'],
    ['R&D', 'R&D'],
    ['Zoë 漢字', 'Zoë 漢字'],
    ['', ''],
  ])('%j → %j', (value, escaped) => {
    expect(escapeDnValue(value)).toBe(escaped);
    expect(unescapeDnValue(escaped)).toBe(value);
  });

  it('property: round-trips, and the escaped value never ends an RDN or starts a new attribute', () => {
    const random = seededRandom(4514);
    for (let i = 0; i < 5000; i++) {
      const value = randomString(random, 20);
      const escaped = escapeDnValue(value);
      expect(unescapeDnValue(escaped)).toBe(value);
      // Strip escape pairs: what is left must hold no special character, and no leading/trailing space or leading #.
      const bare = escaped.replace(/\\([0-9a-fA-F]{2}|.)/gsu, '');
      expect(bare).not.toMatch(/[,+"\\<>;=\0]/);
      expect(escaped.startsWith(' ') || escaped.startsWith('#')).toBe(false);
      expect(escaped.endsWith(' ') && !escaped.endsWith('\\ ')).toBe(false);
      expect(escaped).not.toMatch(/[\x00-\x1f\x7f]/);
    }
  });
});

describe('RFC 4515 filter value escaping', () => {
  it.each([
    ['a*b', 'a\\2ab'],
    ['(admin)', '\\28admin\\29'],
    ['back\\slash', 'back\\5cslash'],
    ['nul\0', 'nul\\00'],
    ['Zoë', 'Zoë'],
  ])('%j → %j', (value, escaped) => {
    expect(escapeFilterValue(value)).toBe(escaped);
    expect(unescapeFilterValue(escaped)).toBe(value);
  });

  it('property: round-trips and leaves no character that could change the filter structure', () => {
    const random = seededRandom(4515);
    for (let i = 0; i < 5000; i++) {
      const value = randomString(random, 20);
      const escaped = escapeFilterValue(value);
      expect(unescapeFilterValue(escaped)).toBe(value);
      expect(escaped).not.toMatch(/[*()\0]/);
      expect(escaped.replace(/\\[0-9a-f]{2}/g, '')).not.toContain('\\');
      // Inside a filter, the value stays one assertion: the filter still has exactly one pair of parentheses.
      const filter = `(cn=${escaped})`;
      expect(filter.split('(').length - 1).toBe(1);
      expect(filter.split(')').length - 1).toBe(1);
    }
  });
});
