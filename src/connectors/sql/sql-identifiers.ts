/**
 * Configured SQL identifiers (tables, columns) are validated once, when the connector is built, and
 * quoted per dialect whenever they are placed into a statement. Values never go into statement text:
 * they are always bound parameters.
 */

/** A letter or underscore, then letters, digits, underscores or `$` — what every dialect accepts unquoted. */
const IDENTIFIER = /^[\p{L}_][\p{L}\p{N}_$]*$/u;
const MAX_LENGTH = 128;

export interface TableName {
  readonly schema?: string;
  readonly name: string;
}

/** Returns why `text` is not an acceptable identifier, or undefined when it is. */
export function identifierProblem(text: unknown): string | undefined {
  if (typeof text !== 'string' || text.length === 0) return 'it is empty';
  if (text.length > MAX_LENGTH) return `it is longer than ${MAX_LENGTH} characters`;
  if (!IDENTIFIER.test(text)) {
    return 'only letters, digits, "_" and "$" are allowed, starting with a letter or "_" (no quotes, spaces, dots or punctuation)';
  }
  return undefined;
}

/**
 * Parses `schema.table` or `table`. Returns the problem as a string when the name is not acceptable.
 * Names are case-sensitive as written (they are always quoted): write PostgreSQL names in lower case.
 */
export function parseTableName(text: unknown): TableName | string {
  if (typeof text !== 'string' || text.length === 0) return 'it is empty';
  const parts = text.split('.');
  if (parts.length > 2) return 'use "table" or "schema.table"';
  for (const part of parts) {
    const problem = identifierProblem(part);
    if (problem) return `"${part}" is not a valid identifier: ${problem}`;
  }
  return parts.length === 2 ? { schema: parts[0]!, name: parts[1]! } : { name: parts[0]! };
}

export function formatTableName(table: TableName): string {
  return table.schema ? `${table.schema}.${table.name}` : table.name;
}

/** PostgreSQL (and PGlite): double quotes, embedded quotes doubled. */
export function quotePg(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

/** SQL Server: brackets, embedded closing brackets doubled. */
export function quoteTsql(identifier: string): string {
  return `[${identifier.replaceAll(']', ']]')}]`;
}
