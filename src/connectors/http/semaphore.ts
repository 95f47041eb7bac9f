/**
 * A small counting semaphore: the per-connector concurrency budget. Every HTTP attempt holds one slot
 * while it is on the wire, so a connector never has more than `limit` requests in flight, however many
 * lists it walks at once.
 */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`a concurrency budget must be a whole number ≥ 1, not ${limit}`);
  }

  /** Resolves with a release function once a slot is free. Call it exactly once. */
  acquire(): Promise<() => void> {
    return new Promise((resolve) => {
      const grant = () => {
        this.active++;
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.active--;
          this.waiting.shift()?.();
        });
      };
      if (this.active < this.limit) grant();
      else this.waiting.push(grant);
    });
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await work();
    } finally {
      release();
    }
  }

  get inFlight(): number {
    return this.active;
  }
}

/**
 * Runs `work` for every item with at most `limit` running at once, yielding results as they complete
 * (not in input order). Used to walk many independent lists (each group's members) inside a budget.
 */
export async function* mapConcurrent<T, R>(items: AsyncIterable<T> | Iterable<T>, limit: number, work: (item: T) => Promise<R>): AsyncGenerator<R> {
  const running = new Map<number, Promise<{ key: number; result: R }>>();
  let next = 0;
  const iterator = (Symbol.asyncIterator in items ? (items as AsyncIterable<T>)[Symbol.asyncIterator]() : (items as Iterable<T>)[Symbol.iterator]()) as AsyncIterator<T> | Iterator<T>;
  let exhausted = false;
  try {
    for (;;) {
      while (!exhausted && running.size < limit) {
        const step = await iterator.next();
        if (step.done) {
          exhausted = true;
          break;
        }
        const key = next++;
        running.set(key, work(step.value).then((result) => ({ key, result })));
      }
      if (running.size === 0) return;
      const { key, result } = await Promise.race(running.values());
      running.delete(key);
      yield result;
    }
  } finally {
    // A consumer that stops early (or an error) must not leave rejections unobserved.
    for (const pending of running.values()) pending.catch(() => undefined);
    if (!exhausted) await iterator.return?.();
  }
}
