/**
 * Stops exports between batches. The engine asks `mayExport` before each projection's exports; this
 * wrapper asks again before every export batch (the exporter sends up to 2,000 changes per call) and
 * before an export session's commit, so a replica that loses the leader lock or receives SIGTERM lets
 * the batch in flight finish and sends no further one. The refused batch is recorded by the exporter as a retryable failure, and the next
 * cycle (on whichever replica leads) plans and exports it again: nothing is lost or sent twice.
 */
import type { ConnectorOpener } from '../engine/context.js';
import type { ExportSession } from '../connectors/sdk.js';
import { ImeshError } from '../shared/errors.js';

function paused(connector: string): ImeshError {
  return new ImeshError('ExportPaused', `${connector}: not exported: this replica is shutting down or lost the leader lock; the next cycle exports it`, { retryable: true });
}

export function guardExports(open: ConnectorOpener, mayExport: () => boolean): ConnectorOpener {
  return async (model) => {
    const connector = await open(model);
    return {
      capabilities: (type) => connector.capabilities(type),
      check: () => connector.check(),
      fullImport: (type) => connector.fullImport(type),
      deltaImport: (type, watermark) => connector.deltaImport(type, watermark),
      ...(connector.readObjects ? { readObjects: (type: string, ids: readonly string[]) => connector.readObjects!(type, ids) } : {}),
      async export(type, changes) {
        if (!mayExport()) throw paused(model.name);
        return connector.export(type, changes);
      },
      ...(connector.beginExport
        ? {
            beginExport(type: string) {
              const session = connector.beginExport!(type);
              return {
                add: (changes) => session.add(changes),
                commit() {
                  // The commit is where a session writes: asked here, as before every batch.
                  if (!mayExport()) {
                    session.abort();
                    return Promise.reject(paused(model.name));
                  }
                  return session.commit();
                },
                abort: () => session.abort(),
              } satisfies ExportSession;
            },
          }
        : {}),
      close: () => connector.close(),
    };
  };
}
