import { compileStoredFiles } from '../config/index.js';
import type { CompiledConfig } from '../config/model.js';
import { loadAppliedConfig } from '../engine/applied-config.js';
import { ImeshError } from '../shared/errors.js';
import type { Queryable } from '../store/db.js';
import { loadValidConfig } from './runtime.js';

/** The config to resolve names against: --config when given, else the last applied revision's. */
export async function configForReading(q: Queryable, configDir: string | undefined): Promise<CompiledConfig> {
  if (configDir !== undefined) return (await loadValidConfig(configDir)).config;
  const applied = await loadAppliedConfig(q);
  if (!applied) throw new ImeshError('NoAppliedRevision', 'the store has no applied revision yet: run imesh reconcile first, or pass --config');
  const { config, problems } = await compileStoredFiles(applied.configPath, [...applied.files]);
  if (!config) throw new ImeshError('StoredConfigInvalid', `the stored revision ${applied.revision} no longer compiles: ${problems[0]?.message ?? 'unknown problem'}`);
  return config;
}
