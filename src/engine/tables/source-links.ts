/**
 * The `source_link` table: which source object an attribute rule joined (or provisioned) to which mesh
 * object, and how (`provision`, `join:<mesh attribute>`).
 */
import type { Queryable } from '../../store/db.js';

export interface SourceLink {
  readonly meshId: string;
  readonly rule: string;
  readonly connector: string;
  readonly objectType: string;
  readonly externalId: string;
  readonly how: string;
}

interface Row {
  mesh_id: string;
  rule: string;
  connector: string;
  object_type: string;
  external_id: string;
  how: string;
}

const toLink = (row: Row): SourceLink => ({ meshId: row.mesh_id, rule: row.rule, connector: row.connector, objectType: row.object_type, externalId: row.external_id, how: row.how });

/** One rule's links from these source objects, by external id. */
export async function ruleLinks(q: Queryable, connector: string, objectType: string, rule: string, externalIds: readonly string[]): Promise<Map<string, SourceLink>> {
  const rows = await q.query<Row>(
    `SELECT mesh_id, rule, connector, object_type, external_id, how FROM source_link
      WHERE connector = $1 AND object_type = $2 AND rule = $3 AND external_id ${q.dialect.in('$4')}`,
    [connector, objectType, rule, externalIds],
  );
  return new Map(rows.map((row) => [row.external_id, toLink(row)]));
}

/** Links one rule's source objects to mesh objects, in one statement. */
export async function insertRuleLinks(
  q: Queryable,
  connector: string,
  objectType: string,
  rule: string,
  links: readonly { readonly externalId: string; readonly meshId: string; readonly how: string }[],
): Promise<void> {
  if (links.length === 0) return;
  if (q.copyRows) {
    // New links only (a second link of one source object under one rule fails either way).
    await q.copyRows('source_link', ['connector', 'object_type', 'external_id', 'rule', 'mesh_id', 'how'], links.map((l) => [connector, objectType, l.externalId, rule, l.meshId, l.how]));
    return;
  }
  await q.query(
    `INSERT INTO source_link (connector, object_type, external_id, rule, mesh_id, how)
     SELECT $1, $2, x.external_id, $3, x.mesh_id, x.how FROM ${q.dialect.records('$4', { external_id: 'text', mesh_id: 'text', how: 'text' })}`,
    [connector, objectType, rule, JSON.stringify(links.map((l) => ({ external_id: l.externalId, mesh_id: l.meshId, how: l.how })))],
  );
}

export async function deleteRuleLinks(q: Queryable, connector: string, objectType: string, rule: string, externalIds: readonly string[]): Promise<void> {
  if (externalIds.length === 0) return;
  await q.query(`DELETE FROM source_link WHERE connector = $1 AND object_type = $2 AND rule = $3 AND external_id ${q.dialect.in('$4')}`, [connector, objectType, rule, externalIds]);
}

/** Which of these mesh objects some object of this connector and type is linked to (by any rule). */
export async function linkedFrom(q: Queryable, connector: string, objectType: string, meshIds: readonly string[]): Promise<Set<string>> {
  if (meshIds.length === 0) return new Set();
  const rows = await q.query<{ mesh_id: string }>(
    `SELECT DISTINCT mesh_id FROM source_link WHERE connector = $1 AND object_type = $2 AND mesh_id ${q.dialect.in('$3')}`,
    [connector, objectType, meshIds],
  );
  return new Set(rows.map((row) => row.mesh_id));
}

/** Every link to these mesh objects (from objects of `connector` only, when given). */
export async function linksOf(q: Queryable, meshIds: readonly string[], connector?: string): Promise<SourceLink[]> {
  if (meshIds.length === 0) return [];
  const rows =
    connector === undefined
      ? await q.query<Row>(`SELECT mesh_id, rule, connector, object_type, external_id, how FROM source_link WHERE mesh_id ${q.dialect.in('$1')}`, [meshIds])
      : await q.query<Row>(`SELECT mesh_id, rule, connector, object_type, external_id, how FROM source_link WHERE connector = $1 AND mesh_id ${q.dialect.in('$2')}`, [connector, meshIds]);
  return rows.map(toLink);
}

/** The links to one mesh object, by connector and rule: what explain lists. */
export async function linksOfOne(q: Queryable, meshId: string): Promise<SourceLink[]> {
  const rows = await q.query<Row>('SELECT mesh_id, rule, connector, object_type, external_id, how FROM source_link WHERE mesh_id = $1 ORDER BY connector, rule', [meshId]);
  return rows.map(toLink);
}

export async function deleteLinksOf(q: Queryable, meshIds: readonly string[]): Promise<void> {
  if (meshIds.length === 0) return;
  await q.query(`DELETE FROM source_link WHERE mesh_id ${q.dialect.in('$1')}`, [meshIds]);
}

/** Links from objects of `connector` (of any of `objectTypes`, or any type when omitted) with these external ids. */
export async function linksFrom(q: Queryable, connector: string, externalIds: readonly string[], objectTypes?: readonly string[]): Promise<SourceLink[]> {
  if (externalIds.length === 0) return [];
  const rows =
    objectTypes === undefined
      ? await q.query<Row>(`SELECT mesh_id, rule, connector, object_type, external_id, how FROM source_link WHERE connector = $1 AND external_id ${q.dialect.in('$2')}`, [connector, externalIds])
      : await q.query<Row>(
          `SELECT mesh_id, rule, connector, object_type, external_id, how FROM source_link
            WHERE connector = $1 AND object_type ${q.dialect.in('$2')} AND external_id ${q.dialect.in('$3')}`,
          [connector, objectTypes, externalIds],
        );
  return rows.map(toLink);
}
