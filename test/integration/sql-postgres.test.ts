/**
 * The sql conformance suite against the real PostgreSQL server (inject('pgUrl')), in a schema of its
 * own that is dropped afterwards; plus what needs a real server: a concurrent writer committing late,
 * and authentication / permission failures.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createSqlConnector } from '../../src/connectors/sql/sql-connector.js';
import type { IdentityConnector } from '../../src/connectors/sdk.js';
import { collect, describeSqlConformance } from '../connectors/sql/conformance.js';
import { testContext } from '../connectors/sql/test-context.js';

const schemaName = `imesh_sqlconf_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;

function connectorFor(url: string, objectTypes: Record<string, unknown>, connection: Record<string, unknown> = {}): Promise<IdentityConnector> {
  const spec = { type: 'sql', connection: { driver: 'postgres', connectionString: '{{secret:hr-db-url}}', ...connection }, objectTypes };
  return createSqlConnector(testContext({ name: 'hr-db', spec, secrets: { 'hr-db-url': url } }));
}

describeSqlConformance('PostgreSQL', async () => {
  const url = inject('pgUrl');
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schemaName}`);
  return {
    driver: 'postgres' as const,
    schema: schemaName,
    async sql(text: string, params: unknown[] = []) {
      await admin.query(text, params);
    },
    connector: (objectTypes: Record<string, unknown>) => connectorFor(url, objectTypes),
    async close() {
      await admin.query(`DROP SCHEMA ${schemaName} CASCADE`);
      await admin.end();
    },
  };
});

describe('sql connector on PostgreSQL: what needs a real server', () => {
  const url = inject('pgUrl');
  const schema = `${schemaName}_x`;
  const role = `imesh_noperm_${process.pid}`;
  let admin: pg.Client;
  const open: IdentityConnector[] = [];
  const connect = async (...args: Parameters<typeof connectorFor>) => {
    const c = await connectorFor(...args);
    open.push(c);
    return c;
  };

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.query(`CREATE TABLE ${schema}.people (id text PRIMARY KEY, name text, modified_at timestamptz NOT NULL DEFAULT now())`);
    await admin.query(`INSERT INTO ${schema}.people (id, name, modified_at) VALUES ('E1', 'Ada', '2020-01-01')`);
    await admin.query(`DROP ROLE IF EXISTS ${role}`);
    await admin.query(`CREATE ROLE ${role} LOGIN`);
  });
  afterAll(async () => {
    for (const c of open) await c.close().catch(() => undefined);
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.query(`DROP ROLE IF EXISTS ${role}`);
    await admin.end();
  });

  it('a row written by a transaction that commits after our read is picked up by the next delta (overlap window)', async () => {
    const connector = await connect(url, { user: { table: `${schema}.people`, externalIdColumn: 'id', watermarkColumn: 'modified_at', overlapSeconds: 5 } });
    const writer = new pg.Client({ connectionString: url });
    await writer.connect();
    try {
      await writer.query('BEGIN');
      // now() is the writer's transaction start: the row's timestamp is before our signpost…
      await writer.query(`INSERT INTO ${schema}.people (id, name, modified_at) VALUES ('LATE', 'Late', now())`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const full = await collect(connector.fullImport('user'));
      const w0 = full[full.length - 1]!.watermark!;
      expect(full.flatMap((b) => b.objects).map((o) => o.externalId)).not.toContain('LATE'); // …but invisible
      await writer.query('COMMIT');
      const delta = await collect(connector.deltaImport('user', w0));
      expect(delta.flatMap((b) => b.objects).map((o) => o.externalId)).toContain('LATE');
    } finally {
      await writer.end();
    }
  });

  // Issue 14: a superuser lets a config change's query: read server files (pg_read_file) into a plan.
  it('check warns when the login is a superuser, and not for a least-privilege role', async () => {
    const asSuperuser = await connect(url, { user: { table: `${schema}.people`, externalIdColumn: 'id' } });
    const superuser = await asSuperuser.check();
    expect(superuser.ok).toBe(true);
    expect(superuser.warnings).toEqual([expect.stringMatching(/^connects as \S+, a superuser \(rolsuper\): a configuration change's query: could read server files/)]);

    const reader = `${role}_reader`;
    await admin.query(`DROP ROLE IF EXISTS ${reader}`);
    await admin.query(`CREATE ROLE ${reader} LOGIN`);
    try {
      await admin.query(`GRANT USAGE ON SCHEMA ${schema} TO ${reader}`);
      await admin.query(`GRANT SELECT ON ${schema}.people TO ${reader}`);
      const readerUrl = new URL(url);
      readerUrl.username = reader;
      const asReader = await connect(readerUrl.href, { user: { table: `${schema}.people`, externalIdColumn: 'id' } });
      const result = await asReader.check();
      expect(result.ok).toBe(true);
      expect(result.objectTypes.user!.count).toBeGreaterThan(0); // it can read what it needs
      expect(result.warnings ?? []).toEqual([]);
      await asReader.close();
    } finally {
      await admin.query(`REVOKE ALL ON ${schema}.people FROM ${reader}; REVOKE ALL ON SCHEMA ${schema} FROM ${reader}`);
      await admin.query(`DROP ROLE IF EXISTS ${reader}`);
    }
  });

  it('a full read whose query sends nothing for statementTimeoutSeconds is cancelled as a Timeout; one the consumer holds back longer is not', async () => {
    const slow = await connect(url, { t: { query: 'SELECT id, name FROM (SELECT pg_sleep(4), p.* FROM ' + `${schema}.people p) AS q`, externalIdColumn: 'id' } }, { statementTimeoutSeconds: 1 });
    await expect(collect(slow.fullImport('t'))).rejects.toMatchObject({ code: 'Timeout' });
    // The same session settings serve the next statement (the timeout is back on the pooled connection).
    await expect(collect(slow.fullImport('t'))).rejects.toMatchObject({ code: 'Timeout' });

    await admin.query(`CREATE TABLE ${schema}.many AS SELECT 'E' || lpad(g::text, 6, '0') AS id, repeat('n', 200) AS name FROM generate_series(1, 30000) g`);
    const held = await connect(url, { t: { table: `${schema}.many`, externalIdColumn: 'id', pageSize: 500 } }, { statementTimeoutSeconds: 1 });
    let read = 0;
    for await (const batch of held.fullImport('t')) {
      if (read === 0) await new Promise((resolve) => setTimeout(resolve, 2500)); // the socket stays paused meanwhile
      read += batch.objects.length;
    }
    expect(read).toBe(30000);
  }, 30_000);

  it('permission denied is its own error', async () => {
    const noPermUrl = new URL(url);
    noPermUrl.username = role;
    const connector = await connect(noPermUrl.toString(), { user: { table: `${schema}.people`, externalIdColumn: 'id' } });
    const result = await connector.check();
    expect(result).toMatchObject({ ok: false, error: { code: 'PermissionDenied' } });
  });

  it('an authentication failure is its own error, and the secret is in no message or log', async () => {
    const secret = 'sekret-Pa55word-xyz';
    const bad = new URL(url);
    bad.username = 'no_such_user_imesh';
    bad.password = secret;
    const spec = { type: 'sql', connection: { driver: 'postgres', connectionString: '{{secret:hr-db-url}}' }, objectTypes: { user: { table: `${schema}.people`, externalIdColumn: 'id' } } };
    const context = testContext({ name: 'hr-db', spec, secrets: { 'hr-db-url': bad.toString() } });
    const connector = await createSqlConnector(context);
    open.push(connector);
    const result = await connector.check();
    expect(result).toMatchObject({ ok: false, error: { code: 'AuthenticationFailed' } });
    expect(JSON.stringify(result)).not.toContain(secret);
    const importError = await collect(connector.fullImport('user')).catch((error: Error) => error);
    expect(importError).toBeInstanceOf(Error);
    expect((importError as Error).message).not.toContain(secret);
    expect(context.logLines.join('')).not.toContain(secret);
  });

  it('an unreachable server is a retryable connection failure', async () => {
    const connector = await connect('postgres://root@127.0.0.1:1/test', { user: { table: `${schema}.people`, externalIdColumn: 'id' } }, { connectTimeoutSeconds: 2 });
    const error = await collect(connector.fullImport('user')).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ConnectionFailed', retryable: true });
  });

  it('a connection string that is not a URL is refused without quoting it', async () => {
    const attempt = connectorFor('postgres://user:pa ss@[bad', { user: { table: 'people', externalIdColumn: 'id' } });
    await expect(attempt).rejects.toMatchObject({ code: 'ConnectionStringInvalid' });
    await expect(attempt).rejects.not.toThrow(/pa ss/);
  });
});
