/**
 * The connector space: what each connected system last showed us, one row per object.
 */
import type { Value } from '../config/model.js';
import type { StagedObject } from '../connectors/sdk.js';
import type { Queryable } from '../store/db.js';
import { isoTimestamp } from '../store/timestamps.js';
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

interface Row {
  connector: string;
  object_type: string;
  external_id: string;
  dn: string | null;
  attributes: Record<string, Value>;
  enabled: boolean | null;
  deleted: boolean;
  updated_at: Date | string;
}

export function toCsObject(row: Row): CsObject {
  return {
    connector: row.connector,
    objectType: row.object_type,
    externalId: row.external_id,
    dn: row.dn,
    attributes: row.attributes,
    enabled: row.enabled,
    deleted: row.deleted,
    updatedAt: isoTimestamp(row.updated_at),
  };
}

export const CS_COLUMNS = 'connector, object_type, external_id, dn, attributes, enabled, deleted, updated_at';

export async function loadFingerprints(q: Queryable, connector: string, objectType: string): Promise<Map<string, CsFingerprint>> {
  const rows = await q.query<{ external_id: string; hash: string; deleted: boolean; enabled: boolean | null }>(
    'SELECT external_id, hash, deleted, enabled FROM cs_object WHERE connector = $1 AND object_type = $2',
    [connector, objectType],
  );
  return new Map(rows.map((row) => [row.external_id, { hash: row.hash, deleted: row.deleted, enabled: row.enabled }]));
}

export async function loadFingerprintsFor(q: Queryable, connector: string, objectType: string, ids: readonly string[]): Promise<Map<string, CsFingerprint>> {
  const rows = await q.query<{ external_id: string; hash: string; deleted: boolean; enabled: boolean | null }>(
    `SELECT external_id, hash, deleted, enabled FROM cs_object WHERE connector = $1 AND object_type = $2 AND external_id ${q.dialect.in('$3')}`,
    [connector, objectType, ids],
  );
  return new Map(rows.map((row) => [row.external_id, { hash: row.hash, deleted: row.deleted, enabled: row.enabled }]));
}

export interface StageRow {
  readonly object: StagedObject;
  readonly hash: string;
}

/** Upserts changed objects, stamping them with the cycle's sequence number. */
export async function upsertObjects(q: Queryable, connector: string, objectType: string, seq: number, rows: readonly StageRow[]): Promise<void> {
  if (rows.length === 0) return;
  const payload = rows.map(({ object, hash }) => ({
    external_id: object.externalId,
    dn: object.dn ?? null,
    attributes: object.attributes,
    enabled: object.enabled ?? null,
    hash,
    deleted: object.deleted ?? false,
  }));
  await q.query(
    `INSERT INTO cs_object (connector, object_type, external_id, dn, attributes, enabled, hash, deleted, changed_seq)
     SELECT $1, $2, x.external_id, x.dn, x.attributes, x.enabled, x.hash, x.deleted, $3
       FROM ${q.dialect.records('$4', { external_id: 'text', dn: 'text', attributes: 'jsonb', enabled: 'boolean', hash: 'text', deleted: 'boolean' })} WHERE true
     ON CONFLICT (connector, object_type, external_id) DO UPDATE
       SET dn = EXCLUDED.dn, attributes = EXCLUDED.attributes, enabled = EXCLUDED.enabled, hash = EXCLUDED.hash,
           deleted = EXCLUDED.deleted, changed_seq = EXCLUDED.changed_seq, updated_at = ${q.dialect.now}
       WHERE cs_object.hash <> EXCLUDED.hash OR cs_object.deleted <> EXCLUDED.deleted`,
    [connector, objectType, seq, JSON.stringify(payload)],
  );
}

/** Marks objects deleted (sweep). Their last attributes are kept for explain and onRemove templates. */
export async function markDeleted(q: Queryable, connector: string, objectType: string, seq: number, ids: readonly string[]): Promise<void> {
  for (let start = 0; start < ids.length; start += 5000) {
    await q.query(
      `UPDATE cs_object SET deleted = true, changed_seq = $3, updated_at = ${q.dialect.now}, hash = 'deleted'
        WHERE connector = $1 AND object_type = $2 AND external_id ${q.dialect.in('$4')} AND NOT deleted`,
      [connector, objectType, seq, ids.slice(start, start + 5000)],
    );
  }
}

export async function countLive(q: Queryable, connector: string, objectType: string): Promise<number> {
  const rows = await q.query<{ n: number }>(
    'SELECT CAST(count(*) AS integer) AS n FROM cs_object WHERE connector = $1 AND object_type = $2 AND NOT deleted',
    [connector, objectType],
  );
  return rows[0]?.n ?? 0;
}

export async function loadObjects(q: Queryable, connector: string, objectType: string, ids: readonly string[]): Promise<Map<string, CsObject>> {
  if (ids.length === 0) return new Map();
  const rows = await q.query<Row>(
    `SELECT ${CS_COLUMNS} FROM cs_object WHERE connector = $1 AND object_type = $2 AND external_id ${q.dialect.in('$3')}`,
    [connector, objectType, ids],
  );
  return new Map(rows.map((row) => [row.external_id, toCsObject(row)]));
}
