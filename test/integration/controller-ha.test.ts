/**
 * High availability and shutdown with real processes on one PostgreSQL store: one leader exports,
 * the standby says so and takes over when the leader is killed; SIGTERM mid-cycle exits 0 and the
 * next start finishes the work with nothing lost or duplicated. Needs `npm run build`.
 */
import { writeFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import {
  describeLogs,
  hrCsv,
  makeWorld,
  metricValue,
  startController,
  targetRows,
  waitFor,
  worldsCleanedUp,
  type ControllerProcess,
} from '../controller/process-harness.js';

const worlds = worldsCleanedUp(inject('pgUrl'));

const cycles = (proc: ControllerProcess) => proc.logs.filter((l) => l.event === 'cycle').length;

describe('imesh run replicas on one PostgreSQL store', () => {
  it('lets one leader export while the other stands by, and hands over within 30 s when the leader is killed', async () => {
    const w = makeWorld(inject('pgUrl'), [
      ['E1', 'Alice', 'eng'],
      ['E2', 'Bob', 'ops'],
    ]);
    worlds.push(w);
    const a = await startController({ world: w });
    await waitFor('a to lead', async () => (await a.readyz()).body.role === 'leader');
    const b = await startController({ world: w });
    await waitFor('the first export', () => targetRows(w).ids.length === 2);

    // DESIGN §8: a standby can serve (API reads, SCIM inbox), so it is ready — as a standby — once it
    // has read a revision (its own fetch of the repository).
    await waitFor('b to read a revision', async () => (await b.readyz()).body.appliedRevision !== null);
    const standby = await b.readyz();
    expect(standby.status).toBe(200);
    expect(standby.body).toMatchObject({ ready: true, role: 'standby' });
    expect(String(standby.body.reason)).toMatch(/^standby \(another replica holds the leader lock/);
    expect((await a.readyz())).toMatchObject({ status: 200, body: { ready: true, role: 'leader' } });

    // A change in the source: exported once, by the leader only.
    writeFileSync(w.hrFile, hrCsv([['E1', 'Alice', 'eng'], ['E2', 'Bob', 'ops'], ['E3', 'Carol', 'hr']]));
    await waitFor('E3 exported', () => targetRows(w).byId.has('E3'));
    await new Promise((r) => setTimeout(r, 1_000));
    expect(cycles(a)).toBeGreaterThan(0);
    expect(cycles(b)).toBe(0);
    expect(b.hasLog((l) => l.event === 'cycle-start')).toBe(false);
    expect(metricValue(await a.metrics(), 'imesh_leader')).toBe(1);
    expect(metricValue(await b.metrics(), 'imesh_leader')).toBe(0);
    expect(targetRows(w).ids.sort()).toEqual(['E1', 'E2', 'E3']);

    // The leader dies without a goodbye.
    const killedAt = Date.now();
    a.child.kill('SIGKILL');
    await a.exited;
    await waitFor('b to take over', async () => (await b.readyz()).body.role === 'leader', 30_000, 100);
    const takeover = Date.now() - killedAt;
    expect(takeover).toBeLessThan(30_000);

    writeFileSync(w.hrFile, hrCsv([['E1', 'Alice', 'eng'], ['E2', 'Bob', 'ops'], ['E3', 'Carol', 'hr'], ['E4', 'Dan', 'eng']]));
    await waitFor('E4 exported by the new leader', () => targetRows(w).byId.has('E4'), 20_000);
    await waitFor('a finished cycle on b', () => cycles(b) > 0);
    expect((await b.readyz())).toMatchObject({ status: 200, body: { ready: true, role: 'leader' } });
    expect(targetRows(w).ids.sort()).toEqual(['E1', 'E2', 'E3', 'E4']);
  });

  it('exits 0 on SIGTERM mid-cycle; the next start finishes the work with nothing lost or duplicated', async () => {
    const people = Array.from({ length: 4000 }, (_, i) => [`E${String(i).padStart(5, '0')}`, `Person${i}`, i % 2 ? 'eng' : 'ops'] as const);
    const w = makeWorld(inject('pgUrl'), people);
    worlds.push(w);
    const first = await startController({ world: w });
    // Mid-cycle: the source has been imported, the mesh and the exports are still to come.
    await waitFor('the source import', () => first.hasLog((l) => l.event === 'import' && l.connector === 'hr'), 30_000, 5);
    const signalled = Date.now();
    first.child.kill('SIGTERM');
    const exit = await first.exited;
    expect(exit, describeLogs(first)).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalled).toBeLessThan(30_000);
    expect(first.hasLog((l) => l.event === 'shutdown')).toBe(true);
    expect(first.hasLog((l) => l.event === 'stopped')).toBe(true);
    const partial = targetRows(w).ids.length;
    expect(partial).toBeLessThan(people.length); // it really stopped before finishing the work

    const second = await startController({ world: w });
    await waitFor('every person exported', () => targetRows(w).ids.length === people.length, 60_000, 200);
    await waitFor('a succeeded cycle', () => second.hasLog((l) => l.event === 'cycle' && l.result === 'succeeded'), 30_000);
    const { ids } = targetRows(w);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(people.map((p) => p[0]).sort());
    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
  });
});
