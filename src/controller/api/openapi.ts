/**
 * The OpenAPI 3.1 document of `/api/v1/`, served at GET /api/v1/openapi.json (viewer token, like
 * everything under /api/v1/). Its `paths` are derived from the route declarations (api-routes.ts), its
 * components are the schemas in api-schemas.ts (JSON Schema 2020-12): the API validates sync request
 * bodies with them, and the tests validate every response against them.
 */
import { API_ROUTES, type ApiRoute } from './api-routes.js';
import { components, type Schema } from './api-schemas.js';

/** Refuses a declaration whose path template and path parameters disagree (checked when the module loads). */
function checkParameters(route: ApiRoute): void {
  const inPath = [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  const declared = (route.parameters ?? []).filter((p) => p.in === 'path').map((p) => String(p.name));
  const where = `${route.method} ${route.path}`;
  if (inPath.join() !== declared.join()) throw new Error(`${where}: the path parameters {${inPath.join('}, {')}} and the declared ones (${declared.join(', ')}) differ`);
  if (route.rest !== undefined && inPath.at(-1) !== route.rest) throw new Error(`${where}: the rest parameter "${route.rest}" must be the path's last`);
}

/** The `paths` object: one entry per path template, its operations in declaration order. */
export function openApiPaths(routes: readonly ApiRoute[]): Record<string, Record<string, Schema>> {
  const paths: Record<string, Record<string, Schema>> = {};
  for (const route of routes) {
    checkParameters(route);
    const operations = (paths[route.path] ??= {});
    const method = route.method.toLowerCase();
    if (operations[method]) throw new Error(`${route.method} ${route.path} is declared twice`);
    operations[method] = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.parameters ? { parameters: route.parameters } : {}),
      ...(route.requestBody ? { requestBody: route.requestBody } : {}),
      responses: route.responses,
    };
  }
  return paths;
}

export const openApiDocument = {
  openapi: '3.1.0',
  jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
  info: {
    title: 'Identity Mesh operator API',
    version: '1',
    description:
      'Reads the controller\'s state and triggers work; configuration changes only through Git. Every operation needs a bearer token from the Mesh\'s spec.api.tokens: `viewer` for GET, `operator` for POST too. Without spec.api every request answers 401.',
  },
  servers: [{ url: '/api/v1' }],
  security: [{ bearer: [] }],
  paths: openApiPaths(API_ROUTES),
  components,
};
