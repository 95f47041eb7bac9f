/**
 * JSON Schema validation of config documents (schemas/*.schema.json), compiled once per process.
 * Validation applies the schemas' defaults to the document in place.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';

export const KINDS = ['Mesh', 'Connector', 'FlowRule', 'Projection'] as const;
export type Kind = (typeof KINDS)[number];

export const API_VERSION = 'identitymesh.dev/v1alpha1';

const SCHEMA_FILES: Record<Kind, string> = {
  Mesh: 'mesh.schema.json',
  Connector: 'connector.schema.json',
  FlowRule: 'flowrule.schema.json',
  Projection: 'projection.schema.json',
};

/** Annotation keywords of our schemas: `x-expected` describes a pattern in words, `x-rejected` explains refused enum values, `x-instead` names what to write for a key written otherwise. */
const ANNOTATIONS = ['x-expected', 'x-rejected', 'x-instead'];

let validators: Map<Kind, ValidateFunction> | undefined;

function schemaUrl(file: string): URL {
  return new URL(`../../schemas/${file}`, import.meta.url);
}

export function readSchema(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(schemaUrl(file), 'utf8')) as Record<string, unknown>;
}

function compileAll(): Map<Kind, ValidateFunction> {
  const ajv = new Ajv2020({ allErrors: true, useDefaults: true, discriminator: true, verbose: true, strict: true, strictRequired: false, allowUnionTypes: true });
  for (const keyword of ANNOTATIONS) ajv.addKeyword({ keyword, schemaType: ['string', 'object'] });
  ajv.addSchema(readSchema('common.schema.json'));
  const map = new Map<Kind, ValidateFunction>();
  for (const kind of KINDS) map.set(kind, ajv.compile(readSchema(SCHEMA_FILES[kind])));
  return map;
}

/** Validates (and fills defaults into) one document of a known kind. */
export function validateDocument(kind: Kind, document: unknown): ErrorObject[] {
  validators ??= compileAll();
  const validate = validators.get(kind);
  if (!validate) throw new Error(`no schema for kind ${kind}`);
  return validate(document) ? [] : [...(validate.errors ?? [])];
}

export type { ErrorObject };
