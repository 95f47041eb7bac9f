/**
 * Keeps a target's `unique_value` rows caught up with its connector space: the objects changed since an
 * attribute was last indexed (deleted ones included) are read page by page and their values replaced.
 * A run pays for the target objects changed since the previous run; the first run with a unique
 * invariant on an attribute indexes the whole target once.
 */
import type { Queryable } from '../../store/db.js';
import { changedPage } from '../tables/connector-space-objects.js';
import { indexedSeq, replaceValues, setIndexedSeq } from '../tables/unique-values.js';
import { sourceValue } from '../values.js';
import { uniqueKeys } from './invariant-check.js';

const PAGE = 2_000;

/**
 * Indexes the attributes' values of every object changed after each one's last catch-up. `settled`: the
 * highest change number no later write can carry (the cycle's own writes get its number or a later one),
 * recorded so those writes are read again by the next catch-up.
 */
export async function catchUpUniqueValues(q: Queryable, connector: string, objectType: string, attributes: readonly string[], settled: number): Promise<void> {
  const since = new Map<number, string[]>();
  for (const attribute of new Set(attributes)) {
    const seq = (await indexedSeq(q, connector, objectType, attribute)) ?? -1;
    since.set(seq, [...(since.get(seq) ?? []), attribute]);
  }
  for (const [seq, group] of since) {
    for (let after = ''; ; ) {
      const page = await changedPage(q, connector, objectType, seq, after, PAGE);
      if (page.length === 0) break;
      const ids = page.map((o) => o.externalId);
      for (const attribute of group) {
        const values = page.filter((o) => !o.deleted).flatMap((o) => uniqueKeys(sourceValue(o.attributes, attribute)).map((key) => ({ externalId: o.externalId, key })));
        await replaceValues(q, connector, objectType, attribute, ids, values);
      }
      after = ids[ids.length - 1]!;
      if (page.length < PAGE) break;
    }
    for (const attribute of group) if (settled > seq) await setIndexedSeq(q, connector, objectType, attribute, settled);
  }
}
