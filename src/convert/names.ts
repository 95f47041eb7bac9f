/**
 * Field names and values the converter writes where the seed-language contract (DESIGN.md §8, "Seed
 * semantics") and today's accepted names may differ, in one place.
 */

export interface Converted<T> {
  readonly value: T;
  readonly comment: string[];
}

/** Okta's org domain, as the documents write it (`contoso.okta.com`). */
export function oktaOrgUrl(domain: string): Converted<string> {
  const bare = domain.replace(/^https?:\/\//i, '').replace(/\/+$/, '');
  return { value: `https://${bare}`, comment: [] };
}

/** SQL `importQuery` (a table such as `dbo.Employees`, or a query): which key carries it. */
export function sqlImportSource(importQuery: string): { key: 'table' | 'query'; value: string } {
  return /^\s*select\b/i.test(importQuery) || /\s/.test(importQuery.trim()) ? { key: 'query', value: importQuery.trim() } : { key: 'table', value: importQuery.trim() };
}

/** The documents' `deltaColumnType` values, as accepted here. */
export function sqlDeltaColumnType(value: string): Converted<string> {
  const lower = value.toLowerCase();
  if (lower === 'long') return { value: 'bigint', comment: ['deltaColumnType long is bigint.'] };
  if (lower === 'binary') return { value: 'rowversion', comment: ['deltaColumnType binary (an 8-byte counter) is read like rowversion.'] };
  return { value: lower, comment: [] };
}

/**
 * `columnsToLoad`: the documents say the external id, watermark and active/soft-delete columns are always
 * loaded; they are listed here so the list reads the same either way.
 */
export function sqlColumnsToLoad(columns: readonly string[], always: readonly (string | undefined)[]): string[] {
  const out = [...columns];
  for (const column of always) if (column !== undefined && !out.some((c) => c.toLowerCase() === column.toLowerCase())) out.push(column);
  return out;
}

/** The enabled state of an AD user as a source attribute (undefined: none is readable by flow rules). */
export const AD_ACCOUNT_ENABLED: string | undefined = undefined;
