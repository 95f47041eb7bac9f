import { parseArgs } from 'node:util';
import { errorMessage, ImeshError } from '../shared/errors.js';
import { redact } from '../shared/logger.js';
import { UsageError, type Verb } from './verb.js';

type VerbLoader = () => Promise<Verb>;

/** Verbs load lazily so `imesh validate` never pays for the engine or a database driver. */
const verbs: ReadonlyArray<readonly [string, string, VerbLoader]> = [
  ['validate', 'Check the config repository: schema and semantic checks, no connections', async () => (await import('./validate.js')).validate],
  ['plan', 'Import, sync and compute the exports without writing to any target', async () => (await import('./plan.js')).plan],
  ['reconcile', 'Run one cycle (import, sync, export, reports), then exit', async () => (await import('./reconcile.js')).reconcile],
  ['run', 'The controller: watch Git, run on schedules, serve HTTP endpoints', async () => (await import('./run.js')).run],
  ['explain', 'Why each attribute of a mesh object has its value (provenance, losers)', async () => (await import('./explain.js')).explain],
  ['status', 'Last cycles, connectors, watermarks, pending exports', async () => (await import('./status.js')).status],
  ['check', 'Test each connector: reach, credentials, counts, latency; writes nothing', async () => (await import('./check.js')).check],
  ['quickstart', 'Run the quickstart on the embedded store (what `npm start` does)', async () => (await import('./quickstart.js')).quickstart],
];

function usage(): string {
  const width = Math.max(...verbs.map(([name]) => name.length));
  return [
    'imesh — Identity Mesh, a declarative GitOps identity-synchronization controller',
    '',
    'Usage: imesh <verb> [flags]     imesh <verb> --help',
    '',
    'Verbs:',
    ...verbs.map(([name, summary]) => `  ${name.padEnd(width)}  ${summary}`),
    '',
    'Common flags: --config DIR (default .), --store URL (or IMESH_STORE_URL; default .imesh/state).',
    'Exit codes: 0 ok, 1 error or invalid, 2 changes pending (plan --detailed-exitcode), 3 blocked by a safety gate.',
  ].join('\n');
}

export async function main(argv: readonly string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(usage() + '\n');
    return first === undefined ? 1 : 0;
  }
  if (first === '--version') {
    process.stdout.write('0.1.0\n');
    return 0;
  }
  const entry = verbs.find(([name]) => name === first);
  if (!entry) {
    process.stderr.write(`imesh: unknown verb "${first}"\n\n${usage()}\n`);
    return 1;
  }
  const verb = await entry[2]();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(verb.help.trimEnd() + '\n');
    return 0;
  }
  try {
    return await verb.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`imesh ${verb.name}: ${error.message}\n\n${verb.help.trimEnd()}\n`);
      return 1;
    }
    const code = error instanceof ImeshError ? ` [${error.code}]` : '';
    process.stderr.write(redact(`imesh ${verb.name}: ${errorMessage(error)}${code}\n`));
    if (process.env.IMESH_DEBUG) process.stderr.write(redact(String((error as Error).stack)) + '\n');
    return 1;
  }
}

/** Parses a verb's flags; unknown flags are usage errors. */
export function parseVerbArgs<T extends NonNullable<Parameters<typeof parseArgs>[0]>['options']>(
  args: readonly string[],
  options: T,
  allowPositionals = false,
): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] } {
  try {
    const parsed = parseArgs({ args: [...args], options, allowPositionals, strict: true });
    return { values: parsed.values as Record<string, string | boolean | string[] | undefined>, positionals: parsed.positionals };
  } catch (error) {
    throw new UsageError(errorMessage(error));
  }
}
