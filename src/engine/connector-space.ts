/**
 * The connector space: what each connected system last showed us, one object each, and the hash an
 * import compares it by. Its rows are ./tables/connector-space-objects.ts.
 */
import type { Value } from '../config/model.js';
import type { StagedObject } from '../connectors/sdk.js';
import { canonicalJson, sha1 } from './values.js';

export interface CsObject {
  readonly connector: string;
  readonly objectType: string;
  readonly externalId: string;
  readonly dn: string | null;
  readonly attributes: Record<string, Value>;
  readonly enabled: boolean | null;
  readonly deleted: boolean;
  readonly updatedAt: string;
}

export interface CsFingerprint {
  readonly hash: string;
  readonly deleted: boolean;
  readonly enabled: boolean | null;
}

/**
 * The hash of what an import saw of an object. It equals `hashOf({ dn, attributes, enabled, deleted })`
 * (so hashes stored by earlier versions stay valid) but writes the canonical JSON directly: it runs once
 * for every object of every import, and a connector's objects share one set of attribute names, so the
 * canonical order of the names is worked out once per set.
 */
export function fingerprint(object: StagedObject): string {
  return staged(object).hash;
}

/**
 * What an import stages for an object: its hash (`fingerprint`) and the canonical JSON of its
 * attributes, written once for both — the hash covers it, and the store keeps it as the row's attributes
 * without serialising them again.
 */
export function staged(object: StagedObject): StageRow {
  const attributes = canonicalAttributes(object.attributes);
  const dn = object.dn === undefined || object.dn === null ? 'null' : JSON.stringify(object.dn);
  const enabled = object.enabled === true ? 'true' : object.enabled === false ? 'false' : JSON.stringify(object.enabled ?? null);
  const json = `{"attributes":${attributes},"deleted":${object.deleted ?? false},"dn":${dn},"enabled":${enabled}}`;
  return { object, hash: sha1(json), attributes };
}

function canonicalAttributes(attributes: StagedObject['attributes']): string {
  const names = canonicalNames(Object.keys(attributes));
  // Names already in canonical order (connectors that build objects so, like sql) and flat values:
  // JSON.stringify writes the same text, in one call.
  if (names.inOrder && allFlat(attributes, names.order)) return JSON.stringify(attributes);
  let json = '{';
  let first = true;
  for (let i = 0; i < names.order.length; i++) {
    const value: unknown = attributes[names.order[i]!];
    if (value === undefined) continue;
    json += `${first ? '' : ','}${names.quoted[i]}${isFlat(value) ? JSON.stringify(value) : canonicalJson(value)}`;
    first = false;
  }
  return `${json}}`;
}

interface CanonicalNames {
  readonly keys: readonly string[];
  /** The names in the order canonicalJson writes them: integer-like first (as JavaScript orders them), then sorted. */
  readonly order: readonly string[];
  /** `"name":` for each, JSON-quoted. */
  readonly quoted: readonly string[];
  /** The keys are in that order already. */
  readonly inOrder: boolean;
}

let lastNames: CanonicalNames = { keys: [], order: [], quoted: [], inOrder: true };

function canonicalNames(keys: readonly string[]): CanonicalNames {
  const last = lastNames;
  if (keys.length === last.keys.length && keys.every((key, i) => key === last.keys[i])) return last;
  const order = Object.keys(Object.fromEntries([...keys].sort().map((key) => [key, true])));
  lastNames = { keys, order, quoted: order.map((key) => `${JSON.stringify(key)}:`), inOrder: order.every((key, i) => key === keys[i]) };
  return lastNames;
}

function allFlat(attributes: StagedObject['attributes'], names: readonly string[]): boolean {
  for (const name of names) if (!isFlat(attributes[name])) return false;
  return true;
}

/** A scalar or a list of scalars: JSON.stringify writes it canonically already. */
function isFlat(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  return Array.isArray(value) && value.every((item) => typeof item !== 'object' || item === null);
}

export interface StageRow {
  readonly object: StagedObject;
  readonly hash: string;
  /** The attributes as canonical JSON text, when already written (`staged`). */
  readonly attributes?: string;
}
