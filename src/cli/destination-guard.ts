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

/** Connector → why it is not contacted. `q` undefined: no store, so nothing is bound. */
export async function notContacted(q: Queryable | undefined, config: CompiledConfig, options: GuardOptions): Promise<Map<string, string>> {
  const { uses, unknown } = await secretUses(config);
  if (options.trust) {
    if (!q) throw new ConfigError('Usage', '--trust-destinations records the bindings in the store: give --store URL (or IMESH_STORE_URL)');
    await recordSecretBindings(q, uses, options.revision);
    return new Map();
  }
  return unboundConnectors(uses, unknown, q ? await loadSecretBindings(q) : []);
}

/** An opener that refuses the connectors not to contact (so no code path can resolve their secrets). */
export function guardedOpener(open: ConnectorOpener, skipped: ReadonlyMap<string, string>): ConnectorOpener {
  return async (model) => {
    const reason = skipped.get(model.name);
    if (reason !== undefined) throw new ConfigError('DestinationNotBound', `${model.name}: not contacted: ${reason}`);
    return open(model);
  };
}
