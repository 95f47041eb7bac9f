/**
 * Shared set-up for the end-to-end tests: the real CLI (bin/imesh.js, so `npm run build` first; `npm
 * test` does it) run as a child process in a working directory of its own, with a PostgreSQL store in a
 * schema of its own, and the reports it writes under `.imesh/reports/` of that directory.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';

export const BIN = resolve(import.meta.dirname, '../../bin/imesh.js');

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Workspace {
  /** The child's working directory (not a Git work tree: reports go to `.imesh/reports/`). */
  readonly cwd: string;
  /** The config path, `<cwd>/config`. */
  readonly config: string;
  readonly storeUrl: string;
  /** IMESH_SECRET_* variables for the child. */
  readonly secrets: Readonly<Record<string, string>>;
}

/** A lower-case SQL/LDAP-safe name with a random suffix. */
export function uniqueSchema(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

export function storeUrl(pgUrl: string, schema: string): string {
  return `${pgUrl}${pgUrl.includes('?') ? '&' : '?'}schema=${schema}`;
}

/** Writes the config files (name → YAML text) into the workspace's config path. */
export function writeConfig(ws: Workspace, files: Readonly<Record<string, string>>): void {
  mkdirSync(ws.config, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(ws.config, name), text);
}

/** Runs `imesh ARGS` in the workspace; `--store` is added for the verbs that use the store. */
export function imesh(ws: Workspace, ...args: string[]): CliResult {
  const usesStore = ['reconcile', 'plan', 'explain', 'status'].includes(args[0] ?? '');
  const result = spawnSync(process.execPath, [BIN, ...args, ...(usesStore ? ['--store', ws.storeUrl] : [])], {
    cwd: ws.cwd,
    encoding: 'utf8',
    env: { ...process.env, IMESH_LOG_LEVEL: 'warn', ...ws.secrets },
    timeout: 50_000,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `imesh reconcile --config …`, which must exit 0 (the output is in the error otherwise). */
export function reconcile(ws: Workspace): CliResult {
  const result = imesh(ws, 'reconcile', '--config', ws.config);
  if (result.status !== 0) throw new Error(`imesh reconcile exited ${result.status}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  return result;
}

/** `imesh validate --config …`, which must report the config valid. */
export function validate(ws: Workspace): void {
  const result = imesh(ws, 'validate', '--config', ws.config);
  if (result.status !== 0) throw new Error(`imesh validate exited ${result.status}\n${result.stdout}${result.stderr}`);
}

export function readReport<T>(ws: Workspace, name: 'drift' | 'conflicts' | 'status'): T {
  return JSON.parse(readFileSync(join(ws.cwd, '.imesh/reports', `${name}.json`), 'utf8')) as T;
}

export async function withClient<T>(pgUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function dropSchemas(pgUrl: string, schemas: readonly string[]): Promise<void> {
  await withClient(pgUrl, async (client) => {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  });
}
