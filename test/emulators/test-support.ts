/**
 * Helpers shared by the HTTP connector tests: a connector context for a spec, a secret resolver for
 * test secrets, log capture (every line the process logs), and a scripted HTTP server.
 */
import { Writable } from 'node:stream';
import type { ConnectorModel, ConnectorType } from '../../src/config/model.js';
import type { ConnectorContext, SecretResolver } from '../../src/connectors/sdk.js';
import { ConfigError } from '../../src/shared/errors.js';
import { logger, registerSecret, setLogDestination } from '../../src/shared/logger.js';
import { HttpEmulator, type EmulatorOptions, type EmulatorRequest, type EmulatorResponse } from './http-emulator.js';

/** Resolves `{{secret:NAME}}` from a map, registering every value for redaction as the real resolver does. */
export function testSecrets(values: Record<string, string>): SecretResolver {
  return {
    resolve(text: string): string {
      return text.replace(/\{\{\s*secret\s*:\s*([A-Za-z0-9_-]+)\s*\}\}/g, (_match, name: string) => {
        const value = values[name];
        if (value === undefined) throw new ConfigError('SecretMissing', `secret ${name} is not set`);
        registerSecret(value);
        return value;
      });
    },
  };
}

export function connectorContext<T extends ConnectorType>(name: string, type: T, spec: Record<string, unknown>, secrets: Record<string, string>): ConnectorContext<T> {
  // A hand-written spec stands for one the schema validated (tests also feed invalid ones on purpose).
  const model = {
    name,
    type,
    location: { file: 'connectors.yaml', line: 1, column: 1 },
    spec: { type, ...spec },
    objectTypes: Object.keys((spec.objectTypes as Record<string, unknown> | undefined) ?? {}),
    suspend: false,
  } as unknown as ConnectorModel<T>;
  return { model, configPath: '/tmp', workDir: '/tmp', secrets: testSecrets(secrets), log: logger().child({ connector: name }) };
}

/** Captures every log line written from now on (at debug level, so rate-limit lines are included). */
export function captureLogs(): { lines: string[]; text(): string } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      for (const line of String(chunk).split('\n')) if (line.trim() !== '') lines.push(line);
      callback();
    },
  });
  setLogDestination(sink, 'debug');
  return { lines, text: () => lines.join('\n') };
}

type Handler = (request: EmulatorRequest, count: number) => EmulatorResponse | Promise<EmulatorResponse>;

/** A local server whose answers a test scripts; for error cases (429, 5xx, malformed bodies, hangs). */
export class ScriptedServer extends HttpEmulator {
  private count = 0;
  constructor(private readonly handler: Handler, options: EmulatorOptions = {}, withRateHeaders = false) {
    super(options);
    this.sendsRateHeaders = withRateHeaders;
  }
  protected handle(request: EmulatorRequest): Promise<EmulatorResponse> | EmulatorResponse {
    return this.handler(request, ++this.count);
  }
  protected bucket(): string {
    return 'all';
  }
  protected throttleBody(): unknown {
    return { errorCode: 'E0000047', errorSummary: 'API call exceeded rate limit due to too many requests.' };
  }
}

export type TypedError = Error & { code: string; retryable: boolean; status?: number; retryAfterMs?: number; summary?: string };

/** The error a promise rejects with (the test fails if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<TypedError> {
  try {
    await promise;
  } catch (error) {
    return error as TypedError;
  }
  throw new Error('expected a rejection, but the promise resolved');
}
