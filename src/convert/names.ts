/**
 * Field names and values the converter writes where the product documents' names and older
 * spellings differ, in one place. The documents' own names are written.
 */

export interface Converted<T> {
  readonly value: T;
  readonly comment: string[];
}

/** Okta's org domain, as the documents write it (`contoso.okta.com`: https is implied). */
export function oktaOrgUrl(domain: string): Converted<string> {
  return { value: domain.trim().replace(/\/+$/, ''), comment: [] };
}

/** SQL `importQuery` (a table such as `dbo.Employees`, or a SELECT), under its own name. */
export function sqlImportSource(importQuery: string): { key: 'importQuery'; value: string } {
  return { key: 'importQuery', value: importQuery.trim() };
}

/** The documents' `deltaColumnType` values (`long` = bigint, `binary` = an 8-byte counter) are accepted as written. */
export function sqlDeltaColumnType(value: string): Converted<string> {
  return { value: value.toLowerCase(), comment: [] };
}

/**
 * `columnsToLoad` as written: the external id, watermark and active/soft-delete columns are always
 * loaded, listed or not.
 */
export function sqlColumnsToLoad(columns: readonly string[]): string[] {
  return [...columns];
}

/** The enabled state of a directory user as a source attribute (AD: from userAccountControl). */
export const AD_ACCOUNT_ENABLED = 'accountEnabled';
