/** Resolves after `ms`, or earlier on `wake()`; a wake with nobody waiting is kept for the next wait. */
export class Wakeup {
  private waiter: (() => void) | undefined;
  private pending = false;

  wait(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolvePromise) => {
      const timer = setTimeout(() => done(), Math.min(Math.max(ms, 0), 2_147_483_647));
      const done = () => {
        clearTimeout(timer);
        this.waiter = undefined;
        resolvePromise();
      };
      this.waiter = done;
    });
  }

  wake(): void {
    if (this.waiter) this.waiter();
    else this.pending = true;
  }
}
