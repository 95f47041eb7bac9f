import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reconcileOnce } from '../controller/reconcile-once.js';
import { initConfigRepository } from '../git/index.js';
import { logger } from '../shared/logger.js';
import { makePrivateDir, makeTreePrivate } from '../shared/private-files.js';
import { dataRootOption, dataRootsFrom } from './data-roots.js';
import { clearLine } from '../shared/terminal-line.js';
import { progressReporter } from './progress.js';
import { cycleSummary } from './reconcile.js';
import { connectorOpener, loadValidConfig, openStoreFrom, publishReports, revisionOf } from './runtime.js';
import { parseVerbArgs, type Verb } from './verb.js';

const sampleDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../samples/quickstart');

export const quickstart: Verb = {
  help: `Usage: imesh quickstart [--dir DIR] [--data-root DIR]

Copies samples/quickstart/ into a fresh Git repository under .imesh/quickstart/config (once),
reconciles it on the embedded store, and prints what happened and where the reports are.
Run it again: the second run has nothing to do. Then edit the HR file and preview with imesh plan.
The quickstart folder (--dir) is a data root for its csv files; --data-root adds more.`,
  async run(args) {
    const { values } = parseVerbArgs(args, { dir: { type: 'string' }, ...dataRootOption });
    const base = resolve(values.dir ?? '.imesh/quickstart');
    // The quickstart's phone book is written beside its config (base/exports): base is a data root.
    makePrivateDir(base);
    const dataRoots = [...dataRootsFrom(values['data-root']), base];
    const configDir = join(base, 'config');
    const first = !existsSync(configDir);
    if (first) {
      mkdirSync(configDir, { recursive: true });
      cpSync(sampleDir, configDir, { recursive: true });
      await initConfigRepository(configDir, 'Quickstart config from samples/quickstart');
    }
    const rel = relative(process.cwd(), configDir) || '.';
    const { config, files } = await loadValidConfig(configDir);
    const log = logger();
    const db = await openStoreFrom(undefined);
    try {
      const revision = await revisionOf(config);
      const result = await reconcileOnce({
        db,
        config,
        files,
        revision: revision.revision,
        full: false,
        openConnector: connectorOpener(config, log, undefined, dataRoots),
        log,
        progress: progressReporter(log),
        publish: (reportFiles, message) => publishReports(config.mesh.reports, revision, reportFiles, message),
      });
      const conflicts = result.conflicts.conflicts;
      const exported = [...result.outcome.exports.values()].reduce((n, c) => n + c.created + c.updated + c.moved + c.enabled + c.disabled + c.deleted, 0);
      const phonebook = join(base, 'exports/phonebook.csv');
      const lines = [
        first ? `Identity Mesh quickstart: config copied to ${rel} (a Git repository)` : `Identity Mesh quickstart (config in ${rel})`,
        cycleSummary(result.outcome),
        exported === 0 ? 'Nothing to do: every target already matches the mesh.' : `${exported} change(s) exported.`,
        `Mesh: ${Object.entries(result.status.meshObjects).map(([t, n]) => `${n} ${t}`).join(', ') || 'empty'}; conflicts: ${conflicts.length}${conflicts.length > 0 ? ` (${conflicts.map((c) => `${c.kind}${c.attribute ? ` ${c.attribute}` : ''}`).join(', ')})` : ''}; drift: ${result.drift.drift.length}`,
        `Targets: apps table in .imesh/quickstart/apps (embedded SQL); phone book ${relative(process.cwd(), phonebook)}${existsSync(phonebook) ? ` (${readFileSync(phonebook, 'utf8').trim().split('\n').length - 1} rows)` : ''}`,
        `Reports: ${result.published}`,
        `  git -C ${rel} log --stat ${config.mesh.reports.branch}`,
        `  git -C ${rel} show ${config.mesh.reports.branch}:${config.mesh.reports.path}/conflicts.md`,
        'Next: edit the HR file, preview, then apply:',
        `  $EDITOR ${rel}/data/hr.csv`,
        `  npx imesh plan --config ${rel}`,
        `  npx imesh reconcile --config ${rel}`,
        `  npx imesh explain person/E1005 displayName`,
      ];
      clearLine();
      process.stdout.write(lines.join('\n') + '\n');
      return result.exitCode;
    } finally {
      await db.close();
      // Everything under .imesh/ is private (the config repository's Git files, the phone book export).
      makeTreePrivate(base);
    }
  },
};
