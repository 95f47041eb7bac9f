/**
 * The identity-naming filters: replace, truncate, first, ascii, eq. Example tests pin the meanings;
 * property tests (seeded, so a failure reproduces) check the laws over random input.
 */
import { describe, expect, it } from 'vitest';
import { escapeDnValue, escapeFilterValue } from '../../src/config/escape.js';
import type { Value } from '../../src/config/model.js';
import { compileTemplate, TemplateSyntaxError } from '../../src/config/template.js';
import { randomString, seededRandom } from './random.js';

const person: Record<string, Value> = {
  givenName: 'Zoë',
  sn: 'Ångström-Łukasz',
  userName: 'Ada.Lovelace@Contoso.com ',
  workEmail: 'ada.lovelace@contoso.com',
  otherEmail: 'ada@example.com',
  mails: ['x@contoso.com', 'ada.lovelace@contoso.com'],
  city: 'São Paulo',
};
const lookup = (name: string): Value | undefined => person[name];
const render = (source: string, values: Record<string, Value> = person) => compileTemplate(source).render((n) => values[n]);

describe('naming filters', () => {
  it('ascii transliterates: NFKD without marks, and a table for letters that do not decompose', () => {
    expect(render('{{givenName | ascii}} {{sn | ascii}}')).toEqual({ ok: true, value: 'Zoe Angstrom-Lukasz' });
    expect(render('{{x | ascii}}', { x: 'Straße Æsir Øre Đorđe Œuvre Þór ﬁne' })).toEqual({ ok: true, value: 'Strasse AEsir Ore Dorde OEuvre Thor fine' });
    expect(render('{{x | ascii}}', { x: 'Zoë 王' })).toEqual({ ok: true, value: 'Zoe ' }); // no ASCII form: dropped
    expect(render('{{x | ascii}}', { x: '王' })).toEqual({ ok: false, missing: ['x'] }); // nothing left: missing, held back
  });

  it('replace substitutes every occurrence of a quoted text', () => {
    expect(render('{{city | replace:" ":"."}}')).toEqual({ ok: true, value: 'São.Paulo' });
    expect(render('{{city | ascii | lower | replace:" ":""}}')).toEqual({ ok: true, value: 'saopaulo' });
    expect(render("{{x | replace:'a|b':'\\''}}", { x: 'a|b-a|b' })).toEqual({ ok: true, value: "'-'" });
  });

  it('truncate:N cuts to N characters without an ellipsis; first:N takes the first N (initials)', () => {
    expect(render('{{x | truncate:20}}', { x: 'averyveryverylongaccountname' })).toEqual({ ok: true, value: 'averyveryverylongacc' });
    expect(render('{{x | truncate:20}}', { x: 'short' })).toEqual({ ok: true, value: 'short' });
    expect(render('{{givenName | first:1}}{{sn | ascii | first:1 | lower}}')).toEqual({ ok: true, value: 'Za' });
    expect(render('{{x | first:2}}', { x: '😀😀😀' })).toEqual({ ok: true, value: '😀😀' }); // characters, not UTF-16 units
    // A sAMAccountName: ASCII, no spaces, lower case, at most 20 characters.
    expect(render('{{givenName | ascii | first:1 | lower}}{{sn | ascii | lower | replace:"-":"" | truncate:19}}')).toEqual({ ok: true, value: 'zangstromlukasz' });
  });

  it('eq compares with another attribute or a quoted text: true or false, trimmed and case-insensitively', () => {
    expect(render('{{userName | eq:workEmail}}')).toEqual({ ok: true, value: true });
    expect(render('{{userName | eq:otherEmail}}')).toEqual({ ok: true, value: false });
    expect(render('{{workEmail | eq:mails}}')).toEqual({ ok: true, value: true }); // a list: any value
    expect(render('{{givenName | eq:"zoë"}}')).toEqual({ ok: true, value: true });
    expect(render('{{givenName | eq:"Zoe"}}')).toEqual({ ok: true, value: false });
    // false is a value, never "missing", and default does not replace it.
    expect(render('{{userName | eq:otherEmail | default:"true"}}')).toEqual({ ok: true, value: false });
    expect(compileTemplate('{{userName | eq:workEmail}}').attributes).toEqual(['userName', 'workEmail']);
  });

  it('a missing attribute still holds the object back, also the one eq compares with, unless a default follows', () => {
    expect(render('{{title | truncate:5}}')).toEqual({ ok: false, missing: ['title'] });
    expect(render('{{userName | eq:phone}}')).toEqual({ ok: false, missing: ['phone'] });
    expect(render('{{userName | eq:phone | default:"false"}}')).toEqual({ ok: true, value: 'false' });
  });

  it('values are escaped for their destination after the filters', () => {
    const t = compileTemplate('CN={{sn | replace:"-":","}},OU=Users');
    expect(t.render(lookup, escapeDnValue)).toEqual({ ok: true, value: 'CN=Ångström\\,Łukasz,OU=Users' });
    expect(compileTemplate('(cn={{x | first:3}})').render(() => 'a*(b)', escapeFilterValue)).toEqual({ ok: true, value: '(cn=a\\2a\\28)' });
  });

  it.each([
    ['{{a | truncate}}', 'filter "truncate" needs a number of characters, 1 or more, e.g. truncate:20'],
    ['{{a | truncate:0}}', 'filter "truncate" needs a number of characters'],
    ['{{a | first:x}}', 'filter "first" needs a number of characters, 1 or more, e.g. first:1'],
    ['{{a | replace:"x"}}', 'filter "replace" needs two quoted values, e.g. replace:" ":"."'],
    ['{{a | replace:"":"y"}}', 'filter "replace" needs a non-empty text to replace'],
    ['{{a | ascii:1}}', 'filter "ascii" takes no argument'],
    ['{{a | eq:}}', 'filter "eq" needs an attribute name or a quoted value'],
    ['{{a | eq:constructor}}', '"constructor" is not an attribute name: __proto__, constructor and prototype are reserved'],
    ['{{a | eq:x.__proto__}}', '"x.__proto__" is not an attribute name'],
    ['{{a | truncat:3}}', 'unknown filter "truncat" in template "{{a | truncat:3}}" (did you mean "truncate"?)'],
  ])('rejects %s with a clear message', (source, message) => {
    expect(() => compileTemplate(source)).toThrow(message);
    expect(() => compileTemplate(source)).toThrow(TemplateSyntaxError);
  });
});

describe('naming filters: properties', () => {
  const random = seededRandom(1913);
  const samples = Array.from({ length: 2000 }, () => randomString(random, 30)).filter((s) => s !== '');
  const one = (source: string, x: string): Value | undefined => {
    const result = compileTemplate(source).render((n) => (n === 'x' ? x : undefined));
    return result.ok ? result.value : undefined;
  };

  it('ascii: the result is ASCII, idempotent, and leaves ASCII input as it is', () => {
    for (const x of samples) {
      const out = one('{{x | ascii}}', x);
      if (out === undefined) continue;
      expect(String(out)).toMatch(/^[\x00-\x7F]*$/);
      expect(one('{{x | ascii}}', String(out))).toBe(out);
      if (/^[\x00-\x7F]*$/.test(x)) expect(out).toBe(x);
    }
  });

  it('truncate:N and first:N: a prefix of at most N characters, the whole value when shorter', () => {
    for (const x of samples) {
      const n = 1 + Math.floor(random() * 25);
      const out = String(one(`{{x | truncate:${n}}}`, x));
      expect(Array.from(out).length).toBe(Math.min(n, Array.from(x).length));
      expect(x.startsWith(out)).toBe(true);
      expect(one(`{{x | first:${n}}}`, x)).toBe(out);
    }
  });

  it('replace: no occurrence of the replaced text is left when the replacement does not contain it; replacing with itself changes nothing', () => {
    for (const x of samples) {
      const from = Array.from(x)[Math.floor(random() * Array.from(x).length)]!;
      const quoted = `"${from.replace(/[\\"]/g, (c) => `\\${c}`)}"`; // our quoting: a backslash escapes the next character
      const out = one(`{{x | replace:${quoted}:"_"}}`, x);
      if (from !== '_' && out !== undefined) expect(String(out).includes(from)).toBe(false);
      expect(one(`{{x | replace:${quoted}:${quoted}}}`, x)).toBe(x);
    }
  });

  it('eq: reflexive and symmetric, and insensitive to case and surrounding space', () => {
    for (const x of samples) {
      const y = samples[Math.floor(random() * samples.length)]!;
      const values: Record<string, Value> = { x, y, X: ` ${x.toUpperCase()} ` };
      const eq = (a: string, b: string) => compileTemplate(`{{${a} | eq:${b}}}`).render((n) => values[n]);
      if (x.trim() === '') continue;
      expect(eq('x', 'x')).toEqual({ ok: true, value: true });
      if (x.toUpperCase().toLowerCase() === x.toLowerCase()) expect(eq('X', 'x')).toEqual({ ok: true, value: true });
      if (y.trim() !== '') expect(eq('x', 'y')).toEqual(eq('y', 'x'));
    }
  });
});
