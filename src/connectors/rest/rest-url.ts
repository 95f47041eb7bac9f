/**
 * URL templates of the rest connector. A configured path (`/users/{{externalId}}?expand={{kind}}`) is
 * relative to `connection.baseUrl`, and data values fill only its path and query: every value is
 * percent-encoded (RFC 3986 unreserved characters stay), so a value cannot add a `/`, `?`, `#`, `@`, `:`
 * or `\`, and a value that is a dot segment (`.`, `..`) is refused. The literal text is checked when the
 * config compiles (no scheme, no `//` authority, no backslash), and every resolved URL is checked again
 * against the base URL's origin and path before credentials are sent (HttpClient.resolve, `underBase`).
 */
import type { Value } from '../../config/model.js';
import { compileTemplate } from '../../config/template.js';
import { ConnectorError } from '../../shared/errors.js';
import type { HttpClient } from '../http/http-client.js';
import { displayUrl } from '../http/secure-url.js';

export interface UrlTemplate {
  readonly source: string;
  readonly attributes: readonly string[];
  /** The path relative to the base URL (no leading `/`), or the attributes it lacks. */
  render(lookup: (name: string) => Value | undefined): { readonly ok: true; readonly path: string } | { readonly ok: false; readonly missing: readonly string[]; readonly invalid?: string };
}

/** Checks a configured path's literal text; returns the problem, or undefined when it is fine. */
export function pathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return `"${path}" must start with "/" (it is relative to connection.baseUrl)`;
  if (path.startsWith('//')) return `"${path}" starts with "//", which would name another host; paths are relative to connection.baseUrl`;
  if (path.includes('\\')) return `"${path}" contains a backslash`;
  if (/^[a-z][a-z0-9+.-]*:/i.test(path.slice(1))) return `"${path}" looks like an absolute URL; give a path relative to connection.baseUrl`;
  if (path.includes('#')) return `"${path}" contains a fragment ("#")`;
  if (/(^|\/)\.\.?(\/|\?|$)/.test(path)) return `"${path}" contains a "." or ".." segment`;
  return undefined;
}

/** Compiles a path template; throws a plain Error describing the problem (the spec compiler names the key). */
export function compileUrlTemplate(source: string): UrlTemplate {
  const problem = pathProblem(source);
  if (problem) throw new Error(problem);
  if (source.startsWith('/{{')) throw new Error(`"${source}" must start with literal text, not a template`);
  const template = compileTemplate(source);
  return {
    source,
    attributes: template.attributes,
    render(lookup) {
      let invalid: string | undefined;
      const escape = (value: string): string => {
        if (value === '.' || value === '..') invalid ??= `the value "${value}" cannot fill a URL path segment`;
        return encodeURIComponent(value);
      };
      const listAware = (name: string): Value | undefined => {
        const value = lookup(name);
        if (Array.isArray(value)) {
          invalid ??= `the attribute "${name}" holds several values and cannot fill a URL`;
          return undefined;
        }
        return value;
      };
      const result = template.render(listAware, escape);
      if (invalid !== undefined) return { ok: false, missing: [], invalid };
      if (!result.ok) return { ok: false, missing: result.missing };
      return { ok: true, path: String(result.value).slice(1) };
    },
  };
}

/** A relative path resolved against the client's base URL, refused unless it stays under it. */
export function underBase(client: HttpClient, relative: string): URL {
  const url = client.resolve(relative);
  if (!url.pathname.startsWith(client.baseUrl.pathname)) {
    throw new ConnectorError(client.connectorName, 'ForeignUrl', `refusing ${displayUrl(url)}: it leaves the base URL ${displayUrl(client.baseUrl)}`);
  }
  return url;
}
