import { describe, expect, it } from 'vitest';
import { compileTemplate, TemplateSyntaxError } from '../../src/config/template.js';
import { APPS, APPS_PROJECTION, compileDocs, edit, HR, HR_FLOW, MESH, problemLines } from './helpers.js';

function reserved(...documents: string[]): string[] {
  return problemLines(compileDocs(...documents)).filter((line) => line.includes('reserved'));
}

describe('__proto__, constructor and prototype are never names', () => {
  it('templates refuse them, alone, in a dotted path and after filters', () => {
    for (const source of ['{{constructor}}', '{{ __proto__ }}', 'x{{prototype | lower}}', '{{manager.constructor}}', '{{__proto__.polluted}}']) {
      expect(() => compileTemplate(source), source).toThrow(TemplateSyntaxError);
    }
    expect(compileTemplate('{{constructorName}}|{{protoType}}').attributes).toEqual(['constructorName', 'protoType']);
  });

  it('a template renders only own attributes: inherited names are missing', () => {
    const template = compileTemplate('{{toString}}{{valueOf}}');
    const attributes: Record<string, string> = { name: 'Ada' };
    expect(template.render((name) => (Object.hasOwn(attributes, name) ? attributes[name] : undefined))).toEqual({ ok: false, missing: ['toString', 'valueOf'] });
  });

  it('validate names the file and line of every place that names one', () => {
    const mesh = edit(MESH, '        employeeId: { type: string }\n', '        employeeId: { type: string }\n        constructor: { type: string }\n');
    const flow = edit(HR_FLOW, '    - { mesh: email, source: email }', '    - { mesh: email, source: __proto__ }\n    - { mesh: department, template: "{{constructor}}|{{__proto__}}|{{toString}}" }');
    const projection = edit(APPS_PROJECTION, '    email: "{{email}}"', '    email: "{{email}}"\n    __proto__: "{{email}}"\n  scope: { attribute: prototype, present: true }');
    const lines = reserved(mesh, HR, APPS, flow, projection);
    expect(lines).toEqual([
      expect.stringMatching(/^config\.yaml:9:9: "constructor" cannot be a name; __proto__, constructor and prototype are reserved/),
      expect.stringMatching(/^config\.yaml:\d+:\d+: source names "__proto__"; .*reserved/),
      expect.stringMatching(/^config\.yaml:\d+:\d+: attributes\[\d\]\.template: "constructor" is not an attribute name in template .*reserved/),
      expect.stringMatching(/^config\.yaml:\d+:\d+: "__proto__" cannot be a name; .*reserved/),
      expect.stringMatching(/^config\.yaml:\d+:\d+: attribute names "prototype"; .*reserved/),
    ]);
  });

  it('connector columns and object types are checked too', () => {
    const hr = edit(HR, 'user: { file: data/hr.csv, externalIdColumn: employee_id }', 'user: { file: data/hr.csv, externalIdColumn: constructor, multiValuedColumns: [__proto__] }');
    expect(reserved(MESH, hr, APPS)).toEqual([
      expect.stringMatching(/externalIdColumn names "constructor"/),
      expect.stringMatching(/multiValuedColumns names "__proto__"/),
    ]);
  });
});
