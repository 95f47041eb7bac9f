/**
 * Leader election against the real PostgreSQL server: one session holds the advisory lock, the other
 * stands by; a session that is killed server-side ends leadership at once and the standby takes over.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { advisoryLockLeader, leaderLockKey, type LeaderElector } from '../../src/controller/leader-election.js';
import { openPostgresLockSession, storeLockScope } from '../../src/store/advisory-lock.js';
import { quietLogger } from './quiet-logger.js';

const electors: LeaderElector[] = [];
afterEach(async () => {
  for (const e of electors.splice(0)) await e.stop();
});

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

function elector(url: string, events: string[], name: string): LeaderElector {
  const e = advisoryLockLeader({ openSession: () => openPostgresLockSession(url, 2_000), key: leaderLockKey(storeLockScope(url)), retryMs: 100, log: quietLogger() });
  electors.push(e);
  events.push(`${name}:created`);
  return e;
}

describe('advisory-lock leader election', () => {
  it('keys the lock by database and schema', () => {
    const a = leaderLockKey(storeLockScope('postgres://u@h:5432/db?schema=one'));
    expect(leaderLockKey(storeLockScope('postgres://other@h/db?schema=one'))).toBe(a);
    expect(leaderLockKey(storeLockScope('postgres://u@h:5432/db?schema=two'))).not.toBe(a);
    expect(typeof a).toBe('bigint');
  });

  it('elects exactly one leader; when its session dies it stops leading at once and the standby takes over', async () => {
    const url = `${inject('pgUrl')}?schema=lead_${randomUUID().slice(0, 8)}`;
    const events: string[] = [];
    const first = elector(url, events, 'first');
    const second = elector(url, events, 'second');
    let firstWasLeaderWhenTold: boolean | undefined;
    await first.start((leader) => {
      events.push(`first:${leader}`);
      if (!leader) firstWasLeaderWhenTold = first.isLeader();
    });
    await second.start((leader) => events.push(`second:${leader}`));
    expect(first.isLeader()).toBe(true);
    expect(second.isLeader()).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    expect(second.isLeader()).toBe(false);

    // Kill the leader's session from outside, as a crashed node or a failover would.
    const admin = new pg.Client({ connectionString: inject('pgUrl') });
    await admin.connect();
    try {
      const key = leaderLockKey(storeLockScope(url)).toString();
      const holders = await admin.query<{ pid: number }>(
        `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = $1::bigint`,
        [key],
      );
      expect(holders.rows).toHaveLength(1);
      await admin.query('SELECT pg_terminate_backend($1)', [holders.rows[0]!.pid]);
    } finally {
      await admin.end();
    }
    await waitFor(() => !first.isLeader(), 5_000);
    expect(firstWasLeaderWhenTold).toBe(false); // isLeader() was already false when the change was announced
    await waitFor(() => second.isLeader(), 5_000);
    expect(first.isLeader()).toBe(false);
    expect(events).toContain('first:false');
    expect(events).toContain('second:true');
    // The old leader keeps campaigning, but the lock is taken now.
    await new Promise((r) => setTimeout(r, 300));
    expect(first.isLeader()).toBe(false);
  });

  it('releases the lock on stop, so a standby takes over promptly', async () => {
    const url = `${inject('pgUrl')}?schema=lead_${randomUUID().slice(0, 8)}`;
    const events: string[] = [];
    const first = elector(url, events, 'first');
    const second = elector(url, events, 'second');
    await first.start(() => undefined);
    await second.start(() => undefined);
    expect(first.isLeader()).toBe(true);
    await first.stop();
    expect(first.isLeader()).toBe(false);
    await waitFor(() => second.isLeader(), 3_000);
  });
});
