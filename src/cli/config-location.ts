import { UsageError } from './verb.js';

/** The flags that say where the config is, shared by `imesh reconcile` and `imesh run`. */
export const configLocationFlags = {
  config: { type: 'string' },
  repo: { type: 'string' },
  branch: { type: 'string' },
  path: { type: 'string' },
} as const;

/** A config directory, or a branch and path of a Git repository. */
export type ConfigLocation = { readonly kind: 'directory'; readonly dir: string } | { readonly kind: 'repo'; readonly url: string; readonly branch: string; readonly path: string };

/** Reads `--config DIR | --repo URL [--branch B] [--path P]`; the two forms exclude each other. */
export function configLocation(values: { config?: string; repo?: string; branch?: string; path?: string }): ConfigLocation {
  if (values.repo !== undefined && values.config !== undefined) throw new UsageError('give --config DIR or --repo URL, not both');
  if (values.repo === undefined && (values.branch !== undefined || values.path !== undefined)) throw new UsageError('--branch and --path go with --repo');
  return values.repo !== undefined
    ? { kind: 'repo', url: values.repo, branch: values.branch ?? 'main', path: values.path ?? '.' }
    : { kind: 'directory', dir: values.config ?? '.' };
}
