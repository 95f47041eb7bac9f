import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';

export type PidLock = { readonly ok: true; release(): void } | { readonly ok: false; readonly holder: number | undefined };

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes a lock file holding this process's pid. A live holder wins (`ok: false` with its pid); the lock
 * of a process that died is stale and taken over. The lock is released on `release()` or at exit.
 */
export function acquirePidLock(lockPath: string): PidLock {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        rmSync(lockPath, { force: true });
        process.off('exit', release);
      };
      process.on('exit', release);
      return { ok: true, release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
      if (Number.isFinite(holder) && holder !== process.pid && processAlive(holder)) return { ok: false, holder };
      rmSync(lockPath, { force: true }); // stale: the process that held it is gone
    }
  }
  return { ok: false, holder: undefined };
}
