/**
 * A lock file holding the pid of the process that holds it (the embedded store, embedded databases).
 *
 * Atomic in both directions, so exactly one of many processes racing for it wins:
 * - taking it: the pid is written to a private temp file first, then `link()`ed to the lock path,
 *   which fails when the path exists; the lock file therefore never exists half-written;
 * - taking over a stale lock (its pid is dead): only under a guard lock (`<lock>.takeover`, taken the
 *   same way, recursively), and only after re-reading that the file still holds the dead pid. Without
 *   the guard, two processes that both saw the stale pid could each remove the lock and one could
 *   remove the other's fresh one (both then believed they held it).
 */
import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

export type PidLock = { readonly ok: true; release(): void } | { readonly ok: false; readonly holder: number | undefined };

/** How long a contender waits in all for a takeover another process is doing (microseconds of work). */
const TAKEOVER_WAIT_MS = 5_000;
const TAKEOVER_POLL_MS = 5;
/** Guards of guards: each level is needed only when a process died inside the level below's few statements. */
const MAX_GUARD_DEPTH = 4;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** The lock file's content, or undefined when it does not exist. */
function readHolder(lockPath: string): string | undefined {
  try {
    return readFileSync(lockPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function liveHolder(content: string): number | undefined {
  const pid = Number.parseInt(content, 10);
  return Number.isFinite(pid) && pid > 0 && pid !== process.pid && processAlive(pid) ? pid : undefined;
}

/** Creates the lock file with our pid in one step; false when it already exists. */
function tryCreate(lockPath: string): boolean {
  const temp = `${lockPath}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temp, String(process.pid), { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temp, lockPath);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(temp, { force: true });
  }
}

function take(lockPath: string, depth: number): PidLock {
  const deadline = Date.now() + TAKEOVER_WAIT_MS;
  for (;;) {
    if (tryCreate(lockPath)) return held(lockPath);
    const content = readHolder(lockPath);
    if (content === undefined) continue; // released in between: try again
    const holder = liveHolder(content);
    if (holder !== undefined) return { ok: false, holder };
    if (depth < MAX_GUARD_DEPTH) {
      const guard = take(`${lockPath}.takeover`, depth + 1);
      if (guard.ok) {
        try {
          // Still the same stale file? Nobody else can remove it while we hold the guard.
          if (readHolder(lockPath) === content) rmSync(lockPath, { force: true });
        } finally {
          guard.release();
        }
        continue;
      }
    }
    if (Date.now() > deadline) return { ok: false, holder: undefined };
    sleepSync(TAKEOVER_POLL_MS); // another process is taking the stale lock over: see who wins
  }
}

function held(lockPath: string): PidLock {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    rmSync(lockPath, { force: true });
    process.off('exit', release);
  };
  process.on('exit', release);
  return { ok: true, release };
}

/**
 * Takes a lock file holding this process's pid. A live holder wins (`ok: false` with its pid); the lock
 * of a process that died is stale and taken over. The lock is released on `release()` or at exit.
 */
export function acquirePidLock(lockPath: string): PidLock {
  return take(lockPath, 0);
}
