/** Reading a connector's batches in tests: every batch, and the objects by external id. */
import type { ImportBatch, StagedObject } from '../connectors/sdk.js';

export async function collect(iterable: AsyncIterable<ImportBatch>): Promise<ImportBatch[]> {
  const batches: ImportBatch[] = [];
  for await (const batch of iterable) batches.push(batch);
  return batches;
}

export function objectsOf(batches: readonly ImportBatch[]): Map<string, StagedObject> {
  return new Map(batches.flatMap((b) => b.objects).map((o) => [o.externalId, o]));
}
