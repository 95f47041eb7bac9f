#!/usr/bin/env node
/**
 * Generates src/config/generated/*.ts from schemas/*.schema.json (npm run gen:types).
 * `--check` writes nothing and exits 1 when a generated file is stale.
 */
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile } from 'json-schema-to-typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const schemaDir = join(root, 'schemas');
const outDir = join(root, 'src', 'config', 'generated');

/** Output file → schema file. */
const targets = {
  'mesh.ts': 'mesh.schema.json',
  'connector.ts': 'connector.schema.json',
  'flowrule.ts': 'flowrule.schema.json',
  'projection.ts': 'projection.schema.json',
  'policy.ts': 'policy.schema.json',
};

const banner = (schema) =>
  `/* Generated from schemas/${schema} by \`npm run gen:types\`. Do not edit: change the schema and regenerate. */`;

async function generate(schemaFile) {
  const schema = JSON.parse(readFileSync(join(schemaDir, schemaFile), 'utf8'));
  return compile(schema, schema.title, {
    cwd: schemaDir,
    bannerComment: banner(schemaFile),
    additionalProperties: false,
    unreachableDefinitions: true,
    strictIndexSignatures: true,
    style: { singleQuote: true, printWidth: 120 },
  });
}

const check = process.argv.includes('--check');
let stale = 0;
for (const [out, schemaFile] of Object.entries(targets)) {
  const path = join(outDir, out);
  const text = await generate(schemaFile);
  const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  if (current === text) continue;
  if (check) {
    process.stderr.write(`src/config/generated/${out} is stale; run npm run gen:types\n`);
    stale++;
  } else {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(path, text);
    process.stderr.write(`wrote src/config/generated/${out}\n`);
  }
}
process.exitCode = stale > 0 ? 1 : 0;
