import { getMeta, loadAppliedConfig } from '../engine/applied-config.js';
import { statusReport } from '../engine/report-data.js';
import { renderStatusJson, renderStatusText } from '../reports/index.js';
import type { StatusReport } from '../reports/types.js';
import type { Db } from '../store/db.js';
import { openStoreFrom } from './runtime.js';
import { operatorClient, refuseLocalFlags, serverHelp, serverOption } from './server/operator-client.js';
import { remoteStatus } from './server/remote-status.js';
import { configForReading } from './stored-config.js';
import { colorFor } from './terminal.js';
import { outputFormat, parseVerbArgs, type Verb } from './verb.js';
import { describeStore } from '../store/db.js';

/** The status a store holds that nothing was applied from yet (`--config` not given). */
function nothingApplied(lastAttemptedRevision: string | null, store: string): StatusReport {
  return {
    generatedAt: new Date().toISOString(),
    mesh: '',
    revision: null,
    lastAppliedRevision: null,
    lastAttemptedRevision,
    conditions: [{ type: 'Ready', status: 'False', reason: 'NothingApplied', message: `nothing applied yet from ${store}: run imesh reconcile (or imesh run)` }],
    connectors: [],
    lastCycle: null,
    cycles: [],
    pendingExports: 0,
    meshObjects: {},
  };
}

async function readStatus(db: Db, configDir: string | undefined): Promise<StatusReport> {
  const stored = await getMeta<StatusReport>(db, 'last_status');
  if (stored && configDir === undefined) return stored;
  const lastAttempted = (await getMeta<string>(db, 'last_attempted_revision')) ?? null;
  if (configDir === undefined && !(await loadAppliedConfig(db))) return nothingApplied(lastAttempted, db.location);
  const config = await configForReading(db, configDir);
  const applied = await getMeta<{ revision: string }>(db, 'applied_config');
  const fresh = await statusReport(db, { config, revision: applied?.revision ?? null, lastAppliedRevision: applied?.revision ?? null, lastAttemptedRevision: lastAttempted, now: new Date().toISOString() });
  if (!stored) return fresh;
  // Names from the newer config; health and conditions as the last cycle recorded them.
  const previous = new Map(stored.connectors.map((c) => [c.name, c]));
  return {
    ...fresh,
    conditions: stored.conditions,
    connectors: fresh.connectors.map((c) => {
      const before = previous.get(c.name);
      if (!before) return c;
      const { healthReason, healthMessage, healthLastTransitionTime } = before;
      return { ...c, health: before.health, ...(healthReason !== undefined ? { healthReason, healthMessage, healthLastTransitionTime } : {}), conditions: before.conditions };
    }),
  };
}

/** `imesh status --server URL`: the same report from a running controller's operator API. */
async function printRemoteStatus(server: string, format: 'text' | 'json'): Promise<number> {
  const api = operatorClient(server, 'viewer');
  const { report, role, queuedJob } = await remoteStatus(api);
  if (format === 'json') {
    // More fields are welcome in status JSON: the replica's role and the sync job waiting, if any.
    const json: StatusReport & { readonly role: string; readonly queuedJob: unknown } = { ...report, server: api.display, role, queuedJob };
    process.stdout.write(renderStatusJson(json));
    return 0;
  }
  const waiting = queuedJob ? `Sync job ${queuedJob.id} (${queuedJob.kind}) is waiting for its cycle\n` : '';
  const body = report.lastAppliedRevision === null && report.connectors.length === 0 ? 'Nothing applied yet: the controller has no valid revision running (see its ConfigInvalid problems above, or its log).\n' : renderStatusText(report, { color: colorFor(process.stdout) });
  const problems = report.conditions.filter((c) => c.type === 'ConfigInvalid' && c.status === 'True').map((c) => `ConfigInvalid: ${c.message}\n`).join('');
  process.stdout.write(`Controller ${api.display} (${role})\n${report.lastAppliedRevision === null ? problems : ''}${waiting}${body}`);
  return 0;
}

export const status: Verb = {
  help: `Usage: imesh status [--format text|json] [--config DIR] [--store URL] [--server URL]

Prints the state of the last reconcile from the store: revision applied, conditions, each connector's
health, counts, watermarks and last import/export, recent cycles and exports waiting for a retry.
The JSON form is the status.json report, with "store" naming the store read. It reads an existing
store only: it never creates one (a directory without .imesh/state is an error, not a new store).

  --format F    text (default) or json
  --config DIR  resolve names against this config instead of the last applied revision
  --store URL   postgres://… (or IMESH_STORE_URL); default the embedded store in .imesh/state
${serverHelp} (a viewer token)

Exit codes: 0 the store (or the controller) was read and its status printed (also when nothing was
applied yet), 1 the store cannot be read (missing, unreachable, or an older PGlite store locked by a
running imesh run: use --server), or the controller cannot be asked (unreachable, TLS, token refused).`,
  async run(args) {
    const { values } = parseVerbArgs(args, { format: { type: 'string' }, config: { type: 'string' }, store: { type: 'string' }, ...serverOption });
    const format = outputFormat(values.format);
    if (values.server !== undefined) {
      refuseLocalFlags(values, ['config', 'store']);
      return printRemoteStatus(values.server, format);
    }
    const db = await openStoreFrom(values.store, { mustExist: true });
    try {
      const report = await readStatus(db, values.config);
      if (format === 'json') process.stdout.write(renderStatusJson({ ...report, store: db.location }));
      else if (report.lastAppliedRevision === null && report.connectors.length === 0) {
        const attempted = report.lastAttemptedRevision ? ` (last attempted revision ${report.lastAttemptedRevision} was not applied)` : '';
        process.stdout.write(`Store ${describeStore(db)}\nNothing applied yet${attempted}: run imesh reconcile, or imesh run, to apply a revision.\n`);
      } else process.stdout.write(`Store ${describeStore(db)}\n${renderStatusText(report, { color: colorFor(process.stdout) })}`);
      return 0;
    } finally {
      await db.close();
    }
  },
};
