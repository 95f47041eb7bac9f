/**
 * tls.caFile: an API behind a certificate from a private authority is trusted only with its CA file
 * (relative paths resolve against the config path); without it the connection is refused.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRestConnector } from '../../../src/connectors/rest/rest-connector.js';
import type { ImportBatch } from '../../../src/connectors/sdk.js';
import { connectorContext, rejectionOf } from '../../emulators/test-support.js';

const dir = mkdtempSync(join(tmpdir(), 'imesh-rest-tls-'));
let server: Server;
let url = '';

beforeAll(async () => {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'ca.pem')], { stdio: 'ignore' });
  server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'ca.pem')) }, (req, res) => {
    res.writeHead(req.headers.authorization === 'Bearer tls-token-1234' ? 200 : 401, { 'content-type': 'application/json' });
    res.end(JSON.stringify([{ id: 'a1', name: 'Ada' }]));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

function connector(tls?: Record<string, unknown>) {
  const context = connectorContext('api', 'rest', { connection: { baseUrl: url, auth: { type: 'bearer', token: '{{secret:t}}' }, ...(tls ? { tls } : {}) }, objectTypes: { user: { list: { path: '/users' }, externalId: '/id' } } }, { t: 'tls-token-1234' });
  return createRestConnector({ ...context, configPath: dir });
}

async function names(batches: AsyncIterable<ImportBatch>): Promise<string[]> {
  const out: string[] = [];
  for await (const batch of batches) out.push(...batch.objects.map((o) => String(o.attributes.name)));
  return out;
}

describe('rest tls.caFile', () => {
  it('trusts the private CA given (relative to the config path), refuses without it, and names an unreadable file', async () => {
    const trusted = connector({ caFile: 'ca.pem' });
    expect(await names(trusted.fullImport('user'))).toEqual(['Ada']);
    await trusted.close();

    const untrusted = connector();
    const error = await rejectionOf(names(untrusted.fullImport('user')));
    expect(error.code).toBe('Unreachable');
    await untrusted.close();

    expect(() => connector({ caFile: 'missing.pem' })).toThrow(/tls\.caFile .*missing\.pem cannot be read/);
  });
});
