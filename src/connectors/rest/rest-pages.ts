/**
 * The rest connector's list walks, one per pagination style, each with its stop rule:
 * - `link`: follow `Link: <…>; rel="next"` (RFC 8288, parsed by the shared parseLinkHeader) until a page
 *   has none; a next link that leaves the base URL's origin is refused (HttpClient.resolve).
 * - `cursor`: send the body's cursor (a JSON pointer) in the query parameter until it is absent, null or empty.
 * - `offset`: offset/limit, advancing by the items actually returned, until a page is empty or shorter
 *   than the limit, or the total (a JSON pointer) is reached.
 * - `page`: page numbers from 0 or 1, until a page is empty, or shorter than the limit when one is sent,
 *   or the total is reached.
 * A walk that repeats itself (the same next link or cursor twice) stops with PaginationLoop.
 */
import { ConnectorError } from '../../shared/errors.js';
import { displayUrl, parseLinkHeader, type HttpRequest, type HttpResponse } from '../http/index.js';
import { readPointer, type JsonPointer } from './json-pointer.js';
import type { RestApi } from './rest-api.js';
import type { RestTypeOptions } from './rest-spec.js';
import { underBase } from './rest-url.js';

export interface RestPage {
  readonly items: readonly unknown[];
  readonly body: unknown;
  readonly response: HttpResponse<unknown>;
}

const MAX_PAGES = 1_000_000;

/** The items array of a page body, or MalformedResponse naming the pointer. */
export function pageItems(api: RestApi, response: HttpResponse<unknown>, items: JsonPointer): unknown[] {
  const found = readPointer(response.body, items);
  if (!Array.isArray(found)) {
    const where = items.source === '' ? 'the body' : `"${items.source}"`;
    throw new ConnectorError(api.client.connectorName, 'MalformedResponse', `GET ${displayUrl(response.url)} answered without a JSON array at ${where} (check list.items)`);
  }
  return found;
}

/** Total from a page body, when the pointer finds a number. */
export function totalOf(body: unknown, pointer: JsonPointer | undefined): number | undefined {
  if (!pointer) return undefined;
  const value = readPointer(body, pointer);
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** Walks the list of `type`, with `extra` query parameters (the delta bound). */
export async function* restPages(api: RestApi, type: RestTypeOptions, pageSize: number, extra: Readonly<Record<string, string>> = {}): AsyncGenerator<RestPage> {
  const client = api.client;
  const path = underBase(client, type.listPath.slice(1)).href;
  const p = type.pagination;
  const base: Record<string, string | number> = { ...type.listQuery, ...extra };
  if (p.style !== 'none' && p.limitParam !== undefined) base[p.limitParam] = pageSize;
  if (p.style === 'offset') base[p.offsetParam] = 0;
  if (p.style === 'page') base[p.pageParam] = p.firstPage;
  const loop = (what: string) => new ConnectorError(client.connectorName, 'PaginationLoop', `the ${what} repeats a page already read (${type.name} at ${displayUrl(path)}); the list cannot be read to its end`);

  let request: HttpRequest = { url: path, query: base };
  const seen = new Set<string>();
  let offset = 0;
  let pageNumber = p.style === 'page' ? p.firstPage : 0;
  let read = 0;
  for (let n = 0; n < MAX_PAGES; n++) {
    const response = await api.send<unknown>(request);
    const items = pageItems(api, response, type.items);
    yield { items, body: response.body, response };
    read += items.length;
    switch (p.style) {
      case 'none':
        return;
      case 'link': {
        const next = parseLinkHeader(response.headerValues('link')).get('next');
        if (next === undefined) return;
        const url = client.resolve(next).href;
        if (seen.has(url)) throw loop('next link');
        seen.add(url);
        request = { url };
        break;
      }
      case 'cursor': {
        const value = readPointer(response.body, p.cursor);
        if (value === undefined || value === null || value === '' || value === false) return;
        if (typeof value !== 'string' && typeof value !== 'number') {
          throw new ConnectorError(client.connectorName, 'MalformedResponse', `GET ${displayUrl(response.url)}: the cursor at "${p.cursor.source}" is not a string or number`);
        }
        const cursor = String(value);
        if (seen.has(cursor)) throw loop('cursor');
        seen.add(cursor);
        request = { url: path, query: { ...base, [p.param]: cursor } };
        break;
      }
      case 'offset': {
        const total = totalOf(response.body, p.total);
        if (items.length === 0 || items.length < pageSize || (total !== undefined && read >= total)) return;
        offset += items.length;
        request = { url: path, query: { ...base, [p.offsetParam]: offset } };
        break;
      }
      case 'page': {
        const total = totalOf(response.body, p.total);
        if (items.length === 0 || (p.limitParam !== undefined && items.length < pageSize) || (total !== undefined && read >= total)) return;
        pageNumber++;
        request = { url: path, query: { ...base, [p.pageParam]: pageNumber } };
        break;
      }
    }
  }
  throw new ConnectorError(client.connectorName, 'PaginationLoop', `gave up after ${MAX_PAGES} pages of ${displayUrl(path)}`);
}
