import type { CheckResult } from '../connectors/sdk.js';
import { errorMessage, ImeshError } from '../shared/errors.js';
import { logger } from '../shared/logger.js';
import { dataRootHelp, dataRootOption, dataRootsFrom } from './data-roots.js';
import { connectorOpener, loadValidConfig } from './runtime.js';
import { outputFormat, parseVerbArgs, UsageError, type Verb } from './verb.js';

export const check: Verb = {
  help: `Usage: imesh check [--config DIR] [--format text|json] [--data-root DIR] [CONNECTOR...]

Connects to each connector (or the ones named), checks reachability and credentials, counts the
objects of each object type and measures latency. Writes nothing anywhere.

${dataRootHelp}

Exit codes: 0 all good, 1 any failed.`,
  async run(args) {
    const { values, positionals } = parseVerbArgs(args, { config: { type: 'string' }, format: { type: 'string' }, ...dataRootOption }, true);
    const format = outputFormat(values.format);
    const { config } = await loadValidConfig(values.config ?? '.');
    const unknown = positionals.filter((name) => !config.connectors.has(name));
    if (unknown.length > 0) throw new UsageError(`unknown connector(s): ${unknown.join(', ')} (defined: ${[...config.connectors.keys()].join(', ')})`);
    const names = positionals.length > 0 ? positionals : [...config.connectors.keys()];
    const open = connectorOpener(config, logger(), undefined, dataRootsFrom(values['data-root']));
    const results: (CheckResult & { name: string; type: string })[] = [];
    for (const name of names) {
      const model = config.connectors.get(name)!;
      const started = Date.now();
      try {
        const connector = await open(model);
        try {
          results.push({ name, type: model.type, ...(await connector.check()) });
        } finally {
          await connector.close();
        }
      } catch (error) {
        results.push({ name, type: model.type, ok: false, latencyMs: Date.now() - started, objectTypes: {}, error: { code: error instanceof ImeshError ? error.code : 'CheckFailed', message: errorMessage(error) } });
      }
    }
    if (format === 'json') process.stdout.write(JSON.stringify({ ok: results.every((r) => r.ok), connectors: results }, null, 2) + '\n');
    else {
      for (const r of results) {
        const counts = Object.entries(r.objectTypes).map(([t, c]) => `${t}=${c.count}`).join(' ');
        process.stdout.write(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name} (${r.type}) ${r.latencyMs} ms${r.server ? ` ${r.server}` : ''}${counts ? ` ${counts}` : ''}${r.error ? `\n     ${r.error.code}: ${r.error.message}` : ''}\n`);
        for (const warning of r.warnings ?? []) process.stdout.write(`     warning: ${warning}\n`);
      }
    }
    return results.every((r) => r.ok) ? 0 : 1;
  },
};
