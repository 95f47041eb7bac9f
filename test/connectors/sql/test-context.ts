/** A ConnectorContext for connector tests: a silent logger (or one that records), secrets from a map. */
import { pino } from 'pino';
import { Writable } from 'node:stream';
import type { ConnectorModel, ConnectorType } from '../../../src/config/model.js';
import type { ConnectorContext } from '../../../src/connectors/sdk.js';

export interface TestContextOptions<T extends ConnectorType> {
  readonly name?: string;
  /** Default `sql`. */
  readonly type?: T;
  readonly spec: Record<string, unknown>;
  readonly secrets?: Record<string, string>;
  readonly configPath?: string;
  readonly workDir?: string;
  readonly dataRoots?: readonly string[];
}

export interface TestContext<T extends ConnectorType = 'sql'> extends ConnectorContext<T> {
  /** Log lines written so far (JSON). */
  readonly logLines: string[];
}

export function testContext<T extends ConnectorType = 'sql'>(options: TestContextOptions<T>): TestContext<T> {
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
    // A hand-written spec stands for one the schema validated (tests also feed invalid ones on purpose).
    model: {
      name: options.name ?? 'test-db',
      type: options.type ?? 'sql',
      location: { file: 'connectors.yaml', line: 1, column: 1 },
      spec: { type: options.type ?? 'sql', ...options.spec },
      objectTypes,
      suspend: false,
    } as unknown as ConnectorModel<T>,
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
