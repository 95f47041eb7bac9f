/**
 * JSON Schema validation of config documents (schemas/*.schema.json). Uses the validators precompiled
 * at build time when they match the schemas on disk, else compiles them once per process.
 * Validation applies the schemas' defaults to the document in place.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { compileValidators, KINDS, schemasFingerprint, type Kind } from './schema-compiler.js';

export { KINDS, type Kind };

export const API_VERSION = 'identitymesh.dev/v1alpha1';

/** Written next to this module by `npm run build` (scripts/build-validators.mjs). */
export const PRECOMPILED_VALIDATORS = new URL('./schema-validators.cjs', import.meta.url);

let validators: Map<Kind, ValidateFunction> | undefined;

/** The precompiled validators, or undefined when absent or built from other schemas. */
export function loadPrecompiled(url: URL = PRECOMPILED_VALIDATORS): Map<Kind, ValidateFunction> | undefined {
  if (!existsSync(url)) return undefined;
  const module = createRequire(import.meta.url)(fileURLToPath(url)) as Record<string, unknown>;
  if (module.schemasFingerprint !== schemasFingerprint()) return undefined;
  const map = new Map<Kind, ValidateFunction>();
  for (const kind of KINDS) {
    const validate = module[kind];
    if (typeof validate !== 'function') return undefined;
    map.set(kind, validate as ValidateFunction);
  }
  return map;
}

/** Validates (and fills defaults into) one document of a known kind. */
export function validateDocument(kind: Kind, document: unknown): ErrorObject[] {
  validators ??= loadPrecompiled() ?? compileValidators();
  const validate = validators.get(kind);
  if (!validate) throw new Error(`no schema for kind ${kind}`);
  return validate(document) ? [] : [...(validate.errors ?? [])];
}

export type { ErrorObject };
