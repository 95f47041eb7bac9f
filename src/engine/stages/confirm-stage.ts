/**
 * Confirming import (reconcile only): the observed state now shows what the wave's exports wrote — read
 * back by key where the connector can (`readObjects`), otherwise by the type's usual import.
 */
import { errorMessage } from '../../shared/errors.js';
import { confirmObjects, importObjectType } from '../importer.js';
import type { WaveStage } from './stage.js';

export const confirmStage: WaveStage = {
  name: 'confirm',
  async run(run, wave) {
    const { ctx, record, confirmCtx } = run;
    for (const [connector, types] of wave.exportedTo) {
      for (const [type, ids] of types) {
        try {
          const byKey = (await ctx.connector(connector)).readObjects !== undefined;
          const outcome = await (byKey ? confirmObjects(confirmCtx, connector, type, [...ids]) : importObjectType(confirmCtx, connector, type, false));
          if (outcome.guard) record.gates.push(outcome.guard);
        } catch (error) {
          record.failures.push({ connector, stage: 'import', message: `confirming import: ${errorMessage(error)}` });
        }
      }
    }
  },
};
