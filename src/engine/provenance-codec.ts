/**
 * Provenance as the store keeps it. Every mesh object carries one entry per attribute and source, so the
 * plain shape ({ attr: { winner: {value, rule, connector, externalId, confidence, at}, losers } }) was
 * most of the mesh's bytes: the same source repeated for every attribute, and the winner's value
 * repeated from `attributes`. The stored shape lists each contributing source once and refers to it:
 *
 *   { "v": 2,
 *     "s": [[rule, connector, externalId, at, via?], …],
 *     "a": { attr: [[source, confidence], [source, confidence, value], …] } }
 *
 * The first entry of an attribute is the winner (its value is the attribute's value); the others are
 * the losers with their values. Stores written before this shape hold the plain one; both decode.
 */
import type { Value } from '../config/model.js';
import type { AttributeProvenance, ProvenanceEntry } from './mesh-object.js';
import type { Dialect } from '../store/dialect.js';

type StoredSource = [rule: string, connector: string, externalId: string, at: string, via?: readonly string[]];
type StoredEntry = [source: number, confidence: number, value?: Value];

interface StoredProvenance {
  readonly v: 2;
  readonly s: StoredSource[];
  readonly a: Record<string, StoredEntry[]>;
}

export function encodeProvenance(provenance: Readonly<Record<string, AttributeProvenance>>): StoredProvenance {
  const sources: StoredSource[] = [];
  const index = new Map<string, number>();
  // Most attributes come from the source the one before came from: compare with it before building a key.
  let last: ProvenanceEntry | undefined;
  let lastAt = 0;
  const sourceOf = (entry: ProvenanceEntry): number => {
    if (last !== undefined && sameSource(entry, last)) return lastAt;
    last = entry;
    lastAt = indexOf(entry);
    return lastAt;
  };
  const indexOf = (entry: ProvenanceEntry): number => {
    const key = `${entry.rule}\u0000${entry.connector}\u0000${entry.externalId}\u0000${entry.at}\u0000${entry.via ? entry.via.join('\u0001') : ''}`;
    let at = index.get(key);
    if (at === undefined) {
      at = sources.length;
      index.set(key, at);
      sources.push(entry.via ? [entry.rule, entry.connector, entry.externalId, entry.at, entry.via] : [entry.rule, entry.connector, entry.externalId, entry.at]);
    }
    return at;
  };
  const attributes: Record<string, StoredEntry[]> = {};
  for (const [name, { winner, losers }] of Object.entries(provenance)) {
    attributes[name] = [[sourceOf(winner), winner.confidence], ...losers.map((loser): StoredEntry => [sourceOf(loser), loser.confidence, loser.value])];
  }
  return { v: 2, s: sources, a: attributes };
}

function sameSource(a: ProvenanceEntry, b: ProvenanceEntry): boolean {
  if (a === b) return true;
  if (a.rule !== b.rule || a.connector !== b.connector || a.externalId !== b.externalId || a.at !== b.at) return false;
  if (a.via === b.via) return true;
  if (!a.via || !b.via || a.via.length !== b.via.length) return false;
  return a.via.every((hop, i) => hop === b.via![i]);
}

function isStored(value: unknown): value is StoredProvenance {
  return typeof value === 'object' && value !== null && (value as { v?: unknown }).v === 2 && Array.isArray((value as { s?: unknown }).s);
}

/** The provenance of an object whose resolved values are `attributes`, from either stored shape. */
export function decodeProvenance(stored: unknown, attributes: Readonly<Record<string, Value>>): Record<string, AttributeProvenance> {
  if (!isStored(stored)) return (stored ?? {}) as Record<string, AttributeProvenance>;
  const entry = ([source, confidence, value]: StoredEntry, winnerValue: Value | undefined): ProvenanceEntry => {
    const [rule, connector, externalId, at, via] = stored.s[source]!;
    return { value: (value ?? winnerValue) as Value, rule, connector, externalId, confidence, at, ...(via ? { via } : {}) };
  };
  const out: Record<string, AttributeProvenance> = {};
  for (const [name, [winner, ...losers]] of Object.entries(stored.a)) {
    if (!winner) continue;
    out[name] = { winner: entry(winner, attributes[name]), losers: losers.map((loser) => entry(loser, undefined)) };
  }
  return out;
}

/**
 * SQL condition: the `provenance` column of `mesh_object` has a contribution from rule `$rule` to
 * attribute `$attribute` (both as placeholders), in either stored shape.
 */
export function contributesSql(dialect: Dialect, attribute: string, rule: string): string {
  if (dialect.name === 'sqlite') {
    return `(EXISTS (SELECT 1 FROM json_each(CASE WHEN json_type(provenance, '$.v') IN ('integer', 'real') THEN provenance -> 'a' -> ${attribute} END) AS e
                   WHERE provenance -> 's' -> (e.value ->> 0) ->> 0 = ${rule})
          OR provenance -> ${attribute} -> 'winner' ->> 'rule' = ${rule}
          OR EXISTS (SELECT 1 FROM json_each(provenance -> ${attribute} -> 'losers') AS l WHERE l.value ->> 'rule' = ${rule}))`;
  }
  // The column is json (kept as written, migration 16): the condition reads it as jsonb.
  return `EXISTS (SELECT 1 FROM (SELECT mesh_object.provenance::jsonb AS p) AS stored
           WHERE EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(p -> 'v') = 'number' THEN p -> 'a' -> ${attribute} END) AS e(entry)
                          WHERE p -> 's' -> ((e.entry ->> 0)::int) ->> 0 = ${rule})
              OR p -> ${attribute} -> 'winner' ->> 'rule' = ${rule}
              OR p -> ${attribute} -> 'losers' @> jsonb_build_array(jsonb_build_object('rule', ${rule}::text)))`;
}
