import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer, type ControllerHttpServer } from '../../src/controller/http-server.js';
import { readyHandler, type ControllerStatus } from '../../src/controller/probes.js';
import { logger } from '../../src/shared/logger.js';

const SECRET_PATH = '/srv/private/identity-config';
let status: ControllerStatus;
let http: ControllerHttpServer;

beforeAll(async () => {
  http = createHttpServer({ port: 0, host: '127.0.0.1', log: logger() });
  http.addRoute('GET', '/readyz', readyHandler(() => status));
  await http.listen();
});
afterAll(async () => {
  await http?.close();
});

const base: ControllerStatus = {
  role: 'leader',
  shuttingDown: false,
  cycleRunning: false,
  succeededSinceLeader: true,
  cyclesSinceLeader: 3,
  lastCycle: { result: 'succeeded', finishedAt: '2026-01-01T00:00:00.000Z', kind: 'delta' },
  lastSuccessAt: '2026-01-01T00:00:00.000Z',
  appliedRevision: 'abc123',
  attemptedRevision: 'def456',
  configInvalid: true,
  configProblems: 2,
  source: SECRET_PATH,
};

async function readyz(): Promise<{ status: number; text: string }> {
  const response = await fetch(`http://127.0.0.1:${http.port()}/readyz`);
  return { status: response.status, text: await response.text() };
}

describe('/readyz (unauthenticated)', () => {
  it('answers exactly { ready, reason, role, appliedRevision, configInvalid }, never the config path', async () => {
    status = base;
    const ready = await readyz();
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.text)).toEqual({ ready: true, reason: 'leader; running revision abc123, a newer one is invalid (ConfigInvalid); the last cycle succeeded', role: 'leader', appliedRevision: 'abc123', configInvalid: true });
    expect(ready.text).not.toContain(SECRET_PATH);

    // DESIGN §8: a standby that has read a revision can serve, so it is ready (the old contract said 503).
    status = { ...base, role: 'standby', succeededSinceLeader: false, appliedRevision: 'abc123', configInvalid: false };
    const standby = await readyz();
    expect(standby.status).toBe(200);
    expect(JSON.parse(standby.text)).toEqual({
      ready: true,
      reason: 'standby (another replica holds the leader lock; sync requests wait for it); running revision abc123; the last cycle succeeded',
      role: 'standby',
      appliedRevision: 'abc123',
      configInvalid: false,
    });
    expect(standby.text).not.toContain(SECRET_PATH);

    // Before any revision was read it cannot serve yet: 503, still with the same five fields.
    status = { ...base, role: 'standby', appliedRevision: null, attemptedRevision: null, configInvalid: false };
    const early = await readyz();
    expect(early.status).toBe(503);
    expect(JSON.parse(early.text)).toEqual({ ready: false, reason: 'standby (another replica holds the leader lock; sync requests wait for it); no config revision read yet', role: 'standby', appliedRevision: null, configInvalid: false });
  });
});
