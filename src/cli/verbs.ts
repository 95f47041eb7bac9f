import type { Verb } from './verb.js';

export interface VerbEntry {
  readonly name: string;
  /** One line for `imesh --help`. */
  readonly summary: string;
  /** Verbs load lazily so `imesh validate` never pays for the engine or a database driver. */
  readonly load: () => Promise<Verb>;
}

/** Every verb of `imesh`, in the order `imesh --help` lists them. */
export const verbs: readonly VerbEntry[] = [
  { name: 'validate', summary: 'Check the config repository: schema and semantic checks, no connections', load: async () => (await import('./validate.js')).validate },
  { name: 'plan', summary: 'Import, sync and compute the exports without writing to any target', load: async () => (await import('./plan.js')).plan },
  { name: 'reconcile', summary: 'Run one cycle (import, sync, export, reports), then exit', load: async () => (await import('./reconcile.js')).reconcile },
  { name: 'run', summary: 'The controller: watch Git, run on schedules, serve HTTP endpoints', load: async () => (await import('./run.js')).run },
  { name: 'explain', summary: 'Why each attribute of a mesh object has its value (provenance, losers)', load: async () => (await import('./explain.js')).explain },
  { name: 'history', summary: "Who changed a mesh object's values, when, from which source and revision", load: async () => (await import('./history.js')).history },
  { name: 'status', summary: 'Last cycles, connectors, watermarks, pending exports', load: async () => (await import('./status.js')).status },
  { name: 'check', summary: 'Test each connector: reach, credentials, counts, latency; writes nothing', load: async () => (await import('./check.js')).check },
  { name: 'convert', summary: "Convert the product documents' configurations into a config repository", load: async () => (await import('./convert.js')).convert },
  { name: 'quickstart', summary: 'Run the quickstart on the embedded store (what `npm start` does)', load: async () => (await import('./quickstart.js')).quickstart },
];
