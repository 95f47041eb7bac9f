/**
 * Real `imesh run` processes for the controller's integration tests: a config repository with a bare
 * "remote" on disk, CSV files outside it as source and target, a PostgreSQL store schema per test, and
 * helpers to start, probe, signal and wait for controllers. Run `npm run build` first (bin/imesh.js
 * loads dist/).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach } from 'vitest';
import { configText, csvConnector, flowRule, mesh, projection } from '../fixtures/config-yaml.js';
import { git, removeTempDirs, tempDir, tryGit, write } from '../git/temp-repo.js';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(REPO_ROOT, 'bin/imesh.js');
export const REPORTS_BRANCH = 'identity-mesh/status';

export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export interface MeshOptions {
  readonly hrFile: string;
  readonly targetFile: string;
  /** The projection's `display` template. */
  readonly display?: string;
  readonly interval?: string;
  /** Declare the operator token (API_SPEC) in the Mesh. */
  readonly api?: boolean;
}

export function meshYaml(o: MeshOptions): string {
  return mesh(
    { person: { employeeId: 'string', name: 'string', dept: 'string' } },
    { name: 'controller-test', safety: { maxDeletes: 100000, maxDeletePercent: 100 }, spec: { schedule: { interval: o.interval ?? '1s' }, ...(o.api ? { api: API_SPEC } : {}) } },
  );
}

export function connectorsYaml(o: MeshOptions): string {
  return configText(
    csvConnector('hr', { user: { file: o.hrFile, externalIdColumn: 'id' } }),
    csvConnector('directory', { account: { file: o.targetFile, externalIdColumn: 'account_id' } }),
  );
}

export function rulesYaml(o: MeshOptions): string {
  return configText(
    flowRule('hr-to-person', { source: 'hr/user', join: { id: 'employeeId' }, provision: true, attributes: { employeeId: ['id', 100], name: 'name', dept: 'dept' } }),
    projection('person-to-directory', {
      target: 'directory/account',
      attributes: { account_id: '{{employeeId}}', display: o.display ?? '{{name}}', dept: '{{dept}}' },
      after: { onRemove: 'delete' },
    }),
  );
}

export interface World {
  readonly dir: string;
  /** The person's clone that pushes config changes. */
  readonly seed: string;
  /** The bare repository standing in for GitHub/GitLab. */
  readonly remote: string;
  readonly hrFile: string;
  readonly targetFile: string;
  readonly storeUrl: string;
  readonly schema: string;
}

export function hrCsv(rows: readonly (readonly [string, string, string])[]): string {
  return `id,name,dept\n${rows.map((r) => r.join(',')).join('\n')}\n`;
}

/** A config repository (pushed to a bare remote) and data files outside it. */
export function makeWorld(pgUrl: string, rows: readonly (readonly [string, string, string])[], options: Partial<MeshOptions> = {}): World {
  const dir = tempDir('imesh-ctl-');
  const data = join(dir, 'data');
  mkdirSync(data, { recursive: true });
  const hrFile = join(data, 'hr.csv');
  const targetFile = join(data, 'accounts.csv');
  writeFileSync(hrFile, hrCsv(rows));
  const seed = join(dir, 'seed');
  mkdirSync(seed);
  git(seed, 'init', '-q', '-b', 'main');
  const mesh = { hrFile, targetFile, ...options };
  write(seed, 'config/mesh.yaml', meshYaml(mesh));
  write(seed, 'config/connectors.yaml', connectorsYaml(mesh));
  write(seed, 'config/rules.yaml', rulesYaml(mesh));
  write(seed, 'README.md', '# identity config\n');
  git(seed, 'add', '-A');
  git(seed, 'commit', '-q', '-m', 'initial config');
  const remote = join(dir, 'remote.git');
  git(dir, 'clone', '-q', '--bare', seed, remote);
  git(seed, 'remote', 'add', 'origin', remote);
  const schema = `ctl_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  return { dir, seed, remote, hrFile, targetFile, schema, storeUrl: `${pgUrl}${pgUrl.includes('?') ? '&' : '?'}schema=${schema}` };
}

/** Commits and pushes a change to the remote, as a merged pull request would; returns the commit. */
export function pushConfig(world: World, files: Record<string, string>, message = 'change config'): string {
  for (const [path, content] of Object.entries(files)) write(world.seed, path, content);
  git(world.seed, 'add', '-A');
  git(world.seed, 'commit', '-q', '-m', message);
  git(world.seed, 'push', '-q', 'origin', 'main');
  return git(world.seed, 'rev-parse', 'HEAD').trim();
}

export function remoteReports(world: World): { tip: string; status?: Record<string, unknown> } {
  const tip = tryGit(world.remote, 'rev-parse', '--verify', '--quiet', `refs/heads/${REPORTS_BRANCH}`).trim();
  if (!tip) return { tip };
  const text = tryGit(world.remote, 'show', `${tip}:reports/status.json`);
  return text ? { tip, status: JSON.parse(text) as Record<string, unknown> } : { tip };
}

export function reportCommits(world: World): string[] {
  return tryGit(world.remote, 'log', '--format=%H', `refs/heads/${REPORTS_BRANCH}`).trim().split('\n').filter(Boolean);
}

/** The target file's rows by account id (header excluded); duplicates would show as repeated ids. */
export function targetRows(world: World): { ids: string[]; byId: Map<string, Record<string, string>> } {
  if (!existsSync(world.targetFile)) return { ids: [], byId: new Map() };
  const [header, ...lines] = readFileSync(world.targetFile, 'utf8').trim().split('\n').filter(Boolean);
  const columns = (header ?? '').split(',');
  const byId = new Map<string, Record<string, string>>();
  const ids: string[] = [];
  for (const line of lines) {
    const cells = line.split(',');
    const row = Object.fromEntries(columns.map((c, i) => [c, cells[i] ?? '']));
    ids.push(row.account_id ?? '');
    byId.set(row.account_id ?? '', row);
  }
  return { ids, byId };
}

export async function dropSchema(pgUrl: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

export interface ControllerProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly base: string;
  /** Every stderr line so far, parsed where it is JSON. */
  readonly logs: Record<string, unknown>[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasLog(predicate: (line: Record<string, unknown>) => boolean): boolean;
  readyz(): Promise<{ status: number; body: Record<string, unknown> }>;
  metrics(): Promise<string>;
}

export interface StartOptions {
  readonly world: World;
  /** Working directory (each controller its own, as each pod has its own emptyDir). */
  readonly cwd?: string;
  readonly pollInterval?: string;
  readonly extraArgs?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

export async function startController(options: StartOptions): Promise<ControllerProcess> {
  const port = await freePort();
  const cwd = options.cwd ?? tempDir('imesh-ctl-cwd-');
  const args = [
    BIN,
    'run',
    '--repo',
    `file://${options.world.remote}`,
    '--branch',
    'main',
    '--path',
    'config',
    '--store',
    options.world.storeUrl,
    '--port',
    String(port),
    '--poll-interval',
    options.pollInterval ?? '300ms',
    '--leader-retry-interval',
    '300ms',
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, IMESH_LOG_LEVEL: 'info', GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', IMESH_DATA_ROOTS: dirname(options.world.hrFile), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let partial = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    partial += chunk.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ text: line });
      }
    }
  });
  child.stdout!.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  const base = `http://127.0.0.1:${port}`;
  const proc: ControllerProcess = {
    child,
    port,
    base,
    logs,
    exited,
    hasLog: (predicate) => logs.some(predicate),
    async readyz() {
      const res = await fetch(`${base}/readyz`);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
    async metrics() {
      return (await fetch(`${base}/metrics`)).text();
    },
  };
  running.add(proc);
  void exited.then(() => running.delete(proc));
  await waitFor('the controller to listen', async () => (await fetch(`${base}/healthz`)).status === 200, 30_000, 100).catch(async (error: unknown) => {
    throw new Error(`${String(error)}\nlogs:\n${logs.map((l) => JSON.stringify(l)).join('\n')}`);
  });
  return proc;
}

const running = new Set<ControllerProcess>();

/** Kills every controller a test left running. */
export async function killAll(): Promise<void> {
  for (const proc of [...running]) {
    proc.child.kill('SIGKILL');
    await proc.exited;
  }
}

export function metricValue(text: string, name: string, labels = ''): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const [key, value] = line.split(' ');
    if (key === `${name}${labels}`) return Number(value);
  }
  return undefined;
}

/** An operator token for the Mesh's `spec.api` (pass `API_SECRETS` in the controller's env). */
export const OPERATOR_TOKEN = 'process-operator-6c1d9e2f4a7b';
export const API_SPEC = { tokens: [{ name: 'sre', role: 'operator', token: '{{secret:api-sre}}' }] };
export const API_SECRETS = { IMESH_SECRET_API_SRE: OPERATOR_TOKEN };

/** One operator API call (`/api/v1` + path) with the operator token; the body parsed as JSON. */
export async function apiCall<T = Record<string, unknown>>(proc: ControllerProcess, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${proc.base}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
}

export function describeLogs(proc: ControllerProcess): string {
  return proc.logs.map((l) => JSON.stringify(l)).join('\n');
}

/**
 * The worlds a test file makes, cleaned up for it: every controller it started is killed after each
 * test, and after the file each world's store schema is dropped and the temporary folders removed.
 */
export function worldsCleanedUp(pgUrl: string): World[] {
  const worlds: World[] = [];
  afterEach(async () => {
    await killAll();
  });
  afterAll(async () => {
    for (const w of worlds) await dropSchema(pgUrl, w.schema);
    removeTempDirs();
  });
  return worlds;
}
