/**
 * The `target_link` table: which target object a projection manages for each (mesh object, item), what
 * we last wrote to it, and its lifecycle state (active, disabled, deleted, released).
 */
import type { Value } from '../../config/model.js';
import type { Queryable } from '../../store/db.js';

export type TargetState = 'active' | 'disabled' | 'deleted' | 'released';

export interface Written {
  readonly attributes?: Readonly<Record<string, Value>>;
  readonly enabled?: boolean;
  /** An AD account created without a password: created disabled; its enable is not proposed again. */
  readonly enableHeldBack?: boolean;
}

export interface TargetLink {
  readonly projection: string;
  readonly meshId: string;
  readonly item: string;
  readonly connector: string;
  readonly objectType: string;
  readonly externalId: string | null;
  readonly dn: string | null;
  readonly state: TargetState;
  readonly how: string;
  readonly written: Written;
  /** The run that created the target object, while the link holds it (export history reads the create here). */
  readonly createdCycle?: number | null;
}

interface Row {
  projection: string;
  mesh_id: string;
  item: string;
  connector: string;
  object_type: string;
  external_id: string | null;
  dn: string | null;
  state: TargetState;
  how: string;
  written: Written;
  created_cycle?: string | number | null;
}

const LINK_COLUMNS = 'projection, mesh_id, item, connector, object_type, external_id, dn, state, how, written, created_cycle';

const toLink = (row: Row): TargetLink => ({
  projection: row.projection,
  meshId: row.mesh_id,
  item: row.item,
  connector: row.connector,
  objectType: row.object_type,
  externalId: row.external_id,
  dn: row.dn,
  state: row.state,
  how: row.how,
  written: row.written ?? {},
  createdCycle: row.created_cycle === undefined || row.created_cycle === null ? null : Number(row.created_cycle),
});

export async function loadTargetLinks(q: Queryable, projection: string, meshIds: readonly string[]): Promise<TargetLink[]> {
  if (meshIds.length === 0) return [];
  // The columns a link is made of: not its update time, which pg would parse into a Date for each row.
  const rows = await q.query<Row>(`SELECT ${LINK_COLUMNS} FROM target_link WHERE projection = $1 AND mesh_id ${q.dialect.in('$2')}`, [projection, meshIds]);
  return rows.map(toLink);
}

/** Where referenced mesh objects landed in one target connector: DN for directories, else the id. */
export async function loadReferenceTargets(q: Queryable, connector: string, meshIds: readonly string[]): Promise<Map<string, { dn: string | null; externalId: string | null }>> {
  if (meshIds.length === 0) return new Map();
  const rows = await q.query<{ mesh_id: string; dn: string | null; external_id: string | null }>(
    `SELECT mesh_id, dn, external_id FROM target_link
      WHERE connector = $1 AND mesh_id ${q.dialect.in('$2')} AND state IN ('active', 'disabled') AND item = ''`,
    [connector, meshIds],
  );
  return new Map(rows.map((row) => [row.mesh_id, { dn: row.dn, externalId: row.external_id }]));
}

/** What is saved for a link: the whole link, as the planner or exporter last decided it. */
export type LinkWrite = TargetLink;

/** A create a link recorded (createdCycle), moved to export history when the link is released. */
export interface LinkCreation {
  readonly projection: string;
  readonly meshId: string;
  readonly item: string;
  readonly connector: string;
  readonly objectType: string;
  /** The target object: DN, else external id. */
  readonly object: string;
  readonly createdCycle: number;
}

/**
 * Saves links; returns the creates recorded on links released here (another link now manages their
 * target object), which the caller moves to export history. `mayBeHeld` says whether another link may
 * hold a link's target object; only those are looked for (default: all). A caller rules one out only
 * when it knows (a first export into a target type: heldTargets).
 */
export async function saveTargetLinks(q: Queryable, links: readonly LinkWrite[], mayBeHeld: (link: LinkWrite) => boolean = () => true): Promise<LinkCreation[]> {
  if (links.length === 0) return [];
  const payload = links.map((l) => ({
    projection: l.projection,
    mesh_id: l.meshId,
    item: l.item,
    connector: l.connector,
    object_type: l.objectType,
    external_id: l.externalId,
    dn: l.dn,
    state: l.state,
    how: l.how,
    written: l.written,
    created_cycle: l.createdCycle ?? undefined,
  }));
  // A target object can be managed by one (projection, mesh object, item) only: a stale link that
  // points at the same object is released first.
  const addressed = links
    .filter((l) => l.externalId !== null && mayBeHeld(l))
    .map((l) => ({ projection: l.projection, mesh_id: l.meshId, item: l.item, connector: l.connector, object_type: l.objectType, external_id: l.externalId }));
  let released: LinkCreation[] = [];
  if (addressed.length > 0) {
    const records = q.dialect.records('$1', { projection: 'text', mesh_id: 'text', item: 'text', connector: 'text', object_type: 'text', external_id: 'text' });
    const rows = await q.query<Row>(
      // Two uncorrelated IN lists, so both stores look the addresses up by the unique index on
      // (connector, object_type, external_id) instead of scanning target_link once per link. That index
      // is partial (external_id IS NOT NULL), and SQLite does not infer it from a row-value IN: without
      // the explicit condition each statement scanned the whole table (a first cycle's export grew with
      // the square of its size: 6.2 s at 100,000 objects, 29.8 s at 300,000).
      `DELETE FROM target_link
        WHERE external_id IS NOT NULL
          AND (connector, object_type, external_id) IN (SELECT x.connector, x.object_type, x.external_id FROM ${records})
          AND (connector, object_type, external_id, projection, mesh_id, item) NOT IN
              (SELECT x.connector, x.object_type, x.external_id, x.projection, x.mesh_id, x.item FROM ${records})
        RETURNING projection, mesh_id, item, connector, object_type, external_id, dn, created_cycle`,
      [JSON.stringify(addressed)],
    );
    released = rows.map(toLink).flatMap((link) => (link.createdCycle ? [creationOf(link, link.createdCycle)] : []));
  }
  await q.query(
    `INSERT INTO target_link (projection, mesh_id, item, connector, object_type, external_id, dn, state, how, written, created_cycle)
     SELECT x.projection, x.mesh_id, x.item, x.connector, x.object_type, x.external_id, x.dn, x.state, x.how, x.written, x.created_cycle
       FROM ${q.dialect.records('$1', { projection: 'text', mesh_id: 'text', item: 'text', connector: 'text', object_type: 'text', external_id: 'text', dn: 'text', state: 'text', how: 'text', written: 'json', created_cycle: 'bigint' })} WHERE true
     ON CONFLICT (projection, mesh_id, item) DO UPDATE
       SET connector = EXCLUDED.connector, object_type = EXCLUDED.object_type, external_id = EXCLUDED.external_id, dn = EXCLUDED.dn,
           state = EXCLUDED.state, how = EXCLUDED.how, written = EXCLUDED.written, updated_at = ${q.dialect.now},
           created_cycle = coalesce(target_link.created_cycle, EXCLUDED.created_cycle)`,
    [JSON.stringify(payload)],
  );
  return released;
}

/**
 * Whether any link of a target type addresses a target object (has an external id). When none does as an
 * export into it starts, a link that export saves can only meet another that the same export saved.
 */
export async function heldTargets(q: Queryable, connector: string, objectType: string): Promise<boolean> {
  const rows = await q.query('SELECT 1 AS held FROM target_link WHERE connector = $1 AND object_type = $2 AND external_id IS NOT NULL LIMIT 1', [connector, objectType]);
  return rows.length > 0;
}

const creationOf = (link: TargetLink, createdCycle: number): LinkCreation => ({
  projection: link.projection,
  meshId: link.meshId,
  item: link.item,
  connector: link.connector,
  objectType: link.objectType,
  object: link.dn ?? link.externalId ?? '',
  createdCycle,
});

/** The creates a mesh object's links still hold (each link's target object, created by its run). */
export async function linkCreations(q: Queryable, meshId: string): Promise<LinkCreation[]> {
  const rows = await q.query<Row>('SELECT * FROM target_link WHERE mesh_id = $1 AND created_cycle IS NOT NULL ORDER BY projection, item', [meshId]);
  return rows.map(toLink).flatMap((link) => (link.createdCycle ? [creationOf(link, link.createdCycle)] : []));
}

/** Every link of one mesh object, by projection and item: what explain lists. */
export async function linksOfMeshObject(q: Queryable, meshId: string): Promise<TargetLink[]> {
  const rows = await q.query<Row>('SELECT * FROM target_link WHERE mesh_id = $1 ORDER BY projection, item', [meshId]);
  return rows.map(toLink);
}

/** Which of these target objects an (unreleased) link manages. */
export async function managedAmong(q: Queryable, connector: string, objectType: string, externalIds: readonly string[]): Promise<Set<string>> {
  if (externalIds.length === 0) return new Set();
  const rows = await q.query<{ external_id: string }>(
    `SELECT external_id FROM target_link WHERE connector = $1 AND object_type = $2 AND external_id ${q.dialect.in('$3')} AND state <> 'released'`,
    [connector, objectType, externalIds],
  );
  return new Set(rows.map((r) => r.external_id));
}

/** Which of these target objects we deleted or disabled ourselves (their going is expected). */
export async function removedByUs(q: Queryable, connector: string, objectType: string, externalIds: readonly string[]): Promise<Set<string>> {
  if (externalIds.length === 0) return new Set();
  const rows = await q.query<{ external_id: string }>(
    `SELECT external_id FROM target_link
      WHERE connector = $1 AND object_type = $2 AND external_id ${q.dialect.in('$3')} AND state IN ('deleted', 'disabled')`,
    [connector, objectType, externalIds],
  );
  return new Set(rows.map((r) => r.external_id));
}

/**
 * Mesh objects of a projection whose linked target object changed (was imported anew) after `since`.
 * Connector and object type are bound on both sides, so the join is on the external id alone: a join on
 * all three columns is planned badly whenever one table's statistics lag behind.
 */
export async function withChangedTargets(q: Queryable, projection: string, connector: string, objectType: string, since: number): Promise<string[]> {
  const rows = await q.query<{ mesh_id: string }>(
    `SELECT t.mesh_id FROM target_link t
      WHERE t.projection = $1 AND t.connector = $2 AND t.object_type = $3
        AND t.external_id IN (SELECT c.external_id FROM cs_object c WHERE c.connector = $2 AND c.object_type = $3 AND c.changed_seq > $4)`,
    [projection, connector, objectType, since],
  );
  return rows.map((r) => r.mesh_id);
}

/** Per connector and object type, when a link last changed (the last export). */
export async function lastExports(q: Queryable): Promise<{ connector: string; object_type: string; last: Date }[]> {
  return q.query<{ connector: string; object_type: string; last: Date }>('SELECT connector, object_type, max(updated_at) AS last FROM target_link GROUP BY connector, object_type');
}
