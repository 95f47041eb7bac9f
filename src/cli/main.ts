import { closest, distance } from 'fastest-levenshtein';
import { errorMessage, ImeshError } from '../shared/errors.js';
import { redact } from '../shared/logger.js';
import { clearLine } from '../shared/terminal-line.js';
import { UsageError } from './verb.js';
import { verbs } from './verbs.js';
import { VERSION } from './version.js';

function usage(): string {
  const width = Math.max(...verbs.map(({ name }) => name.length));
  return [
    'imesh — Identity Mesh, a declarative GitOps identity-synchronization controller',
    '',
    'Usage: imesh <verb> [flags]     imesh <verb> --help     imesh version',
    '',
    'Verbs:',
    ...verbs.map(({ name, summary }) => `  ${name.padEnd(width)}  ${summary}`),
    '',
    'Common flags: --config DIR (default .), --store URL (or IMESH_STORE_URL; default .imesh/state).',
    'A running controller: --server URL (status, explain, check, reconcile; token in IMESH_API_TOKEN).',
    'Output flags (any verb): --quiet (errors only), --verbose (every event), --log-format text|json.',
    '  Logs and progress go to stderr: readable lines on a terminal (warnings and errors unless --verbose),',
    '  one JSON line per event otherwise. IMESH_LOG_LEVEL (trace|debug|info|warn|error) sets the level;',
    '  NO_COLOR turns colour off.',
    'Exit codes: 0 ok, 1 error or invalid, 2 changes pending (plan --detailed-exitcode), 3 blocked by a safety gate.',
  ].join('\n');
}

/**
 * The output flags every verb takes, wherever they appear: they set the log level and format (read
 * when the logger is first made) and are removed from the verb's arguments.
 */
function takeOutputFlags(args: readonly string[]): string[] {
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      rest.push(...args.slice(i));
      break;
    }
    if (arg === '--quiet' || arg === '-q') process.env.IMESH_LOG_LEVEL = 'error';
    else if (arg === '--verbose') process.env.IMESH_LOG_LEVEL = 'debug';
    else if (arg === '--log-format' || arg.startsWith('--log-format=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[++i];
      if (value !== 'text' && value !== 'json') throw new UsageError(`--log-format takes text or json, not "${value ?? ''}"`);
      process.env.IMESH_LOG_FORMAT = value;
    } else rest.push(arg);
  }
  return rest;
}

/** `did you mean "reconcile"?` for a near miss. */
function suggestion(word: string): string {
  const names = verbs.map((v) => v.name);
  const best = closest(word, names);
  return distance(word, best) <= Math.max(2, Math.floor(best.length / 3)) ? ` (did you mean "${best}"?)` : '';
}

export async function main(argv: readonly string[]): Promise<number> {
  const [first, ...given] = argv;
  if (first === undefined) {
    process.stderr.write(`${usage()}\n`);
    return 1;
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(usage() + '\n');
    return 0;
  }
  if (first === '--version' || first === '-v' || first === 'version') {
    process.stdout.write(`imesh ${VERSION} (node ${process.versions.node})\n`);
    return 0;
  }
  const entry = verbs.find(({ name }) => name === first);
  if (!entry) {
    process.stderr.write(`imesh: unknown verb "${first}"${suggestion(first)}; see imesh --help\n`);
    return 1;
  }
  const verb = await entry.load();
  if (given.includes('--help') || given.includes('-h')) {
    process.stdout.write(verb.help.trimEnd() + '\n');
    return 0;
  }
  try {
    return await verb.run(takeOutputFlags(given));
  } catch (error) {
    clearLine();
    if (error instanceof UsageError) {
      // One line and where to read more; the whole help would bury the mistake.
      process.stderr.write(`imesh ${entry.name}: ${error.message}; see imesh ${entry.name} --help\n`);
      return 1;
    }
    const code = error instanceof ImeshError ? ` [${error.code}]` : '';
    process.stderr.write(redact(`imesh ${entry.name}: ${errorMessage(error)}${code}\n`));
    if (process.env.IMESH_DEBUG) process.stderr.write(redact(String((error as Error).stack)) + '\n');
    return 1;
  } finally {
    clearLine();
  }
}
