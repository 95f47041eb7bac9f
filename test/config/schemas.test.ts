import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

type Schema = Record<string, unknown>;
const load = (file: string): Schema => JSON.parse(readFileSync(`schemas/${file}`, 'utf8')) as Schema;
const KINDS = ['common.schema.json', 'mesh.schema.json', 'connector.schema.json', 'flowrule.schema.json', 'projection.schema.json'];

function resolveRef(ref: string, file: string): Schema {
  const [refFile, pointer = ''] = ref.split('#');
  let target: unknown = load(refFile || file);
  for (const part of pointer.split('/').filter(Boolean)) target = (target as Schema)[part];
  return target as Schema;
}

/** Every subschema with its JSON pointer. */
function* walk(schema: unknown, path: string): Generator<[Schema, string]> {
  if (schema === null || typeof schema !== 'object') return;
  if (Array.isArray(schema)) {
    for (const [i, item] of schema.entries()) yield* walk(item, `${path}/${i}`);
    return;
  }
  yield [schema as Schema, path];
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'examples' || key === 'if' || key === 'default' || key === 'x-rejected' || key === 'const' || key === 'enum') continue;
    yield* walk(value, `${path}/${key}`);
  }
}

describe('the config schemas', () => {
  it.each(KINDS)('%s: every property has a description (the reference documentation)', (file) => {
    const missing: string[] = [];
    for (const [schema, path] of walk(load(file), '')) {
      for (const [name, property] of Object.entries((schema.properties as Record<string, Schema> | undefined) ?? {})) {
        const target = typeof property.$ref === 'string' ? resolveRef(property.$ref, file) : {};
        if (typeof property.description !== 'string' && typeof target.description !== 'string') missing.push(`${path}/properties/${name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it.each(KINDS)('%s: every object with properties refuses unknown keys (a connector package’s spec: its own schema does)', (file) => {
    const open: string[] = [];
    for (const [schema, path] of walk(load(file), '')) {
      if (schema.properties && schema.additionalProperties !== false) open.push(path);
    }
    // The package's keys are checked against the schema its descriptor exports (test/connectors/package/package-config.test.ts).
    expect(open).toEqual(file === 'connector.schema.json' ? ['/$defs/PackageConnectorSpec'] : []);
  });

  it('connector specs have one branch per type, selected by a discriminator on type', () => {
    const spec = resolveRef('#/$defs/ConnectorSpec', 'connector.schema.json');
    expect(spec.discriminator).toEqual({ propertyName: 'type' });
    const types = (spec.oneOf as Schema[]).map((branch) => (resolveRef(branch.$ref as string, 'connector.schema.json').properties as Record<string, Schema>).type?.const);
    expect(types).toEqual(['active-directory', 'ldap', 'sql', 'okta', 'entra-id', 'scim', 'scim-inbound', 'csv', 'rest', 'workday', 'package']);
  });
});
