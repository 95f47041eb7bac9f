/**
 * The `cs_object` table: the connector space, one row per object a connector showed us (deleted ones
 * kept with their last attributes), stamped with the change number of the cycle that last changed it.
 */
import type { Scalar, Value } from '../../config/model.js';
import type { Queryable } from '../../store/db.js';
import { isoTimestamp } from '../../store/timestamps.js';
import type { CsFingerprint, CsObject, StageRow } from '../connector-space.js';

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

function toCsObject(row: Row): CsObject {
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

/** A row's columns; its time as ISO text, read without a Date in between (one per object a sync page reads). */
const csColumns = (q: Queryable) => `connector, object_type, external_id, dn, attributes, enabled, deleted, ${q.dialect.isoTime('updated_at')} AS updated_at`;

/** A list parameter's values are sent this many at a time. */
const SLICE = 5000;

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

/**
 * Upserts changed objects, stamping them with the cycle's sequence number: on a store with multi-row
 * INSERTs (SQLite), through them; otherwise in one statement over a JSON array. `fresh`: the caller
 * knows none of the objects is in the connector space (a first import), so a store's bulk load (COPY on
 * PostgreSQL) may take them. The attributes go in as the canonical JSON the hash was taken of (StageRow.attributes) where there is one.
 */
export async function upsertObjects(q: Queryable, connector: string, objectType: string, seq: number, rows: readonly StageRow[], options: { readonly fresh?: boolean } = {}): Promise<void> {
  if (rows.length === 0) return;
  const attributes = (row: StageRow) => row.attributes ?? JSON.stringify(row.object.attributes);
  if (options.fresh && q.copyRows) {
    // None of these objects is in the connector space yet: the store's bulk load, no conflict to resolve.
    await q.copyRows(
      'cs_object',
      ['connector', 'object_type', 'external_id', 'dn', 'attributes', 'enabled', 'hash', 'deleted', 'changed_seq'],
      rows.map((row) => [connector, objectType, row.object.externalId, row.object.dn ?? null, attributes(row), row.object.enabled ?? null, row.hash, row.object.deleted ?? false, seq]),
    );
    return;
  }
  const update = `dn = EXCLUDED.dn, attributes = EXCLUDED.attributes, enabled = EXCLUDED.enabled, hash = EXCLUDED.hash,
           deleted = EXCLUDED.deleted, changed_seq = EXCLUDED.changed_seq`;
  const changed = 'WHERE cs_object.hash <> EXCLUDED.hash OR cs_object.deleted <> EXCLUDED.deleted';
  if (q.insertMany) {
    // One timestamp for the rows, as now() is one per statement: SQLite's defaults would evaluate
    // strftime twice per row.
    const now = new Date().toISOString();
    await q.insertMany(
      'cs_object',
      ['connector', 'object_type', 'external_id', 'dn', 'attributes', 'enabled', 'hash', 'deleted', 'changed_seq', 'first_seen', 'updated_at'],
      rows.map((row) => [connector, objectType, row.object.externalId, row.object.dn ?? null, attributes(row), row.object.enabled ?? null, row.hash, row.object.deleted ?? false, seq, now, now]),
      `ON CONFLICT (connector, object_type, external_id) DO UPDATE SET ${update}, updated_at = EXCLUDED.updated_at ${changed}`,
    );
    return;
  }
  // The JSON array written as text: each row's attributes are already JSON.
  let payload = '[';
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const { externalId, dn, enabled, deleted } = row.object;
    payload += `${i === 0 ? '' : ','}{"external_id":${JSON.stringify(externalId)},"dn":${JSON.stringify(dn ?? null)},"attributes":${attributes(row)},"enabled":${JSON.stringify(enabled ?? null)},"hash":${JSON.stringify(row.hash)},"deleted":${deleted ?? false}}`;
  }
  payload += ']';
  await q.query(
    `INSERT INTO cs_object (connector, object_type, external_id, dn, attributes, enabled, hash, deleted, changed_seq)
     SELECT $1, $2, x.external_id, x.dn, x.attributes, x.enabled, x.hash, x.deleted, $3
       FROM ${q.dialect.records('$4', { external_id: 'text', dn: 'text', attributes: 'jsonb', enabled: 'boolean', hash: 'text', deleted: 'boolean' })} WHERE true
     ON CONFLICT (connector, object_type, external_id) DO UPDATE
       SET ${update}, updated_at = ${q.dialect.now}
       ${changed}`,
    [connector, objectType, seq, payload],
  );
}

/** Marks objects deleted (sweep). Their last attributes are kept for explain and onRemove templates. */
export async function markDeleted(q: Queryable, connector: string, objectType: string, seq: number, ids: readonly string[]): Promise<void> {
  for (let start = 0; start < ids.length; start += SLICE) {
    await q.query(
      `UPDATE cs_object SET deleted = true, changed_seq = $3, updated_at = ${q.dialect.now}, hash = 'deleted'
        WHERE connector = $1 AND object_type = $2 AND external_id ${q.dialect.in('$4')} AND NOT deleted`,
      [connector, objectType, seq, ids.slice(start, start + SLICE)],
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

/** How many objects of the type changed after `since`, deleted ones included. */
export async function countChanged(q: Queryable, connector: string, objectType: string, since: number): Promise<number> {
  const rows = await q.query<{ n: number }>(
    'SELECT CAST(count(*) AS integer) AS n FROM cs_object WHERE connector = $1 AND object_type = $2 AND changed_seq > $3',
    [connector, objectType, since],
  );
  return rows[0]?.n ?? 0;
}

/** Whether any connector ever showed the store an object. */
export async function anyObject(q: Queryable): Promise<boolean> {
  return (await q.query('SELECT 1 FROM cs_object LIMIT 1')).length > 0;
}

export async function loadObjects(q: Queryable, connector: string, objectType: string, ids: readonly string[]): Promise<Map<string, CsObject>> {
  if (ids.length === 0) return new Map();
  const rows = await q.query<Row>(
    `SELECT ${csColumns(q)} FROM cs_object WHERE connector = $1 AND object_type = $2 AND external_id ${q.dialect.in('$3')}`,
    [connector, objectType, ids],
  );
  return new Map(rows.map((row) => [row.external_id, toCsObject(row)]));
}

/**
 * Where a page of a type's objects changed after `since` is read from. In external id order the key
 * index gives the page without sorting, which suits a read of most of the type (a first sync), but it
 * passes every object of the type to find the changed ones. PostgreSQL's planner weighs that against
 * the change index by the value of `since`; SQLite's cannot, and took the key index even when nothing
 * had changed (83 ms at 100,000 objects for an empty page). On such a store, when what changed after
 * `since` fits in the page (counted on the change index, at most `limit` + 1), the page comes from the
 * change index and is sorted.
 */
async function changedSource(q: Queryable, connector: string, objectType: string, since: number, limit: number): Promise<string> {
  if (!q.dialect.indexedBy) return 'cs_object';
  const rows = await q.query<{ n: number }>(
    `SELECT CAST(count(*) AS integer) AS n FROM (SELECT 1 FROM cs_object WHERE connector = $1 AND object_type = $2 AND changed_seq > $3 LIMIT ${Number(limit) + 1}) AS changed`,
    [connector, objectType, since],
  );
  return (rows[0]?.n ?? 0) <= limit ? q.dialect.indexedBy('cs_object', 'cs_object_changed') : 'cs_object';
}

/** The next page (by external id, after `after`) of objects of the type changed after `since`. */
export async function changedPage(q: Queryable, connector: string, objectType: string, since: number, after: string, limit: number): Promise<CsObject[]> {
  const rows = await q.query<Row>(
    `SELECT ${csColumns(q)} FROM ${await changedSource(q, connector, objectType, since, limit)}
      WHERE connector = $1 AND object_type = $2 AND changed_seq > $3 AND external_id > $4
      ORDER BY external_id LIMIT ${Number(limit)}`,
    [connector, objectType, since, after],
  );
  return rows.map(toCsObject);
}

/** Like changedPage, but only each object's external id and one attribute's text. */
export async function changedAttributePage(
  q: Queryable,
  connector: string,
  objectType: string,
  attribute: string,
  since: number,
  after: string,
  limit: number,
): Promise<{ externalId: string; value: string | null }[]> {
  const rows = await q.query<{ external_id: string; value: string | null }>(
    `SELECT external_id, attributes ->> $4 AS value FROM ${await changedSource(q, connector, objectType, since, limit)}
      WHERE connector = $1 AND object_type = $2 AND changed_seq > $3 AND external_id > $5
      ORDER BY external_id LIMIT ${Number(limit)}`,
    [connector, objectType, since, attribute, after],
  );
  return rows.map((row) => ({ externalId: row.external_id, value: row.value }));
}

/** Live objects whose `group` attribute is one of `groupIds`: memberships, with their member attribute's text. */
export async function membershipsOf(
  q: Queryable,
  connector: string,
  objectType: string,
  fields: { readonly group: string; readonly member: string },
  groupIds: readonly string[],
): Promise<{ externalId: string; groupId: string; memberId: string | null; updatedAt: Date | string }[]> {
  const rows = await q.query<{ external_id: string; group_id: string; member_id: string | null; updated_at: Date | string }>(
    `SELECT external_id, attributes ->> $3 AS group_id, attributes ->> $4 AS member_id, updated_at
       FROM cs_object WHERE connector = $1 AND object_type = $2 AND NOT deleted AND attributes ->> $3 ${q.dialect.in('$5')}`,
    [connector, objectType, fields.group, fields.member, groupIds],
  );
  return rows.map((row) => ({ externalId: row.external_id, groupId: row.group_id, memberId: row.member_id, updatedAt: row.updated_at }));
}

/** Live objects whose external id or `displayName` / `name` / `cn` is one of `names` (lower-cased). */
export async function objectsNamed(
  q: Queryable,
  connector: string,
  objectType: string,
  names: readonly string[],
): Promise<{ externalId: string; attributes: Record<string, Scalar | Scalar[]>; updatedAt: Date | string }[]> {
  const rows = await q.query<{ external_id: string; attributes: Record<string, Scalar | Scalar[]>; updated_at: Date | string }>(
    `SELECT external_id, attributes, updated_at FROM cs_object
      WHERE connector = $1 AND object_type = $2 AND NOT deleted
        AND (lower(external_id) ${q.dialect.in('$3')} OR lower(attributes ->> 'displayName') ${q.dialect.in('$3')}
             OR lower(attributes ->> 'name') ${q.dialect.in('$3')} OR lower(attributes ->> 'cn') ${q.dialect.in('$3')})`,
    [connector, objectType, names],
  );
  return rows.map((row) => ({ externalId: row.external_id, attributes: row.attributes, updatedAt: row.updated_at }));
}

/** Live objects of any type of `connector` whose external id, or DN (case-insensitively), is one of `values`. */
export async function findByIdOrDn(q: Queryable, connector: string, values: readonly string[]): Promise<{ objectType: string; externalId: string; dn: string | null }[]> {
  if (values.length === 0) return [];
  const rows = await q.query<{ object_type: string; external_id: string; dn: string | null }>(
    `SELECT object_type, external_id, lower(dn) AS dn FROM cs_object
      WHERE connector = $1 AND NOT deleted AND (external_id ${q.dialect.in('$2')} OR lower(dn) ${q.dialect.in('$3')})`,
    [connector, values, values.map((v) => v.toLowerCase())],
  );
  return rows.map((row) => ({ objectType: row.object_type, externalId: row.external_id, dn: row.dn }));
}

/**
 * Live objects of a target type that no (unreleased) target link manages: what a projection may adopt.
 * The inner side is bound by the same connector and object type, so the anti-join is on the id alone.
 */
export async function unmanagedObjects(q: Queryable, connector: string, objectType: string): Promise<{ externalId: string; attributes: Record<string, Value> }[]> {
  const rows = await q.query<{ external_id: string; attributes: Record<string, Value> }>(
    `SELECT c.external_id, c.attributes FROM cs_object c
      WHERE c.connector = $1 AND c.object_type = $2 AND NOT c.deleted
        AND NOT EXISTS (SELECT 1 FROM target_link t WHERE t.connector = $1 AND t.object_type = $2 AND t.external_id = c.external_id AND t.state <> 'released')`,
    [connector, objectType],
  );
  return rows.map((row) => ({ externalId: row.external_id, attributes: row.attributes }));
}

export interface SpaceSummary {
  readonly connector: string;
  readonly object_type: string;
  readonly n: number;
  readonly last: Date | string | null;
  readonly unmanaged: number;
}

/**
 * Per connector and object type: live objects, when the last object changed, and how many live objects
 * no (unreleased) target link manages. One pass over the connector space for the status report: a
 * connector-space object has at most one link with an external id (target_link_object is unique), so the
 * outer join neither repeats nor drops a row.
 */
export async function spaceSummary(q: Queryable): Promise<SpaceSummary[]> {
  return q.query<SpaceSummary>(
    `SELECT c.connector, c.object_type, CAST(count(*) FILTER (WHERE NOT c.deleted) AS integer) AS n, max(c.updated_at) AS last,
            CAST(count(*) FILTER (WHERE NOT c.deleted AND t.external_id IS NULL) AS integer) AS unmanaged
       FROM cs_object c
       LEFT JOIN target_link t ON t.connector = c.connector AND t.object_type = c.object_type AND t.external_id = c.external_id AND t.state <> 'released'
      GROUP BY c.connector, c.object_type`,
  );
}

/** Every live object of a type, and whether one of these projections manages it (an active target link): what Policy invariants judge. */
export async function liveObjectsManagedBy(
  q: Queryable,
  connector: string,
  objectType: string,
  projections: readonly string[],
  ids?: readonly string[],
): Promise<{ externalId: string; dn: string | null; attributes: Record<string, Value>; managed: boolean }[]> {
  if (ids?.length === 0) return [];
  const rows = await q.query<{ external_id: string; dn: string | null; attributes: Record<string, Value>; managed: number | boolean }>(
    `SELECT c.external_id, c.dn, c.attributes,
            CASE WHEN EXISTS (SELECT 1 FROM target_link t WHERE t.connector = $1 AND t.object_type = $2 AND t.external_id = c.external_id AND t.state <> 'released' AND t.projection ${q.dialect.in('$3')}) THEN 1 ELSE 0 END AS managed
       FROM cs_object c WHERE c.connector = $1 AND c.object_type = $2 AND NOT c.deleted${ids ? ` AND c.external_id ${q.dialect.in('$4')}` : ''}`,
    [connector, objectType, [...projections], ...(ids ? [[...ids]] : [])],
  );
  return rows.map((r) => ({ externalId: r.external_id, dn: r.dn, attributes: r.attributes, managed: Number(r.managed) === 1 }));
}
