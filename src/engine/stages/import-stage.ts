/**
 * Import stage: every declared object type of every connector the run covers is read into its connector
 * space (a type left out of the connector is not imported, so a declared one is): those a rule reads or a
 * projection writes first, then the rest, so a rule added later needs no full re-import and status counts
 * what the connector holds. A projection target no rule reads, without change tracking, is read whole
 * per its connector's `driftCheck` on delta cycles.
 */
import type { ConnectorModel } from '../../config/model.js';
import { errorMessage } from '../../shared/errors.js';
import type { CycleContext } from '../context.js';
import { importObjectType } from '../importer.js';
import { lastWholeRead } from '../tables/whole-reads.js';
import { covers } from '../run-scope.js';
import type { CycleRun, CycleStage } from './stage.js';

export const importStage: CycleStage = {
  name: 'import',
  async run(run) {
    const { config, ctx, record } = run;
    const full = ctx.kind === 'full';
    const readByRules = new Set(config.flowRules.map((rule) => `${rule.source.connector}\u0000${rule.source.objectType}`));
    const targets = new Set(config.projections.map((p) => `${p.target.connector}\u0000${p.target.objectType}`));
    const driftReadsSkipped: { connector: string; objectType: string }[] = [];
    for (const [connector, types] of importedTypes(run)) {
      for (const type of types) {
        try {
          const key = `${connector}\u0000${type}`;
          if (!full && targets.has(key) && !readByRules.has(key) && !(await driftReadDue(ctx, connectorModel(run, connector), type))) {
            driftReadsSkipped.push({ connector, objectType: type });
            continue;
          }
          const outcome = await importObjectType(ctx, connector, type, full);
          record.imports.push(outcome);
          if (outcome.guard) {
            record.gates.push(outcome.guard);
            run.failed.add(connector);
          }
        } catch (error) {
          record.failures.push({ connector, stage: 'import', message: errorMessage(error) });
          run.failed.add(connector);
          ctx.log.error({ event: 'import-failed', connector, objectType: type, error: errorMessage(error) }, 'import failed');
          break;
        }
      }
    }
    if (driftReadsSkipped.length > 0) ctx.log.debug({ event: 'drift-read-skipped', objectTypes: driftReadsSkipped }, 'targets without change tracking not read whole this cycle (driftCheck)');
  },
};

/** The object types to import, per connector the run covers and contacts, in import order. */
function importedTypes(run: CycleRun): Map<string, Set<string>> {
  const { config } = run;
  const wanted = new Map<string, Set<string>>();
  const want = (connector: string, type: string) => wanted.set(connector, (wanted.get(connector) ?? new Set()).add(type));
  for (const rule of config.flowRules) want(rule.source.connector, rule.source.objectType);
  for (const projection of config.projections) want(projection.target.connector, projection.target.objectType);
  for (const [name, model] of config.connectors) for (const type of model.objectTypes) want(name, type);
  for (const connector of wanted.keys()) if (run.skipped.has(connector) || !covers(run.scope, connector)) wanted.delete(connector);
  return wanted;
}

function connectorModel(run: CycleRun, name: string): ConnectorModel {
  const model = run.config.connectors.get(name);
  if (!model) throw new Error(`connector "${name}" is not defined`);
  return model;
}

/**
 * Whether a delta cycle reads a target type whole for drift (only asked for types no rule reads). A type
 * with change tracking always is: its delta read costs what changed. One without follows its
 * connector's `driftCheck`; a type never read whole is read, so existing objects are adopted first.
 */
async function driftReadDue(ctx: CycleContext, model: ConnectorModel, objectType: string): Promise<boolean> {
  if ((await ctx.capabilities(model.name, objectType)).delta) return true;
  const policy = model.driftCheck ?? { kind: 'full-only' };
  if (policy.kind === 'every-cycle') return true;
  const last = await lastWholeRead(ctx.q, model.name, objectType);
  if (last === null) return true;
  if (policy.kind === 'full-only') return false;
  return Date.now() - last.getTime() >= policy.ms;
}
