/**
 * Stops exports between batches. The engine asks `mayExport` before each projection's exports; this
 * wrapper asks again before every export batch (the exporter sends up to 500 changes per call), so a
 * replica that loses the leader lock or receives SIGTERM lets the batch in flight finish and sends no
 * further one. The refused batch is recorded by the exporter as a retryable failure, and the next
 * cycle (on whichever replica leads) plans and exports it again: nothing is lost or sent twice.
 */
import type { ConnectorOpener } from '../engine/context.js';
import { ImeshError } from '../shared/errors.js';

export function guardExports(open: ConnectorOpener, mayExport: () => boolean): ConnectorOpener {
  return async (model) => {
    const connector = await open(model);
    return {
      capabilities: (type) => connector.capabilities(type),
      check: () => connector.check(),
      fullImport: (type) => connector.fullImport(type),
      deltaImport: (type, watermark) => connector.deltaImport(type, watermark),
      async export(type, changes) {
        if (!mayExport()) {
          throw new ImeshError('ExportPaused', `${model.name}: not exported: this replica is shutting down or lost the leader lock; the next cycle exports it`, { retryable: true });
        }
        return connector.export(type, changes);
      },
      close: () => connector.close(),
    };
  };
}
