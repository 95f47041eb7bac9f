/**
 * The registry lists one descriptor per connector type, and loading the descriptors (what `validate`
 * and the controller do for every config) loads no vendor library: those sit behind `load()`.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONNECTOR_TYPES, connectorFactory, descriptorOf, findDescriptor } from '../../src/connectors/registry.js';

const VENDORS = ['ldapts', 'pg', 'pg-cursor', 'mssql', 'tedious', 'undici', '@electric-sql/pglite', 'better-sqlite3', 'iconv-lite', 'csv-parse', 'csv-stringify'];

/** Bare module names reached from `file` through static imports (type-only imports and `import()` excluded). */
function staticPackages(file: string, seen = new Set<string>(), found = new Set<string>()): Set<string> {
  if (seen.has(file)) return found;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const match of text.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?\sfrom\s+'([^']+)'|^import\s+'([^']+)'/gm)) {
    const specifier = match[1] ?? match[2]!;
    if (specifier.startsWith('.')) staticPackages(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')), seen, found);
    else if (!specifier.startsWith('node:')) found.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!);
  }
  return found;
}

describe('connector registry', () => {
  it('has a descriptor for every type, under its own name', () => {
    expect(CONNECTOR_TYPES).toEqual(['active-directory', 'ldap', 'sql', 'okta', 'entra-id', 'scim', 'scim-inbound', 'csv', 'rest', 'workday', 'package']);
    for (const type of CONNECTOR_TYPES) expect(descriptorOf(type).type).toBe(type);
  });

  it('imports no vendor library until a connector is opened', () => {
    const packages = [...staticPackages(resolve('src/connectors/registry.ts'))];
    expect(packages.filter((name) => VENDORS.includes(name))).toEqual([]);
  });

  it('refuses a type it does not know, naming the ones it has', () => {
    expect(() => findDescriptor('sap-hr')).toThrow(/connector type "sap-hr" is not available in this build \(available: active-directory, csv, entra-id, ldap, okta, package, rest, scim, scim-inbound, sql, workday\)/);
    expect(() => connectorFactory('__proto__')).toThrow(/not available/);
  });

  it('loads each type’s factory on demand', async () => {
    for (const type of CONNECTOR_TYPES) expect(typeof (await descriptorOf(type).load())).toBe('function');
  });
});
