/**
 * The validators precompiled at build time must validate exactly like the ones compiled at run time:
 * same verdict, same errors, same defaults filled in, for every document under samples/ (valid and
 * invalid) — and must not be used once the schemas on disk differ from the ones they were built from.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { compileValidators, KINDS, standaloneValidatorsSource, type Kind } from '../../src/config/schema-compiler.js';
import { loadPrecompiled } from '../../src/config/schema-validator.js';

// Inside the project (an ignored folder), so the generated code resolves ajv's runtime helpers.
mkdirSync('test/artifacts/out', { recursive: true });
const dir = mkdtempSync(join('test/artifacts/out', 'validators-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function yamlFiles(root: string): string[] {
  return readdirSync(root).flatMap((name) => {
    const path = join(root, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

const documents = yamlFiles('samples').flatMap((file) =>
  parseAllDocuments(readFileSync(file, 'utf8')).flatMap((doc, i) => {
    let value: { kind?: unknown } | null = null;
    try {
      value = doc.errors.length === 0 ? (doc.toJS() as { kind?: unknown } | null) : null;
    } catch {
      return []; // samples/invalid/yaml-bomb: refused by the parser before any schema sees it
    }
    return value && KINDS.includes(value.kind as Kind) ? [{ name: `${file}#${i}`, kind: value.kind as Kind, value }] : [];
  }),
);

describe('precompiled config validators', () => {
  const source = join(dir, 'schema-validators.cjs');
  writeFileSync(source, standaloneValidatorsSource());
  const precompiled = loadPrecompiled(pathToFileURL(source));
  const compiled = compileValidators();

  it('load when built from the schemas on disk', () => {
    expect(precompiled).toBeDefined();
    expect([...precompiled!.keys()]).toEqual([...KINDS]);
  });

  it('cover the samples, valid and invalid', () => {
    expect(documents.length).toBeGreaterThan(20);
  });

  it.each(documents.map((d) => [d.name, d] as const))('%s: same verdict, errors and defaults', (_name, { kind, value }) => {
    const a = structuredClone(value);
    const b = structuredClone(value);
    const validA = precompiled!.get(kind)!;
    const validB = compiled.get(kind)!;
    expect(validA(a)).toBe(validB(b));
    expect(JSON.parse(JSON.stringify(validA.errors ?? []))).toEqual(JSON.parse(JSON.stringify(validB.errors ?? [])));
    expect(a).toEqual(b);
  });

  it('report a broken document the same way', () => {
    const broken = { apiVersion: 'identitymesh.dev/v1alpha1', kind: 'Connector', metadata: { name: 'Bad Name' }, spec: { type: 'csv', nope: 1 } };
    const a = structuredClone(broken);
    const b = structuredClone(broken);
    expect(precompiled!.get('Connector')!(a)).toBe(false);
    compiled.get('Connector')!(b);
    expect(JSON.parse(JSON.stringify(precompiled!.get('Connector')!.errors))).toEqual(JSON.parse(JSON.stringify(compiled.get('Connector')!.errors)));
  });

  it('are ignored when built from other schemas', () => {
    const stale = join(dir, 'stale.cjs');
    writeFileSync(stale, readFileSync(source, 'utf8').replace(/exports\.schemasFingerprint = "[0-9a-f]+"/, 'exports.schemasFingerprint = "0"'));
    expect(loadPrecompiled(pathToFileURL(stale))).toBeUndefined();
  });

  it('are ignored when absent', () => {
    expect(loadPrecompiled(pathToFileURL(join(dir, 'missing.cjs')))).toBeUndefined();
  });
});
