/**
 * URL rules for every HTTP connector: `https://` always, `http://` only to a loopback host (tests and
 * local emulators). And what of a URL may appear in a log line or an error message.
 */
import { isIP } from 'node:net';
import { ConfigError } from '../../shared/errors.js';

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(host);
  return false;
}

/**
 * Parses a configured base URL. Throws ConfigError naming the setting when it is not a URL, is plain
 * http to a non-loopback host, or carries credentials in its user-info part.
 */
export function secureBaseUrl(connector: string, value: string, setting: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError('InvalidUrl', `${connector}: ${setting} is not a URL (give an absolute https:// URL)`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new ConfigError('InvalidUrl', `${connector}: ${setting} must not carry credentials in the URL; use the connector's secret setting`);
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return url;
  if (url.protocol === 'http:') {
    throw new ConfigError('InsecureUrl', `${connector}: ${setting} uses http:// to ${url.hostname}; only https:// is allowed (http:// is accepted for loopback hosts only, for tests)`);
  }
  throw new ConfigError('InvalidUrl', `${connector}: ${setting} has scheme ${url.protocol.replace(/:$/, '')}; use https://`);
}

const SECRET_PARAM = /token|secret|password|passwd|key|sig|signature|code|assertion|credential|auth/i;

/**
 * A URL safe to print: no user-info, and the value of every query parameter whose name suggests a
 * credential or an opaque state token (`$deltatoken`, `$skiptoken`, `client_secret`, `code` …) replaced.
 */
export function displayUrl(url: URL | string): string {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : new URL(url.href);
  } catch {
    return '(unparseable URL)';
  }
  parsed.username = '';
  parsed.password = '';
  const names = [...new Set([...parsed.searchParams.keys()])];
  for (const name of names) {
    if (SECRET_PARAM.test(name)) parsed.searchParams.set(name, '…');
  }
  try {
    return decodeURIComponent(parsed.href);
  } catch {
    return parsed.href;
  }
}
