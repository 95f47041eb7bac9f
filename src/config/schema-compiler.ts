/**
 * The config schemas (schemas/*.schema.json) compiled by Ajv: at run time when no precompiled module
 * is present, and at build time into standalone validator code (`dist/config/schema-validators.cjs`,
 * written by scripts/build-validators.mjs) so a process does not spend ~200 ms compiling on every start.
 * Both paths use these options, so they validate, report and fill defaults identically.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Ajv2020 as Ajv2020Type, Options, ValidateFunction } from 'ajv/dist/2020.js';

export const KINDS = ['Mesh', 'Connector', 'FlowRule', 'Projection', 'Policy'] as const;
export type Kind = (typeof KINDS)[number];

export const SCHEMA_FILES: Record<Kind, string> = {
  Mesh: 'mesh.schema.json',
  Connector: 'connector.schema.json',
  FlowRule: 'flowrule.schema.json',
  Projection: 'projection.schema.json',
  Policy: 'policy.schema.json',
};
const COMMON_SCHEMA = 'common.schema.json';

/** Annotation keywords of our schemas: `x-expected` describes a pattern in words, `x-rejected` explains refused enum values, `x-instead` names what to write for a key written otherwise. */
const ANNOTATIONS = ['x-expected', 'x-rejected', 'x-instead'];

const OPTIONS: Options = { allErrors: true, useDefaults: true, discriminator: true, verbose: true, strict: true, strictRequired: false, allowUnionTypes: true };

function schemaUrl(file: string): URL {
  return new URL(`../../schemas/${file}`, import.meta.url);
}

function schemaText(file: string): string {
  return readFileSync(schemaUrl(file), 'utf8');
}

/** Identifies the schema files' contents: a precompiled module built from other schemas is not used. */
export function schemasFingerprint(): string {
  const hash = createHash('sha256');
  for (const file of [COMMON_SCHEMA, ...KINDS.map((k) => SCHEMA_FILES[k])]) hash.update(file).update('\0').update(schemaText(file)).update('\0');
  return hash.digest('hex');
}

// Ajv is CommonJS; required on demand so a process with precompiled validators never loads its compiler.
const require = createRequire(import.meta.url);

function newAjv(extra: Options = {}): Ajv2020Type {
  const { Ajv2020 } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  const ajv = new Ajv2020({ ...OPTIONS, ...extra });
  for (const keyword of ANNOTATIONS) ajv.addKeyword({ keyword, schemaType: ['string', 'object'] });
  ajv.addSchema(JSON.parse(schemaText(COMMON_SCHEMA)) as object);
  return ajv;
}

export function compileValidators(): Map<Kind, ValidateFunction> {
  const ajv = newAjv();
  return new Map(KINDS.map((kind) => [kind, ajv.compile(JSON.parse(schemaText(SCHEMA_FILES[kind])) as object)]));
}

/** CommonJS source of standalone validators, one export per kind, plus the schemas' fingerprint. */
export function standaloneValidatorsSource(): string {
  const ajv = newAjv({ code: { source: true } });
  const ids: Record<string, string> = {};
  for (const kind of KINDS) {
    const schema = JSON.parse(schemaText(SCHEMA_FILES[kind])) as { $id: string };
    ajv.addSchema(schema);
    ids[kind] = schema.$id;
  }
  const { default: standaloneCode } = require('ajv/dist/standalone/index.js') as typeof import('ajv/dist/standalone/index.js');
  return `${standaloneCode(ajv, ids)}\nexports.schemasFingerprint = ${JSON.stringify(schemasFingerprint())};\n`;
}

/**
 * Compiles a connector package's spec schema (draft 2020-12) with the options our own schemas use, so
 * its problems are reported and its defaults filled the same way. Unknown keywords are allowed: the
 * schema is a third party's.
 */
export function compilePackageSchema(schema: object): ValidateFunction {
  const { Ajv2020 } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  return new Ajv2020({ ...OPTIONS, strict: false }).compile(schema);
}
