/** A context to open a connector package's connector in tests, as Identity Mesh opens it. */
import { pino } from 'pino';
import { ConfigError } from '../shared/errors.js';
import type { PackageConnectorContext, PackageSpec, SecretResolver } from '../connectors/sdk.js';

export interface PackageContextOptions {
  /** The Connector's name (default `conformance`). */
  readonly name?: string;
  /** Working directory; also the config path unless `configPath` is given. */
  readonly workDir: string;
  readonly configPath?: string;
  readonly dataRoots?: readonly string[];
  /** Values for `{{secret:NAME}}` references. */
  readonly secrets?: Readonly<Record<string, string>>;
}

export function packageConnectorContext<Spec extends PackageSpec>(spec: Spec, options: PackageContextOptions): PackageConnectorContext<Spec> {
  const values = options.secrets ?? {};
  const secrets: SecretResolver = {
    resolve: (text) =>
      text.replace(/\{\{\s*secret:([A-Za-z0-9_.-]+)\s*\}\}/g, (_all, name: string) => {
        const value = values[name];
        if (value === undefined) throw new ConfigError('SecretMissing', `secret "${name}" is not set in the test context`);
        return value;
      }),
  };
  return {
    model: { name: options.name ?? 'conformance', spec, objectTypes: Object.keys(spec.objectTypes) },
    configPath: options.configPath ?? options.workDir,
    workDir: options.workDir,
    dataRoots: options.dataRoots ?? [],
    secrets,
    log: pino({ level: 'silent' }),
  };
}
