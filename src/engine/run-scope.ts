/**
 * A run's scope: the connectors it covers (scoped runs). A whole-mesh run has none. A
 * source in scope is imported and its flow rules synced; the mesh objects that sync changed are then
 * planned and exported to every target, in scope or not. A target in scope is imported (drift) and all
 * its projections are planned as in a whole-mesh run. Connectors outside the scope are not opened unless
 * an object the run changed is projected to them.
 */
import type { CompiledConfig } from '../config/model.js';
import { didYouMean } from '../config/suggest.js';
import { ConfigError } from '../shared/errors.js';
import type { Queryable } from '../store/db.js';
import { changedAt } from './tables/mesh-objects.js';

export type RunScope = ReadonlySet<string>;

/** The scope for these connector names; an unknown name is a ConfigError naming the closest one. */
export function runScope(config: CompiledConfig, names: Iterable<string>): RunScope {
  const scope = new Set<string>();
  const known = [...config.connectors.keys()];
  for (const name of names) {
    if (!config.connectors.has(name)) {
      throw new ConfigError('UnknownConnector', `no connector "${name}" in this config${didYouMean(name, known)}; its connectors are ${known.join(', ')}`);
    }
    scope.add(name);
  }
  if (scope.size === 0) throw new ConfigError('UnknownConnector', 'a scoped run needs at least one connector');
  return scope;
}

/** Whether a run covers this connector (no scope: every connector). */
export function covers(scope: RunScope | undefined, connector: string): boolean {
  return scope === undefined || scope.has(connector);
}

/** The mesh objects of a type that this run's sync changed (stamped with its change number). */
export async function changedThisRun(q: Queryable, meshType: string, seq: number): Promise<string[]> {
  return changedAt(q, meshType, seq);
}
