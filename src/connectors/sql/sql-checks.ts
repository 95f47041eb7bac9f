/**
 * Semantic checks of a `sql` Connector document the schema cannot express: the driver's settings,
 * exactly one source per object type, settings that only one database understands.
 */
import type { CheckContext } from '../../config/check-context.js';
import type { ConnectorDoc } from '../../config/documents.js';
import type { ConnectorSpecOf } from '../../config/model.js';
import type { SqlObjectType } from '../../config/generated/connector.js';
import { checkSoftDelete, holdsPlainPassword } from '../../config/setting-checks.js';
import { sqlSource, sqlWatermarkColumn } from '../../config/sql-object-type.js';

export function checkSqlSpec(ctx: CheckContext, doc: ConnectorDoc, spec: ConnectorSpecOf<'sql'>): void {
  checkSqlConnection(ctx, doc, spec.connection);
  for (const [name, type] of Object.entries(spec.objectTypes)) if (type) checkSqlObjectType(ctx, doc, name, type, spec.connection.driver);
}

function checkSqlConnection(ctx: CheckContext, doc: ConnectorDoc, connection: ConnectorSpecOf<'sql'>['connection']): void {
  const path = ['spec', 'connection'];
  if (connection.driver === 'embedded') {
    if (connection.path === undefined) ctx.report(doc, [...path, 'driver'], 'connection.driver "embedded" needs connection.path (the PGlite data directory)');
    if (connection.connectionString !== undefined) {
      ctx.report(doc, [...path, 'connectionString'], 'connection.connectionString is not used with connection.driver "embedded"; give connection.path instead', 'key');
    }
  } else {
    if (connection.connectionString === undefined) ctx.report(doc, [...path, 'driver'], `connection.driver "${connection.driver}" needs connection.connectionString`);
    if (connection.path !== undefined) {
      ctx.report(doc, [...path, 'path'], `connection.path is only for connection.driver "embedded", not "${connection.driver}"; use connection.connectionString`, 'key');
    }
    if (connection.connectionString !== undefined && holdsPlainPassword(connection.connectionString)) {
      ctx.report(doc, [...path, 'connectionString'], 'connection.connectionString holds a password in clear text; put it in a secret reference, e.g. connectionString: "{{secret:hr-db-url}}"');
    }
  }
}

function checkSqlObjectType(ctx: CheckContext, doc: ConnectorDoc, name: string, type: SqlObjectType, driver: string): void {
  const path = ['spec', 'objectTypes', name];
  const label = `objectTypes.${name}`;
  const source = sqlSource(type);
  if (source.kind === 'conflict') {
    const [first, second] = source.settings;
    ctx.report(doc, [...path, second!], `${label} has both ${first} and ${second}; give exactly one of table, query and importQuery`, 'key');
  } else if (source.kind === 'none') {
    ctx.report(doc, path, `${label} needs a table, a query or an importQuery`, 'key');
  }
  if (type.createTable === true) {
    if (driver !== 'embedded') {
      ctx.report(doc, [...path, 'createTable'], `${label}.createTable works only with connection.driver "embedded" (this connector uses "${driver}"); create the table yourself`, 'key');
    } else if (source.kind === 'query' || source.kind === 'none') {
      ctx.report(doc, [...path, 'createTable'], `${label}.createTable needs ${label}.table`, 'key');
    }
  }
  const watermark = sqlWatermarkColumn(type);
  if (typeof watermark === 'object') {
    ctx.report(doc, [...path, 'deltaColumn'], `${label}.deltaColumn "${watermark.conflict[1]}" and ${label}.watermarkColumn "${watermark.conflict[0]}" name the same setting; keep one`, 'key');
  } else if (watermark === undefined && doc.locate.has([...path, 'deltaColumnType'])) {
    ctx.report(doc, [...path, 'deltaColumnType'], `${label}.deltaColumnType has no effect without ${label}.watermarkColumn (or deltaColumn)`, 'key');
  }
  if (type.deltaColumnType === 'rowversion' && driver !== 'mssql') {
    ctx.report(doc, [...path, 'deltaColumnType'], `${label}.deltaColumnType rowversion is a SQL Server type (this connector uses "${driver}"); use binary for an 8-byte counter in a bytea column, or bigint`);
  }
  // softDeleteValue defaults to true (the value a soft-delete flag column holds), so only a value without a column is an error.
  checkSoftDelete(ctx, doc, name, type.isActiveColumn, type.softDeleteColumn, type.softDeleteValue ?? (type.softDeleteColumn !== undefined ? true : undefined));
  // columnsToLoad never needs the key, watermark, active or soft-delete columns: they are always added.
}
