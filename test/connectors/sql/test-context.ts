/** A ConnectorContext for connector tests: a silent logger (or one that records), secrets from a map. */
import { pino } from 'pino';
import { Writable } from 'node:stream';
import type { ConnectorModel } from '../../../src/config/model.js';
import type { ConnectorContext } from '../../../src/connectors/sdk.js';

export interface TestContextOptions {
  readonly name?: string;
  readonly type?: ConnectorModel['type'];
  readonly spec: Record<string, unknown>;
  readonly secrets?: Record<string, string>;
  readonly configPath?: string;
  readonly workDir?: string;
  readonly dataRoots?: readonly string[];
}

export interface TestContext extends ConnectorContext {
  /** Log lines written so far (JSON). */
  readonly logLines: string[];
}

export function testContext(options: TestContextOptions): TestContext {
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  const secrets = options.secrets ?? {};
  const objectTypes = Object.keys((options.spec.objectTypes as Record<string, unknown> | undefined) ?? {});
  return {
    model: {
      name: options.name ?? 'test-db',
      type: options.type ?? 'sql',
      location: { file: 'connectors.yaml', line: 1, column: 1 },
      spec: options.spec,
      objectTypes,
      suspend: false,
    },
    configPath: options.configPath ?? process.cwd(),
    workDir: options.workDir ?? process.cwd(),
    ...(options.dataRoots ? { dataRoots: options.dataRoots } : {}),
    secrets: {
      resolve: (text: string) =>
        text.replace(/\{\{secret:([^}]+)\}\}/g, (_match, name: string) => {
          const value = secrets[name];
          if (value === undefined) throw new Error(`secret ${name} is not set`);
          return value;
        }),
    },
    log: pino({ level: 'debug', base: undefined }, sink),
    logLines,
  };
}
