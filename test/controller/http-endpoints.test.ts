import { afterEach, describe, expect, it } from 'vitest';
import { WEBHOOK_PATH } from '../../src/controller/endpoints.js';
import { createHttpServer, readBody, sendJson, type ControllerHttpServer } from '../../src/controller/http-server.js';
import { readiness, type ControllerStatus } from '../../src/controller/probes.js';
import { HttpProblem } from '../../src/shared/http-problem.js';
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

describe('router', () => {
  it('matches exact and parametric paths, answers HEAD for GET, 405 with Allow for another method, 404 otherwise', async () => {
    const base = await serve((s) => {
      s.addRoute('GET', '/healthz', (_q, r) => sendJson(r, 200, { route: 'health' }));
      s.addRoute('GET', '/things/:id', (_q, r, _u, params) => sendJson(r, 200, { route: 'thing', id: params.id }));
      s.addRoute('DELETE', '/things/:id', (_q, r) => sendJson(r, 204, {}));
    });
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ route: 'health' });
    expect((await fetch(`${base}/healthz/extra`)).status).toBe(404);
    expect(await (await fetch(`${base}/things/a%2Fb?x=1`)).json()).toEqual({ route: 'thing', id: 'a/b' });
    const post = await fetch(`${base}/healthz`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect((await fetch(`${base}/things/1`, { method: 'PUT' })).headers.get('allow')).toBe('GET, HEAD, DELETE');
    expect((await fetch(`${base}/healthz`, { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(`${base}/nothing`)).status).toBe(404);
    expect((await fetch(`${base}/things/`)).status).toBe(404);
  });

  it('gives each surface its prefix, its problem format and its authentication, which runs before any 404 or 405', async () => {
    const base = await serve((s) => {
      s.addRoute('GET', '/', (_q, r) => sendJson(r, 200, { route: 'root' }));
      const api = s.surface<string, { role: string }>({
        name: 'test-api',
        prefix: '/api',
        writeProblem: (res, problem) => sendJson(res, problem.status, { problem: problem.code, message: problem.message }, problem.headers),
        authenticate: (req, _url, route) => {
          if (req.headers.authorization !== 'yes') throw new HttpProblem(401, 'Unauthenticated', `no (${route?.role ?? 'unknown route'})`);
          return 'caller';
        },
      });
      api.route({ method: 'POST', path: '/api/items/:id', data: { role: 'writer' }, handle: ({ res, params, auth }) => sendJson(res, 200, { id: params.id, auth }) });
      api.route({ method: 'GET', path: '/api/files/:dir/*', rest: 'file', data: { role: 'reader' }, handle: ({ res, params }) => sendJson(res, 200, params) });
    });
    const yes = { authorization: 'yes' };
    expect(await (await fetch(`${base}/api/items/7`, { method: 'POST', headers: yes })).json()).toEqual({ id: '7', auth: 'caller' });
    expect(await (await fetch(`${base}/api/files/d/a/b%20c`, { headers: yes })).json()).toEqual({ dir: 'd', file: 'a/b c' });
    const anonymous = await fetch(`${base}/api/items/7`, { method: 'POST' });
    expect([anonymous.status, await anonymous.json()]).toEqual([401, { problem: 'Unauthenticated', message: 'no (writer)' }]);
    expect([(await fetch(`${base}/api/nothing`)).status, (await fetch(`${base}/api/items/7`)).status]).toEqual([401, 401]);
    const wrongMethod = await fetch(`${base}/api/items/7`, { headers: yes });
    expect([wrongMethod.status, wrongMethod.headers.get('allow'), ((await wrongMethod.json()) as { problem: string }).problem]).toEqual([405, 'POST', 'MethodNotAllowed']);
    const missing = await fetch(`${base}/api/nothing`, { headers: yes });
    expect([missing.status, ((await missing.json()) as { problem: string }).problem]).toEqual([404, 'NotFound']);
    // The root surface answers problems as text.
    const rootMissing = await fetch(`${base}/nothing`);
    expect([rootMissing.status, rootMissing.headers.get('content-type')]).toEqual([404, 'text/plain; charset=utf-8']);
  });

  it('accepts routes added after listen, and turns a throwing handler into a 500 without details', async () => {
    let server!: ControllerHttpServer;
    const base = await serve((s) => {
      server = s;
    });
    server.addRoute('GET', '/api/v1/things', () => {
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

  // DESIGN §8 replaced "leader with a succeeded cycle" by "this replica can serve": these are the old
  // cases, each with its answer under the new contract.
  it('is ready on leader and standby once a revision was read; failed runs never make it unready', () => {
    expect(readiness(base)).toEqual({ ready: true, reason: 'leader; running revision abc' });
    expect(readiness({ ...base, cycleRunning: true }).ready).toBe(true);
    expect(readiness({ ...base, cycleRunning: true, cyclesSinceLeader: 1 }).ready).toBe(true);
    expect(readiness({ ...base, succeededSinceLeader: true }).ready).toBe(true);
    expect(readiness({ ...base, role: 'standby', succeededSinceLeader: true })).toEqual({ ready: true, reason: 'standby (another replica holds the leader lock; sync requests wait for it); running revision abc' });
    expect(readiness({ ...base, succeededSinceLeader: true, shuttingDown: true })).toEqual({ ready: false, reason: 'shutting down' });
    expect(readiness({ ...base, lastCycle: { result: 'failed', kind: 'delta', finishedAt: 'x' } })).toEqual({ ready: true, reason: 'leader; running revision abc; the last cycle failed' });
    // An invalid newest revision with nothing valid to run is reported, not a reason to leave the Service.
    expect(readiness({ ...base, appliedRevision: null, attemptedRevision: 'bad', configInvalid: true })).toEqual({ ready: true, reason: 'leader; the newest config revision is invalid and there is no valid one to run (ConfigInvalid)' });
    // Not ready before any revision was read.
    expect(readiness({ ...base, appliedRevision: null, attemptedRevision: null })).toEqual({ ready: false, reason: 'leader; no config revision read yet' });
  });
});
