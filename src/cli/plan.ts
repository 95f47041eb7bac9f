import { runCycle } from '../engine/cycle.js';
import { runScope } from '../engine/run-scope.js';
import { conflictEntries, planReport } from '../engine/report-data.js';
import { renderPlanJson, renderPlanMarkdown, renderPlanText } from '../reports/index.js';
import { failureLine } from '../reports/plan-summary.js';
import { logger } from '../shared/logger.js';
import type { Db, Queryable } from '../store/db.js';
import type { CompiledConfig } from '../config/model.js';
import type { CycleResult } from '../engine/cycle.js';
import { dataRootHelp, dataRootOption, dataRootsFrom } from './data-roots.js';
import { destinationGuard, guardedOpener } from './destination-guard.js';
import { clearLine } from '../shared/terminal-line.js';
import { progressReporter } from './progress.js';
import { colorFor } from './terminal.js';
import { connectorOpener, inboxFor, loadValidConfig, openStoreFrom, parseCount, revisionOf } from './runtime.js';
import { parseVerbArgs, UsageError, type Verb } from './verb.js';
import { anyObject } from '../engine/tables/connector-space-objects.js';
import { anyCycle } from '../engine/tables/cycles.js';

export interface PlanOptions {
  readonly configDir: string;
  readonly store?: string;
  readonly format: 'text' | 'markdown' | 'json';
  readonly detailedExitCode: boolean;
  readonly allowDeletes?: number;
  readonly allowClears?: number;
  readonly allowLimits?: number;
  readonly dataRoots?: readonly string[];
  /** Bind this config's secret destinations instead of skipping the unbound ones (trusted contexts only). */
  readonly trustDestinations?: boolean;
  /** `--connector`: preview a scoped run of these connectors; none: the whole mesh. */
  readonly connectors?: readonly string[];
}

/** Full import and sync inside a transaction that is rolled back; prints the exports it would make. */
export async function runPlan(options: PlanOptions): Promise<number> {
  const { config } = await loadValidConfig(options.configDir);
  const scope = options.connectors && options.connectors.length > 0 ? runScope(config, options.connectors) : undefined;
  const log = logger();
  const db = await openStoreFrom(options.store);
  try {
    const revision = await revisionOf(config);
    const emptyStore = await storeIsEmpty(db);
    const guard = await destinationGuard(db, config, { trust: options.trustDestinations === true, revision: revision.revision });
    const skipped = guard.skipped;
    for (const [connector, reason] of skipped) process.stderr.write(`NOT CONTACTED: ${connector}: ${reason}\n`);
    const before = await conflictEntries(db);
    let after = before;
    const inbox = await inboxFor(db, config);
    const cycle = (allowDeletes: number | undefined, beforeRollback?: (tx: Queryable) => Promise<void>) =>
      runCycle(db, config, {
        kind: 'full',
        mode: 'plan',
        revision: revision.revision,
        allowDeletes,
        allowClears: options.allowClears,
        allowLimits: options.allowLimits,
        openConnector: guardedOpener(connectorOpener(config, log, inbox, options.dataRoots), guard),
        skipped,
        ...(scope ? { scope } : {}),
        log,
        progress: progressReporter(log),
        ...(beforeRollback ? { beforeRollback } : {}),
      });
    const outcome = await cycle(options.allowDeletes, async (tx) => {
      after = await conflictEntries(tx);
    });
    // A tripped import guard holds the whole import back, so the plan above lacks what it would cause.
    // A second preview lets those imports through to list the changes a reconcile holds back.
    const guards = outcome.gates.filter((g) => g.gate === 'importGuard');
    const approved = guards.length > 0 ? await cycle(Math.max(...guards.map((g) => g.count), options.allowDeletes ?? 0)) : undefined;
    const warning = emptyStore ? emptyStoreWarning(db.location, config, outcome) : undefined;
    const report = { ...planReport(revision.revision, outcome, after, before, approved), ...(warning ? { warnings: [warning] } : {}) };
    if (warning) process.stderr.write(`WARNING: ${warning}\n`);
    const render = { text: (r: typeof report) => renderPlanText(r, { color: colorFor(process.stdout) }), markdown: renderPlanMarkdown, json: renderPlanJson }[options.format];
    clearLine();
    process.stdout.write(render(report));
    for (const gate of outcome.gates) process.stderr.write(`BLOCKED: ${gate.message ?? `${gate.connector}: ${gate.gate}`}\n`);
    for (const failure of report.failures ?? []) process.stderr.write(`FAILED: ${failureLine(failure)}\n`);
    for (const v of outcome.policyViolations.filter((p) => p.status === 'new' && p.kind === 'invariant')) process.stderr.write(`HELD BACK: policy ${v.policy}: ${v.message}\n`);
    if (outcome.result === 'blocked') return 3;
    if (outcome.failures.length > 0) return 1;
    const pending = outcome.plans.some((p) => p.changes.size > 0);
    return options.detailedExitCode && pending ? 2 : 0;
  } finally {
    await db.close();
  }
}

/** Nothing was ever imported into this store or applied from it. */
async function storeIsEmpty(db: Db): Promise<boolean> {
  if (await anyObject(db)) return false;
  return !(await anyCycle(db));
}

/**
 * An empty store facing targets that already hold objects: most often the wrong store (a missing
 * secret, another working directory), and the plan then proposes to create or adopt everything.
 */
function emptyStoreWarning(location: string, config: CompiledConfig, outcome: CycleResult): string | undefined {
  const targets = new Set(config.projections.map((p) => `${p.target.connector}/${p.target.objectType}`));
  const held = outcome.imports.filter((i) => targets.has(`${i.connector}/${i.objectType}`) && i.read > 0);
  if (held.length === 0) return undefined;
  const list = held.map((i) => `${i.connector}/${i.objectType}: ${i.read}`).join(', ');
  return `the store (${location}) is empty, but the targets already hold objects (${list}). This plan treats them as never synced. If a store with state exists for them, point --store or IMESH_STORE_URL at it before reconciling.`;
}

export const plan: Verb = {
  help: `Usage: imesh plan [--config DIR] [--connector NAME]... [--format text|markdown|json] [--detailed-exitcode] [--allow-deletes N] [--allow-clears N] [--allow-limits N] [--store URL] [--data-root DIR] [--trust-destinations]

Reads every source and target in full (read-only credentials suffice), syncs inside a transaction that
is rolled back, and prints what a reconcile would change: per projection, the creates, updates, moves,
enables, disables and deletes, the conflicts (new or existing), and any safety gate that would trip.
Nothing is written to a target and the store is left as it was. Edits in the working tree are previewed
before commit.

A connector that cannot be read is named first (exit 1): the plan is then incomplete. A safety gate
that would trip is named first too (exit 3), with the changes a reconcile would hold back: those to a
blocked target are marked, and when an import guard trips, a second preview lets the guarded imports
through and lists what they would cause under "Held back".

  --config DIR            config directory (default .)
  --connector NAME        preview a scoped run of this connector (repeatable): a source's import, its
                          rules, and the projections to every target of the objects it changes; a
                          target's import and its projections. Other connectors are not contacted
  --format F              text (default), markdown (for a pull-request comment) or json
  --detailed-exitcode     exit 2 when exports are pending
  --allow-deletes N       evaluate the safety gates as reconcile --allow-deletes N would
  --allow-clears N        evaluate the attribute-clear gate as reconcile --allow-clears N would
  --allow-limits N        evaluate the Policy limits as reconcile --allow-limits N would
  --store URL             postgres://… (or IMESH_STORE_URL); default the embedded store in .imesh/state
${dataRootHelp}
  --trust-destinations    bind the secrets to this config's destinations (a trusted context only:
                          never in a job a pull request can start)

A connector whose secret would go to a destination no trusted run (reconcile, the controller) has bound
it to gets no secret and is not contacted: the plan lists it under "Not contacted" (JSON: skipped), does
not read its objects and plans nothing for it; the exit code is what it otherwise would be.

Exit codes: 0 no error, 1 error, 2 changes pending (with --detailed-exitcode), 3 a safety gate would trip
or a Policy would be violated (a limit passed, or objects that would break an invariant, which a reconcile
holds back; violations the targets already have are listed and never exit 3).`,
  async run(args) {
    const { values } = parseVerbArgs(args, {
      config: { type: 'string' },
      format: { type: 'string' },
      'detailed-exitcode': { type: 'boolean' },
      'allow-deletes': { type: 'string' },
      'allow-clears': { type: 'string' },
      'allow-limits': { type: 'string' },
      store: { type: 'string' },
      'trust-destinations': { type: 'boolean' },
      connector: { type: 'string', multiple: true },
      ...dataRootOption,
    });
    const format = values.format ?? 'text';
    if (format !== 'text' && format !== 'markdown' && format !== 'json') throw new UsageError(`--format must be text, markdown or json, not "${format}"`);
    return runPlan({
      configDir: values.config ?? '.',
      store: values.store,
      format,
      detailedExitCode: values['detailed-exitcode'] === true,
      allowDeletes: parseCount(values['allow-deletes'], '--allow-deletes'),
      allowClears: parseCount(values['allow-clears'], '--allow-clears'),
      allowLimits: parseCount(values['allow-limits'], '--allow-limits'),
      dataRoots: dataRootsFrom(values['data-root']),
      trustDestinations: values['trust-destinations'] === true,
      connectors: values.connector,
    });
  },
};
