/**
 * Import stage: every declared object type of every connector the run covers is read into its connector
 * space (a type left out of the connector is not imported, so a declared one is): those a rule reads or a
 * projection writes first, then the rest, so a rule added later needs no full re-import and status counts
 * what the connector holds. A projection target no rule reads, without change tracking, is read whole
 * per its connector's `driftCheck` on delta cycles. Connectors import concurrently (bounded); the record
 * lists their outcomes in connector order, as a serial run would.
 */
import type { ConnectorModel } from '../../config/model.js';
import { errorMessage } from '../../shared/errors.js';
import type { CycleContext } from '../context.js';
import { importKey, importObjectType, importStates, type ImportOutcome, type ImportState } from '../importer.js';
import { covers } from '../run-scope.js';
import type { CycleRun, CycleStage } from './stage.js';

/** Connectors whose imports run at once (their reading overlaps; their store writes take turns). */
export const IMPORT_CONCURRENCY = 4;

/** What one connector's imports did, merged into the cycle record in connector order. */
interface ConnectorImports {
  readonly outcomes: ImportOutcome[];
  failure?: { readonly objectType: string; readonly message: string };
}

export const importStage: CycleStage = {
  name: 'import',
  async run(run) {
    const { config, ctx, record } = run;
    const full = ctx.kind === 'full';
    const readByRules = new Set(config.flowRules.map((rule) => `${rule.source.connector}\u0000${rule.source.objectType}`));
    const targets = new Set(config.projections.map((p) => `${p.target.connector}\u0000${p.target.objectType}`));
    const driftReadsSkipped: { connector: string; objectType: string }[] = [];
    const states = await importStates(ctx.q);
    const stateOf = (connector: string, type: string): ImportState => states.get(importKey(connector, type)) ?? { watermark: null, wholeRead: null, changeToken: null };
    // One connector's types in order, one at a time (a failure stops its further types); different
    // connectors at once, up to the bound. Each import holds the store's writer for its type while its
    // source reads on (importer.ts), and the others read ahead meanwhile.
    const importConnector = async (connector: string, types: ReadonlySet<string>): Promise<ConnectorImports> => {
      const done: ConnectorImports = { outcomes: [] };
      for (const type of types) {
        try {
          const key = `${connector}\u0000${type}`;
          if (!full && targets.has(key) && !readByRules.has(key) && !(await driftReadDue(ctx, connectorModel(run, connector), type, stateOf(connector, type)))) {
            driftReadsSkipped.push({ connector, objectType: type });
            continue;
          }
          const outcome = await importObjectType(ctx, connector, type, full, stateOf(connector, type));
          done.outcomes.push(outcome);
        } catch (error) {
          done.failure = { objectType: type, message: errorMessage(error) };
          ctx.log.error({ event: 'import-failed', connector, objectType: type, error: errorMessage(error) }, 'import failed');
          break;
        }
      }
      return done;
    };
    const connectors = [...importedTypes(run)];
    const results = await inTurns(connectors, run.importConcurrency, ([connector, types]) => importConnector(connector, types));
    connectors.forEach(([connector], i) => {
      const { outcomes, failure } = results[i]!;
      for (const outcome of outcomes) {
        record.imports.push(outcome);
        if (outcome.guard) {
          record.gates.push(outcome.guard);
          run.failed.add(connector);
        }
      }
      if (failure) {
        record.failures.push({ connector, stage: 'import', message: failure.message });
        run.failed.add(connector);
      }
    });
    if (driftReadsSkipped.length > 0) ctx.log.debug({ event: 'drift-read-skipped', objectTypes: driftReadsSkipped }, 'targets without change tracking not read whole this cycle (driftCheck)');
  },
};

/** `work` for every item, at most `limit` at once; the results in the items' order. */
async function inTurns<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

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
async function driftReadDue(ctx: CycleContext, model: ConnectorModel, objectType: string, state: ImportState): Promise<boolean> {
  if ((await ctx.capabilities(model.name, objectType)).delta) return true;
  const policy = model.driftCheck ?? { kind: 'full-only' };
  if (policy.kind === 'every-cycle') return true;
  const last = state.wholeRead;
  if (last === null) return true;
  if (policy.kind === 'full-only') return false;
  return Date.now() - last.getTime() >= policy.ms;
}
