/**
 * SCIM PATCH (RFC 7644 §3.5.2): reading a PatchOp request (with Entra's shapes, entra-compat.ts),
 * applying it to a resource with `scim-patch`, and writing one for a service provider.
 */
import { scimPatch, type ScimPatchOperation, type ScimResource } from 'scim-patch';
import { errorMessage } from '../shared/errors.js';
import { normaliseBooleans, patchOpName, removalsByValue, splitPathKeys } from './entra-compat.js';
import { checkScimPath } from './input-guard.js';
import { asObject } from './resources.js';
import { isScimType, ScimError } from './scim-error.js';
import { SCHEMA } from './urns.js';

export interface PatchOperation {
  readonly op: 'add' | 'remove' | 'replace';
  readonly path?: string;
  readonly value?: unknown;
}

/** A PatchOp request body for `operations`. */
export function patchRequest(operations: readonly PatchOperation[]): { schemas: string[]; Operations: readonly PatchOperation[] } {
  return { schemas: [SCHEMA.patch], Operations: operations };
}

/**
 * The operations of a PatchOp request body, in RFC form: lower-case ops, string booleans as booleans,
 * path-less values split into plain attributes and path keys, removals by value made filtered paths.
 */
export function readPatchRequest(body: Readonly<Record<string, unknown>>): PatchOperation[] {
  const listed = Array.isArray(body.schemas) ? body.schemas : [];
  if (!listed.includes(SCHEMA.patch)) throw new ScimError(400, `a PATCH body lists the schema ${SCHEMA.patch}`, 'invalidSyntax');
  const operations = body.Operations ?? body.operations;
  if (!Array.isArray(operations) || operations.length === 0) throw new ScimError(400, 'a PATCH body needs a non-empty Operations list', 'invalidSyntax');
  const out: PatchOperation[] = [];
  for (const raw of operations) {
    const operation = asObject(raw, 'an operation');
    const op = patchOpName(operation.op);
    if (!op) throw new ScimError(400, `unknown PATCH op ${JSON.stringify(operation.op)} (add, replace or remove)`, 'invalidSyntax');
    const path = operation.path;
    if (path !== undefined && typeof path !== 'string') throw new ScimError(400, 'a PATCH path is a string', 'invalidPath');
    if (path !== undefined) checkScimPath(path);
    const value = normaliseBooleans(operation.value);
    if (op === 'remove') {
      if (!path) throw new ScimError(400, 'a remove operation needs a path', 'noTarget');
      const removals = removalsByValue(path, value);
      if (removals) out.push(...removals.map((filtered) => ({ op, path: filtered })));
      else out.push({ op, path, ...(value !== undefined ? { value } : {}) });
      continue;
    }
    if (value === undefined) throw new ScimError(400, `an ${op} operation needs a value`, 'invalidValue');
    if (!path) {
      const { plain, paths } = splitPathKeys(asObject(value, `a path-less ${op} value`));
      for (const [key, v] of paths) out.push({ op, path: key, value: v });
      if (Object.keys(plain).length > 0) out.push({ op, value: plain });
      continue;
    }
    out.push({ op, path, value });
  }
  return out;
}

/**
 * `resource` with `operations` applied (a new object; the input is not changed). An operation the
 * resource cannot take (no such target, a wrong value) is a 400 with scim-patch's `scimType`.
 */
export function applyPatch(resource: Readonly<Record<string, unknown>>, resourceType: string, operations: readonly PatchOperation[]): Record<string, unknown> {
  try {
    return scimPatch({ ...structuredClone(resource), meta: { resourceType } } as unknown as ScimResource, operations as ScimPatchOperation[], {
      mutateDocument: false,
      treatMissingAsAdd: true,
    }) as unknown as Record<string, unknown>;
  } catch (error) {
    const scimType = (error as { scimCode?: unknown }).scimCode;
    throw new ScimError(400, `the PATCH cannot be applied: ${errorMessage(error)}`, isScimType(scimType) ? scimType : 'invalidValue');
  }
}
