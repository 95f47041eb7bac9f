import { describe, expect, it } from 'vitest';
import { OverlappedPages, PageFootprint, PageRedo } from '../../src/engine/overlapped-pages.js';
import type { Queryable, TransactionOptions } from '../../src/store/db.js';

/**
 * A store whose transactions run beside each other: each commits when the test releases it, and the
 * log says what began, committed and rolled back, in order.
 */
function fakeStore() {
  const log: string[] = [];
  const commits: (() => void)[] = [];
  let begun = 0;
  const transaction = async (work: (q: Queryable) => Promise<void>, _options: TransactionOptions): Promise<void> => {
    const id = ++begun;
    log.push(`begin ${id}`);
    try {
      await work({} as Queryable);
    } catch (error) {
      log.push(`rollback ${id}`);
      throw error;
    }
    await new Promise<void>((resolve) => commits.push(resolve));
    log.push(`commit ${id}`);
  };
  const commitNext = async () => {
    commits.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { log, transaction, commitNext, pending: () => commits.length };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('overlapped pages', () => {
  it('begins a page while the page before it commits, and commits them in order', async () => {
    const store = fakeStore();
    const pages = new OverlappedPages(store.transaction, store.transaction);
    await pages.run(async (_q, footprint) => {
      footprint.touch(['m1']);
      footprint.ready();
    }, () => undefined);
    expect(store.pending()).toBe(1);
    const second = pages.run(async (_q, footprint) => {
      footprint.touch(['m2']);
      footprint.ready();
    }, () => undefined);
    await tick();
    // The second page ran its work beside the first page's commit.
    expect(store.log).toEqual(['begin 1', 'begin 2']);
    await store.commitNext();
    await second;
    const finished = pages.finish();
    await store.commitNext();
    await finished;
    expect(store.log).toEqual(['begin 1', 'begin 2', 'commit 1', 'commit 2']);
  });

  it('rolls back a page that read what the page still committing wrote, and runs it again after that commit', async () => {
    const store = fakeStore();
    const pages = new OverlappedPages(store.transaction, store.transaction);
    await pages.run(async (_q, footprint) => {
      footprint.key('person', 'employeeId', 'e1');
      footprint.ready();
    }, () => undefined);
    let counted = 0;
    let runs = 0;
    const second = pages.run(
      async (_q, footprint) => {
        runs++;
        counted++;
        footprint.key('person', 'employeeId', 'e1');
        footprint.ready();
      },
      () => (counted = 0),
    );
    await tick();
    expect(store.log).toEqual(['begin 1', 'begin 2', 'rollback 2']);
    await store.commitNext();
    await second;
    expect(store.log).toEqual(['begin 1', 'begin 2', 'rollback 2', 'commit 1', 'begin 3']);
    expect(runs).toBe(2);
    expect(counted).toBe(1);
    const finished = pages.finish();
    await store.commitNext();
    await finished;
    expect(store.log.at(-1)).toBe('commit 3');
  });

  it('waits for the commit of a page that deletes mesh objects before the next begins', async () => {
    const store = fakeStore();
    const pages = new OverlappedPages(store.transaction, store.transaction);
    await pages.run(async (_q, footprint) => {
      footprint.wide = true;
      footprint.ready();
    }, () => undefined);
    const second = pages.run(async (_q, footprint) => footprint.ready(), () => undefined);
    await tick();
    expect(store.log).toEqual(['begin 1']);
    await store.commitNext();
    await second;
    expect(store.log).toEqual(['begin 1', 'commit 1', 'begin 2']);
    const finished = pages.finish();
    await store.commitNext();
    await finished;
  });

  it('a page that deletes mesh objects does not begin beside a page still committing', async () => {
    const store = fakeStore();
    const pages = new OverlappedPages(store.transaction, store.transaction);
    await pages.run(async (_q, footprint) => footprint.ready(), () => undefined);
    const second = pages.run(async (_q, footprint) => {
      footprint.wide = true;
      footprint.ready();
    }, () => undefined);
    await tick();
    expect(store.log).toEqual(['begin 1', 'begin 2', 'rollback 2']);
    await store.commitNext();
    await second;
    expect(store.log).toEqual(['begin 1', 'begin 2', 'rollback 2', 'commit 1', 'begin 3']);
    const finished = pages.finish();
    await store.commitNext();
    await finished;
  });

  it("fails with the page before's commit error, after the page beside it has settled", async () => {
    const log: string[] = [];
    let failFirst!: (error: Error) => void;
    let commitSecond!: () => void;
    let begun = 0;
    const transaction = async (work: (q: Queryable) => Promise<void>): Promise<void> => {
      const id = ++begun;
      await work({} as Queryable);
      if (id === 1) await new Promise<void>((_resolve, reject) => (failFirst = reject));
      else await new Promise<void>((resolve) => (commitSecond = resolve));
      log.push(`commit ${id}`);
    };
    const pages = new OverlappedPages(transaction, transaction);
    await pages.run(async (_q, footprint) => footprint.ready(), () => undefined);
    const second = pages.run(async (_q, footprint) => footprint.ready(), () => undefined);
    const outcome = second.then(
      () => 'resolved',
      (error: Error) => error.message,
    );
    await tick();
    failFirst(new Error('serialization failure'));
    await tick();
    commitSecond();
    expect(await outcome).toBe('serialization failure');
    expect(log).toEqual(['commit 2']);
  });

  it('runs each page in turn where the store has no transactions beside each other', async () => {
    const store = fakeStore();
    const pages = new OverlappedPages(store.transaction, undefined);
    const first = pages.run(async (_q, footprint) => footprint.ready(), () => undefined);
    await tick();
    expect(store.log).toEqual(['begin 1']);
    await store.commitNext();
    await first;
    await pages.finish();
    expect(store.log).toEqual(['begin 1', 'commit 1']);
  });

  it('a footprint without a page before it is always ready; one with an overlap is not', () => {
    const before = new PageFootprint();
    before.touch(['a', 'b']);
    const apart = new PageFootprint(before);
    apart.touch(['c']);
    apart.key('person', 'email', 'a');
    expect(() => apart.ready()).not.toThrow();
    const overlapping = new PageFootprint(before);
    overlapping.touch(['b']);
    expect(() => overlapping.ready()).toThrow(PageRedo);
    const alone = new PageFootprint();
    alone.wide = true;
    expect(() => alone.ready()).not.toThrow();
  });
});
