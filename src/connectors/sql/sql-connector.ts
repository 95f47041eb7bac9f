/**
 * The `sql` connector: tables and queries in PostgreSQL (`pg`), SQL Server (`mssql`) or an embedded
 * PGlite database, as sources and targets. The core below is dialect-neutral; the dialect files hold the
 * SQL text, the value mapping and the error mapping. See README.md in this folder for the options,
 * how deletions are detected, the transaction policy and the type mapping.
 */
import { isAbsolute, resolve } from 'node:path';
import { ConnectorError, NotSupportedError, errorMessage } from '../../shared/errors.js';
import type { CheckResult, ConnectorContext, ExportChange, ExportResult, IdentityConnector, ImportBatch, ObjectTypeCapabilities, StagedObject } from '../sdk.js';
import { formatWatermark, isWatermark, isoMinusSeconds, rowversionBytes } from './delta-watermark.js';
import type { ColumnInfo, ColumnKind, CreatedColumn, ResultSet, SelectRequest, SqlDialect, SqlParam, Statement } from './sql-dialect.js';
import { applyChanges, changeKey, type ExportTarget } from './sql-export.js';
import { formatTableName } from './sql-identifiers.js';
import { columnIndex, rowMapping, toStagedObjects, type RowMapping } from './sql-rows.js';
import { compileSqlOptions, type DeltaColumnType, type SqlConnectionOptions, type SqlObjectTypeOptions, type SqlOptions } from './sql-spec.js';

/** Changes per export transaction. */
const EXPORT_BATCH = 500;

/** What the watermark column's type must be, per deltaColumnType. */
const WATERMARK_KINDS: Readonly<Record<DeltaColumnType, { kinds: readonly ColumnKind[]; expects: string }>> = {
  datetime: { kinds: ['datetime'], expects: 'timestamp or timestamptz on PostgreSQL; datetime2, datetime or datetimeoffset on SQL Server' },
  bigint: { kinds: ['integer'], expects: 'an integer type (bigint, integer)' },
  rowversion: { kinds: ['rowversion'], expects: 'rowversion (binary(8))' },
  // An 8-byte counter: SQL Server reports binary(8) like a rowversion; PostgreSQL has bytea.
  binary: { kinds: ['binary', 'rowversion'], expects: 'binary(8) on SQL Server, bytea on PostgreSQL' },
};

function describeSource(options: SqlObjectTypeOptions): string {
  return options.source.kind === 'table' ? formatTableName(options.source.table) : `the query of object type "${options.name}"`;
}

export class SqlConnector implements IdentityConnector {
  readonly #name: string;
  readonly #context: ConnectorContext;
  readonly #options: SqlOptions;
  readonly #dialect: SqlDialect;
  readonly #tableColumns = new Map<string, Promise<Map<string, ColumnInfo>>>();

  constructor(context: ConnectorContext, options: SqlOptions, dialect: SqlDialect) {
    this.#name = context.model.name;
    this.#context = context;
    this.#options = options;
    this.#dialect = dialect;
  }

  #type(type: string): SqlObjectTypeOptions {
    const options = this.#options.objectTypes.get(type);
    if (!options) throw new ConnectorError(this.#name, 'ObjectTypeUnknown', `object type "${type}" is not declared in spec.objectTypes`);
    return options;
  }

  capabilities(type: string): ObjectTypeCapabilities {
    const options = this.#type(type);
    return {
      delta: options.watermark !== undefined,
      export: options.source.kind === 'table',
      addressing: 'key',
      keyAttribute: options.key,
      canDisable: options.isActiveColumn !== undefined,
      inactiveMeansDeleted: options.isActiveColumn !== undefined,
      ...(options.isActiveColumn ? { enabledAttribute: options.isActiveColumn } : {}),
    };
  }

  async check(): Promise<CheckResult> {
    const started = performance.now();
    let latencyMs = 0;
    let server: string | undefined;
    const objectTypes: Record<string, { count: number }> = {};
    const warnings: string[] = [];
    try {
      const version = await this.#dialect.query({ text: this.#dialect.syntax.version(), params: [] });
      latencyMs = Math.round(performance.now() - started);
      server = shortVersion(version.rows[0]?.map((value) => (value === undefined ? '' : String(value))).filter(Boolean).join(' — ') ?? '');
      const privileged = await this.#superuserWarning();
      if (privileged) warnings.push(privileged);
      for (const options of this.#options.objectTypes.values()) {
        let columns: ColumnInfo[];
        try {
          columns = await this.#dialect.describe(options.source);
        } catch (error) {
          const mapped = this.#dialect.toConnectorError(error, `reading ${describeSource(options)}`);
          if (options.createTable && mapped.code === 'TableNotFound') {
            warnings.push(`${options.name}: table ${describeSource(options)} does not exist yet; the first export creates it (createTable)`);
            objectTypes[options.name] = { count: 0 };
            continue;
          }
          throw mapped;
        }
        this.#verifyColumns(options, columns);
        const count = await this.#dialect.query({ text: this.#dialect.syntax.count(options.source), params: [] });
        objectTypes[options.name] = { count: Number(count.rows[0]?.[0] ?? 0) };
      }
      return { ok: true, latencyMs, ...(server ? { server } : {}), objectTypes, ...(warnings.length ? { warnings } : {}) };
    } catch (error) {
      const mapped = this.#dialect.toConnectorError(error, 'check');
      return {
        ok: false,
        latencyMs: latencyMs || Math.round(performance.now() - started),
        ...(server ? { server } : {}),
        objectTypes,
        error: { code: mapped.code, message: mapped.message },
        ...(warnings.length ? { warnings } : {}),
      };
    }
  }

  /**
   * A superuser login lets any `query:` a config change brings read server files (pg_read_file,
   * OPENROWSET) or every database into the plan: say so. The embedded database is local and single-user.
   */
  async #superuserWarning(): Promise<string | undefined> {
    if (this.#dialect.driver === 'embedded') return undefined;
    const result = await this.#dialect.query({ text: this.#dialect.syntax.superuser(), params: [] });
    const [flag, login] = result.rows[0] ?? [];
    if (flag !== true && Number(flag) !== 1) return undefined;
    const what = this.#dialect.driver === 'mssql' ? 'a member of the sysadmin server role' : 'a superuser (rolsuper)';
    return `connects as ${String(login)}, ${what}: a configuration change's query: could read server files or any database into a plan; use a login that may only read (and write) the tables it uses (see src/connectors/sql/README.md)`;
  }

  /** Every configured column must exist; the watermark column must have the configured kind of type. */
  #verifyColumns(options: SqlObjectTypeOptions, columns: readonly ColumnInfo[]): void {
    const names = columns.map((c) => c.name);
    const where = describeSource(options);
    const setting = (key: string) => `spec.objectTypes.${options.name}.${key}`;
    const required: [string, string][] = [[options.key, setting('externalIdColumn')]];
    if (options.watermark) required.push([options.watermark.column, setting('watermarkColumn')]);
    if (options.isActiveColumn) required.push([options.isActiveColumn, setting('isActiveColumn')]);
    if (options.softDelete) required.push([options.softDelete.column, setting('softDeleteColumn')]);
    if (options.columns !== 'all') for (const column of options.columns) required.push([column, setting('columnsToLoad')]);
    for (const [column, key] of required) {
      if (columnIndex(names, column) < 0) {
        throw new ConnectorError(this.#name, 'ColumnNotFound', `column "${column}" not found in ${where} (check ${key}; the columns are: ${names.join(', ')})`);
      }
    }
    if (options.watermark) {
      const column = columns[columnIndex(names, options.watermark.column)]!;
      const wanted = WATERMARK_KINDS[options.watermark.type];
      if (!wanted.kinds.includes(column.kind)) {
        const why = column.kind === 'date' ? ' — a date has no time of day, so changes made later the same day would be missed' : '';
        throw new ConnectorError(
          this.#name,
          'WatermarkTypeMismatch',
          `watermark column "${column.name}" in ${where} is ${column.type}, but deltaColumnType is ${options.watermark.type}, which expects ${wanted.expects}${why} (check ${setting('deltaColumnType')})`,
        );
      }
    }
  }

  fullImport(type: string): AsyncIterable<ImportBatch> {
    return this.#read(this.#type(type), undefined);
  }

  deltaImport(type: string, watermark: string): AsyncIterable<ImportBatch> {
    const options = this.#type(type);
    if (!options.watermark) return this.#read(options, undefined);
    return this.#read(options, watermark);
  }

  async *#read(options: SqlObjectTypeOptions, since: string | undefined): AsyncIterable<ImportBatch> {
    const dialect = this.#dialect;
    const where = describeSource(options);
    let watermark: string | undefined;
    let delta: SelectRequest['delta'];
    let params: SqlParam[] = [];
    try {
      if (options.watermark) {
        const { column, type, overlapSeconds } = options.watermark;
        // The signpost is read before the rows, so nothing committed meanwhile can be skipped.
        const signpost = await dialect.query({ text: dialect.syntax.signpost(type, options.source, column), params: [] });
        watermark = formatWatermark(type, signpost.rows[0]?.[0]);
        if (since !== undefined && !isWatermark(type, since)) {
          this.#context.log.warn({ event: 'sql-watermark-unreadable', objectType: options.name }, `stored watermark is not a ${type} value; reading everything`);
          since = undefined;
        }
        if (since !== undefined) {
          if (watermark === undefined) {
            // Nothing to read against (an empty table has no max): keep the stored watermark.
            yield { objects: [], watermark: since };
            return;
          }
          // rowversion: MIN_ACTIVE_ROWVERSION() is not yet committed, so `<`; the others include the signpost.
          delta = { column, type, upperInclusive: type !== 'rowversion' };
          params = this.#deltaBounds(type, type === 'datetime' ? isoMinusSeconds(since, overlapSeconds) : since, watermark);
        }
      } else {
        since = undefined;
      }
    } catch (error) {
      const mapped = dialect.toConnectorError(error, `reading the watermark of ${where}`);
      if (options.createTable && mapped.code === 'TableNotFound') {
        yield { objects: [], complete: true }; // not created yet: empty
        return;
      }
      throw mapped;
    }

    const full = since === undefined;
    const orderBy = delta ? [delta.column, options.key] : [options.key];
    const statement: Statement = { text: dialect.syntax.select({ source: options.source, columns: options.columns, delta, orderBy }), params };
    let pending: StagedObject[] | undefined;
    let mapping: RowMapping | undefined;
    let skipped = 0;
    const pages = dialect.stream(statement, options.batchSize)[Symbol.asyncIterator]();
    try {
      for (;;) {
        let next: IteratorResult<Awaited<ReturnType<typeof pages.next>>['value']>;
        try {
          next = await pages.next();
        } catch (error) {
          const mapped = dialect.toConnectorError(error, `reading ${where}`);
          if (options.createTable && mapped.code === 'TableNotFound' && pending === undefined) break; // not created yet: empty
          throw mapped;
        }
        if (next.done) break;
        const page = next.value;
        if (!mapping) {
          const found = rowMapping(options, page.columns);
          if (typeof found === 'string') throw new ConnectorError(this.#name, 'ColumnNotFound', `column "${found}" not found in ${where} (the result has: ${page.columns.join(', ')})`);
          mapping = found;
        }
        const mapped = toStagedObjects(options, page, mapping);
        skipped += mapped.skipped;
        if (pending) yield { objects: pending };
        pending = mapped.objects;
        if (mapped.rejected.length > 0) yield { objects: [], rejected: mapped.rejected };
      }
    } finally {
      // Also when the consumer stops early: the dialect releases its connection (or the embedded lock).
      await pages.return?.();
    }
    if (skipped > 0) {
      this.#context.log.warn({ event: 'sql-rows-without-key', objectType: options.name, count: skipped }, `${skipped} rows of ${where} have no ${options.key} and were left out`);
    }
    yield { objects: pending ?? [], ...(watermark !== undefined ? { watermark } : {}), ...(full ? { complete: true } : {}) };
  }

  /**
   * The rows with these keys, a statement's worth of keys at a time (`= ANY($1)` on PostgreSQL, an IN
   * list on SQL Server), through the key's index: a confirming import after 100 exports reads 100 rows,
   * not the table. Rows that do not exist are simply not returned.
   */
  async *readObjects(type: string, externalIds: readonly string[]): AsyncIterable<ImportBatch> {
    const options = this.#type(type);
    const dialect = this.#dialect;
    const where = describeSource(options);
    const keys = [...new Set(externalIds.filter((id) => id !== ''))];
    const request = { source: options.source, columns: options.columns, key: options.key };
    let mapping: RowMapping | undefined;
    for (let start = 0; start < keys.length; start += dialect.syntax.keysPerSelect) {
      const slice = keys.slice(start, start + dialect.syntax.keysPerSelect);
      let page: ResultSet;
      try {
        page = await dialect.query({ text: dialect.syntax.selectByKeys(request, slice.length), params: dialect.syntax.keyParams(slice) });
      } catch (error) {
        const mapped = dialect.toConnectorError(error, `reading ${where} by ${options.key}`);
        if (options.createTable && mapped.code === 'TableNotFound') return; // not created yet: nothing exists
        throw mapped;
      }
      if (!mapping) {
        const found = rowMapping(options, page.columns);
        if (typeof found === 'string') throw new ConnectorError(this.#name, 'ColumnNotFound', `column "${found}" not found in ${where} (the result has: ${page.columns.join(', ')})`);
        mapping = found;
      }
      const mapped = toStagedObjects(options, page, mapping);
      yield { objects: mapped.objects, ...(mapped.rejected.length > 0 ? { rejected: mapped.rejected } : {}) };
    }
  }

  /** Lower and upper delta bounds as the dialect binds them. */
  #deltaBounds(type: DeltaColumnType, lower: string, upper: string): SqlParam[] {
    if (type === 'rowversion' || type === 'binary') return [rowversionBytes(lower), rowversionBytes(upper)];
    if (type === 'datetime' && this.#dialect.driver === 'mssql') return [lower.replace(/Z$/, ''), upper.replace(/Z$/, '')];
    return [lower, upper];
  }

  async export(type: string, changes: readonly ExportChange[]): Promise<ExportResult[]> {
    const options = this.#type(type);
    if (options.source.kind !== 'table') throw new NotSupportedError(this.#name, `export to object type "${type}" (it reads a query; give a table to write to it)`);
    if (changes.length === 0) return [];
    const table = options.source.table;
    const tableLabel = formatTableName(table);
    let target: ExportTarget;
    try {
      if (options.createTable) await this.#ensureTable(options, changes);
      const columns = await this.#columnsOf(options);
      target = { connector: this.#name, options, table, tableLabel, columns, syntax: this.#dialect.syntax };
    } catch (error) {
      const mapped = this.#dialect.toConnectorError(error, `preparing to write ${tableLabel}`);
      return changes.map((change) => ({ id: change.id, ok: false, error: { code: mapped.code, message: mapped.message, retryable: mapped.retryable } }));
    }

    const results = new Map<string, ExportResult>();
    const succeeded = (change: ExportChange): ExportResult =>
      change.op === 'create' ? { id: change.id, ok: true, externalId: changeKey(target, change) } : { id: change.id, ok: true };
    const failed = (change: ExportChange, error: unknown): ExportResult => {
      const mapped = this.#dialect.toConnectorError(error, `row ${changeKey(target, change)}`);
      return { id: change.id, ok: false, error: { code: mapped.code, message: mapped.message, retryable: mapped.retryable } };
    };

    for (let start = 0; start < changes.length; start += EXPORT_BATCH) {
      const batch = changes.slice(start, start + EXPORT_BATCH);
      try {
        await this.#dialect.transaction((tx) => applyChanges(tx, target, batch));
        for (const change of batch) results.set(change.id, succeeded(change));
        continue;
      } catch (error) {
        if (batch.length === 1) {
          results.set(batch[0]!.id, failed(batch[0]!, error));
          continue;
        }
        this.#context.log.warn(
          { event: 'sql-export-batch-failed', objectType: type, changes: batch.length, reason: errorMessage(error) },
          'a batch failed and was rolled back; retrying its changes one by one to isolate the failing rows',
        );
      }
      for (const change of batch) {
        try {
          await this.#dialect.transaction((tx) => applyChanges(tx, target, [change]));
          results.set(change.id, succeeded(change));
        } catch (error) {
          results.set(change.id, failed(change, error));
        }
      }
    }
    return changes.map((change) => results.get(change.id)!);
  }

  /** The table's columns, read once per connector instance (and again after createTable changes it). */
  #columnsOf(options: SqlObjectTypeOptions): Promise<Map<string, ColumnInfo>> {
    let columns = this.#tableColumns.get(options.name);
    if (!columns) {
      columns = this.#dialect.describe(options.source).then((list) => new Map(list.map((c) => [c.name, c])));
      columns.catch(() => this.#tableColumns.delete(options.name));
      this.#tableColumns.set(options.name, columns);
    }
    return columns;
  }

  /** createTable (embedded): create the table, or add the columns this export brings. */
  async #ensureTable(options: SqlObjectTypeOptions, changes: readonly ExportChange[]): Promise<void> {
    // The key, then the attributes in the order the changes bring them, then isActiveColumn.
    const wanted = new Map<string, CreatedColumn['kind']>();
    for (const change of changes) {
      const attributes = change.op === 'create' ? Object.entries(change.attributes) : change.op === 'update' ? Object.entries(change.attributes).map(([name, c]) => [name, c.to ?? c.add] as const) : [];
      for (const [name, value] of attributes) {
        if (name === options.key || name === options.isActiveColumn || wanted.has(name)) continue;
        wanted.set(name, Array.isArray(value) ? 'text[]' : 'text');
      }
    }
    if (options.isActiveColumn) wanted.set(options.isActiveColumn, 'boolean');
    let existing: Map<string, ColumnInfo> | undefined;
    try {
      existing = await this.#columnsOf(options);
    } catch (error) {
      if (this.#dialect.toConnectorError(error, 'describe').code !== 'TableNotFound') throw error;
    }
    const missing = [...wanted].filter(([name]) => !existing?.has(name));
    if (existing && missing.length === 0) return;
    if (!this.#dialect.ensureTable || options.source.kind !== 'table') return;
    await this.#dialect.ensureTable(options.source.table, options.key, missing.map(([name, kind]) => ({ name, kind })));
    this.#tableColumns.delete(options.name);
    this.#context.log.info({ event: 'sql-create-table', table: formatTableName(options.source.table), added: missing.map(([name]) => name) }, existing ? 'added columns (createTable)' : 'created the table (createTable)');
  }

  async close(): Promise<void> {
    await this.#dialect.close();
  }
}

async function openDialect(context: ConnectorContext, connection: SqlConnectionOptions): Promise<SqlDialect> {
  const connector = context.model.name;
  const common = { connector, log: context.log };
  switch (connection.driver) {
    case 'postgres': {
      const { createPostgresDialect } = await import('./postgres-dialect.js');
      return createPostgresDialect({
        ...common,
        connectionString: context.secrets.resolve(connection.connectionString ?? ''),
        poolSize: connection.poolSize,
        statementTimeoutMs: connection.statementTimeoutMs,
        connectTimeoutMs: connection.connectTimeoutMs,
      });
    }
    case 'mssql': {
      const { createMssqlDialect } = await import('./mssql-dialect.js');
      return createMssqlDialect({
        ...common,
        connectionString: context.secrets.resolve(connection.connectionString ?? ''),
        encrypt: connection.encrypt,
        trustServerCertificate: connection.trustServerCertificate,
        poolSize: connection.poolSize,
        statementTimeoutMs: connection.statementTimeoutMs,
        connectTimeoutMs: connection.connectTimeoutMs,
      });
    }
    case 'embedded': {
      const { createEmbeddedDialect } = await import('./embedded-dialect.js');
      const path = connection.path ?? '';
      return createEmbeddedDialect({ ...common, dataDir: isAbsolute(path) ? path : resolve(context.workDir, path), displayPath: path });
    }
  }
}

/**
 * Builds a `sql` connector: validates the spec (unsafe identifiers and contradictions are refused here,
 * before any connection), then opens the driver's dialect. Vendor libraries load only for the driver used.
 */
export async function createSqlConnector(context: ConnectorContext<'sql'>): Promise<IdentityConnector> {
  const options = compileSqlOptions(context.model.name, context.model.spec);
  const dialect = await openDialect(context, options.connection);
  return new SqlConnector(context, options, dialect);
}

/**
 * The server's version for a check line: its first line, without the build details PostgreSQL adds
 * (`PostgreSQL 17.4 on x86_64-pc-linux-gnu, compiled by …, 64-bit` → `PostgreSQL 17.4`).
 */
export function shortVersion(text: string): string {
  const first = text.split(/\r?\n/)[0]!.trim();
  return first.replace(/ on \S+, compiled by .*$/, '').replace(/, compiled by .*$/, '');
}
