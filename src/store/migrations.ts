/**
 * Versioned schema migrations, applied in order on open. A store written by a newer version (a higher
 * migration number than this build knows) is refused rather than guessed at.
 */
import { StoreError } from '../shared/errors.js';
import type { Db } from './db.js';
import { sqliteDialect } from './dialect.js';

const NOW = sqliteDialect.now;

/**
 * The tables of the first migration, written once for both dialects: they differ only in the default
 * timestamp and in how cycle ids are numbered (a PostgreSQL bigserial; on SQLite the cycle_id_seq
 * sequence row, from which a sync request reserves its id the same way).
 */
function initialTables(now: string, cycleId: string): string {
  return `
-- The connector space: every object as its system last showed it.
CREATE TABLE cs_object (
  connector    text NOT NULL,
  object_type  text NOT NULL,
  external_id  text NOT NULL,
  dn           text,
  attributes   jsonb NOT NULL,
  enabled      boolean,
  hash         text NOT NULL,
  deleted      boolean NOT NULL DEFAULT false,
  changed_seq  bigint NOT NULL,
  first_seen   timestamptz NOT NULL DEFAULT ${now},
  updated_at   timestamptz NOT NULL DEFAULT ${now},
  PRIMARY KEY (connector, object_type, external_id)
);
CREATE INDEX cs_object_changed ON cs_object (connector, object_type, changed_seq);
CREATE INDEX cs_object_dn ON cs_object (connector, lower(dn)) WHERE dn IS NOT NULL;

-- The mesh (metaverse): one row per identity, resolved values and their provenance.
CREATE TABLE mesh_object (
  id           text PRIMARY KEY,
  mesh_type    text NOT NULL,
  attributes   jsonb NOT NULL DEFAULT '{}',
  provenance   jsonb NOT NULL DEFAULT '{}',
  deleted      boolean NOT NULL DEFAULT false,
  changed_seq  bigint NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT ${now},
  updated_at   timestamptz NOT NULL DEFAULT ${now}
);
CREATE INDEX mesh_object_changed ON mesh_object (mesh_type, changed_seq);

-- Join keys: normalised values of the mesh attributes used by join rules, for indexed lookup.
CREATE TABLE mesh_key (
  mesh_type  text NOT NULL,
  attribute  text NOT NULL,
  value      text NOT NULL,
  mesh_id    text NOT NULL,
  PRIMARY KEY (mesh_type, attribute, value, mesh_id)
);
CREATE INDEX mesh_key_mesh ON mesh_key (mesh_id);

-- Source links: a connector-space object contributes to a mesh object through a flow rule.
CREATE TABLE source_link (
  connector    text NOT NULL,
  object_type  text NOT NULL,
  external_id  text NOT NULL,
  rule         text NOT NULL,
  mesh_id      text NOT NULL,
  how          text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT ${now},
  PRIMARY KEY (connector, object_type, external_id, rule)
);
CREATE INDEX source_link_mesh ON source_link (mesh_id);

-- Target links: a projection manages one target object per (mesh object, item).
CREATE TABLE target_link (
  projection   text NOT NULL,
  mesh_id      text NOT NULL,
  item         text NOT NULL DEFAULT '',
  connector    text NOT NULL,
  object_type  text NOT NULL,
  external_id  text,
  dn           text,
  state        text NOT NULL,
  how          text NOT NULL,
  written      jsonb NOT NULL DEFAULT '{}',
  updated_at   timestamptz NOT NULL DEFAULT ${now},
  PRIMARY KEY (projection, mesh_id, item)
);
CREATE UNIQUE INDEX target_link_object ON target_link (connector, object_type, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX target_link_mesh ON target_link (mesh_id);

CREATE TABLE watermark (
  connector    text NOT NULL,
  object_type  text NOT NULL,
  value        text NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT ${now},
  PRIMARY KEY (connector, object_type)
);

-- How far each flow rule / projection has processed changes, and under which definition.
CREATE TABLE progress (
  kind         text NOT NULL,
  name         text NOT NULL,
  seq          bigint NOT NULL,
  definition   text NOT NULL,
  PRIMARY KEY (kind, name)
);

CREATE TABLE cycle (
  id           ${cycleId},
  kind         text NOT NULL,
  mode         text NOT NULL,
  revision     text,
  result       text NOT NULL,
  started_at   timestamptz NOT NULL DEFAULT ${now},
  finished_at  timestamptz,
  counts       jsonb NOT NULL DEFAULT '{}',
  error        text
);

-- Current conflicts (attribute, ambiguousJoin, heldBack): rewritten as objects are re-evaluated.
CREATE TABLE conflict (
  kind         text NOT NULL,
  subject      text NOT NULL,
  attribute    text NOT NULL DEFAULT '',
  mesh_type    text NOT NULL,
  scope        text NOT NULL,
  details      jsonb NOT NULL,
  first_seen   timestamptz NOT NULL DEFAULT ${now},
  last_seen    timestamptz NOT NULL DEFAULT ${now},
  PRIMARY KEY (kind, subject, attribute)
);
CREATE INDEX conflict_scope ON conflict (scope);

-- Current drift per projected attribute.
CREATE TABLE drift (
  projection   text NOT NULL,
  connector    text NOT NULL,
  object       text NOT NULL,
  attribute    text NOT NULL,
  desired      jsonb,
  actual       jsonb,
  action       text NOT NULL,
  detected_at  timestamptz NOT NULL DEFAULT ${now},
  PRIMARY KEY (projection, object, attribute)
);

-- Exports that failed and are retried next cycle.
CREATE TABLE export_error (
  projection   text NOT NULL,
  mesh_id      text NOT NULL,
  item         text NOT NULL DEFAULT '',
  op           text NOT NULL,
  code         text NOT NULL,
  message      text NOT NULL,
  retryable    boolean NOT NULL,
  attempts     integer NOT NULL DEFAULT 1,
  at           timestamptz NOT NULL DEFAULT ${now},
  PRIMARY KEY (projection, mesh_id, item)
);

CREATE TABLE meta (
  key    text PRIMARY KEY,
  value  jsonb NOT NULL
);`;
}

/**
 * The history of every value (migration 12), alike in both dialects but for the default timestamp. Rows
 * are written only when something changed, in bulk with the cycle's other writes (src/engine/tables/
 * value-history.ts, export-history.ts), and pruned after `Mesh.spec.history.retain` (maintenance.ts).
 */
function historyTables(now: string): string {
  return `
-- One row per mesh object and unit of work in which any of its values changed. \`sources\` lists the
-- contributing source objects once ([[rule, connector, externalId], …]); \`changes\` holds each changed
-- attribute: [value, source, confidence], [null] when it lost its value, [null, source, confidence, 1]
-- when the value is withheld (a secret is never history).
CREATE TABLE value_history (
  mesh_id    text NOT NULL,
  mesh_type  text NOT NULL,
  seq        bigint NOT NULL,
  cycle_id   bigint NOT NULL,
  revision   text,
  at         timestamptz NOT NULL DEFAULT ${now},
  sources    jsonb NOT NULL,
  changes    jsonb NOT NULL
);
CREATE INDEX value_history_object ON value_history (mesh_id, seq);
CREATE INDEX value_history_at ON value_history (at);

-- One row per change exported to a target and its result (ok, failed, heldBack). \`attributes\`: a
-- create's values, an update's new values (null: cleared), a move's new DN; no password ever.
CREATE TABLE export_history (
  projection   text NOT NULL,
  mesh_id      text NOT NULL,
  item         text NOT NULL DEFAULT '',
  connector    text NOT NULL,
  object_type  text NOT NULL,
  object       text NOT NULL,
  op           text NOT NULL,
  attributes   jsonb,
  result       text NOT NULL,
  error        text,
  seq          bigint NOT NULL,
  cycle_id     bigint NOT NULL,
  revision     text,
  at           timestamptz NOT NULL DEFAULT ${now}
);
CREATE INDEX export_history_object ON export_history (mesh_id, seq);
CREATE INDEX export_history_at ON export_history (at);
`;
}

/**
 * Migration 18: history that records a value's previous state when it changes (src/engine/tables/
 * value-history.ts). A value's current state is the mesh object's: its value and winning source are
 * in `attributes` and `provenance`, and since when it holds them in the two new columns, so a first
 * cycle writes no history at all. The rows of migration 12 (one per change, holding the new value)
 * are kept, readable, in `value_history_v12` until retention prunes them. Export history drops what
 * the config and the cycle record already say (connector, object type, revision) from new rows.
 */
function previousStateHistory(now: string, exportHistory: string): string {
  return `
-- The run (cycle id) that created the object, and since which run each attribute holds its current
-- value where that is not the creating run: { attr: run } or { attr: [run, 1] } when the value is
-- withheld from history (a secret).
ALTER TABLE mesh_object ADD COLUMN created_cycle bigint;
ALTER TABLE mesh_object ADD COLUMN value_since jsonb;

ALTER TABLE value_history RENAME TO value_history_v12;
DROP INDEX value_history_object;
DROP INDEX value_history_at;
CREATE INDEX value_history_v12_object ON value_history_v12 (mesh_id, seq);
CREATE INDEX value_history_v12_at ON value_history_v12 (at);

-- One row per mesh object and unit of work in which values it held changed or ended: the previous
-- states. \`sources\` lists the sources that held them once ([[rule, connector, externalId], …]);
-- \`changes\` holds each attribute's previous state: [value, since, flags, source, confidence], since the
-- run from which it held, flags 1: the value is withheld (null here), 2: no value followed it.
CREATE TABLE value_history (
  mesh_id    text NOT NULL,
  seq        bigint NOT NULL,
  cycle_id   bigint NOT NULL,
  at         timestamptz NOT NULL DEFAULT ${now},
  sources    jsonb NOT NULL,
  changes    jsonb NOT NULL
);
CREATE INDEX value_history_object ON value_history (mesh_id, seq);
CREATE INDEX value_history_at ON value_history (at);

${exportHistory}`;
}

/**
 * Export history rows no longer repeat their projection's target (connector, object type: null in new
 * rows, kept in older ones) nor their run's revision (the cycle record holds it). SQLite cannot drop a
 * NOT NULL constraint, so it rebuilds the table.
 */
const SLIM_EXPORT_HISTORY_POSTGRES = `
ALTER TABLE export_history ALTER COLUMN connector DROP NOT NULL;
ALTER TABLE export_history ALTER COLUMN object_type DROP NOT NULL;
ALTER TABLE export_history DROP COLUMN revision;
`;
const SLIM_EXPORT_HISTORY_SQLITE = `
ALTER TABLE export_history RENAME TO export_history_v12;
CREATE TABLE export_history (
  projection   text NOT NULL,
  mesh_id      text NOT NULL,
  item         text NOT NULL DEFAULT '',
  connector    text,
  object_type  text,
  object       text NOT NULL,
  op           text NOT NULL,
  attributes   jsonb,
  result       text NOT NULL,
  error        text,
  seq          bigint NOT NULL,
  cycle_id     bigint NOT NULL,
  at           timestamptz NOT NULL DEFAULT (${NOW})
);
INSERT INTO export_history (projection, mesh_id, item, connector, object_type, object, op, attributes, result, error, seq, cycle_id, at)
  SELECT projection, mesh_id, item, connector, object_type, object, op, attributes, result, error, seq, cycle_id, at FROM export_history_v12;
DROP TABLE export_history_v12;
CREATE INDEX export_history_object ON export_history (mesh_id, seq);
CREATE INDEX export_history_at ON export_history (at);
`;

/**
 * Migration 20: a create that made a target link is kept on the link (the run that created the target
 * object), not as an export history row; it moves to export history only if the link is released to
 * another mesh object. A first cycle then writes no export history for its creates.
 */
const LINK_CREATIONS = `
ALTER TABLE target_link ADD COLUMN created_cycle bigint;
`;

/**
 * Each migration in both dialects. The SQLite schema has the same tables, columns and indexes, so
 * every reader (status, explain, reports) works alike; the differences are SQLite's types (JSON as text,
 * timestamps as ISO 8601 text, `sequence` rows for PostgreSQL's sequences) and what SQLite does not
 * need (planner statistics settings, the job-request trigger: the cycle takes its request itself).
 */
/**
 * Migration 11: what a tripped safety gate holds back, and the operator's approvals bound to it
 * (POST /api/v1/connectors/{name}/approvals). The same for both dialects but for the default timestamp
 * and the id column. Times the engine compares (approved, expires) are written by the process's clock,
 * so a test can move it; SQLite keeps them as ISO 8601 text, which sorts as time.
 */
function approvalTables(now: string, id: string): string {
  return `
-- The objects a tripped gate holds back, per connector: gate 'import' (the import guard: deletions a
-- source read would make), 'export' (the delete gate: deletes and disables to a target), 'clear' (the
-- attribute-clear gate). Rewritten whenever the gate is judged again; an approval records the rows it saw.
CREATE TABLE gate_hold (
  connector    text NOT NULL,
  gate         text NOT NULL,
  object_type  text NOT NULL,
  external_id  text NOT NULL,
  op           text NOT NULL,                   -- delete | disable | clear
  object       text NOT NULL,                   -- label for people: DN, key or external id
  cycle_id     bigint NOT NULL,                 -- the run that held it back last
  since        timestamptz NOT NULL DEFAULT ${now},
  PRIMARY KEY (connector, gate, object_type, external_id)
);

-- Approvals: "let these held-back objects through once" for one connector, from an operator token.
CREATE TABLE approval (
  id             ${id},
  connector      text NOT NULL,
  allow_deletes  integer NOT NULL,
  allow_clears   integer,
  reason         text NOT NULL,
  approved_by    text NOT NULL,                 -- the API token's name
  approved_at    timestamptz NOT NULL,
  expires_at     timestamptz NOT NULL,
  objects        jsonb NOT NULL,                -- the gate_hold rows pending when it was given
  state          text NOT NULL DEFAULT 'pending', -- pending | applied | refused | expired | superseded
  cycle_id       bigint,                        -- the run that used it (applied or refused)
  decided_at     timestamptz,
  let_through    jsonb,                         -- what it let through
  note           text                           -- why it was refused, expired or superseded
);
CREATE INDEX approval_connector ON approval (connector, id);
CREATE INDEX approval_cycle ON approval (cycle_id) WHERE cycle_id IS NOT NULL;
`;
}

/**
 * Policy invariants at the cost of a run's changes (migration 17): the values a Policy keeps unique, per
 * target object, looked up by value for the values a run gives (src/engine/tables/unique-values.ts), and
 * each Policy's existing violations per target as its last whole check found them
 * (src/engine/tables/policy-reports.ts).
 */
function policyTables(now: string): string {
  return `
-- Values are trimmed and without case; a long one is kept as its hash. indexed_seq: how far an
-- attribute's values have caught up with the connector space's change numbers.
CREATE TABLE unique_value (
  connector    text NOT NULL,
  object_type  text NOT NULL,
  attribute    text NOT NULL,
  value_key    text NOT NULL,
  external_id  text NOT NULL,
  PRIMARY KEY (connector, object_type, attribute, value_key, external_id)
);
CREATE INDEX unique_value_object ON unique_value (connector, object_type, attribute, external_id);
CREATE TABLE unique_value_index (
  connector    text NOT NULL,
  object_type  text NOT NULL,
  attribute    text NOT NULL,
  indexed_seq  bigint NOT NULL,
  PRIMARY KEY (connector, object_type, attribute)
);
-- definition: a hash of the Policy's invariants; a changed one is checked whole on its next run.
CREATE TABLE policy_report (
  policy       text NOT NULL,
  connector    text NOT NULL,
  object_type  text NOT NULL,
  definition   text NOT NULL,
  violations   jsonb NOT NULL,
  checked_at   timestamptz NOT NULL DEFAULT ${now},
  PRIMARY KEY (policy, connector, object_type)
);`;
}

const migrations: readonly { version: number; name: string; postgres: string; sqlite: string }[] = [
  {
    version: 1,
    name: 'initial',
    postgres: `
CREATE SEQUENCE change_seq;
${initialTables('now()', 'bigserial PRIMARY KEY')}`,
    sqlite: `
CREATE TABLE sequence (name text PRIMARY KEY, value integer NOT NULL);
INSERT INTO sequence (name, value) VALUES ('change_seq', 0), ('cycle_id_seq', 0);
${initialTables(`(${NOW})`, 'integer PRIMARY KEY')}`,
  },
  {
    version: 2,
    name: 'api-jobs',
    postgres: `
-- Sync requests from the operator API (POST /api/v1/sync), waiting for the cycle that runs them.
-- A request reserves its id from the cycle id sequence; the first reconcile cycle of at least the
-- requested kind (a full request waits for a full cycle; a delta request takes either) that starts
-- afterwards takes that id as its own (trigger below), so the job id the API returned is the cycle's
-- id. At most one request is queued: later requests join it (full wins, connectors are merged).
CREATE TABLE job_request (
  id            bigint PRIMARY KEY,
  kind          text NOT NULL,
  connectors    text[],                          -- NULL: every connector
  requested_by  text[] NOT NULL DEFAULT '{}',    -- API token names
  requests      integer NOT NULL DEFAULT 1,
  requested_at  timestamptz NOT NULL DEFAULT now(),
  state         text NOT NULL DEFAULT 'queued',  -- queued | started
  started_at    timestamptz
);
CREATE UNIQUE INDEX job_request_one_queued ON job_request ((true)) WHERE state = 'queued';
-- Jobs are listed newest first by start time (a cycle that took a request's id starts after cycles
-- with higher ids that started while the request waited).
CREATE INDEX cycle_started_at ON cycle (started_at) WHERE mode = 'reconcile';

CREATE FUNCTION cycle_takes_job_request() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
  claimed bigint;
BEGIN
  UPDATE job_request SET state = 'started', started_at = now()
   WHERE state = 'queued' AND (kind = 'delta' OR NEW.kind = 'full')
   RETURNING id INTO claimed;
  IF claimed IS NOT NULL THEN
    NEW.id := claimed;
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER cycle_takes_job_request BEFORE INSERT ON cycle
  FOR EACH ROW WHEN (NEW.mode = 'reconcile') EXECUTE FUNCTION cycle_takes_job_request();
`,
    sqlite: `
-- Lists (connectors, requested_by) are JSON arrays. The cycle that takes a request does so itself
-- (src/engine/cycle-record.ts), where PostgreSQL uses a trigger.
CREATE TABLE job_request (
  id            integer PRIMARY KEY,
  kind          text NOT NULL,
  connectors    text[],
  requested_by  text[] NOT NULL DEFAULT '[]',
  requests      integer NOT NULL DEFAULT 1,
  requested_at  timestamptz NOT NULL DEFAULT (${NOW}),
  state         text NOT NULL DEFAULT 'queued',
  started_at    timestamptz
);
CREATE UNIQUE INDEX job_request_one_queued ON job_request (state) WHERE state = 'queued';
CREATE INDEX cycle_started_at ON cycle (started_at) WHERE mode = 'reconcile';
`,
  },
  {
    version: 3,
    name: 'scim-inbox',
    postgres: `
-- Resources that identity providers push to a scim-inbound connector (served by imesh run at
-- /scim/<connector>/v2/). The endpoint writes here; the scim-inbound connector's imports read here, so
-- pushed objects reach the connector space exactly like imported ones. A DELETE keeps a tombstone
-- (deleted = true) so a delta import sees it. seq orders every write; an import's watermark is the
-- highest seq it read.
CREATE SEQUENCE scim_inbox_seq;
CREATE TABLE scim_inbox (
  connector      text NOT NULL,
  resource_type  text NOT NULL,                  -- user | group
  id             text NOT NULL,                  -- the id we assigned (the IdP's handle)
  user_name      text,                           -- users: for case-insensitive uniqueness
  resource       jsonb NOT NULL,                 -- the SCIM resource, without meta
  deleted        boolean NOT NULL DEFAULT false,
  version        integer NOT NULL DEFAULT 1,
  seq            bigint NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (connector, resource_type, id)
);
CREATE UNIQUE INDEX scim_inbox_user_name ON scim_inbox (connector, lower(user_name)) WHERE resource_type = 'user' AND NOT deleted;
CREATE INDEX scim_inbox_seq_idx ON scim_inbox (connector, resource_type, seq);
`,
    sqlite: `
INSERT INTO sequence (name, value) VALUES ('scim_inbox_seq', 0);
CREATE TABLE scim_inbox (
  connector      text NOT NULL,
  resource_type  text NOT NULL,
  id             text NOT NULL,
  user_name      text,
  resource       jsonb NOT NULL,
  deleted        boolean NOT NULL DEFAULT false,
  version        integer NOT NULL DEFAULT 1,
  seq            bigint NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT (${NOW}),
  updated_at     timestamptz NOT NULL DEFAULT (${NOW}),
  PRIMARY KEY (connector, resource_type, id)
);
CREATE UNIQUE INDEX scim_inbox_user_name ON scim_inbox (connector, lower(user_name)) WHERE resource_type = 'user' AND NOT deleted;
CREATE INDEX scim_inbox_seq_idx ON scim_inbox (connector, resource_type, seq);
`,
  },
  {
    version: 4,
    name: 'planner-statistics',
    postgres: `
-- The engine ANALYZEs its tables as they grow (src/store/maintenance.ts). No query filters on the
-- values inside these JSON documents by planner estimates, and sampling them is most of ANALYZE's cost.
ALTER TABLE cs_object ALTER COLUMN attributes SET STATISTICS 0;
ALTER TABLE mesh_object ALTER COLUMN attributes SET STATISTICS 0;
ALTER TABLE mesh_object ALTER COLUMN provenance SET STATISTICS 0;
ALTER TABLE target_link ALTER COLUMN written SET STATISTICS 0;
`,
    sqlite: `
-- PostgreSQL planner settings only: SQLite keeps its statistics with ANALYZE / PRAGMA optimize.
`,
  },
  {
    version: 5,
    name: 'secret-bindings',
    postgres: `
-- Where each secret may be sent (security model): one row per secret NAME and destination
-- (an URL origin, or scheme://host:port[/database] for a directory or database), written only by a
-- trusted run (reconcile, the controller, or --trust-destinations). plan, check and reconcile --dry-run
-- read it and never contact a connector whose secret would go somewhere not listed here. No secret
-- value (nor a hash of one) is kept: the destination is what is being authorised, not the value.
CREATE TABLE secret_binding (
  secret          text NOT NULL,
  destination     text NOT NULL,
  connector       text NOT NULL,                -- the connector that sends it there
  revision        text,                         -- the config revision that bound it last
  first_bound_at  timestamptz NOT NULL DEFAULT now(),
  last_bound_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (secret, destination, connector)
);
`,
    sqlite: `
CREATE TABLE secret_binding (
  secret          text NOT NULL,
  destination     text NOT NULL,
  connector       text NOT NULL,
  revision        text,
  first_bound_at  timestamptz NOT NULL DEFAULT (${NOW}),
  last_bound_at   timestamptz NOT NULL DEFAULT (${NOW}),
  PRIMARY KEY (secret, destination, connector)
);
`,
  },
  {
    version: 6,
    name: 'whole-reads',
    postgres: `
-- When each object type was last read whole (a complete import). A target without change tracking is
-- read whole for drift per its connector's driftCheck, measured from here.
CREATE TABLE whole_read (
  connector    text NOT NULL,
  object_type  text NOT NULL,
  read_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (connector, object_type)
);
`,
    sqlite: `
CREATE TABLE whole_read (
  connector    text NOT NULL,
  object_type  text NOT NULL,
  read_at      timestamptz NOT NULL DEFAULT (${NOW}),
  PRIMARY KEY (connector, object_type)
);
`,
  },
  {
    version: 7,
    name: 'scoped-runs',
    postgres: `
-- A run's scope: the connectors it covered, sorted; NULL for a whole-mesh run. A waiting
-- sync request is taken only by a whole-mesh run: a connector's scheduled run must not answer a
-- request for everything.
ALTER TABLE cycle ADD COLUMN scope text[];
DROP TRIGGER cycle_takes_job_request ON cycle;
CREATE TRIGGER cycle_takes_job_request BEFORE INSERT ON cycle
  FOR EACH ROW WHEN (NEW.mode = 'reconcile' AND NEW.scope IS NULL) EXECUTE FUNCTION cycle_takes_job_request();
`,
    sqlite: `
-- A run's scope (a JSON array, sorted; NULL for a whole-mesh run). The cycle takes a waiting request
-- itself, and only when it is a whole-mesh run (src/engine/cycle.ts).
ALTER TABLE cycle ADD COLUMN scope text[];
`,
  },
  {
    version: 8,
    name: 'scoped-requests',
    postgres: `
-- Sync requests per scope (POST /api/v1/connectors/{name}/sync runs that connector only): one waiting
-- request per scope_key ('*' for everything, else the connectors joined by ','); a request for a scope
-- already waiting joins it. A cycle takes the waiting request of its own scope.
ALTER TABLE job_request ADD COLUMN scope_key text NOT NULL DEFAULT '*';
UPDATE job_request SET scope_key = array_to_string(connectors, ',') WHERE connectors IS NOT NULL;
DROP INDEX job_request_one_queued;
CREATE UNIQUE INDEX job_request_one_queued ON job_request (scope_key) WHERE state = 'queued';
CREATE OR REPLACE FUNCTION cycle_takes_job_request() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
  claimed bigint;
BEGIN
  UPDATE job_request SET state = 'started', started_at = now()
   WHERE state = 'queued' AND (kind = 'delta' OR NEW.kind = 'full')
     AND scope_key = coalesce(array_to_string(NEW.scope, ','), '*')
   RETURNING id INTO claimed;
  IF claimed IS NOT NULL THEN
    NEW.id := claimed;
  END IF;
  RETURN NEW;
END
$$;
DROP TRIGGER cycle_takes_job_request ON cycle;
CREATE TRIGGER cycle_takes_job_request BEFORE INSERT ON cycle
  FOR EACH ROW WHEN (NEW.mode = 'reconcile') EXECUTE FUNCTION cycle_takes_job_request();
`,
    sqlite: `
ALTER TABLE job_request ADD COLUMN scope_key text NOT NULL DEFAULT '*';
DROP INDEX job_request_one_queued;
CREATE UNIQUE INDEX job_request_one_queued ON job_request (scope_key) WHERE state = 'queued';
`,
  },
  {
    version: 9,
    name: 'run-triggers',
    postgres: `
-- What started a run (schedule, revision, scim, api, cli); NULL for runs before this migration.
ALTER TABLE cycle ADD COLUMN trigger text;
`,
    sqlite: `
ALTER TABLE cycle ADD COLUMN trigger text;
`,
  },
  {
    version: 10,
    name: 'object-type-counts',
    postgres: `
-- A run's export counts per target object type (user, group …): created, updated, moved, disabled,
-- deleted, failed — what an admin console's sync job shows as usersCreated, groupsUpdated.
ALTER TABLE cycle ADD COLUMN type_counts jsonb;
`,
    sqlite: `
ALTER TABLE cycle ADD COLUMN type_counts jsonb;
`,
  },
  {
    version: 11,
    name: 'approvals',
    postgres: approvalTables('now()', 'bigserial PRIMARY KEY'),
    sqlite: approvalTables(`(${NOW})`, 'integer PRIMARY KEY'),
  },
  {
    version: 12,
    name: 'history',
    postgres: historyTables('now()'),
    sqlite: historyTables(`(${NOW})`),
  },
  {
    version: 13,
    name: 'export-error-change',
    postgres: `
-- The failed change's fingerprint (what it would write, planner.ts), so a given-up export is sent again
-- once its desired state changes; and the target object's label for status and reports.
ALTER TABLE export_error ADD COLUMN change_hash text;
ALTER TABLE export_error ADD COLUMN object text;
`,
    sqlite: `
ALTER TABLE export_error ADD COLUMN change_hash text;
ALTER TABLE export_error ADD COLUMN object text;
`,
  },
  {
    version: 14,
    name: 'approval-limits',
    postgres: `
-- An approval's allowance for the changes a Policy's limits hold back (gate_hold rows of gate 'limit').
ALTER TABLE approval ADD COLUMN allow_limits integer;
`,
    sqlite: `
ALTER TABLE approval ADD COLUMN allow_limits integer;
`,
  },
  {
    version: 15,
    name: 'whole-read-change-token',
    postgres: `
-- The connector's change token taken just before the last whole read (a csv file's content hash): on a
-- delta cycle an unchanged source without a change log is not read again.
ALTER TABLE whole_read ADD COLUMN change_token text;
`,
    sqlite: `
ALTER TABLE whole_read ADD COLUMN change_token text;
`,
  },
  {
    version: 16,
    name: 'read-whole-json',
    postgres: `
-- Columns only ever written and read whole are json, kept as written, not jsonb: the server parses a
-- jsonb value into its binary form on every write (a mesh object's provenance: about six times the cost
-- of checking it as json; a first cycle writes one per object).
ALTER TABLE mesh_object ALTER COLUMN provenance DROP DEFAULT;
ALTER TABLE mesh_object ALTER COLUMN provenance TYPE json USING provenance::json;
ALTER TABLE mesh_object ALTER COLUMN provenance SET DEFAULT '{}';
ALTER TABLE target_link ALTER COLUMN written DROP DEFAULT;
ALTER TABLE target_link ALTER COLUMN written TYPE json USING written::json;
ALTER TABLE target_link ALTER COLUMN written SET DEFAULT '{}';
ALTER TABLE mesh_object ALTER COLUMN provenance SET STATISTICS 0;
ALTER TABLE target_link ALTER COLUMN written SET STATISTICS 0;
`,
    // SQLite keeps JSON as text already.
    sqlite: `SELECT 1;`,
  },
  {
    version: 17,
    name: 'policy-indexes',
    postgres: policyTables('now()'),
    sqlite: policyTables(`(${NOW})`),
  },
  {
    version: 18,
    name: 'history-previous-states',
    postgres: previousStateHistory('now()', SLIM_EXPORT_HISTORY_POSTGRES),
    sqlite: previousStateHistory(`(${NOW})`, SLIM_EXPORT_HISTORY_SQLITE),
  },
  {
    version: 19,
    name: 'job-request-retry-failed',
    postgres: `
-- A sync request may ask its cycle to send every failed export again (imesh reconcile --retry-failed).
ALTER TABLE job_request ADD COLUMN retry_failed boolean NOT NULL DEFAULT false;
`,
    sqlite: `
ALTER TABLE job_request ADD COLUMN retry_failed boolean NOT NULL DEFAULT false;
`,
  },
  {
    version: 20,
    name: 'link-creations',
    postgres: LINK_CREATIONS,
    sqlite: LINK_CREATIONS,
  },
  {
    version: 21,
    name: 'no-statistics-on-documents',
    postgres: `
-- No query filters on these columns (the json values are read whole, or through one key, which column
-- statistics do not estimate; the hash is only compared with a new one): ANALYZE, which the sync stage
-- runs as the mesh tables double on a first cycle, skips their values instead of sampling and sorting
-- them (a third of ANALYZE cs_object at 200,000 rows).
ALTER TABLE cs_object ALTER COLUMN attributes SET STATISTICS 0;
ALTER TABLE cs_object ALTER COLUMN hash SET STATISTICS 0;
ALTER TABLE mesh_object ALTER COLUMN attributes SET STATISTICS 0;
ALTER TABLE mesh_object ALTER COLUMN value_since SET STATISTICS 0;
`,
    // SQLite has no per-column statistics.
    sqlite: `SELECT 1;`,
  },
];

export const latestVersion = migrations[migrations.length - 1]?.version ?? 0;

/** Brings the store's schema to the latest version (`upTo`: an older one, for tests of upgrades). */
export async function migrate(db: Db, upTo: number = latestVersion): Promise<void> {
  // A reader of the SQLite store (imesh status while a controller writes) must not wait for the write lock.
  if (db.dialect.name === 'sqlite' && (await sqliteVersion(db)) === upTo) return;
  await db.transaction(async (tx) => {
    // Two controller replicas starting together must not both apply a migration (an SQLite
    // transaction already holds the only write lock).
    const sqlite = tx.dialect.name === 'sqlite';
    if (!sqlite) await tx.query("SELECT pg_advisory_xact_lock(hashtext('identity-mesh-migrations'))");
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT (${tx.dialect.now}))`);
    const rows = await tx.query<{ version: number | null }>('SELECT CAST(max(version) AS integer) AS version FROM schema_migrations');
    const current = rows[0]?.version ?? 0;
    if (current > latestVersion) {
      throw new StoreError(
        'StoreTooNew',
        `the store at ${db.location} was written by a newer Identity Mesh (schema version ${current}; this build knows up to ${latestVersion}); upgrade imesh or use another store`,
      );
    }
    for (const migration of migrations) {
      if (migration.version <= current || migration.version > upTo) continue;
      await tx.exec(sqlite ? migration.sqlite : migration.postgres);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
    }
  });
}

async function sqliteVersion(db: Db): Promise<number> {
  const table = await db.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");
  if (table.length === 0) return 0;
  const rows = await db.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations');
  return rows[0]?.version ?? 0;
}
