/**
 * Seed 000's SQL Database connector (`connectionString`, `importQuery`, `externalIdColumn`, `objectType`,
 * `watermarkColumn`/`deltaColumn`, `deltaColumnType`, `isActiveColumn`, `softDeleteColumn`/`Value`,
 * `columnsToLoad`): a `sql` Connector (SQL Server, as the document's prerequisites say) and a users FlowRule
 * whose mesh attributes are the loaded columns in camelCase.
 */
import { userFlowRule, type AttributeMapping } from './flow-rules.js';
import { sqlColumnsToLoad, sqlDeltaColumnType, sqlImportSource } from './names.js';
import { camel, type ConvertedRepository } from './repository.js';
import { holdsCredential, secretField } from './secret-fields.js';
import { entry, list, map, note, type YamlEntry } from './yaml-writer.js';

export interface SqlInput {
  readonly input: string;
  readonly name: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly mapping?: Readonly<Record<string, string>>;
  readonly notes: readonly YamlEntry[];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

export function convertSql(repo: ConvertedRepository, s: SqlInput): void {
  const name = repo.uniqueName(s.name);
  const c = s.config;
  const raw = text(c.connectionString);
  const connection = secretField(repo, raw !== undefined && /^\{\{\s*secret\s*:/.test(raw) ? raw : undefined, `${name}-connection-string`, 'the SQL Server connection string');
  const secretName = /\{\{secret:([^}]+)\}\}/.exec(connection.value)![1]!;
  const connectionComment =
    raw === undefined || /^\{\{\s*secret\s*:/.test(raw)
      ? connection.comment
      : holdsCredential(raw)
        ? ["The input's connection string holds credentials, so it is not written here: store it whole as the secret", `"${secretName}" (IMESH_SECRET_… or $IMESH_SECRETS_DIR/…).`]
        : [
            `The input's connection string (${raw}) was configured in the Admin UI and kept with DPAPI;`,
            `here it is a secret: store it, with the account's "User Id=…;Password=…", as "${secretName}".`,
          ];
  const connectionValue = connection.value;
  const objectType = camel(text(c.objectType) ?? 'user') || 'user';
  const externalId = text(c.externalIdColumn) ?? 'Id';
  const watermark = text(c.watermarkColumn) ?? text(c.deltaColumn);
  const active = text(c.isActiveColumn);
  const softDelete = text(c.softDeleteColumn);
  const importQuery = text(c.importQuery);
  const source = importQuery ? sqlImportSource(importQuery) : undefined;
  const deltaType = text(c.deltaColumnType) ? sqlDeltaColumnType(text(c.deltaColumnType)!) : undefined;
  const loaded = Array.isArray(c.columnsToLoad) ? c.columnsToLoad.map(String) : [];
  const columns = loaded.length > 0 ? sqlColumnsToLoad(loaded) : undefined;
  const typeSpec = map([
    source ? entry(source.key, source.value, 'A table or view name, or a read-only SELECT.') : entry('table', 'dbo.Users', 'CHANGE: the input gave no importQuery (a table, view or query).'),
    entry('externalIdColumn', externalId),
    watermark ? entry(text(c.watermarkColumn) ? 'watermarkColumn' : 'deltaColumn', watermark, 'A datetime2, bigint or rowversion column (not date: changes on the same day would be missed).') : undefined,
    deltaType ? entry('deltaColumnType', deltaType.value, ...deltaType.comment) : undefined,
    active ? entry('isActiveColumn', active, 'A row whose column is false (0) is a deleted source object.') : undefined,
    softDelete ? entry('softDeleteColumn', softDelete) : undefined,
    c.softDeleteValue !== undefined && c.softDeleteValue !== null ? entry('softDeleteValue', typeof c.softDeleteValue === 'boolean' || typeof c.softDeleteValue === 'number' ? c.softDeleteValue : String(c.softDeleteValue)) : undefined,
    columns ? entry('columnsToLoad', list(columns, true), 'The external id, watermark and active/soft-delete columns are always loaded, listed or not.') : undefined,
  ]);
  const notes: YamlEntry[] = [...s.notes];
  if (text(c.objectType)) notes.push(note(`objectType "${String(c.objectType)}": the object type's name, "${objectType}", under objectTypes.`));
  const spec = map([
    entry('type', 'sql'),
    entry('connection', map([entry('driver', 'mssql', 'The document\'s prerequisites name SQL Server; use postgres for PostgreSQL.'), entry('connectionString', connectionValue, ...connectionComment)])),
    entry('objectTypes', map([entry(objectType, typeSpec)])),
    ...notes,
  ]);
  repo.add(name, s.input, { kind: 'Connector', name, spec });
  const skip = new Set([watermark, active, softDelete].filter((x): x is string => x !== undefined).map((x) => x.toLowerCase()));
  const flows: AttributeMapping[] = s.mapping
    ? Object.entries(s.mapping).map(([mesh, column]) => ({ mesh, source: column }))
    : (columns ?? [externalId]).filter((column) => !skip.has(column.toLowerCase())).map((column) => ({ mesh: camel(column), source: column }));
  userFlowRule({ repo, file: name, input: s.input, connector: name }, objectType, flows, s.mapping ? [] : ['The document maps no attributes for SQL: each loaded column flows into the mesh attribute of its name in camelCase.']);
}
