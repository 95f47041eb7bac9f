/**
 * Checks on Connector documents the schema cannot express: settings that contradict each other,
 * plain-text credentials, insecure URLs, cron expressions.
 */
import { CronPattern } from 'croner';
import type { CheckContext } from './check-context.js';
import { checkCsvFile } from './csv-file-checks.js';
import type { ConnectorDoc } from './documents.js';
import type { SqlObjectType } from './generated/connector.js';
import { withDefaultScheme } from '../shared/default-scheme.js';
import { sqlSource, sqlWatermarkColumn } from './sql-object-type.js';

export function checkConnector(ctx: CheckContext, doc: ConnectorDoc): void {
  const spec = doc.value.spec;
  if (spec.schedule?.full !== undefined) checkCron(ctx, doc, ['spec', 'schedule', 'full'], spec.schedule.full);
  switch (spec.type) {
    case 'sql':
      checkSqlConnection(ctx, doc);
      for (const [name, type] of Object.entries(spec.objectTypes)) if (type) checkSqlObjectType(ctx, doc, name, type, spec.connection.driver);
      break;
    case 'csv':
      for (const [name, type] of Object.entries(spec.objectTypes)) {
        if (!type) continue;
        checkSoftDelete(ctx, doc, name, type.isActiveColumn, type.softDeleteColumn, type.softDeleteValue);
        if (typeof type.file === 'string') checkCsvFile(ctx, doc, name, type.file);
      }
      break;
    case 'active-directory':
    case 'ldap': {
      const { url, tls } = spec.connection;
      if (url.startsWith('ldaps://') && tls?.startTls === true) {
        ctx.report(doc, ['spec', 'connection', 'tls', 'startTls'], 'connection.tls.startTls: true contradicts connection.url "ldaps://…" (already TLS); use ldap:// with startTls, or drop startTls');
      }
      break;
    }
    case 'okta':
      checkHttpUrl(ctx, doc, ['spec', 'connection', 'orgUrl'], withDefaultScheme(spec.connection.orgUrl, 'https'));
      break;
    case 'entra-id':
      if (spec.connection.authorityUrl) checkHttpUrl(ctx, doc, ['spec', 'connection', 'authorityUrl'], spec.connection.authorityUrl);
      if (spec.connection.graphUrl) checkHttpUrl(ctx, doc, ['spec', 'connection', 'graphUrl'], spec.connection.graphUrl);
      break;
    case 'scim':
      checkHttpUrl(ctx, doc, ['spec', 'connection', 'baseUrl'], spec.connection.baseUrl);
      break;
    case 'scim-inbound':
      break;
  }
}

export function checkCron(ctx: CheckContext, doc: Parameters<CheckContext['report']>[0], path: string[], expression: string): void {
  try {
    new CronPattern(expression, 'UTC');
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).replace(/^CronPattern:\s*/, '');
    ctx.report(doc, path, `${path.slice(1).join('.')} is not a valid cron expression: ${reason}`);
  }
}

function checkSqlConnection(ctx: CheckContext, doc: ConnectorDoc): void {
  if (doc.value.spec.type !== 'sql') return;
  const connection = doc.value.spec.connection;
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

function checkSoftDelete(ctx: CheckContext, doc: ConnectorDoc, name: string, active: string | undefined, column: string | undefined, value: unknown): void {
  const path = ['spec', 'objectTypes', name];
  const label = `objectTypes.${name}`;
  if (column !== undefined && value === undefined) ctx.report(doc, [...path, 'softDeleteColumn'], `${label}.softDeleteColumn needs ${label}.softDeleteValue`, 'key');
  if (column === undefined && value !== undefined) ctx.report(doc, [...path, 'softDeleteValue'], `${label}.softDeleteValue needs ${label}.softDeleteColumn`, 'key');
  if (active !== undefined && column !== undefined) {
    ctx.report(doc, [...path, 'softDeleteColumn'], `${label}.softDeleteColumn contradicts ${label}.isActiveColumn: a source marks deletions one way; keep one`, 'key');
  }
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\]|::1)$/i;

export function isLoopback(hostname: string): boolean {
  return LOOPBACK.test(hostname);
}

function checkHttpUrl(ctx: CheckContext, doc: ConnectorDoc, path: string[], url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    ctx.report(doc, path, `${path.slice(1).join('.')} is not a valid URL`);
    return;
  }
  if (parsed.protocol === 'http:' && !isLoopback(parsed.hostname)) {
    ctx.report(doc, path, `${path.slice(1).join('.')} uses http:// with host "${parsed.hostname}"; http:// is accepted only for loopback hosts (tests): use https://`);
  }
}

/** `scheme://user:password@…` or `Password=…;` with a literal value. */
function holdsPlainPassword(text: string): boolean {
  const url = /^[a-z][a-z0-9+.-]*:\/\/[^:/@\s]+:([^@\s]*)@/i.exec(text);
  if (url && url[1] !== '' && !url[1]?.includes('{{secret:')) return true;
  const keyValue = /(?:^|;)\s*(?:password|pwd)\s*=\s*([^;]*)/i.exec(text);
  return keyValue !== null && keyValue[1]?.trim() !== '' && !keyValue[1]?.includes('{{secret:');
}
