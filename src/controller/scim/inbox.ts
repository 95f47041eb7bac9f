/**
 * The store-backed inbox of `scim-inbound` connectors (table `scim_inbox`, migration 3): the SCIM
 * endpoint writes accepted resources here, the connector's imports read them (`InboundResources`).
 *
 * Ordering: every write takes a per-store lock (an advisory transaction lock on PostgreSQL, so several
 * replicas serialise too) and a new `seq` inside it, so a reader that reads under the same lock sees
 * every write below the highest seq it read: a delta import never skips a write committed late.
 *
 * The embedded store (SQLite, or PGlite) is one connection and a cycle reads the inbox while its import
 * transaction is open, so a read through the store would wait for that transaction forever. With it,
 * the inbox keeps a write-through copy in memory (loaded once when opened; the embedded store is
 * single-process, so nothing else writes) and serves reads from that copy without touching the store.
 */
import type { InboundResource, InboundResources, InboundSnapshot } from '../../connectors/sdk.js';
import type { Db, Queryable } from '../../store/db.js';
import { isoTimestamp } from '../../store/timestamps.js';

export interface InboxRow extends InboundResource {
  readonly connector: string;
  readonly type: string;
  readonly version: number;
  readonly created: string;
  readonly lastModified: string;
}

/** userName is already taken (case-insensitively) by another live user of the connector. */
export class InboxUniquenessError extends Error {}

interface DbRow {
  connector: string;
  resource_type: string;
  id: string;
  resource: Record<string, unknown>;
  deleted: boolean;
  version: number;
  seq: string | number;
  created_at: Date | string;
  updated_at: Date | string;
}

const COLUMNS = 'connector, resource_type, id, resource, deleted, version, CAST(seq AS text) AS seq, created_at, updated_at';

function toRow(row: DbRow): InboxRow {
  return {
    connector: row.connector,
    type: row.resource_type,
    id: row.id,
    resource: row.resource,
    deleted: row.deleted,
    version: row.version,
    seq: Number(row.seq),
    created: isoTimestamp(row.created_at),
    lastModified: isoTimestamp(row.updated_at),
  };
}

const key = (connector: string, type: string, id: string) => `${connector}\u0000${type}\u0000${id}`;
const userNameOf = (resource: Readonly<Record<string, unknown>>) => (typeof resource.userName === 'string' ? resource.userName : null);

export class ScimInbox {
  /** Embedded store only: every row, by connector/type/id. */
  private cache: Map<string, InboxRow> | undefined;
  private writes: Promise<unknown> = Promise.resolve();

  private constructor(private readonly db: Db) {}

  static async open(db: Db): Promise<ScimInbox> {
    const inbox = new ScimInbox(db);
    if (db.kind === 'embedded') {
      const rows = await db.query<DbRow>(`SELECT ${COLUMNS} FROM scim_inbox`);
      inbox.cache = new Map(rows.map((r) => [key(r.connector, r.resource_type, r.id), toRow(r)]));
    }
    return inbox;
  }

  private async locked(tx: Queryable): Promise<void> {
    if (this.db.kind === 'postgres') await tx.query(`SELECT pg_advisory_xact_lock(hashtext('identity-mesh-scim-inbox'))`);
  }

  /** Live (or, with `tombstones`, every) row of a connector's type with seq ≥ `since`. */
  async rows(connector: string, type: string, options: { since?: number; tombstones?: boolean } = {}): Promise<{ rows: InboxRow[]; watermark: number }> {
    const since = options.since ?? 0;
    if (this.cache) {
      let watermark = 0;
      const rows: InboxRow[] = [];
      for (const row of this.cache.values()) {
        if (row.connector !== connector || row.type !== type) continue;
        watermark = Math.max(watermark, row.seq);
        if (row.seq >= since && (options.tombstones || !row.deleted)) rows.push(row);
      }
      return { rows: rows.sort((a, b) => a.seq - b.seq), watermark };
    }
    return this.db.transaction(async (tx) => {
      await this.locked(tx);
      const max = await tx.query<{ seq: string | null }>('SELECT CAST(max(seq) AS text) AS seq FROM scim_inbox WHERE connector = $1 AND resource_type = $2', [connector, type]);
      const rows = await tx.query<DbRow>(
        `SELECT ${COLUMNS} FROM scim_inbox WHERE connector = $1 AND resource_type = $2 AND seq >= $3 AND ($4 OR NOT deleted) ORDER BY seq`,
        [connector, type, since, options.tombstones ?? false],
      );
      return { rows: rows.map(toRow), watermark: Number(max[0]?.seq ?? 0) };
    });
  }

  /**
   * Live rows whose `attribute` equals `value` (id and externalId exactly, userName and displayName
   * case-insensitively): the indexed narrowing for the `eq` filters identity providers send.
   */
  async findBy(connector: string, type: string, attribute: 'id' | 'userName' | 'externalId' | 'displayName', value: string): Promise<InboxRow[]> {
    if (this.cache) {
      const lower = value.toLowerCase();
      return [...this.cache.values()].filter((row) => {
        if (row.connector !== connector || row.type !== type || row.deleted) return false;
        if (attribute === 'id') return row.id === value;
        const actual = row.resource[attribute];
        if (typeof actual !== 'string') return false;
        return attribute === 'externalId' ? actual === value : actual.toLowerCase() === lower;
      });
    }
    const condition = {
      id: 'id = $3',
      userName: 'lower(user_name) = lower($3)',
      externalId: "resource ->> 'externalId' = $3",
      displayName: "lower(resource ->> 'displayName') = lower($3)",
    }[attribute];
    const rows = await this.db.query<DbRow>(`SELECT ${COLUMNS} FROM scim_inbox WHERE connector = $1 AND resource_type = $2 AND NOT deleted AND ${condition}`, [connector, type, value]);
    return rows.map(toRow);
  }

  async get(connector: string, type: string, id: string): Promise<InboxRow | undefined> {
    if (this.cache) {
      const row = this.cache.get(key(connector, type, id));
      return row && !row.deleted ? row : undefined;
    }
    const rows = await this.db.query<DbRow>(`SELECT ${COLUMNS} FROM scim_inbox WHERE connector = $1 AND resource_type = $2 AND id = $3 AND NOT deleted`, [connector, type, id]);
    return rows[0] ? toRow(rows[0]) : undefined;
  }

  /** One write at a time in this process; the store lock orders writes across processes. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.writes.then(work, work);
    this.writes = next.catch(() => undefined);
    return next;
  }

  /**
   * Creates or replaces a resource. `expectExisting`: the row must exist and be live (PUT/PATCH), else
   * undefined is returned. Throws InboxUniquenessError when another live user has the userName.
   */
  put(connector: string, type: string, id: string, resource: Readonly<Record<string, unknown>>, expectExisting: boolean): Promise<InboxRow | undefined> {
    return this.serial(async () => {
      const userName = type === 'user' ? userNameOf(resource) : null;
      const row = await this.db.transaction(async (tx) => {
        await this.locked(tx);
        const existing = await tx.query<{ deleted: boolean }>('SELECT deleted FROM scim_inbox WHERE connector = $1 AND resource_type = $2 AND id = $3', [connector, type, id]);
        if (expectExisting && (!existing[0] || existing[0].deleted)) return undefined;
        if (userName !== null) {
          const taken = await tx.query<{ id: string }>(
            `SELECT id FROM scim_inbox WHERE connector = $1 AND resource_type = 'user' AND NOT deleted AND lower(user_name) = lower($2) AND id <> $3`,
            [connector, userName, id],
          );
          if (taken.length > 0) throw new InboxUniquenessError(`userName "${userName}" is already in use`);
        }
        const d = tx.dialect;
        const rows = await tx.query<DbRow>(
          `INSERT INTO scim_inbox (connector, resource_type, id, user_name, resource, seq)
           VALUES ($1, $2, $3, $4, ${d.json('$5')}, $6)
           ON CONFLICT (connector, resource_type, id) DO UPDATE
             SET user_name = EXCLUDED.user_name, resource = EXCLUDED.resource, seq = EXCLUDED.seq, updated_at = ${d.now},
                 version = scim_inbox.version + 1, deleted = false,
                 created_at = CASE WHEN scim_inbox.deleted THEN ${d.now} ELSE scim_inbox.created_at END
           RETURNING ${COLUMNS}`,
          [connector, type, id, userName, JSON.stringify(resource), await d.nextval(tx, 'scim_inbox_seq')],
        );
        return toRow(rows[0]!);
      });
      if (row && this.cache) this.cache.set(key(connector, type, id), row);
      return row;
    });
  }

  /** Deletes a resource (keeps a tombstone). False when there was no live resource. */
  remove(connector: string, type: string, id: string): Promise<boolean> {
    return this.serial(async () => {
      const row = await this.db.transaction(async (tx) => {
        await this.locked(tx);
        const rows = await tx.query<DbRow>(
          `UPDATE scim_inbox SET deleted = true, seq = $4, updated_at = ${tx.dialect.now}, version = version + 1
            WHERE connector = $1 AND resource_type = $2 AND id = $3 AND NOT deleted RETURNING ${COLUMNS}`,
          [connector, type, id, await tx.dialect.nextval(tx, 'scim_inbox_seq')],
        );
        return rows[0] ? toRow(rows[0]) : undefined;
      });
      if (row && this.cache) this.cache.set(key(connector, type, id), row);
      return row !== undefined;
    });
  }

  /**
   * The connectors among `connectors` whose inbox holds writes newer than their last import (the
   * watermark an import stores is the newest seq it saw), each with its newest write's seq: pushes the
   * leader has yet to run a cycle for (a standby took them, store-requests.ts).
   */
  async unimported(connectors: readonly string[]): Promise<Map<string, number>> {
    const newest = new Map<string, number>();
    const rows = await this.db.query<{ connector: string; seq: string }>(
      `SELECT i.connector, CAST(max(i.seq) AS text) AS seq
         FROM scim_inbox i LEFT JOIN watermark w ON w.connector = i.connector AND w.object_type = i.resource_type
        WHERE i.connector ${this.db.dialect.in('$1')} AND (w.value IS NULL OR i.seq > CAST(w.value AS bigint))
        GROUP BY i.connector`,
      [[...connectors]],
    );
    for (const row of rows) newest.set(row.connector, Number(row.seq));
    return newest;
  }

  /** The read side one scim-inbound connector's imports see (ConnectorContext.inbox). */
  reader(connector: string): InboundResources {
    const snapshot = async (type: string, since: number | undefined): Promise<InboundSnapshot> => {
      const { rows, watermark } = await this.rows(connector, type, since === undefined ? {} : { since, tombstones: true });
      return { resources: rows.map(({ id, resource, deleted, seq }) => ({ id, resource, deleted, seq })), watermark };
    };
    return { list: (type) => snapshot(type, undefined), changedSince: (type, watermark) => snapshot(type, watermark) };
  }
}
