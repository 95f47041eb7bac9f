/**
 * The lock a process holds while it writes an embedded store (SQLite, or an older PGlite one): a pid
 * file beside the store; a second writer gets StoreLocked naming the holder.
 */
import { StoreError } from '../shared/errors.js';
import { acquirePidLock } from '../shared/pid-lock.js';

/** Takes the lock, or throws StoreLocked; returns its release. */
export function lockStore(lockPath: string, displayPath: string): () => void {
  const lock = acquirePidLock(lockPath);
  if (lock.ok) return lock.release;
  if (lock.holder !== undefined) {
    throw new StoreError('StoreLocked', `${displayPath} is in use by pid ${lock.holder}; use --store postgres://… for concurrent access`);
  }
  throw new StoreError('StoreLocked', `cannot lock ${displayPath}`);
}
