/**
 * The secret uses of a config: for each connector, every secret NAME its spec references paired with
 * every destination its type sends credentials to (its descriptor's `secretDestinations`). Pairing all of a
 * connector's secrets with all of its destinations errs on the safe side: a reference placed in a
 * setting the type does not resolve is bound like one it does.
 */
import type { CompiledConfig, ConnectorModel } from '../config/model.js';
import { secretNames } from '../config/secrets.js';
import { errorMessage } from '../shared/errors.js';
import { descriptorOf } from './registry.js';

export interface SecretDestination {
  readonly connector: string;
  readonly secret: string;
  readonly destination: string;
}

export interface SecretUses {
  readonly uses: readonly SecretDestination[];
  /** Connectors that reference secrets but whose destinations cannot be worked out (invalid spec). */
  readonly unknown: ReadonlyMap<string, string>;
}

/** The NAMEs referenced anywhere in a connector's spec. */
export function connectorSecretNames(model: ConnectorModel): string[] {
  return [...new Set(secretNames(JSON.stringify(model.spec)))];
}

export async function secretUses(config: CompiledConfig): Promise<SecretUses> {
  const uses: SecretDestination[] = [];
  const unknown = new Map<string, string>();
  for (const model of config.connectors.values()) {
    const secrets = connectorSecretNames(model);
    if (secrets.length === 0) continue;
    let destinations: readonly string[];
    try {
      destinations = await descriptorOf(model.type).secretDestinations(model, config.configPath);
    } catch (error) {
      unknown.set(model.name, errorMessage(error));
      continue;
    }
    for (const secret of secrets) for (const destination of destinations) uses.push({ connector: model.name, secret, destination });
  }
  return { uses, unknown };
}
