import { describe, expect, it } from 'vitest';
import { escapeDnValue } from '../../src/config/escape.js';
import type { Value } from '../../src/config/model.js';
import { compileTemplate, TemplateSyntaxError } from '../../src/config/template.js';
import { randomString, seededRandom } from './random.js';

const person: Record<string, Value> = {
  employeeId: 'E1001',
  firstName: 'Ada',
  lastName: 'Lovelace',
  department: ' R&D ',
  active: true,
  roles: ['admin', 'dev'],
  empty: '',
  none: [],
};
const lookup = (name: string): Value | undefined => person[name];

describe('templates', () => {
  it('substitutes attributes into literal text', () => {
    expect(compileTemplate('{{firstName}} {{lastName}}').render(lookup)).toEqual({ ok: true, value: 'Ada Lovelace' });
  });

  it('applies lower, upper, trim and default, chained left to right', () => {
    expect(compileTemplate('{{employeeId | lower}}').render(lookup)).toEqual({ ok: true, value: 'e1001' });
    expect(compileTemplate('{{firstName|upper}}').render(lookup)).toEqual({ ok: true, value: 'ADA' });
    expect(compileTemplate('[{{department | trim}}]').render(lookup)).toEqual({ ok: true, value: '[R&D]' });
    expect(compileTemplate('{{title | default:"Staff" | upper}}').render(lookup)).toEqual({ ok: true, value: 'STAFF' });
    expect(compileTemplate("{{title | default:'n/a'}}").render(lookup)).toEqual({ ok: true, value: 'n/a' });
    expect(compileTemplate('{{title | default:"say \\"hi\\" | ok"}}').render(lookup)).toEqual({ ok: true, value: 'say "hi" | ok' });
  });

  it('keeps the value type of a single-expression template', () => {
    expect(compileTemplate('{{active}}').render(lookup)).toEqual({ ok: true, value: true });
    expect(compileTemplate('{{roles}}').render(lookup)).toEqual({ ok: true, value: ['admin', 'dev'] });
    expect(compileTemplate('{{roles | upper}}').render(lookup)).toEqual({ ok: true, value: ['ADMIN', 'DEV'] });
    expect(compileTemplate('active={{active}}').render(lookup)).toEqual({ ok: true, value: 'active=true' });
  });

  it('reports missing attributes (absent, empty string, empty list, blank after trim) instead of rendering the token', () => {
    expect(compileTemplate('OU={{title}},{{department}}').render(lookup)).toEqual({ ok: false, missing: ['title'] });
    expect(compileTemplate('{{empty}}-{{none}}-{{nothing}}').render(lookup)).toEqual({ ok: false, missing: ['empty', 'none', 'nothing'] });
    expect(compileTemplate('{{x | trim}}').render(() => '   ')).toEqual({ ok: false, missing: ['x'] });
    expect(compileTemplate('{{x | trim | default:"-"}}').render(() => '   ')).toEqual({ ok: true, value: '-' });
    expect(compileTemplate('{{phone | default:""}}').render(() => undefined)).toEqual({ ok: true, value: '' });
    expect(compileTemplate('tel: {{phone | default:""}}').render(() => undefined)).toEqual({ ok: true, value: 'tel: ' });
  });

  it('lists the attributes it reads, item included, secrets not', () => {
    const template = compileTemplate('{{employeeId}}:{{item}} {{secret:api-key}} {{employeeId|lower}}');
    expect(template.attributes).toEqual(['employeeId', 'item']);
    expect(template.render((n) => (n === 'item' ? 'r1' : person[n]))).toEqual({ ok: true, value: 'E1001:r1 {{secret:api-key}} e1001' });
  });

  it('escapes substituted values only, never the literal text', () => {
    const template = compileTemplate('CN={{name}},OU=Users');
    expect(template.render(() => 'Smith, John', escapeDnValue)).toEqual({ ok: true, value: 'CN=Smith\\, John,OU=Users' });
  });

  it('is compiled once and frozen', () => {
    const template = compileTemplate('{{a}}');
    expect(Object.isFrozen(template)).toBe(true);
    expect(template.source).toBe('{{a}}');
  });

  it.each([
    ['{{firstName', /unclosed "\{\{"/],
    ['{{}}', /empty expression/],
    ['{{first name}}', /not an attribute name/],
    ['{{a | lowr}}', /unknown filter "lowr".*did you mean "lower"/],
    ['{{a | default}}', /needs a quoted value/],
    ['{{a | default:x}}', /needs a quoted value/],
    ['{{a | upper:"x"}}', /takes no argument/],
    ['{{a | default:"x}}', /unterminated quote/],
  ])('rejects %s with a clear message', (source, message) => {
    expect(() => compileTemplate(source)).toThrow(message);
    expect(() => compileTemplate(source)).toThrow(TemplateSyntaxError);
  });

  it('fuzz: any text either compiles or throws TemplateSyntaxError, and never renders an attribute token', () => {
    const random = seededRandom(42);
    const alphabet = ['{{', '}}', '|', 'a', 'b', ' ', 'lower', 'default:"z"', '"', "'", 'upper', 'trim', 'secret:', '-', '\\', 'é'];
    for (let i = 0; i < 3000; i++) {
      const source = Array.from({ length: Math.floor(random() * 12) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      let template;
      try {
        template = compileTemplate(source);
      } catch (error) {
        expect(error).toBeInstanceOf(TemplateSyntaxError);
        continue;
      }
      const values: Record<string, Value> = { a: 'A', b: randomString(random, 5) };
      const result = template.render((n) => values[n]);
      if (result.ok) {
        for (const name of template.attributes) expect(String(result.value)).not.toContain(`{{${name}}}`);
      } else {
        expect(result.missing.every((n) => template.attributes.includes(n))).toBe(true);
      }
    }
  });
});
