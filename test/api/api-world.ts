/**
 * A running operator API for the API and browser tests: a config directory with CSV connectors (HR and
 * badge files as sources, an accounts file outside the config directory as the target), a store (a
 * PostgreSQL schema of its own, or the embedded store in a temp folder), real reconcile cycles through
 * reconcileOnce and the real csv connector, and the controller's own HTTP server (route table) with the
 * API and dashboard mounted by mountOperatorRoutes. The controller side of the port is a small stand-in
 * that runs requested cycles when the test says so, the way the controller's cycle loop would.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { connectorOpener } from '../../src/cli/runtime.js';
import { loadConfig } from '../../src/config/index.js';
import type { CompiledConfig, Problem } from '../../src/config/model.js';
import { envSecretResolver } from '../../src/config/secrets.js';
import { connectorFactory } from '../../src/connectors/registry.js';
import type { ControllerPort } from '../../src/controller/api/controller-port.js';
import { mountOperatorRoutes } from '../../src/controller/api/operator-routes.js';
import { createHttpServer, type ControllerHttpServer } from '../../src/controller/http-server.js';
import { reconcileOnce, type ReconcileOnceResult } from '../../src/controller/reconcile-once.js';
import type { CycleKind, RunTrigger } from '../../src/engine/context.js';
import type { Logger } from '../../src/shared/logger.js';
import type { Db } from '../../src/store/db.js';
import { openStore } from '../../src/store/open-store.js';
import { dropSchema } from '../controller/process-harness.js';
import { quietLogger } from '../controller/quiet-logger.js';
import { configText, csvConnector, flowRule, hrToPerson, HR_PERSON, mesh, pick, policy, projection } from '../fixtures/config-yaml.js';

export const VIEWER_TOKEN = 'viewer-7f3a9c1e5b2d4f6a8c0e';
export const OPERATOR_TOKEN = 'operator-2b4d6f8a0c1e3a5b7d9f';

export interface WorldOptions {
  /** Store: `postgres` (a schema of its own in the test server) or `embedded` (PGlite in a temp folder). */
  readonly store: 'postgres' | 'embedded';
  readonly pgUrl?: string;
  /** Leave spec.api out of the Mesh. */
  readonly noApi?: boolean;
  readonly maxDeletes?: number;
  /** More documents for the config (connectors the tests only check, say). */
  readonly extraYaml?: string;
  /** More IMESH_SECRET_* values. */
  readonly secrets?: Readonly<Record<string, string>>;
}

export const HR_ROWS: readonly (readonly string[])[] = [
  ['E1001', 'Ada', 'Lovelace', 'Engineering', 'Principal Engineer'],
  ['E1002', 'Grace', 'Hopper', 'Engineering', 'Rear Admiral'],
  ['E1003', 'Alan', 'Turing', 'Research', 'Researcher'],
  ['E1004', 'Katherine', 'Johnson', 'Research', 'Mathematician'],
  ['E1005', 'Edsger', 'Dijkstra', 'Engineering', 'Professor'],
  ['E1006', 'Barbara', 'Liskov', 'Finance', 'Controller'],
];

/** A Policy on the directory's accounts: at most two change department in one run. */
export const DEPARTMENT_LIMIT = policy('directory-guardrails', 'directory/account', { limits: { attributes: { dept: { max: 2 } } } });

export function hrCsv(rows: readonly (readonly string[])[] = HR_ROWS): string {
  return `employee_id,first_name,last_name,department,title\n${rows.map((r) => r.join(',')).join('\n')}\n`;
}

const BADGES = `badge_id,employee_number,name_on_badge,title
B-1,E1001,Ada King,Principal Engineer
B-2,E1003,Alan Turing,Research Lead
`;

const API_TOKENS = {
  tokens: [
    { name: 'helpdesk', role: 'viewer', token: '{{secret:api-helpdesk}}' },
    { name: 'sre', role: 'operator', token: '{{secret:api-sre}}' },
  ],
};

function yaml(o: { hr: string; badges: string; accounts: string; noApi: boolean; maxDeletes: number }): string {
  return configText(
    mesh(
      { person: pick(HR_PERSON, 'employeeId', 'firstName', 'lastName', 'displayName', 'department', 'title') },
      { name: 'acme', safety: { maxDeletes: o.maxDeletes, maxDeletePercent: 100 }, spec: o.noApi ? {} : { api: API_TOKENS } },
    ),
    csvConnector('hr', { user: { file: o.hr, externalIdColumn: 'employee_id' } }),
    csvConnector('badges', { badge: { file: o.badges, externalIdColumn: 'badge_id' } }),
    // A hand edit of this target is drift the next delta cycle reports (the default, full-only, waits for a full cycle).
    csvConnector('directory', { account: { file: o.accounts, externalIdColumn: 'account_id' } }, { driftCheck: 'every-cycle' }),
    hrToPerson('hr/user', ['employeeId', 'firstName', 'lastName', 'displayName', 'department', 'title']),
    flowRule('badges-to-person', {
      source: 'badges/badge',
      join: { employee_number: 'employeeId' },
      attributes: { displayName: ['name_on_badge', 50], title: ['title', 60] },
    }),
    projection('person-to-directory', {
      target: 'directory/account',
      attributes: { account_id: '{{employeeId}}', display: '{{displayName}}', dept: '{{department}}', title: '{{title}}' },
      after: { onRemove: 'delete' },
    }),
  );
}

export interface World {
  readonly base: string;
  readonly db: Db;
  readonly port: TestControllerPort;
  readonly hrFile: string;
  readonly accountsFile: string;
  close(): Promise<void>;
}

/** The controller's side of the port: it keeps requested cycles and runs them when told to. */
export class TestControllerPort implements ControllerPort {
  running: CompiledConfig | undefined;
  problems: Problem[] = [];
  applied: string | null = null;
  attempted: string | null = null;
  standby = false;
  /** The controller's clock: approvals are stamped, judged and expire by it. */
  now = (): number => Date.now();
  readonly requests: { kind: CycleKind; reason: string; connectors: readonly string[] | null; retryFailed: boolean }[] = [];
  /** Waiting runs by scope, in request order (the run loop's queue: a request for a waiting scope joins it). */
  private readonly waiting = new Map<string, { kind: CycleKind; connectors: readonly string[] | null; retryFailed: boolean }>();

  constructor(
    readonly store: Db,
    readonly log: Logger,
    readonly secrets: ControllerPort['secrets'],
    private readonly files: readonly { path: string; content: string }[],
  ) {}

  config() {
    return this.running;
  }

  revisions() {
    return { applied: this.applied, attempted: this.attempted };
  }

  configProblems() {
    return this.problems;
  }

  requestCycle(kind: CycleKind, reason: string, connectors: readonly string[] | null = null, retryFailed = false) {
    this.requests.push({ kind, reason, connectors, retryFailed });
    const key = connectors === null ? '*' : [...connectors].sort().join(',');
    const before = this.waiting.get(key);
    this.waiting.set(key, { kind: before?.kind === 'full' ? 'full' : kind, connectors, retryFailed: before?.retryFailed === true || retryFailed });
  }

  /** As the controller's connectorOpener, but with this world's secrets instead of the process environment. */
  openConnector(model: Parameters<ControllerPort['openConnector']>[0]) {
    return connectorFactory(model.type)({ model, configPath: this.running!.configPath, workDir: process.cwd(), dataRoots: [join(dirname(this.running!.configPath), 'data')], secrets: this.secrets, log: this.log });
  }

  role() {
    return this.standby ? ('standby' as const) : ('leader' as const);
  }

  /** The cycle the controller would run next for the API's requests, if any. */
  async runRequested(): Promise<ReconcileOnceResult | undefined> {
    const [key, next] = [...this.waiting][0] ?? [];
    if (key === undefined || next === undefined) return undefined;
    this.waiting.delete(key);
    return this.cycle(next.kind, next.connectors, 'api', next.retryFailed);
  }

  /** One cycle through reconcileOnce, as the controller runs it (reports are not published here). */
  async cycle(kind: CycleKind = 'delta', connectors: readonly string[] | null = null, trigger: RunTrigger = 'schedule', retryFailed = false): Promise<ReconcileOnceResult> {
    const config = this.running!;
    const revision = this.applied ?? `sha256:${config.contentHash.slice(0, 16)}`;
    this.applied = revision;
    this.attempted ??= revision;
    return reconcileOnce({
      db: this.store,
      config,
      files: this.files,
      revision,
      full: kind === 'full',
      ...(connectors ? { scope: new Set(connectors) } : {}),
      ...(retryFailed ? { retryFailed: true } : {}),
      trigger,
      openConnector: connectorOpener(config, this.log, undefined, [join(dirname(config.configPath), 'data')]),
      log: this.log,
      now: () => this.now(),
      publish: async () => 'not published (test)',
    });
  }
}

export interface WorldFiles {
  readonly dir: string;
  /** The config directory (not a Git work tree: its revision is the content hash). */
  readonly configDir: string;
  readonly hrFile: string;
  readonly accountsFile: string;
}

/** A temp folder with the config directory and the CSV files (outside it); remove `dir` when done. */
export function makeWorldFiles(options: Omit<WorldOptions, 'store' | 'pgUrl' | 'secrets'> = {}): WorldFiles {
  const dir = mkdtempSync(join(tmpdir(), 'imesh-api-'));
  const configDir = join(dir, 'config');
  const data = join(dir, 'data');
  mkdirSync(configDir, { recursive: true });
  mkdirSync(data, { recursive: true });
  const hrFile = join(data, 'hr.csv');
  const badgesFile = join(data, 'badges.csv');
  const accountsFile = join(data, 'accounts.csv');
  writeFileSync(hrFile, hrCsv());
  writeFileSync(badgesFile, BADGES);
  writeFileSync(join(configDir, 'mesh.yaml'), yaml({ hr: hrFile, badges: badgesFile, accounts: accountsFile, noApi: options.noApi ?? false, maxDeletes: options.maxDeletes ?? 100 }));
  if (options.extraYaml) writeFileSync(join(configDir, 'extra.yaml'), options.extraYaml);
  return { dir, configDir, hrFile, accountsFile };
}

export { dropSchema };

/** A PostgreSQL store URL with a schema of its own; drop it with dropSchema. */
export function schemaUrl(pgUrl: string): { url: string; schema: string } {
  const schema = `api_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  return { url: `${pgUrl}${pgUrl.includes('?') ? '&' : '?'}schema=${schema}`, schema };
}

export async function startWorld(options: WorldOptions): Promise<World> {
  const { dir, configDir, hrFile, accountsFile } = makeWorldFiles(options);
  const loaded = await loadConfig(configDir);
  if (!loaded.config || loaded.problems.length > 0) throw new Error(`test config invalid: ${loaded.problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message}`).join('; ')}`);

  let schema: string | undefined;
  let db: Db;
  if (options.store === 'postgres') {
    const store = schemaUrl(options.pgUrl!);
    schema = store.schema;
    db = await openStore({ url: store.url, workDir: dir });
  } else {
    db = await openStore({ workDir: dir });
  }
  const log = quietLogger();
  const secrets = envSecretResolver({ IMESH_SECRET_API_HELPDESK: VIEWER_TOKEN, IMESH_SECRET_API_SRE: OPERATOR_TOKEN, ...options.secrets });
  const port = new TestControllerPort(db, log, secrets, loaded.files);
  port.running = loaded.config;
  const http: ControllerHttpServer = createHttpServer({ port: 0, host: '127.0.0.1', log });
  mountOperatorRoutes(http, port);
  await http.listen();
  return {
    base: `http://127.0.0.1:${http.port()}`,
    db,
    port,
    hrFile,
    accountsFile,
    async close() {
      await http.close();
      await db.close();
      if (schema) await dropSchema(options.pgUrl!, schema);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
