import { errorMessage, ImeshError } from '../shared/errors.js';
import { redact } from '../shared/logger.js';
import { UsageError } from './verb.js';
import { verbs } from './verbs.js';

function usage(): string {
  const width = Math.max(...verbs.map(({ name }) => name.length));
  return [
    'imesh — Identity Mesh, a declarative GitOps identity-synchronization controller',
    '',
    'Usage: imesh <verb> [flags]     imesh <verb> --help',
    '',
    'Verbs:',
    ...verbs.map(({ name, summary }) => `  ${name.padEnd(width)}  ${summary}`),
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
  const entry = verbs.find(({ name }) => name === first);
  if (!entry) {
    process.stderr.write(`imesh: unknown verb "${first}"\n\n${usage()}\n`);
    return 1;
  }
  const verb = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(verb.help.trimEnd() + '\n');
    return 0;
  }
  try {
    return await verb.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`imesh ${entry.name}: ${error.message}\n\n${verb.help.trimEnd()}\n`);
      return 1;
    }
    const code = error instanceof ImeshError ? ` [${error.code}]` : '';
    process.stderr.write(redact(`imesh ${entry.name}: ${errorMessage(error)}${code}\n`));
    if (process.env.IMESH_DEBUG) process.stderr.write(redact(String((error as Error).stack)) + '\n');
    return 1;
  }
}
