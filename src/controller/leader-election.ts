/**
 * Leader election. With a PostgreSQL store, replicas compete for a session-level advisory lock
 * (`pg_try_advisory_lock(bigint)`, which returns at once instead of waiting) on a dedicated connection.
 * PostgreSQL's documentation (Advisory Lock Functions) holds a session-level lock until it is released
 * explicitly or the session ends, and keys a single bigint separately from the (int, int) form. So a
 * leader that dies (or is partitioned away long enough for the server's TCP keepalives to drop its
 * session) hands over to the next standby that asks. The lock connection is checked every retry
 * interval; the moment it fails or closes, this replica stops being leader — `isLeader()` turns false
 * synchronously, before anything else happens, so the cycle's `mayExport` stops further export batches
 * — and the session is closed (releasing the lock server-side if it was still held).
 *
 * With the embedded store the process is always the leader: the store's own lock file already keeps a
 * second process out.
 */
import { createHash } from 'node:crypto';
import { errorMessage } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';

export type LeaderChange = (leader: boolean, reason: string) => void;

export interface LeaderElector {
  readonly kind: 'single-process' | 'advisory-lock';
  isLeader(): boolean;
  /** Starts campaigning; `onChange` hears every transition. Resolves after the first attempt. */
  start(onChange: LeaderChange): Promise<void>;
  /** Stops campaigning and releases the lock. */
  stop(): Promise<void>;
}

/** The embedded store: this process is the only one. */
export function singleProcessLeader(): LeaderElector {
  let leader = false;
  return {
    kind: 'single-process',
    isLeader: () => leader,
    async start(onChange) {
      leader = true;
      onChange(true, 'embedded store (single process)');
    },
    async stop() {
      leader = false;
    },
  };
}

/** One database session that can hold the advisory lock (see postgres-lock-session.ts). */
export type { LockSession } from '../store/advisory-lock.js';
import type { LockSession } from '../store/advisory-lock.js';

export type LockSessionOpener = () => Promise<LockSession>;

/** A stable 64-bit lock key for one store (database + schema), as PostgreSQL's signed bigint. */
export function leaderLockKey(scope: string): bigint {
  const digest = createHash('sha256').update(`identity-mesh/leader/${scope}`).digest();
  return BigInt.asIntN(64, digest.readBigUInt64BE(0));
}

export interface AdvisoryLockOptions {
  readonly openSession: LockSessionOpener;
  readonly key: bigint;
  /** How often a standby retries and a leader checks its session. */
  readonly retryMs: number;
  readonly log: Logger;
}

export function advisoryLockLeader(options: AdvisoryLockOptions): LeaderElector {
  const { key, log } = options;
  let leader = false;
  let session: LockSession | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let busy = false;
  let notify: LeaderChange = () => undefined;
  let lastOpenError = '';
  /** After losing the lock, give healthy standbys the first chance to take it. */
  let holdOffUntil = 0;

  const lose = (reason: string): void => {
    // Order matters: leadership (and with it mayExport) ends before anything else.
    const was = leader;
    leader = false;
    holdOffUntil = Date.now() + 2 * options.retryMs;
    const old = session;
    session = undefined;
    if (was) {
      log.error({ event: 'leader-lost', reason }, 'lost the leader lock; exports stop now');
      notify(false, reason);
    }
    if (old) void old.close().catch(() => undefined);
  };

  const attempt = async (): Promise<void> => {
    if (busy || stopped || Date.now() < holdOffUntil) return;
    busy = true;
    try {
      if (!session) {
        try {
          const opened = await options.openSession();
          if (stopped) {
            await opened.close().catch(() => undefined);
            return;
          }
          session = opened;
          lastOpenError = '';
          opened.onLost((reason) => {
            if (session === opened) lose(`lock connection lost: ${reason}`);
          });
        } catch (error) {
          const message = errorMessage(error);
          if (message !== lastOpenError) log.warn({ event: 'leader-session-failed', error: message }, 'cannot open the leader lock connection; retrying');
          lastOpenError = message;
          return;
        }
      }
      const current = session;
      if (!leader) {
        const won = await current.tryLock(key);
        if (stopped || session !== current) return;
        if (won) {
          leader = true;
          log.info({ event: 'leader-acquired' }, 'acquired the leader lock; this replica reconciles');
          notify(true, 'acquired the advisory lock');
        }
      } else {
        await current.ping();
      }
    } catch (error) {
      lose(errorMessage(error));
    } finally {
      busy = false;
    }
  };

  return {
    kind: 'advisory-lock',
    isLeader: () => leader,
    async start(onChange) {
      notify = onChange;
      await attempt();
      if (!leader) log.info({ event: 'standby' }, 'another replica holds the leader lock; standing by');
      const tick = () => {
        timer = setTimeout(() => {
          void attempt().finally(() => {
            if (!stopped) tick();
          });
        }, options.retryMs);
      };
      tick();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      while (busy) await new Promise((r) => setTimeout(r, 10));
      const current = session;
      const was = leader;
      leader = false;
      session = undefined;
      if (current) {
        if (was) await current.unlock(key).catch(() => undefined);
        await current.close().catch(() => undefined);
      }
    },
  };
}
