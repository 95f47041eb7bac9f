/**
 * The secret-destination guard for the read-only verbs (plan, check, reconcile --dry-run): they never
 * bind, unless told to trust this config (`--trust-destinations`, for a trusted context only).
 */
import type { CompiledConfig } from '../config/model.js';
import { secretUses } from '../connectors/secret-destinations.js';
import type { ConnectorOpener } from '../engine/context.js';
import { unboundConnectors } from '../engine/destination-guard.js';
import { loadSecretBindings, recordSecretBindings } from '../engine/secret-bindings.js';
import { ConfigError } from '../shared/errors.js';
import type { Queryable } from '../store/db.js';

export interface GuardOptions {
  /** Bind this config's destinations (and skip nothing) instead of checking them. */
  readonly trust: boolean;
  readonly revision: string | null;
}

export interface Guard {
  /** Connector → why it is not contacted (listed as such; not a failure). */
  readonly skipped: ReadonlyMap<string, string>;
  /**
   * Connector → why its destination cannot be worked out (an invalid connection setting). Never opened
   * either, but a failure like any connector whose settings are wrong, so the exit code stays honest.
   */
  readonly refused: ReadonlyMap<string, string>;
}

/** `q` undefined: no store, so nothing is bound. */
export async function destinationGuard(q: Queryable | undefined, config: CompiledConfig, options: GuardOptions): Promise<Guard> {
  const { uses, unknown } = await secretUses(config);
  const refused = new Map([...unknown].map(([connector, message]) => [connector, `where it would send its secrets cannot be worked out: ${message}`]));
  if (options.trust) {
    if (!q) throw new ConfigError('Usage', '--trust-destinations records the bindings in the store: give --store URL (or IMESH_STORE_URL)');
    await recordSecretBindings(q, uses, options.revision);
    return { skipped: new Map(), refused };
  }
  return { skipped: unboundConnectors(uses, q ? await loadSecretBindings(q) : []), refused };
}

/** An opener that refuses the connectors not to contact (so no code path can resolve their secrets). */
export function guardedOpener(open: ConnectorOpener, guard: Guard): ConnectorOpener {
  return async (model) => {
    const reason = guard.skipped.get(model.name);
    if (reason !== undefined) throw new ConfigError('DestinationNotBound', `${model.name}: not contacted: ${reason}`);
    const refusal = guard.refused.get(model.name);
    if (refusal !== undefined) throw new ConfigError('DestinationUnknown', `${model.name}: ${refusal}`);
    return open(model);
  };
}
