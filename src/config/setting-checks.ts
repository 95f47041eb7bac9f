/**
 * Checks of single settings that several connector types share (URLs, soft-delete columns, credentials
 * in connection strings); each connector's descriptor applies the ones its spec has.
 */
import type { CheckContext } from './check-context.js';
import type { ConnectorDoc } from './documents.js';

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\]|::1)$/i;

function isLoopback(hostname: string): boolean {
  return LOOPBACK.test(hostname);
}

/** A valid URL, https unless the host is a loopback address (tests). */
export function checkHttpUrl(ctx: CheckContext, doc: ConnectorDoc, path: string[], url: string): void {
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

/** softDeleteColumn and softDeleteValue come together, and not with isActiveColumn. */
export function checkSoftDelete(ctx: CheckContext, doc: ConnectorDoc, name: string, active: string | undefined, column: string | undefined, value: unknown): void {
  const path = ['spec', 'objectTypes', name];
  const label = `objectTypes.${name}`;
  if (column !== undefined && value === undefined) ctx.report(doc, [...path, 'softDeleteColumn'], `${label}.softDeleteColumn needs ${label}.softDeleteValue`, 'key');
  if (column === undefined && value !== undefined) ctx.report(doc, [...path, 'softDeleteValue'], `${label}.softDeleteValue needs ${label}.softDeleteColumn`, 'key');
  if (active !== undefined && column !== undefined) {
    ctx.report(doc, [...path, 'softDeleteColumn'], `${label}.softDeleteColumn contradicts ${label}.isActiveColumn: a source marks deletions one way; keep one`, 'key');
  }
}

/** `scheme://user:password@…` or `Password=…;` with a literal value. */
export function holdsPlainPassword(text: string): boolean {
  const url = /^[a-z][a-z0-9+.-]*:\/\/[^:/@\s]+:([^@\s]*)@/i.exec(text);
  if (url && url[1] !== '' && !url[1]?.includes('{{secret:')) return true;
  const keyValue = /(?:^|;)\s*(?:password|pwd)\s*=\s*([^;]*)/i.exec(text);
  return keyValue !== null && keyValue[1]?.trim() !== '' && !keyValue[1]?.includes('{{secret:');
}
