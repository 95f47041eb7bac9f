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
  const attributes = object.attributes;
  const names = canonicalNames(Object.keys(attributes));
  let json = '{"attributes":{';
  let first = true;
  for (let i = 0; i < names.order.length; i++) {
    const value: unknown = attributes[names.order[i]!];
    if (value === undefined) continue;
    json += `${first ? '' : ','}${names.quoted[i]}${isFlat(value) ? JSON.stringify(value) : canonicalJson(value)}`;
    first = false;
  }
  json += `},"deleted":${object.deleted ?? false},"dn":${JSON.stringify(object.dn ?? null)},"enabled":${JSON.stringify(object.enabled ?? null)}}`;
  return sha1(json);
}

interface CanonicalNames {
  readonly keys: readonly string[];
  /** The names in the order canonicalJson writes them: integer-like first (as JavaScript orders them), then sorted. */
  readonly order: readonly string[];
  /** `"name":` for each, JSON-quoted. */
  readonly quoted: readonly string[];
}

let lastNames: CanonicalNames = { keys: [], order: [], quoted: [] };

function canonicalNames(keys: readonly string[]): CanonicalNames {
  const last = lastNames;
  if (keys.length === last.keys.length && keys.every((key, i) => key === last.keys[i])) return last;
  const order = Object.keys(Object.fromEntries([...keys].sort().map((key) => [key, true])));
  lastNames = { keys, order, quoted: order.map((key) => `${JSON.stringify(key)}:`) };
  return lastNames;
}

/** A scalar or a list of scalars: JSON.stringify writes it canonically already. */
function isFlat(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  return Array.isArray(value) && value.every((item) => typeof item !== 'object' || item === null);
}

export interface StageRow {
  readonly object: StagedObject;
  readonly hash: string;
}
