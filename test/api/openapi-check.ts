/**
 * Checks responses against the OpenAPI document the API serves: the operation is found from the method
 * and path template, the status must be documented for it, and the JSON body must validate against that
 * response's schema (ajv, JSON Schema 2020-12, formats checked).
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { openApiDocument } from '../../src/controller/api/openapi.js';

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

type Doc = {
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  components: { responses: Record<string, unknown> };
};
const doc = openApiDocument as unknown as Doc;

const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv);
ajv.addVocabulary(['openapi', 'jsonSchemaDialect', 'info', 'servers', 'security', 'paths', 'components']);
ajv.addSchema(openApiDocument, 'openapi');

const pointer = (...tokens: string[]) => tokens.map((t) => encodeURIComponent(t.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');
const compiled = new Map<string, ValidateFunction>();

function validator(ref: string): ValidateFunction {
  let v = compiled.get(ref);
  if (!v) {
    v = ajv.getSchema(ref);
    if (!v) throw new Error(`no schema at ${ref}`);
    compiled.set(ref, v);
  }
  return v;
}

/**
 * The path template of doc.paths that `path` (below /api/v1, no query) matches; of several (`{key}` takes
 * slashes, so /objects/{type}/{key} also matches …/history), the one with the most literal text, as the
 * router prefers static segments.
 */
export function operationPath(path: string): string | undefined {
  const literal = (template: string) => template.replace(/\{[^}]+\}/g, '').length;
  const matching = Object.keys(doc.paths).filter((template) => new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{key\}/g, '.+').replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path));
  return matching.sort((a, b) => literal(b) - literal(a))[0];
}

export interface CheckedResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

/** Throws unless `response` is what the document promises for `method path`. */
export function checkResponse(method: string, pathWithQuery: string, response: CheckedResponse): void {
  const path = pathWithQuery.replace(/^\/api\/v1/, '').split('?')[0]!;
  const template = operationPath(path);
  const operation = template ? doc.paths[template]![method.toLowerCase()] : undefined;
  let ref: string;
  if (!operation) {
    // Outside the document (unknown path or method): still the documented error shape.
    if (response.status < 400) throw new Error(`${method} ${path} is not in the OpenAPI document but answered ${response.status}`);
    ref = `openapi#/components/schemas/Error`;
  } else {
    const entry = operation.responses[String(response.status)] as { $ref?: string } | undefined;
    if (!entry) throw new Error(`${method} ${template} answered ${response.status}, which the OpenAPI document does not list (${Object.keys(operation.responses).join(', ')})`);
    ref = entry.$ref
      ? `openapi#/${pointer(...entry.$ref.slice(2).split('/'), 'content', 'application/json', 'schema')}`
      : `openapi#/${pointer('paths', template!, method.toLowerCase(), 'responses', String(response.status), 'content', 'application/json', 'schema')}`;
  }
  const validate = validator(ref);
  if (!validate(response.body)) {
    throw new Error(`${method} ${path} → ${response.status}: the body does not match the OpenAPI document: ${ajv.errorsText(validate.errors, { separator: '; ' })}\n${JSON.stringify(response.body, null, 2).slice(0, 2000)}`);
  }
  if (response.status === 401 || response.status === 403) {
    if (!/^Bearer\b/.test(response.headers.get('www-authenticate') ?? '')) throw new Error(`${method} ${path} → ${response.status} without a WWW-Authenticate: Bearer challenge`);
  }
}

export interface CallOptions {
  readonly token?: string;
  readonly body?: string;
  readonly headers?: Record<string, string>;
}

/** Calls the API and checks the response against the document; returns it parsed. */
export async function call(base: string, method: string, path: string, options: CallOptions = {}): Promise<CheckedResponse> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(options.token !== undefined ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    ...(options.body !== undefined ? { body: options.body } : {}),
  });
  const text = await res.text();
  if (!(res.headers.get('content-type') ?? '').startsWith('application/json')) throw new Error(`${method} ${path} → ${res.status} is not JSON: ${res.headers.get('content-type')}`);
  const response = { status: res.status, headers: res.headers, body: method === 'HEAD' ? null : (JSON.parse(text) as unknown) };
  if (method !== 'HEAD') checkResponse(method, path, response);
  return response;
}
