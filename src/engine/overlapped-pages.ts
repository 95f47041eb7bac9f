/**
 * Pages of one flow rule's sync, committed in order, each begun while the page before it still
 * commits: the process computes page k+1 while the server writes page k. Only on a store whose
 * transactions run beside each other (CycleContext.concurrently: PostgreSQL, reconcile); elsewhere a
 * page begins when the one before it has committed.
 *
 * A page that begins early does not see what the page before it writes, so each page keeps its
 * footprint: the mesh objects and join keys it read or wrote. Before its first write that could touch a
 * row another page touches, it checks its footprint against the footprint of the page still committing
 * (`PageFootprint.ready`); on any overlap it is rolled back and run again once that page has committed.
 * Until that check nothing it wrote can hold a row the page before it waits for, so the two never wait
 * for each other. A page that deletes mesh objects reaches beyond its footprint (their keys, every link
 * to them, the objects naming them): it is `wide`, and the page after it waits for its commit.
 */
import type { Queryable, TransactionOptions } from '../store/db.js';

/** A page that read what the page still committing wrote: rolled back and run again after it. */
export class PageRedo extends Error {
  constructor() {
    super('the page read what the page before it is still writing');
    this.name = 'PageRedo';
  }
}

export class PageFootprint {
  private readonly meshIds = new Set<string>();
  /** Join key values by mesh type and attribute (`type NUL attribute`). */
  private readonly keys = new Map<string, Set<string>>();
  private lastKeys: { readonly type: string; readonly attribute: string; readonly values: Set<string> } | undefined;
  /** Deletes mesh objects: the next page waits for this one's commit. */
  wide = false;

  /** `before`: the footprint of the page still committing when this one began, if any. */
  constructor(private readonly before?: PageFootprint) {}

  touch(meshIds: Iterable<string>): void {
    for (const id of meshIds) this.meshIds.add(id);
  }

  /** A join key read (looked up) or written (a mesh object's key value, old or new). */
  key(meshType: string, attribute: string, value: string): void {
    const last = this.lastKeys;
    if (last && last.type === meshType && last.attribute === attribute) {
      last.values.add(value);
      return;
    }
    const name = `${meshType}\u0000${attribute}`;
    let values = this.keys.get(name);
    if (!values) this.keys.set(name, (values = new Set()));
    this.lastKeys = { type: meshType, attribute, values };
    values.add(value);
  }

  /**
   * Throws PageRedo if this page cannot go on beside the page still committing: it deletes mesh objects,
   * or it read a mesh object or a join key that page wrote. (A page that deletes mesh objects is never
   * `before`: the page after it begins once it has committed.)
   */
  ready(): void {
    const before = this.before;
    if (!before) return;
    if (this.wide || overlaps(this.meshIds, before.meshIds) || this.keysOverlap(before)) throw new PageRedo();
  }

  private keysOverlap(before: PageFootprint): boolean {
    for (const [name, values] of this.keys) {
      const theirs = before.keys.get(name);
      if (theirs && overlaps(values, theirs)) return true;
    }
    return false;
  }
}

function overlaps(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const item of small) if (large.has(item)) return true;
  return false;
}

type Transaction = (work: (q: Queryable) => Promise<void>, options: TransactionOptions) => Promise<void>;

interface InFlight {
  readonly footprint: PageFootprint;
  readonly committed: Promise<void>;
  settled: boolean;
}

/**
 * Runs a rule's pages. `atomically` is the cycle's transaction in turn; `concurrently`, where the store
 * has it, a transaction beside the others. Call `finish` after the last page: it waits for its commit.
 */
export class OverlappedPages {
  private inFlight: InFlight | undefined;

  constructor(
    private readonly atomically: Transaction,
    private readonly concurrently: Transaction | undefined,
  ) {}

  /**
   * Runs one page: `work` writes behind (TransactionOptions.writeBehind) and calls `footprint.ready()`
   * before writing rows another page may touch. `undo` puts back what `work` counted in memory when the
   * page is rolled back to run again. Returns once the page's statements are sent; its commit follows.
   */
  async run(work: (q: Queryable, footprint: PageFootprint) => Promise<void>, undo: () => void): Promise<void> {
    const previous = this.inFlight;
    if (!this.concurrently) {
      await this.atomically((q) => work(q, new PageFootprint()), { writeBehind: true });
      return;
    }
    // A page that deleted mesh objects reaches beyond its footprint: the next begins after its commit.
    if (previous?.footprint.wide) await previous.committed;
    const committing = previous && !previous.footprint.wide && !previous.settled ? previous : undefined;
    let current = this.begin(work, committing?.footprint);
    try {
      await current.sent;
    } catch (error) {
      if (!(error instanceof PageRedo)) {
        await previous?.committed.catch(() => undefined);
        throw error;
      }
      undo();
      await previous?.committed;
      current = this.begin(work, undefined);
      await current.sent;
    }
    if (previous) {
      try {
        await previous.committed;
      } catch (error) {
        await current.committed.catch(() => undefined);
        throw error;
      }
    }
    this.inFlight = current;
  }

  /** Waits for the last page's commit. */
  async finish(): Promise<void> {
    const last = this.inFlight;
    this.inFlight = undefined;
    await last?.committed;
  }

  private begin(work: (q: Queryable, footprint: PageFootprint) => Promise<void>, before: PageFootprint | undefined): InFlight & { sent: Promise<void> } {
    const footprint = new PageFootprint(before);
    let markSent!: () => void;
    const allSent = new Promise<void>((resolve) => (markSent = resolve));
    const committed = this.concurrently!(async (q) => {
      await work(q, footprint);
      markSent();
    }, { writeBehind: true });
    const flight: InFlight & { sent: Promise<void> } = { footprint, committed, settled: false, sent: Promise.race([allSent, committed]) };
    committed.then(
      () => (flight.settled = true),
      () => undefined,
    );
    return flight;
  }
}
