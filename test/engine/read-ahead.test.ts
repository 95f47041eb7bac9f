import { describe, expect, it } from 'vitest';
import { readAhead } from '../../src/engine/read-ahead.js';

/** A source of pages 1..n that notes each page it produced and whether it was closed. */
function pages(n: number, failAt?: number) {
  const produced: number[] = [];
  let closed = false;
  async function* source(): AsyncGenerator<number> {
    try {
      for (let page = 1; page <= n; page++) {
        if (page === failAt) throw new Error(`page ${page} could not be read`);
        produced.push(page);
        yield page;
      }
    } finally {
      closed = true;
    }
  }
  return { source: source(), produced, closed: () => closed };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('reading ahead', () => {
  it('reads before it is asked, up to the bound, and hands out every page in order', async () => {
    const { source, produced } = pages(10);
    const ahead = readAhead(source, () => 1, 3);
    await settle();
    expect(produced).toEqual([1, 2, 3]); // nobody asked yet: three read ahead, then it waits
    const seen: number[] = [];
    for await (const page of ahead) seen.push(page);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('hands out what it read before a failure, then the failure', async () => {
    const { source } = pages(5, 3);
    const ahead = readAhead(source, () => 1, 10);
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const page of ahead) seen.push(page);
      })(),
    ).rejects.toThrow('page 3 could not be read');
    expect(seen).toEqual([1, 2]);
  });

  it('closes its source when the consumer stops early or never starts', async () => {
    const early = pages(10);
    const ahead = readAhead(early.source, () => 1, 2);
    for await (const page of ahead) if (page === 2) break;
    expect(early.closed()).toBe(true);

    const never = pages(10);
    await readAhead(never.source, () => 1, 2).return();
    expect(never.closed()).toBe(true);
    expect(never.produced.length).toBeLessThanOrEqual(3);
  });
});
