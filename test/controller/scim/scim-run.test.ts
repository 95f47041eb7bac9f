/**
 * The real `imesh run` (built bin/imesh.js; run `npm run build` first) serving a scim-inbound connector
 * with a PostgreSQL store: a pushed user joins the HR person, wins `name` by confidence, and reaches the
 * csv target through a debounced delta cycle that the push requested (the schedule is an hour).
 */
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { configText, flowRule, scimInboundConnector } from '../../fixtures/config-yaml.js';
import { describeLogs, dropSchema, killAll, makeWorld, pushConfig, startController, targetRows, waitFor } from '../process-harness.js';

const TOKEN = 'run-test-scim-token-42';
const schemas: string[] = [];
afterEach(() => killAll());
afterAll(async () => {
  for (const s of schemas) await dropSchema(inject('pgUrl'), s);
});

const SCIM_YAML = configText(
  scimInboundConnector('entra-push', { types: ['user'] }),
  flowRule('entra-users', { source: 'entra-push/user', join: { externalId: 'employeeId' }, attributes: { name: ['displayName', 90] } }),
);

/** A controller (hourly schedule) whose config gained the push connector, after its first cycle. */
async function controllerWithScimPush() {
  const world = makeWorld(inject('pgUrl'), [['E1', 'Alice', 'eng']], { interval: '1h' });
  schemas.push(world.schema);
  pushConfig(world, { 'config/scim.yaml': SCIM_YAML }, 'add the Entra push connector');
  const proc = await startController({ world, env: { IMESH_SECRET_ENTRA_PUSH_TOKEN: TOKEN } });
  await waitFor('the first cycle', () => targetRows(world).byId.get('E1')?.display === 'Alice', 30_000);
  return { world, proc, base: `${proc.base}/scim/entra-push/v2` };
}

describe('imesh run with a scim-inbound connector', () => {
  it('serves /scim/<name>/v2/ and a push reaches the target through a requested delta cycle', async () => {
    const { world, proc, base } = await controllerWithScimPush();
    expect((await fetch(`${base}/Users`)).status).toBe(401);
    const created = await fetch(`${base}/Users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], externalId: 'E1', userName: 'alice@contoso.com', displayName: 'Alice Smith', active: true }),
    });
    expect(created.status).toBe(201);
    await waitFor('the pushed name in the target', () => targetRows(world).byId.get('E1')?.display === 'Alice Smith', 30_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${describeLogs(proc)}`);
    });
    expect(proc.hasLog((l) => l.event === 'cycle-start' && l.reason === 'SCIM push to entra-push')).toBe(true);
    // One run for the push: the leader's look at the store for pushes other replicas took leaves the
    // ones its own endpoint is about to ask for alone (a few of its 2 s looks pass meanwhile).
    await new Promise((r) => setTimeout(r, 5_000));
    expect(proc.logs.filter((l) => l.event === 'cycle-start' && /SCIM push/.test(String(l.reason))), describeLogs(proc)).toHaveLength(1);
    expect(describeLogs(proc)).not.toContain(TOKEN);
    proc.child.kill('SIGTERM');
    expect((await proc.exited).code).toBe(0);
  });

  it('survives prototype-pollution and malformed SCIM requests: 400s, metrics still served, later pushes still flow', async () => {
    const { world, proc, base } = await controllerWithScimPush();
    const send = (method: string, path: string, body: string) =>
      fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' }, body });
    const created = await send('POST', '/Users', JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], externalId: 'E1', userName: 'alice@contoso.com', displayName: 'Alice' }));
    expect(created.status).toBe(201);
    const id = ((await created.json()) as { id: string }).id;
    const patch = (operation: string) => `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[${operation}]}`;
    const attacks: [string, string, string][] = [
      ['PATCH', `/Users/${id}`, patch('{"op":"add","path":"__proto__.polluted","value":"yes"}')],
      ['PATCH', `/Users/${id}`, patch('{"op":"add","value":{"constructor.prototype.x":"y"}}')],
      ['POST', '/Users', '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"eve@contoso.com","__proto__":{"polluted":"yes"}}'],
      ['POST', '/Users', `{"userName":"deep@contoso.com","x":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}`],
      ['POST', '/Users', '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"nul\\u0000@contoso.com"}'],
    ];
    for (const [method, path, body] of attacks) {
      const response = await send(method, path, body);
      expect(response.status, body.slice(0, 80)).toBe(400);
      expect(((await response.json()) as { schemas: string[] }).schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
    }
    const filtered = await fetch(`${base}/Users?filter=${encodeURIComponent('__proto__ pr')}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(filtered.status).toBe(400);

    // The process is still whole: metrics render (prom-client died on polluted labels), and a push flows.
    expect((await fetch(`${proc.base}/metrics`)).status).toBe(200);
    const renamed = await send('PATCH', `/Users/${id}`, patch('{"op":"Replace","path":"displayName","value":"Alice Smith"}'));
    expect(renamed.status).toBe(200);
    await waitFor('the pushed name in the target', () => targetRows(world).byId.get('E1')?.display === 'Alice Smith', 30_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${describeLogs(proc)}`);
    });
    expect((await fetch(`${proc.base}/metrics`)).status).toBe(200);
    expect(proc.hasLog((l) => l.event === 'scim-failed')).toBe(false);
    proc.child.kill('SIGTERM');
    expect((await proc.exited).code).toBe(0);
  });
});

