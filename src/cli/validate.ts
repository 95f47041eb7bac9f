import { resolve } from 'node:path';
import { loadConfig } from '../config/index.js';
import { declaredTypeNotes } from '../config/notes.js';
import { outputFormat, parseVerbArgs, type Verb } from './verb.js';

const help = `Usage: imesh validate [--config DIR] [--format text|json]

Checks the config repository against the JSON Schemas and the semantic rules (references resolve,
templates parse, settings agree). Connects to nothing and reads no secret.

Flags:
  --config DIR      the config repository (default: .)
  --format FORMAT   text (default): one "file:line:column: message" per problem on stdout, a summary
                    on stderr, and notes (e.g. a declared object type nothing reads) on stderr as
                    "file:line:column: note: message"; json: { valid, problems: [{ file, line, column,
                    message, key? }], notes: [{ file, line, column, message }] } — notes are never
                    problems and never change the exit code

Exit codes:
  0  the config is valid
  1  the config is invalid (or the command was used wrongly)
`;

export const validate: Verb = {
  help,
  async run(args) {
    const { values } = parseVerbArgs(args, { config: { type: 'string' }, format: { type: 'string' } });
    const format = outputFormat(values.format);
    const configDir = values.config ?? '.';
    const { problems, config } = await loadConfig(resolve(configDir));
    const valid = problems.length === 0;
    const notes = config ? declaredTypeNotes(config) : [];
    if (format === 'json') {
      const list = problems.map((p) => ({ file: p.file, line: p.line, column: p.column, message: p.message, ...(p.key ? { key: p.key } : {}) }));
      process.stdout.write(JSON.stringify({ valid, problems: list, notes }, null, 2) + '\n');
    } else {
      for (const p of problems) process.stdout.write(`${p.file}:${p.line}:${p.column}: ${p.message}\n`);
      for (const n of notes) process.stderr.write(`${n.file}:${n.line}:${n.column}: note: ${n.message}\n`);
      process.stderr.write(valid ? `${configDir}: valid\n` : `${configDir}: invalid, ${problems.length} problem${problems.length === 1 ? '' : 's'}\n`);
    }
    return valid ? 0 : 1;
  },
};
