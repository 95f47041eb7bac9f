import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CheckResult } from '../connectors/sdk.js';
import { errorCode, errorMessage } from '../shared/errors.js';
import { logger } from '../shared/logger.js';
import { describeStore, type Db } from '../store/db.js';
import { storeUrlFrom } from '../store/open-store.js';
import { dataRootHelp, dataRootOption, dataRootsFrom } from './data-roots.js';
import { destinationGuard, guardedOpener, type Guard } from './destination-guard.js';
import { connectorOpener, loadValidConfig, openStoreFrom, revisionOf } from './runtime.js';
import { checkLines } from './check-text.js';
import { operatorClient, refuseLocalFlags, serverHelp, serverOption } from './server/operator-client.js';
import { remoteCheck } from './server/remote-check.js';
import { outputFormat, parseVerbArgs, UsageError, type Verb } from './verb.js';

/** `imesh check --server URL`: the controller checks its connectors with its own secrets and network. */
async function checkOnServer(server: string, names: readonly string[], format: 'text' | 'json'): Promise<number> {
  const results = await remoteCheck(operatorClient(server, 'operator'), names);
  const ok = results.every((r) => r.ok);
  if (format === 'json') process.stdout.write(JSON.stringify({ ok, connectors: results, skipped: [] }, null, 2) + '\n');
  else for (const r of results) process.stdout.write(checkLines(r));
  return ok ? 0 : 1;
}

/**
 * The store that holds the secret bindings: --store / IMESH_STORE_URL, else the embedded store when one
 * exists here. None (undefined) means nothing is bound; check never creates a store unless asked to
 * bind (--trust-destinations).
 */
async function bindingsStore(flag: string | undefined, trust: boolean): Promise<Db | undefined> {
  if (storeUrlFrom(flag) !== undefined || trust || existsSync(resolve(process.cwd(), '.imesh/state'))) return openStoreFrom(flag);
  return undefined;
}

export const check: Verb = {
  help: `Usage: imesh check [--config DIR] [--format text|json] [--store URL] [--trust-destinations] [--data-root DIR] [--server URL] [CONNECTOR...]

Connects to each connector (or the ones named), checks reachability and credentials, counts the
objects of each object type and measures latency. Writes nothing to a connected system. Warns when a
sql connector logs in as a database superuser.

A connector whose secret would go to a destination no trusted run (reconcile, the controller) has bound
it to gets no secret and is not contacted: it is listed as "not contacted" with the reason, and does not
count as a failure.

  --store URL             the store that knows the bindings: postgres://… (or IMESH_STORE_URL); default
                          the embedded store in .imesh/state when there is one
  --trust-destinations    bind the secrets to this config's destinations first (trusted contexts only)
${dataRootHelp}
${serverHelp} (an operator token); the controller runs each check with its running revision, its
                secrets and its network, and writes nothing

Exit codes: 0 all good, 1 any failed.`,
  async run(args) {
    const { values, positionals } = parseVerbArgs(
      args,
      { config: { type: 'string' }, format: { type: 'string' }, store: { type: 'string' }, 'trust-destinations': { type: 'boolean' }, ...dataRootOption, ...serverOption },
      true,
    );
    const format = outputFormat(values.format);
    if (values.server !== undefined) {
      refuseLocalFlags(values, ['config', 'store', 'trust-destinations', 'data-root']);
      return checkOnServer(values.server, positionals, format);
    }
    const { config } = await loadValidConfig(values.config ?? '.');
    const unknown = positionals.filter((name) => !config.connectors.has(name));
    if (unknown.length > 0) throw new UsageError(`unknown connector(s): ${unknown.join(', ')} (defined: ${[...config.connectors.keys()].join(', ')})`);
    const names = positionals.length > 0 ? positionals : [...config.connectors.keys()];
    const trust = values['trust-destinations'] === true;
    const db = await bindingsStore(values.store, trust);
    const storeRead = db ? describeStore(db) : undefined;
    let guard: Guard;
    try {
      guard = await destinationGuard(db, config, { trust, revision: trust ? (await revisionOf(config)).revision : null });
    } finally {
      await db?.close();
    }
    const skipped = guard.skipped;
    const open = guardedOpener(connectorOpener(config, logger(), undefined, dataRootsFrom(values['data-root'])), guard);
    const results: (CheckResult & { name: string; type: string })[] = [];
    const notContactedList: { name: string; type: string; reason: string }[] = [];
    for (const name of names) {
      const model = config.connectors.get(name)!;
      const reason = skipped.get(name);
      if (reason !== undefined) {
        notContactedList.push({ name, type: model.type, reason });
        continue;
      }
      const started = Date.now();
      try {
        const connector = await open(model);
        try {
          results.push({ name, type: model.type, ...(await connector.check()) });
        } finally {
          await connector.close();
        }
      } catch (error) {
        results.push({ name, type: model.type, ok: false, latencyMs: Date.now() - started, objectTypes: {}, error: { code: errorCode(error, 'CheckFailed'), message: errorMessage(error) } });
      }
    }
    const skippedJson = notContactedList.map(({ name, reason }) => ({ connector: name, reason }));
    if (format === 'json') process.stdout.write(JSON.stringify({ ok: results.every((r) => r.ok), connectors: results, skipped: skippedJson }, null, 2) + '\n');
    else {
      if (storeRead !== undefined) process.stdout.write(`Store ${storeRead} (secret bindings)\n`);
      for (const r of results) process.stdout.write(checkLines(r));
      for (const s of notContactedList) process.stdout.write(`SKIP ${s.name} (${s.type}) not contacted: ${s.reason}\n`);
    }
    return results.every((r) => r.ok) ? 0 : 1;
  },
};
