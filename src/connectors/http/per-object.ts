/**
 * Exports of HTTP connectors: changes to one object run in order (create before update, update before
 * disable), different objects at once within a budget, and the results come back in the order given.
 */
import type { ExportChange, ExportResult } from '../sdk.js';
import { mapConcurrent } from './semaphore.js';

export async function exportPerObject(changes: readonly ExportChange[], concurrency: number, apply: (change: ExportChange) => Promise<ExportResult>): Promise<ExportResult[]> {
  const byObject = new Map<string, ExportChange[]>();
  for (const change of changes) {
    // A create has no external id yet: each is its own object.
    const key = change.op === 'create' ? `create:${change.id}` : change.externalId;
    const list = byObject.get(key);
    if (list) list.push(change);
    else byObject.set(key, [change]);
  }
  const results = new Map<string, ExportResult>();
  for await (const chunk of mapConcurrent(byObject.values(), concurrency, async (list) => {
    const out: ExportResult[] = [];
    for (const change of list) out.push(await apply(change));
    return out;
  })) {
    for (const result of chunk) results.set(result.id, result);
  }
  return changes.map((change) => results.get(change.id)!);
}
