import { getMeta } from '../engine/applied-config.js';
import { statusReport } from '../engine/report-data.js';
import { renderStatusJson, renderStatusText } from '../reports/index.js';
import type { StatusReport } from '../reports/types.js';
import { openStoreFrom } from './runtime.js';
import { configForReading } from './stored-config.js';
import { outputFormat, parseVerbArgs, type Verb } from './verb.js';

export const status: Verb = {
  help: `Usage: imesh status [--format text|json] [--config DIR] [--store URL]

Prints the state of the last reconcile from the store: revision applied, conditions, each connector's
health, counts, watermarks and last import/export, recent cycles and exports waiting for a retry.
The JSON form is the status.json report.

Exit code: 0.`,
  async run(args) {
    const { values } = parseVerbArgs(args, { format: { type: 'string' }, config: { type: 'string' }, store: { type: 'string' } });
    const format = outputFormat(values.format);
    const db = await openStoreFrom(values.store);
    try {
      let report = await getMeta<StatusReport>(db, 'last_status');
      if (!report || values.config !== undefined) {
        const config = await configForReading(db, values.config);
        const applied = await getMeta<{ revision: string }>(db, 'applied_config');
        const fresh = await statusReport(db, { config, revision: applied?.revision ?? null, lastAppliedRevision: applied?.revision ?? null, lastAttemptedRevision: (await getMeta<string>(db, 'last_attempted_revision')) ?? null, now: new Date().toISOString() });
        report = report ? { ...fresh, conditions: report.conditions, connectors: fresh.connectors.map((c) => report!.connectors.find((o) => o.name === c.name) ? { ...c, health: report!.connectors.find((o) => o.name === c.name)!.health, conditions: report!.connectors.find((o) => o.name === c.name)!.conditions } : c) } : fresh;
      }
      process.stdout.write(format === 'json' ? renderStatusJson(report) : renderStatusText(report));
      return 0;
    } finally {
      await db.close();
    }
  },
};
