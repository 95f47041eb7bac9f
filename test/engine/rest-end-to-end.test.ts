/**
 * REST through the engine, end to end: an HR API (OAuth2 client credentials, offset pagination, delta by
 * updatedAt) → mesh people → an app's API (bearer token, link pagination, create/update/disable with a
 * look-up before create). Both are the local REST emulator; the real rest connector talks to them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorOpener } from '../../src/cli/runtime.js';
import { runCycle } from '../../src/engine/cycle.js';
import { logger } from '../../src/shared/logger.js';
import type { Db } from '../../src/store/db.js';
import { RestEmulator } from '../emulators/rest-emulator.js';
import { compile } from './harness.js';
import { openTestStore } from './test-store.js';

let hr: RestEmulator;
let app: RestEmulator;
let db: Db;
const dir = mkdtempSync(join(tmpdir(), 'imesh-rest-e2e-'));
const SECRETS = ['IMESH_SECRET_HR_CLIENT_SECRET', 'IMESH_SECRET_APP_TOKEN'];

beforeAll(async () => {
  hr = await new RestEmulator({ auth: 'oauth2', hardDelete: true }).start();
  app = await new RestEmulator({ auth: 'bearer' }).start();
  process.env.IMESH_SECRET_HR_CLIENT_SECRET = hr.clientSecret;
  process.env.IMESH_SECRET_APP_TOKEN = app.bearer;
  db = await openTestStore(dir);
});
afterAll(async () => {
  await db.close();
  await hr.close();
  await app.close();
  for (const name of SECRETS) delete process.env[name];
  rmSync(dir, { recursive: true, force: true });
});

const yaml = () => `
apiVersion: identitymesh.dev/v1alpha1
kind: Mesh
metadata: { name: rest-e2e }
spec:
  safety: { maxDeletes: 5, maxDeletePercent: 50 }
  objectTypes:
    person:
      attributes:
        employeeId: { type: string }
        email: { type: string }
        firstName: { type: string }
        active: { type: boolean }
---
apiVersion: identitymesh.dev/v1alpha1
kind: Connector
metadata: { name: hr-api }
spec:
  type: rest
  connection:
    baseUrl: ${hr.url}/api
    auth: { type: oauth2, tokenUrl: "${hr.url}/oauth/token", clientId: ${hr.clientId}, clientSecret: "{{secret:hr-client-secret}}", scope: workers.read }
    pageSize: 2
  objectTypes:
    worker:
      list: { path: /offset/users, items: /items, pagination: { style: offset, total: /total } }
      externalId: /id
      attributes: { employeeId: /userName, email: /email, firstName: /name/given }
      enabled: { pointer: /active }
      delta: { param: updated_since, watermark: /updatedAt, overlap: 1s }
---
apiVersion: identitymesh.dev/v1alpha1
kind: Connector
metadata: { name: app-api }
spec:
  type: rest
  connection:
    baseUrl: ${app.url}/api
    auth: { type: bearer, token: "{{secret:app-token}}" }
    pageSize: 2
  objectTypes:
    account:
      list: { path: /link/users, pagination: { style: link, limitParam: limit } }
      externalId: /id
      attributes: { userName: /userName, email: /email, givenName: /name/given }
      enabled: { pointer: /active }
      get: { path: "/users/{{externalId}}" }      # exports are confirmed by reading back only what was written
      export:
        create: { method: POST, path: /users }
        update: { method: PATCH, path: "/users/{{externalId}}" }
        lookup: { path: "/users?userName={{userName}}", items: /data }
---
apiVersion: identitymesh.dev/v1alpha1
kind: FlowRule
metadata: { name: hr-workers }
spec:
  source: { connector: hr-api, objectType: worker }
  meshType: person
  join: [ { source: employeeId, mesh: employeeId } ]
  provision: true
  attributes:
    - { mesh: employeeId, source: employeeId, confidence: 100 }
    - { mesh: email, source: email, confidence: 90 }
    - { mesh: firstName, source: firstName, confidence: 90 }
    - { mesh: active, source: accountEnabled, confidence: 100 }
---
apiVersion: identitymesh.dev/v1alpha1
kind: Projection
metadata: { name: people-to-app }
spec:
  meshType: person
  target: { connector: app-api, objectType: account }
  join: [ { target: userName, mesh: employeeId } ]
  attributes:
    userName: "{{employeeId}}"
    email: "{{email}}"
    givenName: "{{firstName}}"
  enabled: "{{active}}"
  onRemove: disable
`;

const accounts = () => new Map(app.users.map((u) => [u.userName, u]));

describe('rest → mesh → rest', () => {
  it('provisions, follows changes by delta, adopts instead of duplicating, and disables a leaver after the sweep', async () => {
    hr.addUser({ userName: 'E1', email: 'ada@example.test', name: { given: 'Ada' } });
    hr.addUser({ userName: 'E2', email: 'bob@example.test', name: { given: 'Bob' } });
    const cy = hr.addUser({ userName: 'E3', email: 'cy@example.test', name: { given: 'Cy' } });
    // An account the app already has for E2: the projection's join adopts it.
    app.addUser({ userName: 'E2', email: 'old-bob@example.test', name: { given: 'Robert' } });

    const config = await compile(yaml());
    const cycle = (kind: 'full' | 'delta') => runCycle(db, config, { kind, mode: 'reconcile', revision: 'test', log: logger(), openConnector: connectorOpener(config, logger()) });

    const first = await cycle('full');
    expect(first.result, JSON.stringify(first.failures)).toBe('succeeded');
    expect(app.users).toHaveLength(3);
    expect(accounts().get('E1')).toMatchObject({ email: 'ada@example.test', name: { given: 'Ada' }, active: true });
    expect(accounts().get('E2')).toMatchObject({ email: 'bob@example.test', name: { given: 'Bob' } });
    expect(hr.tokensIssued).toBe(1);
    expect(app.log.some((r) => r.method === 'GET' && /^\/api\/users\/u\d+$/.test(r.path))).toBe(true);

    // A change and a deactivation in HR reach the app on a delta cycle, which asks HR only for changes.
    hr.update(hr.users[0]!.id, (u) => (u.email = 'ada.lovelace@example.test'));
    hr.update(cy.id, (u) => (u.active = false));
    const second = await cycle('delta');
    expect(second.result, JSON.stringify(second.failures)).toBe('succeeded');
    expect(hr.log.some((r) => r.path.includes('updated_since='))).toBe(true);
    expect(accounts().get('E1')!.email).toBe('ada.lovelace@example.test');
    expect(accounts().get('E3')!.active).toBe(false);

    // A leaver removed from HR is seen by the full cycle's sweep; the projection disables the account.
    hr.users.splice(hr.users.findIndex((u) => u.userName === 'E2'), 1);
    const third = await cycle('full');
    expect(third.result, JSON.stringify(third.failures)).toBe('succeeded');
    expect(accounts().get('E2')!.active).toBe(false);
    expect(app.users).toHaveLength(3);
    expect(app.log.filter((r) => r.method === 'POST')).toHaveLength(2);

    // Nothing left to do: a further cycle writes nothing.
    const writes = app.log.filter((r) => r.method !== 'GET').length;
    const fourth = await cycle('full');
    expect(fourth.result).toBe('succeeded');
    expect(app.log.filter((r) => r.method !== 'GET').length).toBe(writes);
  });
});
