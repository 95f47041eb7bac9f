/**
 * The --server client's answers to what is not a healthy controller: a server that is not the operator
 * API, the API switched off, a server error, a URL carrying credentials, a plain-http URL to another
 * host — each a typed error or warning that names what to do and never contains the token.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operatorClient, ServerError } from '../../src/cli/server/operator-client.js';

const TOKEN = 'a-token-that-must-never-be-printed-7c1d';
const env = { IMESH_API_TOKEN: TOKEN };
let server: Server;
let base: string;
const seen: (string | undefined)[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.headers.authorization);
    const send = (status: number, body: string, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (req.url === '/api/v1/status') send(200, '{"mesh":"acme"}');
    else if (req.url === '/api/v1/off') send(401, JSON.stringify({ error: 'the operator API is off', code: 'ApiDisabled' }));
    else if (req.url === '/api/v1/boom') send(500, JSON.stringify({ error: 'internal error (the controller log has the details)', code: 'Internal' }));
    else send(404, '<html>not here</html>', 'text/html');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function failure(promise: Promise<unknown>): Promise<ServerError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ServerError);
    expect((error as Error).message).not.toContain(TOKEN);
    return error as ServerError;
  }
  throw new Error('expected a failure');
}

describe('operatorClient', () => {
  it('sends the token as a bearer header and reads JSON', async () => {
    const api = operatorClient(`${base}/`, 'viewer', env);
    expect(api.display).toBe(base);
    expect(await api.get('/status')).toEqual({ mesh: 'acme' });
    expect(seen.at(-1)).toBe(`Bearer ${TOKEN}`);
  });

  it('a server that is not the operator API: says so, with the status', async () => {
    const error = await failure(operatorClient(base, 'viewer', env).get('/nothing'));
    expect(error.code).toBe('ServerAnswer');
    expect(error.message).toBe(`${base} answered GET /api/v1/nothing with HTTP 404, not the operator API's JSON: is the URL the controller's (imesh run's --port)?`);
  });

  it('the API switched off, and a server error (retryable)', async () => {
    const off = await failure(operatorClient(base, 'viewer', env).get('/off'));
    expect(off.code).toBe('ApiDisabled');
    expect(off.message).toContain('declares no spec.api.tokens');
    const boom = await failure(operatorClient(base, 'viewer', env).get('/boom'));
    expect(boom).toMatchObject({ code: 'ServerAnswer', status: 500, retryable: true });
    expect(boom.message).toContain('[Internal]');
  });

  it('refuses credentials in the URL and other schemes; warns about plain http to another host', () => {
    expect(() => operatorClient('http://user:secret@controller:8080', 'viewer', env)).toThrow(/no credentials in the URL: put the API token in IMESH_API_TOKEN/);
    expect(() => operatorClient('ftp://controller', 'viewer', env)).toThrow(/http:\/\/ or https:\/\//);
    expect(() => operatorClient('controller:8080', 'viewer', env)).toThrow(/http:\/\/ or https:\/\//);
    const warnings: string[] = [];
    operatorClient('http://imesh.example.internal:8080', 'viewer', env, (line) => warnings.push(line));
    operatorClient('http://localhost:8080', 'viewer', env, (line) => warnings.push(line));
    operatorClient('https://imesh.example.internal', 'viewer', env, (line) => warnings.push(line));
    expect(warnings).toEqual(['warning: --server http://imesh.example.internal:8080 is plain http: the API token crosses the network unencrypted (use https, or a port-forward to localhost)']);
  });

  it('an empty token is as good as none, and names the role needed', () => {
    expect(() => operatorClient(base, 'operator', { IMESH_API_TOKEN: ' ' })).toThrow('IMESH_API_TOKEN is empty: set it to an operator token (role: operator in the Mesh\'s spec.api.tokens) to use --server');
  });
});
