/**
 * Editor support: every document of every sample config starts with a yaml-language-server modeline
 * (`# yaml-language-server: $schema=PATH`). The path must name an existing schema of the document's
 * kind, and that schema — loaded from the file the modeline names, with its relative `$ref`s resolved
 * against that file as yaml-language-server resolves them — must accept the document.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

const ROOT = resolve(import.meta.dirname, '../..');
const SAMPLES = join(ROOT, 'samples');
const MODELINE = /^#\s+yaml-language-server\s*:\s*\$schema=(\S+)\s*$/;

function sampleFiles(): string[] {
  return readdirSync(SAMPLES, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'invalid' && d.name !== 'ci')
    .flatMap((d) => readdirSync(join(SAMPLES, d.name)).filter((f) => f.endsWith('.yaml')).map((f) => join(SAMPLES, d.name, f)));
}

/** The schema at `path`, compiled with every schema of its folder registered by file URL (as an editor loads them). */
function validatorFor(path: string) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  const dir = dirname(path);
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.schema.json'))) {
    const schema = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;
    // Identified by where the file is, not by its $id: relative $refs then resolve the way the editor resolves them.
    delete schema.$id;
    ajv.addSchema(schema, `file://${join(dir, file)}`);
  }
  return ajv.getSchema(`file://${path}`)!;
}

describe('sample configs carry yaml-language-server modelines', () => {
  const files = sampleFiles();

  it('finds the samples', () => {
    expect(files.length).toBeGreaterThanOrEqual(16);
  });

  for (const file of files) {
    it(`${relative(ROOT, file)}: each document's modeline names its kind's schema, which accepts it`, () => {
      const text = readFileSync(file, 'utf8');
      // Each document's own text (its leading comments included): a modeline applies to its document only.
      const segments = text.split(/^---[ \t]*\n/m).filter((segment) => segment.trim() !== '');
      const docs = parseAllDocuments(text);
      expect(segments).toHaveLength(docs.length);
      for (const [i, doc] of docs.entries()) {
        const json = doc.toJS() as { kind: string; metadata: { name: string } };
        const where = `${relative(ROOT, file)} ${json.kind}/${json.metadata.name}`;
        const first = segments[i]!.split('\n')[0]!;
        const match = MODELINE.exec(first);
        expect(match, `${where} starts with "${first}"`).not.toBeNull();
        const schemaPath = resolve(dirname(file), match![1]!);
        expect(existsSync(schemaPath), `${where}: ${match![1]} does not exist`).toBe(true);
        expect(schemaPath).toBe(join(ROOT, 'schemas', `${json.kind.toLowerCase()}.schema.json`));
        const validate = validatorFor(schemaPath);
        expect(validate(json) ? [] : validate.errors, where).toEqual([]);
      }
    });
  }
});
