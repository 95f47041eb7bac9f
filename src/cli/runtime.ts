/**
 * What the verbs share: loading a valid config (or printing why not), opening the store, opening
 * connectors, working out the config revision, and publishing reports.
 */
import { resolve } from 'node:path';
import { loadConfig } from '../config/index.js';
import type { CompiledConfig, ConnectorModel } from '../config/model.js';
import type { ReportsLocation } from '../controller/report-publisher.js';
import { envSecretResolver } from '../config/secrets.js';
import { descriptorOf } from '../connectors/registry.js';
import type { IdentityConnector } from '../connectors/sdk.js';
import { ScimInbox } from '../controller/scim/inbox.js';
import type { ConnectorOpener } from '../engine/context.js';
import { commitReports, configRevision, readCommittedReports } from '../git/index.js';
import { onlyVolatileChanges, readReportFiles, writeReportFiles } from '../reports/index.js';
import { ConfigError } from '../shared/errors.js';
import { logger, type Logger } from '../shared/logger.js';
import type { Db } from '../store/db.js';
import { openStore, storeUrlFrom } from '../store/open-store.js';

export interface LoadedConfig {
  readonly config: CompiledConfig;
  readonly files: readonly { path: string; content: string }[];
}

/** Loads and compiles the config; prints every problem as file:line:column on stderr when invalid. */
export async function loadValidConfig(configDir: string): Promise<LoadedConfig> {
  const path = resolve(configDir);
  const { config, problems, files } = await loadConfig(path);
  if (!config || problems.length > 0) {
    for (const p of problems) process.stderr.write(`${p.file}:${p.line}:${p.column}: ${p.message}\n`);
    throw new ConfigError('ConfigInvalid', `the config in ${configDir} is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}); run imesh validate --config ${configDir}`);
  }
  return { config, files };
}

export async function openStoreFrom(flag: string | undefined, options: { readonly mustExist?: boolean } = {}): Promise<Db> {
  return openStore({ url: storeUrlFrom(flag), workDir: process.cwd(), ...options });
}

/**
 * Opens connectors. `inbox` (the store's SCIM inbox) is handed to push-based connectors only (`scim-inbound`: their descriptor has an inbox), as
 * their `ConnectorContext.inbox`; without it they cannot import (check reports why). `dataRoots` are the
 * operator's --data-root / IMESH_DATA_ROOTS directories (see data-roots.ts).
 */
export function connectorOpener(config: CompiledConfig, log: Logger = logger(), inbox?: ScimInbox, dataRoots: readonly string[] = []): ConnectorOpener {
  const secrets = envSecretResolver();
  return async (model: ConnectorModel): Promise<IdentityConnector> => {
    const descriptor = descriptorOf(model.type);
    const factory = await descriptor.load();
    const pushed = descriptor.inbox && inbox ? { inbox: inbox.reader(model.name) } : {};
    return factory({ model, configPath: config.configPath, workDir: process.cwd(), dataRoots, secrets, log: log.child({ connector: model.name }), ...pushed });
  };
}

/** The store's SCIM inbox when the config has a push-based (scim-inbound) connector (open it before any cycle). */
export async function inboxFor(db: Db, config: CompiledConfig): Promise<ScimInbox | undefined> {
  return [...config.connectors.values()].some((c) => descriptorOf(c.type).inbox !== undefined) ? ScimInbox.open(db) : undefined;
}

export interface Revision {
  readonly revision: string;
  readonly repoRoot?: string;
}

/** HEAD (with -dirty for uncommitted config edits) inside Git; otherwise the config content hash. */
export async function revisionOf(config: CompiledConfig): Promise<Revision> {
  const git = await configRevision(config.configPath);
  // A repository with no commit yet has no revision to name: fall back to the content hash.
  if (git.inGit && git.revision !== null) return { revision: git.revision, repoRoot: git.repoRoot };
  return { revision: `sha256:${config.contentHash.slice(0, 16)}` };
}

/** Commits report files to the reports branch (Git) or writes them under .imesh/<path>/. */
export async function publishReports(reports: ReportsLocation, revision: Revision, files: Record<string, string>, message: string): Promise<string> {
  const { path, branch } = reports;
  if (revision.repoRoot) {
    const previous = await readCommittedReports({ repoRoot: revision.repoRoot, branch, path });
    if (onlyVolatileChanges(previous, files)) return `unchanged on branch ${branch} (only timestamps differ; no commit)`;
    const commit = await commitReports({ repoRoot: revision.repoRoot, branch, path, files, message });
    return commit ? `committed ${commit.slice(0, 12)} to branch ${branch} (${path}/)` : `unchanged on branch ${branch}`;
  }
  const previous = await readReportFiles({ workDir: process.cwd(), path });
  if (onlyVolatileChanges(previous, files)) return `unchanged in .imesh/${path}/ (only timestamps differ)`;
  await writeReportFiles({ workDir: process.cwd(), path, files });
  return `written to .imesh/${path}/`;
}

export function parseCount(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new ConfigError('Usage', `${flag} takes a whole number, not "${value}"`);
  return Number(value);
}
