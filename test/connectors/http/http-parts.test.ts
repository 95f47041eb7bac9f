import { describe, expect, it } from 'vitest';
import { backoffDelay, displayUrl, isLoopbackHost, parseLinkHeader, parseRetryAfter, secureBaseUrl } from '../../../src/connectors/http/index.js';
import { ConfigError } from '../../../src/shared/errors.js';

describe('Retry-After', () => {
  const now = Date.parse('2026-04-22T08:00:00Z');
  it('reads delay-seconds and HTTP dates', () => {
    expect(parseRetryAfter('1', now)).toBe(1000);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
    expect(parseRetryAfter('Wed, 22 Apr 2026 08:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Wed, 22 Apr 2026 07:59:00 GMT', now)).toBe(0);
  });
  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-3', now)).toBeUndefined();
  });
  it('backs off exponentially with full jitter under the cap', () => {
    expect(backoffDelay(0, 500, 8000, () => 1)).toBe(500);
    expect(backoffDelay(3, 500, 8000, () => 1)).toBe(4000);
    expect(backoffDelay(10, 500, 8000, () => 1)).toBe(8000);
    expect(backoffDelay(10, 500, 8000, () => 0)).toBe(0);
  });
});

describe('Link header', () => {
  it('reads comma-separated and repeated headers, quoted and multiple relations', () => {
    const links = parseLinkHeader([
      '<https://o.okta.com/api/v1/users?limit=200>; rel="self"',
      '<https://o.okta.com/api/v1/users?after=00u1&limit=200>; rel="next"',
    ]);
    expect(links.get('self')).toBe('https://o.okta.com/api/v1/users?limit=200');
    expect(links.get('next')).toBe('https://o.okta.com/api/v1/users?after=00u1&limit=200');
    const combined = parseLinkHeader('<https://a/1>; rel="prev first", <https://a/3>; title="x"; rel=next');
    expect(combined.get('first')).toBe('https://a/1');
    expect(combined.get('next')).toBe('https://a/3');
    expect(parseLinkHeader(undefined).size).toBe(0);
  });
});

describe('URLs', () => {
  it('accepts https and loopback http only', () => {
    expect(secureBaseUrl('c', 'https://contoso.okta.com', 'orgUrl').host).toBe('contoso.okta.com');
    expect(secureBaseUrl('c', 'http://127.0.0.1:8080', 'orgUrl').port).toBe('8080');
    expect(secureBaseUrl('c', 'http://localhost:1', 'orgUrl').hostname).toBe('localhost');
    expect(secureBaseUrl('c', 'http://[::1]:1/scim', 'orgUrl').hostname).toBe('[::1]');
    expect(() => secureBaseUrl('c', 'http://contoso.okta.com', 'spec.connection.orgUrl')).toThrow(ConfigError);
    expect(() => secureBaseUrl('c', 'http://contoso.okta.com', 'spec.connection.orgUrl')).toThrow(/spec\.connection\.orgUrl/);
    expect(() => secureBaseUrl('c', 'https://user:pw@x.example', 'orgUrl')).toThrow(/credentials/);
    expect(isLoopbackHost('127.8.9.1')).toBe(true);
    expect(isLoopbackHost('10.0.0.1')).toBe(false);
  });
  it('masks credentials and state tokens in printed URLs', () => {
    const shown = displayUrl('https://u:p@graph.microsoft.com/v1.0/users/delta?$deltatoken=abc123&$select=id&client_secret=s3cr3t');
    expect(shown).not.toContain('abc123');
    expect(shown).not.toContain('s3cr3t');
    expect(shown).not.toContain('u:p@');
    expect(shown).toContain('$select=id');
  });
});
