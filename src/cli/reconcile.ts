import { reconcileOnce } from '../controller/reconcile-once.js';
import { repoSource } from '../controller/repo-source.js';
import { GitReportPublisher } from '../controller/report-publisher.js';
import type { CycleResult } from '../engine/cycle.js';
import { runScope } from '../engine/run-scope.js';
import { logger } from '../shared/logger.js';
import { dataRootHelp, dataRootOption, dataRootsFrom } from './data-roots.js';
import { runPlan } from './plan.js';
import { failureLine } from '../reports/plan-summary.js';
import { clearLine } from '../shared/terminal-line.js';
import { progressReporter } from './progress.js';
import { connectorOpener, inboxFor, loadValidConfig, openStoreFrom, parseCount, publishReports, revisionOf } from './runtime.js';
import { configLocation, configLocationFlags } from './config-location.js';
import { parseDuration } from '../config/duration.js';
import { operatorClient, refuseLocalFlags, serverHelp, serverOption } from './server/operator-client.js';
import { jobSummary, remoteReconcile } from './server/remote-reconcile.js';
import { parseVerbArgs, UsageError, type Verb } from './verb.js';

const DEFAULT_SERVER_TIMEOUT = '1h';

/**
 * `imesh reconcile --server URL`: "sync now" on a running controller, waiting for the job's outcome.
 * With --connector, each connector's own scoped run, one after the other; the exit code is the worst
 * (blocked 3 before failed 1, as a local run's).
 */
async function reconcileOnServer(server: string, full: boolean, timeout: string, connectors: readonly string[], retryFailed: boolean): Promise<number> {
  const timeoutMs = parseDuration(timeout);
  if (timeoutMs === undefined || timeoutMs <= 0) throw new UsageError(`--timeout takes a duration such as 10m or 1h, not "${timeout}"`);
  const api = operatorClient(server, 'operator');
  const codes: number[] = [];
  for (const connector of connectors.length > 0 ? [...new Set(connectors)] : [undefined]) {
    const { job, exitCode, gates } = await remoteReconcile(api, { full, timeoutMs, ...(retryFailed ? { retryFailed: true } : {}), ...(connector !== undefined ? { connector } : {}), note: (line) => process.stderr.write(`${line}\n`) });
    for (const gate of gates) process.stderr.write(`BLOCKED: ${gate}\n`);
    if (job.status === 'blocked') {
      process.stderr.write(
        `To let it through once: approve what the gate holds back (the connector and N are named above) with POST ${api.display.replace(/\/+$/, '')}/api/v1/connectors/NAME/approvals {"allowDeletes": N, "reason": "…"} ("allowClears" for cleared attributes, "allowLimits" for a Policy's limits) or on the dashboard's connector page, then run again.\n`,
      );
    }
    for (const error of job.errors) process.stderr.write(`FAILED: ${error}\n`);
    process.stdout.write(`${jobSummary(job)}\n`);
    codes.push(exitCode);
  }
  return codes.includes(3) ? 3 : codes.includes(1) ? 1 : 0;
}

export function cycleSummary(outcome: CycleResult): string {
  const totals = { created: 0, updated: 0, moved: 0, enabled: 0, disabled: 0, deleted: 0, failed: 0, heldBack: 0, givenUp: 0 };
  for (const counts of outcome.exports.values()) for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += counts[key];
  for (const i of outcome.imports) totals.heldBack += i.heldBack ?? 0; // objects a source could not give as they are
  const imported = outcome.imports.reduce((n, i) => n + i.changed, 0);
  const parts = Object.entries(totals).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`);
  // A delta cycle over object types never read before reads them whole: say so. A connector without a
  // change log (csv) reads whole every cycle, which is not a first sync.
  const kind = outcome.kind === 'delta' && outcome.imports.length > 0 && outcome.imports.every((i) => i.mode === 'full' && i.first) ? 'first sync, full reads' : outcome.kind;
  const scope = outcome.scope ? `, connectors ${outcome.scope.join(', ')}` : '';
  return `cycle ${outcome.cycleId} (${kind}${scope}) ${outcome.result}: ${imported} imported change(s); ${parts.length > 0 ? parts.join(', ') : 'nothing to export'}`;
}

export const reconcile: Verb = {
  help: `Usage: imesh reconcile [--config DIR | --repo URL --branch B --path P] [--connector NAME]... [--full] [--dry-run [--trust-destinations]] [--allow-deletes N] [--allow-clears N] [--allow-limits N] [--retry-failed] [--store URL] [--data-root DIR]
       imesh reconcile --server URL [--connector NAME]... [--full] [--retry-failed] [--timeout 1h]

Runs one cycle against the config and exits: import (delta from watermarks, or --full, which also
sweeps deletions), sync into the mesh, plan, safety gates, export, confirming import, and reports
(committed to the reports branch when the config is in a Git work tree, else under .imesh/reports/).
A reconcile is trusted: it binds each {{secret:NAME}} to the destinations of the config it applies
(recorded in the store), which is what lets plan and check contact those connectors.

  --config DIR         config directory (default .)
  --repo URL           fetch the config from Git instead (HTTPS, SSH, file:// or a path) into
                       .imesh/checkout/, and push the reports branch back to it
  --branch B           with --repo: the branch (default main)
  --path P             with --repo: the config path inside the repository (default .)
  --connector NAME     a scoped run of this connector (repeatable): a source is imported, its rules
                       synced, and the objects they changed exported to every target; a target is
                       imported (drift) and its projections planned and exported. Other connectors
                       are not contacted; gates, conflicts and reports work as in a whole-mesh run
  --full               full import of every source and target (sweeps deletions); with --connector,
                       of those connectors
  --dry-run            the same as imesh plan: compute the exports, write nothing; like plan, it
                       does not contact a connector whose secret would go to an unbound destination
  --trust-destinations with --dry-run: bind this config's secret destinations (trusted contexts only)
  --allow-deletes N    let at most N deletes/disables per connector through the safety gates, this run only
  --allow-clears N     let at most N objects per attribute and connector lose that attribute (the
                       attribute-clear gate), this run only
  --allow-limits N     let at most N objects per Policy limit and connector through, this run only
  --retry-failed       send every failed export again in this run, also those given up after the Mesh's
                       exportRetry.maxAttempts cycles, and count their attempts afresh (with --connector:
                       those to its targets)
  --store URL          postgres://… (or IMESH_STORE_URL); default the embedded store in .imesh/state
${dataRootHelp}
${serverHelp} (an operator token): "sync now" — the controller runs
                its next cycle (delta, or full with --full) on its running revision, and this waits for
                that job and exits with its outcome; a request made while one waits joins it. With
                --connector, that connector's own scoped run (one job per connector, in turn); with
                --retry-failed, that job sends every failed export again (the request's "retryFailed")
  --timeout D   with --server: how long to wait for the job (default ${DEFAULT_SERVER_TIMEOUT}); the job goes on after it

Exit codes: 0 ok, 1 error (a connector or some exports failed; with --server also an interrupted job,
the controller unreachable or the token refused, or the wait timed out), 3 blocked by a safety gate or a
Policy (a limit passed, or objects held back for breaking an invariant; the rest is exported).`,
  async run(args) {
    const { values } = parseVerbArgs(args, {
      ...configLocationFlags,
      full: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      'allow-deletes': { type: 'string' },
      'allow-clears': { type: 'string' },
      'allow-limits': { type: 'string' },
      'retry-failed': { type: 'boolean' },
      store: { type: 'string' },
      'trust-destinations': { type: 'boolean' },
      ...dataRootOption,
      ...serverOption,
      timeout: { type: 'string' },
      connector: { type: 'string', multiple: true },
    });
    if (values.server !== undefined) {
      const server = values.server;
      for (const flag of ['allow-deletes', 'allow-clears', 'allow-limits'] as const) {
        if (values[flag] !== undefined) {
          // On a running controller a gate is approved per connector, bound to what it holds back, with a reason.
          const field = flag === 'allow-deletes' ? 'allowDeletes' : flag === 'allow-clears' ? 'allowClears' : 'allowLimits';
          throw new UsageError(
            `--${flag} does not go through the operator API as a flag: approve what a connector's gate holds back with POST ${server.replace(/\/+$/, '')}/api/v1/connectors/NAME/approvals {${field === 'allowDeletes' ? '' : '"allowDeletes": 0, '}"${field}": N, "reason": "…"} (or the dashboard's connector page), then sync; GET …/connectors/NAME/approvals lists the objects`,
          );
        }
      }
      refuseLocalFlags(values, ['config', 'repo', 'branch', 'path', 'dry-run', 'store', 'trust-destinations', 'data-root']);
      return reconcileOnServer(values.server, values.full === true, values.timeout ?? DEFAULT_SERVER_TIMEOUT, values.connector ?? [], values['retry-failed'] === true);
    }
    if (values.timeout !== undefined) throw new UsageError('--timeout goes with --server');
    const location = configLocation(values);
    if (location.kind === 'repo' && values['dry-run']) throw new UsageError('--dry-run reads a local directory: clone the repository and run imesh plan --config DIR');
    const configDir = location.kind === 'directory' ? location.dir : '.';
    const allowDeletes = parseCount(values['allow-deletes'], '--allow-deletes');
    const allowClears = parseCount(values['allow-clears'], '--allow-clears');
    const allowLimits = parseCount(values['allow-limits'], '--allow-limits');
    const dataRoots = dataRootsFrom(values['data-root']);
    if (values['trust-destinations'] && !values['dry-run']) throw new UsageError('--trust-destinations goes with --dry-run: a reconcile always binds the destinations of the revision it applies');
    if (values['dry-run'] && values['retry-failed']) throw new UsageError('--retry-failed goes with a reconcile, not --dry-run: a plan shows given-up exports as given up');
    if (values['dry-run']) {
      return runPlan({ configDir, store: values.store, format: 'text', detailedExitCode: false, allowDeletes, allowClears, allowLimits, dataRoots, trustDestinations: values['trust-destinations'] === true, connectors: values.connector });
    }
    const log = logger();
    // --repo: fetch the branch into .imesh/checkout/, reconcile that commit, push the reports branch.
    const git = location.kind === 'repo' ? repoSource({ url: location.url, branch: location.branch, path: location.path }) : undefined;
    let checkout: { configPath: string; revision: string } | undefined;
    if (git) {
      await git.open();
      checkout = await git.checkout(await git.fetch());
    }
    const { config, files } = await loadValidConfig(checkout?.configPath ?? configDir);
    const scope = values.connector && values.connector.length > 0 ? runScope(config, values.connector) : undefined;
    const db = await openStoreFrom(values.store);
    try {
      const revision = checkout ? { revision: checkout.revision, repoRoot: git!.mirrorDir } : await revisionOf(config);
      const publisher = git
        ? new GitReportPublisher({ git, log, commit: (reports, r, f, m) => publishReports(reports, { revision: r, repoRoot: git.mirrorDir }, f, m) })
        : undefined;
      const result = await reconcileOnce({
        db,
        config,
        files,
        revision: revision.revision,
        full: values.full === true,
        allowDeletes,
        allowClears,
        allowLimits,
        ...(values['retry-failed'] ? { retryFailed: true } : {}),
        ...(scope ? { scope } : {}),
        trigger: 'cli',
        openConnector: connectorOpener(config, log, await inboxFor(db, config), dataRoots),
        log,
        progress: progressReporter(log),
        publish: (reportFiles, message) => (publisher ? publisher.publish(config.mesh.reports, revision.revision, reportFiles, message) : publishReports(config.mesh.reports, revision, reportFiles, message)),
      });
      clearLine();
      for (const gate of result.outcome.gates) process.stderr.write(`BLOCKED: ${gate.message ?? `${gate.connector}: ${gate.gate}`}\n`);
      for (const v of result.outcome.policyViolations.filter((p) => p.status === 'new' && p.kind === 'invariant')) process.stderr.write(`HELD BACK: policy ${v.policy}: ${v.message}\n`);
      for (const failure of result.outcome.failures) process.stderr.write(`FAILED: ${failureLine(failure)}\n`);
      process.stdout.write(`${cycleSummary(result.outcome)}\nconflicts: ${result.conflicts.conflicts.length}, drift: ${result.drift.drift.length}\nreports: ${result.published}\n`);
      return result.exitCode;
    } finally {
      await db.close();
    }
  },
};
