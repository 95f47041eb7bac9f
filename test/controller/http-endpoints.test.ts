import { afterEach, describe, expect, it } from 'vitest';
import { WEBHOOK_PATH } from '../../src/controller/endpoints.js';
import { createHttpServer, readBody, sendJson, type ControllerHttpServer } from '../../src/controller/http-server.js';
import { readiness, type ControllerStatus } from '../../src/controller/probes.js';
import { MAX_WEBHOOK_BODY, githubSignature, gitWebhookHandler, tokenEquals } from '../../src/controller/webhook.js';
import { quietLogger } from './quiet-logger.js';

const servers: ControllerHttpServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function serve(setup: (server: ControllerHttpServer) => void): Promise<string> {
  const server = createHttpServer({ port: 0, host: '127.0.0.1', log: quietLogger() });
  setup(server);
  await server.listen();
  servers.push(server);
  return `http://127.0.0.1:${server.port()}`;
}

describe('route table', () => {
  it('matches exact paths and prefixes, longest first, with 404 and 405 (Allow) otherwise', async () => {
    const base = await serve((s) => {
      s.addRoute('GET', '/healthz', (_q, r) => sendJson(r, 200, { route: 'health' }));
      s.addRoute('*', '/scim/', (q, r, url) => sendJson(r, 200, { route: 'scim', method: q.method, path: url.pathname }));
      s.addRoute('GET', '/scim/special/', (_q, r) => sendJson(r, 200, { route: 'special' }));
    });
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ route: 'health' });
    expect((await fetch(`${base}/healthz/extra`)).status).toBe(404);
    expect(await (await fetch(`${base}/scim/hr/v2/Users?x=1`, { method: 'PATCH' })).json()).toEqual({ route: 'scim', method: 'PATCH', path: '/scim/hr/v2/Users' });
    expect(await (await fetch(`${base}/scim/special/x`)).json()).toEqual({ route: 'special' });
    const post = await fetch(`${base}/healthz`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect((await fetch(`${base}/healthz`, { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(`${base}/nothing`)).status).toBe(404);
  });

  it('accepts routes added after listen, and turns a throwing handler into a 500 without details', async () => {
    let server!: ControllerHttpServer;
    const base = await serve((s) => {
      server = s;
    });
    server.addRoute('GET', '/api/v1/', () => {
      throw new Error('secret internals');
    });
    const res = await fetch(`${base}/api/v1/things`);
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain('secret internals');
  });

  it('refuses bodies over the limit with 413', async () => {
    const base = await serve((s) => {
      s.addRoute('POST', '/upload', async (q, r) => sendJson(r, 200, { bytes: (await readBody(q, 10)).length }));
    });
    expect(await (await fetch(`${base}/upload`, { method: 'POST', body: '12345' })).json()).toEqual({ bytes: 5 });
    expect((await fetch(`${base}/upload`, { method: 'POST', body: 'x'.repeat(11) })).status).toBe(413);
  });
});

describe('POST /hooks/git', () => {
  const secret = "It's a Secret to Everybody";

  it('computes GitHub signatures as GitHub documents them (test vector)', () => {
    // From GitHub's "Validating webhook deliveries" page.
    expect(githubSignature(secret, 'Hello, World!')).toBe('sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17');
    expect(tokenEquals('abc', 'abc')).toBe(true);
    expect(tokenEquals('abc', 'abcd')).toBe(false);
  });

  async function hookServer() {
    const pushes: string[] = [];
    const results: string[] = [];
    const base = await serve((s) =>
      s.addRoute('POST', WEBHOOK_PATH, gitWebhookHandler({ secret, log: quietLogger(), onPush: (source) => pushes.push(source), onResult: (r) => results.push(r) })),
    );
    return { url: `${base}${WEBHOOK_PATH}`, pushes, results };
  }

  it('accepts a correctly signed GitHub delivery and a correct GitLab token, and only then triggers a fetch', async () => {
    const hook = await hookServer();
    const body = JSON.stringify({ ref: 'refs/heads/main', commits: [{ id: 'x' }] });
    const github = await fetch(hook.url, { method: 'POST', body, headers: { 'x-hub-signature-256': githubSignature(secret, body), 'x-github-event': 'push' } });
    expect(github.status).toBe(202);
    const gitlab = await fetch(hook.url, { method: 'POST', body, headers: { 'x-gitlab-token': secret, 'x-gitlab-event': 'Push Hook' } });
    expect(gitlab.status).toBe(202);
    expect(hook.pushes).toEqual(['github', 'gitlab']);
  });

  it('answers 401 to unsigned, wrongly signed, tampered and wrong-token deliveries, and triggers nothing', async () => {
    const hook = await hookServer();
    const body = '{"ref":"refs/heads/main"}';
    const attempts: Record<string, string>[] = [
      {},
      { 'x-hub-signature-256': githubSignature('wrong secret', body) },
      { 'x-hub-signature-256': githubSignature(secret, `${body} `) },
      { 'x-hub-signature-256': 'sha256=zz' },
      { 'x-hub-signature-256': githubSignature(secret, body).replace('sha256=', 'sha1=') },
      { 'x-gitlab-token': 'wrong' },
      { 'x-gitlab-token': '' },
    ];
    for (const headers of attempts) {
      const res = await fetch(hook.url, { method: 'POST', body, headers });
      expect(res.status, JSON.stringify(headers)).toBe(401);
    }
    expect(hook.pushes).toEqual([]);
    expect(hook.results).toEqual(['unsigned', 'bad-signature', 'bad-signature', 'bad-signature', 'bad-signature', 'bad-token', 'bad-token']);
  });

  it('refuses a body over the limit', async () => {
    const hook = await hookServer();
    const body = Buffer.alloc(MAX_WEBHOOK_BODY + 1, 0x61);
    const res = await fetch(hook.url, { method: 'POST', body, headers: { 'x-hub-signature-256': githubSignature(secret, body) } }).catch(() => undefined);
    // Either the 413 arrives, or the server closes the connection while the client is still sending.
    if (res) expect(res.status).toBe(413);
    expect(hook.pushes).toEqual([]);
  });

  it('is not there (404) when no webhook secret is configured', async () => {
    const base = await serve(() => undefined);
    expect((await fetch(`${base}${WEBHOOK_PATH}`, { method: 'POST', body: '{}' })).status).toBe(404);
  });
});

describe('readiness', () => {
  const base: ControllerStatus = {
    role: 'leader',
    shuttingDown: false,
    cycleRunning: false,
    succeededSinceLeader: false,
    cyclesSinceLeader: 0,
    appliedRevision: 'abc',
    attemptedRevision: 'abc',
    configInvalid: false,
    configProblems: 0,
    source: 'test',
  };

  it('is ready only as leader with a cycle that succeeded, or while its first cycle runs', () => {
    expect(readiness(base).ready).toBe(false);
    expect(readiness({ ...base, cycleRunning: true }).ready).toBe(true);
    // After a failed cycle, the next one starting does not make it ready (no flapping).
    expect(readiness({ ...base, cycleRunning: true, cyclesSinceLeader: 1 }).ready).toBe(false);
    expect(readiness({ ...base, succeededSinceLeader: true }).ready).toBe(true);
    expect(readiness({ ...base, role: 'standby', succeededSinceLeader: true })).toEqual({ ready: false, reason: 'standby: another replica holds the leader lock' });
    expect(readiness({ ...base, succeededSinceLeader: true, shuttingDown: true }).ready).toBe(false);
    expect(readiness({ ...base, lastCycle: { result: 'failed', kind: 'delta', finishedAt: 'x' } }).reason).toContain('no cycle has succeeded');
  });
});
