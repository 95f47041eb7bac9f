/**
 * Import batching shared by the HTTP connectors: API pages are small (Okta 200, SCIM 100) and some lists
 * are tiny (one group's members), while the engine works best on batches of about a thousand objects.
 */
import type { ImportBatch, StagedObject } from '../sdk.js';

export const IMPORT_BATCH = 1000;

/** Collects objects into ImportBatches of `size`; the watermark and `complete` go on the last batch. */
export class BatchBuffer {
  private objects: StagedObject[] = [];

  constructor(private readonly size: number = IMPORT_BATCH) {}

  /** Adds objects; returns a full batch when one is ready. */
  add(objects: Iterable<StagedObject>): ImportBatch[] {
    const ready: ImportBatch[] = [];
    for (const object of objects) {
      this.objects.push(object);
      if (this.objects.length >= this.size) {
        ready.push({ objects: this.objects });
        this.objects = [];
      }
    }
    return ready;
  }

  /** The last batch (possibly with no objects), carrying the watermark and completeness. */
  finish(last: { watermark?: string; complete?: boolean }): ImportBatch {
    const batch: ImportBatch = { objects: this.objects, ...(last.watermark !== undefined ? { watermark: last.watermark } : {}), ...(last.complete ? { complete: true } : {}) };
    this.objects = [];
    return batch;
  }
}
