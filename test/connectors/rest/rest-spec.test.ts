import { describe, expect, it } from 'vitest';
import { restDestinations } from '../../../src/connectors/rest/rest-destinations.js';
import { compileRestSpec, RestSpecError } from '../../../src/connectors/rest/rest-spec.js';
import { compileUrlTemplate } from '../../../src/connectors/rest/rest-url.js';
import { parsePointer, readPointer, writePointer } from '../../../src/connectors/rest/json-pointer.js';
import { lowerBound, newer } from '../../../src/connectors/rest/rest-watermark.js';
import { connectorContext } from '../../emulators/test-support.js';
import { compile } from '../../engine/harness.js';
import { loadConfig } from '../../../src/config/index.js';
import type { ConnectorModel } from '../../../src/config/model.js';

const user = { list: { path: '/users' }, externalId: '/id' };

function spec(objectType: Record<string, unknown>, connection: Record<string, unknown> = {}) {
  return connectorContext('api', 'rest', { connection: { baseUrl: 'https://api.example.com/v2', ...connection }, objectTypes: { user: objectType } }, {}).model;
}

function refusal(objectType: Record<string, unknown>, connection: Record<string, unknown> = {}): RestSpecError {
  try {
    compileRestSpec(spec(objectType, connection), '/tmp');
  } catch (error) {
    if (error instanceof RestSpecError) return error;
    throw error;
  }
  throw new Error('expected a RestSpecError');
}

describe('rest spec', () => {
  it('refuses contradictions naming the setting', () => {
    expect(refusal({ ...user, list: { path: '/users', pagination: { style: 'cursor', cursor: '/next' } } }).setting).toBe('objectTypes.user.list.pagination');
    expect(refusal({ ...user, list: { path: '/users', pagination: { style: 'link', pageParam: 'p' } } }).setting).toBe('objectTypes.user.list.pagination.pageParam');
    expect(refusal({ ...user, list: { path: '//evil.example/users' } }).problem).toContain('another host');
    expect(refusal({ ...user, list: { path: '/users/../admin' } }).setting).toBe('objectTypes.user.list.path');
    expect(refusal({ ...user, export: { update: { method: 'PATCH', path: '/users/{{userName}}' } } }).problem).toContain('{{externalId}}');
    expect(refusal({ ...user, export: { create: { method: 'POST', path: '/{{tenant}}/users' } } }).problem).toContain('literal text');
    expect(refusal({ ...user, export: { lookup: { path: '/users?u={{userName}}' } } }).setting).toBe('objectTypes.user.export.lookup');
    expect(refusal({ ...user, externalId: 'id' }).problem).toContain('start with "/"');
    expect(refusal({ ...user, export: { create: { method: 'POST', path: '/users', body: { key: '{{secret:app-key}}' } } } }).problem).toContain('secrets belong under spec.connection');
    expect(refusal(user, { headers: { Authorization: 'x' }, auth: { type: 'bearer', token: '{{secret:t}}' } }).setting).toBe('connection.headers.Authorization');
  });

  it("lists the base URL's origin and the token URL's as the secrets' destinations, nothing else", () => {
    expect(restDestinations(spec(user, { auth: { type: 'bearer', token: '{{secret:t}}' } }), '/tmp')).toEqual(['https://api.example.com']);
    expect(restDestinations(spec(user, { auth: { type: 'oauth2', tokenUrl: 'https://login.example.net/oauth2/token', clientId: 'c', clientSecret: '{{secret:s}}' } }), '/tmp')).toEqual([
      'https://api.example.com',
      'https://login.example.net',
    ]);
  });

  it('imesh validate reports a bad rest spec at its key', async () => {
    const yaml = `
apiVersion: identitymesh.dev/v1alpha1
kind: Mesh
metadata: { name: m }
spec: { objectTypes: { person: { attributes: { email: { type: string } } } } }
---
apiVersion: identitymesh.dev/v1alpha1
kind: Connector
metadata: { name: api }
spec:
  type: rest
  connection: { baseUrl: "https://api.example.com" }
  objectTypes:
    user:
      list: { path: /users, pagination: { style: cursor, param: cursor } }
      externalId: /id
`;
    await expect(compile(yaml)).rejects.toThrow(/config\.yaml:15:\d+: .*list\.pagination with style cursor needs `cursor`/);
    const withCredentials = yaml.replace('https://api.example.com', 'https://svc:hunter2@api.example.com').replace('style: cursor, param: cursor', 'style: link');
    await expect(compile(withCredentials)).rejects.toThrow(/config\.yaml:12:\d+: spec\.connection\.baseUrl must not carry credentials/);
  });
});

describe('samples/rest', () => {
  it('validates, compiles, and sends its secrets only to the configured origins', async () => {
    const { config, problems } = await loadConfig('samples/rest');
    expect(problems).toEqual([]);
    const destinations = (name: string) => restDestinations(config!.connectors.get(name) as ConnectorModel<'rest'>, config!.configPath);
    expect(destinations('hr-api')).toEqual(['https://api.hr.example.com', 'https://auth.hr.example.com']);
    expect(destinations('app-api')).toEqual(['https://app.example.com']);
    const app = compileRestSpec(config!.connectors.get('app-api') as ConnectorModel<'rest'>, config!.configPath);
    expect(app.types.get('account')!.pagination).toEqual({ style: 'page', pageParam: 'page', limitParam: 'per_page', firstPage: 1, total: expect.objectContaining({ source: '/total' }) });
  });
});

describe('URL templates: values fill the path and query only', () => {
  const template = compileUrlTemplate('/users/{{externalId}}?kind={{kind}}');
  const render = (values: Record<string, string | string[]>) => template.render((name) => values[name]);

  it.each([
    ['//evil.example:8443/steal', 'users/%2F%2Fevil.example%3A8443%2Fsteal?kind=a'],
    ['https://evil.example/', 'users/https%3A%2F%2Fevil.example%2F?kind=a'],
    ['@evil.example', 'users/%40evil.example?kind=a'],
    ['a/../../admin', 'users/a%2F..%2F..%2Fadmin?kind=a'],
    ['x?admin=1#frag', 'users/x%3Fadmin%3D1%23frag?kind=a'],
    ['\\\\evil.example', 'users/%5C%5Cevil.example?kind=a'],
  ])('%s is percent-encoded', (value, path) => {
    const result = render({ externalId: value, kind: 'a' });
    expect(result).toEqual({ ok: true, path });
    const url = new URL(path, 'https://api.example.com/v2/');
    expect(url.origin).toBe('https://api.example.com');
    expect(url.pathname.startsWith('/v2/users/')).toBe(true);
  });

  it('refuses dot segments and lists, and names missing attributes', () => {
    expect(render({ externalId: '..', kind: 'a' })).toMatchObject({ ok: false, invalid: expect.stringContaining('".."') });
    expect(render({ externalId: 'x', kind: ['a', 'b'] })).toMatchObject({ ok: false, invalid: expect.stringContaining('several values') });
    expect(render({ kind: 'a' })).toEqual({ ok: false, missing: ['externalId'] });
  });
});

describe('JSON pointers and watermarks', () => {
  it('reads RFC 6901 pointers (escapes, array indexes, * for every element) and never the prototype', () => {
    const doc = { 'a/b': { 'm~n': 1 }, list: [{ v: 'x' }, { v: 'y' }, {}], arr: [10, 20] };
    expect(readPointer(doc, parsePointer('/a~1b/m~0n'))).toBe(1);
    expect(readPointer(doc, parsePointer('/list/*/v'))).toEqual(['x', 'y']);
    expect(readPointer(doc, parsePointer('/arr/1'))).toBe(20);
    expect(readPointer(doc, parsePointer(''))).toBe(doc);
    expect(readPointer(doc, parsePointer('/constructor'))).toBeUndefined();
    expect(() => parsePointer('/a~2')).toThrow(/0 or 1/);
    const body: Record<string, unknown> = {};
    writePointer(body, parsePointer('/name/given'), 'Ada');
    expect(body).toEqual({ name: { given: 'Ada' } });
    expect(() => writePointer(body, parsePointer('/__proto__/x'), 1)).toThrow();
  });

  it('compares timestamps and numbers, and subtracts the overlap in the value’s own form', () => {
    expect(newer('2026-01-01T00:00:09Z', '2026-01-01T00:00:10.000Z')).toBe('2026-01-01T00:00:10.000Z');
    expect(newer(9, 10)).toBe(10);
    expect(lowerBound('2026-01-01T00:01:00Z', 60_000)).toBe('2026-01-01T00:00:00Z');
    expect(lowerBound('2026-01-01T00:01:00.500Z', 1000)).toBe('2026-01-01T00:00:59.500Z');
    expect(lowerBound(1_767_225_600, 60_000)).toBe('1767225540');
    expect(lowerBound(1_767_225_600_000, 60_000)).toBe('1767225540000');
    expect(lowerBound(42, 60_000)).toBe('42');
  });
});
