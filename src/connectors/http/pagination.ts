/**
 * Pagination helpers for the three list styles our peers use. Each is a cursor walk: every page names
 * the next, so one list is read page by page; concurrency comes from walking several lists at once.
 *
 * - Web Linking (RFC 8288) `Link: <…>; rel="next"` — Okta (developer.okta.com/docs/api/#pagination).
 * - OData `@odata.nextLink` / `@odata.deltaLink` — Microsoft Graph
 *   (learn.microsoft.com/graph/paging, learn.microsoft.com/graph/delta-query-overview).
 * - SCIM `startIndex` (1-based) / `count` with `totalResults` and `itemsPerPage` in a ListResponse
 *   (RFC 7644 §3.4.2.4).
 */
import { ConnectorError } from '../../shared/errors.js';
import { redact } from '../../shared/logger.js';
import type { HttpClient, HttpRequest, HttpResponse } from './http-client.js';
import { displayUrl } from './secure-url.js';

/** Parses one or more Link header values into relation → URL (the first link of each relation wins). */
export function parseLinkHeader(values: string | readonly string[] | undefined): Map<string, string> {
  const links = new Map<string, string>();
  if (values === undefined) return links;
  const text = typeof values === 'string' ? values : values.join(', ');
  // link-value = "<" URI-Reference ">" *( OWS ";" OWS link-param ); several link-values are comma-separated.
  const pattern = /<([^>]*)>((?:\s*;\s*[^;,]+(?:=(?:"[^"]*"|[^;,]*))?)*)/g;
  for (const match of text.matchAll(pattern)) {
    const target = match[1] ?? '';
    const params = match[2] ?? '';
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^;,\s]+))/i.exec(params);
    const relations = (rel?.[1] ?? rel?.[2] ?? '').split(/\s+/).filter(Boolean);
    for (const relation of relations) {
      const key = relation.toLowerCase();
      if (!links.has(key)) links.set(key, target);
    }
  }
  return links;
}

export interface LinkPage<T> {
  readonly items: readonly T[];
  readonly response: HttpResponse<unknown>;
}

export interface LinkWalkOptions {
  /**
   * Stop at the first page with no items even when it carries rel="next". Okta's System Log always
   * returns a next link on a polling request (one without `until`), so an empty page is the end.
   */
  readonly stopWhenEmpty?: boolean;
  /** Refuse to walk more pages than this (a server that links to itself forever). Default 100 000. */
  readonly maxPages?: number;
}

/** Walks a list that answers a JSON array per page and links the next page with `Link: rel="next"`. */
export async function* linkPages<T>(client: HttpClient, first: HttpRequest, options: LinkWalkOptions = {}): AsyncGenerator<LinkPage<T>> {
  let request: HttpRequest = first;
  const seen = new Set<string>();
  const maxPages = options.maxPages ?? 100_000;
  for (let page = 0; page < maxPages; page++) {
    const response = await client.request<unknown>(request);
    if (!Array.isArray(response.body)) {
      throw new ConnectorError(client.connectorName, 'MalformedResponse', `GET ${displayUrl(response.url)} answered ${describe(response.body)} where a JSON array was expected`);
    }
    const items = response.body as T[];
    yield { items, response };
    if (options.stopWhenEmpty && items.length === 0) return;
    const next = parseLinkHeader(response.headerValues('link')).get('next');
    if (next === undefined) return;
    const resolved = client.resolve(next).href;
    if (seen.has(resolved)) {
      throw new ConnectorError(client.connectorName, 'PaginationLoop', `the next link repeats a page already read (${displayUrl(resolved)}); the list cannot be read to its end`);
    }
    seen.add(resolved);
    request = { url: resolved, ...(first.headers ? { headers: first.headers } : {}) };
  }
  throw new ConnectorError(client.connectorName, 'PaginationLoop', `gave up after ${maxPages} pages of ${displayUrl(client.resolve(first.url))}`);
}

export interface ODataPage<T> {
  readonly items: readonly T[];
  /** Set on the last page of a delta round: the link that returns the changes after this round. */
  readonly deltaLink?: string;
  readonly response: HttpResponse<unknown>;
}

/**
 * Walks an OData collection: follows `@odata.nextLink` until a page has none; a delta round ends with
 * `@odata.deltaLink` instead. A page may be empty and still carry a nextLink (Graph says to keep going).
 */
export async function* odataPages<T>(client: HttpClient, first: HttpRequest, options: { maxPages?: number } = {}): AsyncGenerator<ODataPage<T>> {
  let request: HttpRequest = first;
  const maxPages = options.maxPages ?? 100_000;
  for (let page = 0; page < maxPages; page++) {
    const response = await client.request<unknown>(request);
    const body = response.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object' || !Array.isArray(body.value)) {
      throw new ConnectorError(client.connectorName, 'MalformedResponse', `GET ${displayUrl(response.url)} answered ${describe(response.body)} where an OData collection ({ "value": [...] }) was expected`);
    }
    const nextLink = typeof body['@odata.nextLink'] === 'string' ? body['@odata.nextLink'] : undefined;
    const deltaLink = typeof body['@odata.deltaLink'] === 'string' ? body['@odata.deltaLink'] : undefined;
    yield { items: body.value as T[], ...(nextLink === undefined && deltaLink !== undefined ? { deltaLink } : {}), response };
    if (nextLink === undefined) return;
    request = { url: client.resolve(nextLink).href, ...(first.headers ? { headers: first.headers } : {}) };
  }
  throw new ConnectorError(client.connectorName, 'PaginationLoop', `gave up after ${maxPages} pages of ${displayUrl(client.resolve(first.url))}`);
}

export interface ScimPage<T> {
  readonly items: readonly T[];
  readonly totalResults: number;
  readonly startIndex: number;
}

/**
 * Walks a SCIM ListResponse with startIndex/count (RFC 7644 §3.4.2.4: startIndex is 1-based; a server
 * may return fewer than `count` per page, so the next index advances by what actually came back).
 * Stops when every result has been read or a page comes back empty.
 */
export async function* scimPages<T>(client: HttpClient, url: string, options: { query?: Record<string, string | undefined>; count: number; maxPages?: number }): AsyncGenerator<ScimPage<T>> {
  let startIndex = 1;
  const maxPages = options.maxPages ?? 100_000;
  for (let page = 0; page < maxPages; page++) {
    const response = await client.request<unknown>({ url, query: { ...options.query, startIndex, count: options.count } });
    const body = response.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object' || (body.Resources !== undefined && !Array.isArray(body.Resources))) {
      throw new ConnectorError(client.connectorName, 'MalformedResponse', `GET ${displayUrl(response.url)} answered ${describe(response.body)} where a SCIM ListResponse was expected`);
    }
    const items = (body.Resources ?? []) as T[];
    const totalResults = typeof body.totalResults === 'number' ? body.totalResults : Number(body.totalResults ?? NaN);
    if (!Number.isFinite(totalResults)) {
      throw new ConnectorError(client.connectorName, 'MalformedResponse', `GET ${displayUrl(response.url)} answered a ListResponse without totalResults (RFC 7644 §3.4.2 requires it)`);
    }
    yield { items, totalResults, startIndex };
    startIndex += items.length;
    if (items.length === 0 || startIndex > totalResults) return;
  }
  throw new ConnectorError(client.connectorName, 'PaginationLoop', `gave up after ${maxPages} pages of ${displayUrl(client.resolve(url))}`);
}

function describe(body: unknown): string {
  if (body === undefined) return 'an empty body';
  if (typeof body === 'string') return `text ("${redact(body.slice(0, 60).replace(/\s+/g, ' '))}${body.length > 60 ? '…' : ''}")`;
  if (Array.isArray(body)) return 'a JSON array';
  return 'a JSON object of another shape';
}
