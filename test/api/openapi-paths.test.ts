import { describe, expect, it } from 'vitest';
import { API_ROUTES, type ApiRoute } from '../../src/controller/api/api-routes.js';
import { openApiDocument, openApiPaths } from '../../src/controller/api/openapi.js';

const route = (overrides: Partial<ApiRoute>): ApiRoute => ({
  method: 'GET',
  path: '/things/{id}',
  role: 'viewer',
  operationId: 'getThing',
  summary: 'One thing',
  parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
  responses: {},
  run: async () => ({ status: 200, body: null }),
  ...overrides,
});

describe('the OpenAPI document derived from the route declarations', () => {
  it('has exactly one operation per declared route, with its id', () => {
    const operations = Object.entries(openApiDocument.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => `${method.toUpperCase()} ${path} ${String(op.operationId)}`));
    expect(operations.sort()).toEqual(API_ROUTES.map((r) => `${r.method} ${r.path} ${r.operationId}`).sort());
  });

  it('refuses a declaration whose path parameters and template disagree, or that repeats a route', () => {
    expect(() => openApiPaths([route({ parameters: [] })])).toThrow(/GET \/things\/\{id\}: the path parameters \{id\} and the declared ones \(\) differ/);
    expect(() => openApiPaths([route({ path: '/things' })])).toThrow(/differ/);
    expect(() => openApiPaths([route({ rest: 'other' })])).toThrow(/rest parameter "other"/);
    expect(() => openApiPaths([route({}), route({ operationId: 'again' })])).toThrow(/declared twice/);
    expect(openApiPaths([route({ rest: 'id' })])).toHaveProperty(['/things/{id}', 'get', 'operationId'], 'getThing');
  });
});
