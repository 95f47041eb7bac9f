/**
 * Reads a source ahead of its consumer, up to a bound. An import holds the store's single writer for
 * the whole of its object type (the watermark commits with the data it covers), so imports of different
 * connectors write one at a time; reading ahead lets a connector waiting for the writer read on
 * meanwhile (an API-rate-bound source overlaps a directory's import) without holding more than `limit`
 * items' worth of pages.
 */
export interface ReadAhead<T> extends AsyncIterableIterator<T> {
  /** Stops reading and closes the source; call it when the items will not all be consumed. */
  return(): Promise<IteratorResult<T, undefined>>;
}

export function readAhead<T>(source: AsyncIterable<T>, size: (item: T) => number, limit: number): ReadAhead<T> {
  const iterator = source[Symbol.asyncIterator]();
  const buffer: T[] = [];
  let buffered = 0;
  let finished = false;
  let stopped = false;
  let failure: { readonly error: unknown } | undefined;
  let wakeConsumer: (() => void) | undefined;
  let wakeProducer: (() => void) | undefined;
  const wake = (which: 'consumer' | 'producer') => {
    const resolve = which === 'consumer' ? wakeConsumer : wakeProducer;
    if (which === 'consumer') wakeConsumer = undefined;
    else wakeProducer = undefined;
    resolve?.();
  };

  const pump = (async () => {
    try {
      while (!stopped) {
        // Always let one item through, however large, so a source with big pages still moves.
        while (buffer.length > 0 && buffered >= limit && !stopped) await new Promise<void>((resolve) => (wakeProducer = resolve));
        if (stopped) break;
        const next = await iterator.next();
        if (next.done) break;
        buffer.push(next.value);
        buffered += size(next.value);
        wake('consumer');
      }
    } catch (error) {
      failure = { error };
    } finally {
      finished = true;
      wake('consumer');
    }
  })();

  const ahead: ReadAhead<T> = {
    [Symbol.asyncIterator]() {
      return ahead;
    },
    async next() {
      while (buffer.length === 0 && !finished) await new Promise<void>((resolve) => (wakeConsumer = resolve));
      if (buffer.length > 0) {
        const value = buffer.shift()!;
        buffered -= size(value);
        wake('producer');
        return { value, done: false };
      }
      // A read error surfaces where the consumer would have met it: after the items read before it.
      if (failure) throw failure.error;
      return { value: undefined, done: true };
    },
    async return() {
      stopped = true;
      wake('producer');
      await pump;
      await iterator.return?.();
      buffer.length = 0;
      return { value: undefined, done: true };
    },
  };
  return ahead;
}
