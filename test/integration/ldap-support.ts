/**
 * Shared set-up for the LDAP connector's integration tests: a ConnectorContext built by hand (the engine
 * is not involved), batch collection, and fixture writes through the OpenLDAP command-line tools, so the
 * connector under test never prepares its own fixtures.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import type { ConnectorModel } from '../../src/config/model.js';
import type { ConnectorContext, ImportBatch, StagedObject } from '../../src/connectors/sdk.js';

export interface Server {
  readonly url: string;
  readonly bindDn: string;
  readonly password: string;
  readonly caFile?: string;
}

export interface TestContext<T extends 'active-directory' | 'ldap'> {
  readonly context: ConnectorContext<T>;
  /** Every log line the connector wrote, parsed. */
  readonly logs: Array<Record<string, unknown>>;
}

export function testContext<T extends 'active-directory' | 'ldap'>(type: T, spec: Record<string, unknown>, secrets: Record<string, string>, name = 'test-directory'): TestContext<T> {
  const logs: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'debug', base: undefined }, { write: (line: string) => logs.push(JSON.parse(line) as Record<string, unknown>) });
  const objectTypes = Object.keys((spec.objectTypes as Record<string, unknown> | undefined) ?? {});
  // A hand-written spec stands for one the schema validated (tests also feed invalid ones on purpose).
  const model = {
    name,
    type,
    location: { file: 'connectors.yaml', line: 1, column: 1 },
    spec: { type, ...spec },
    objectTypes,
    suspend: false,
  } as unknown as ConnectorModel<T>;
  const context: ConnectorContext<T> = {
    model,
    configPath: process.cwd(),
    workDir: process.cwd(),
    secrets: {
      resolve: (text) =>
        text.replace(/\{\{secret:([^}]+)\}\}/g, (_, secret: string) => {
          const value = secrets[secret];
          if (value === undefined) throw new Error(`secret ${secret} is not set`);
          return value;
        }),
    },
    log,
  };
  return { context, logs };
}

export interface Collected {
  readonly objects: StagedObject[];
  readonly watermark?: string;
  readonly complete: boolean;
  readonly batches: number;
}

export async function collect(batches: AsyncIterable<ImportBatch>): Promise<Collected> {
  const objects: StagedObject[] = [];
  let watermark: string | undefined;
  let complete = false;
  let count = 0;
  for await (const batch of batches) {
    count++;
    objects.push(...batch.objects);
    if (batch.watermark !== undefined) watermark = batch.watermark;
    if (batch.complete) complete = true;
  }
  return { objects, complete, batches: count, ...(watermark !== undefined ? { watermark } : {}) };
}

/** Applies LDIF (with `changetype:` records) through ldapmodify. */
export function ldapModify(server: Server, ldif: string): void {
  execFileSync('ldapmodify', ['-x', '-H', server.url, '-D', server.bindDn, '-w', server.password], { input: ldif, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Values of one attribute of one entry, through ldapsearch (no line wrapping). */
export function ldapValues(server: Server, dn: string, attribute: string, extraArgs: readonly string[] = []): string[] {
  const out = execFileSync('ldapsearch', ['-x', '-LLL', '-o', 'ldif-wrap=no', '-H', server.url, '-D', server.bindDn, '-w', server.password, '-b', dn, '-s', 'base', ...extraArgs, '(objectClass=*)', attribute], {
    encoding: 'utf8',
  });
  const prefix = `${attribute.toLowerCase()}:`;
  return out
    .split('\n')
    .filter((line) => line.toLowerCase().startsWith(prefix))
    .map((line) => {
      const rest = line.slice(prefix.length);
      return rest.startsWith(':') ? Buffer.from(rest.slice(1).trim(), 'base64').toString('utf8') : rest.trim();
    });
}

/** True when an entry exists. */
export function ldapExists(server: Server, dn: string): boolean {
  try {
    execFileSync('ldapsearch', ['-x', '-LLL', '-H', server.url, '-D', server.bindDn, '-w', server.password, '-b', dn, '-s', 'base', '1.1'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/** Deletes a subtree (children first), ignoring what is already gone. */
export function ldapDeleteTree(server: Server, dn: string): void {
  try {
    execFileSync('ldapdelete', ['-x', '-r', '-c', '-H', server.url, '-D', server.bindDn, '-w', server.password, dn], { stdio: 'pipe' });
  } catch {
    // best effort: tests isolate by OU, a leftover does not affect others
  }
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}
