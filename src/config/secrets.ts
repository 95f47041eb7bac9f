/**
 * Secret references, `{{secret:NAME}}`: found and checked during validation (never read then), and
 * resolved at run time from `IMESH_SECRET_<NAME>` or `$IMESH_SECRETS_DIR/<NAME>`. Every resolved value
 * joins the logger's redaction list.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SecretResolver } from '../connectors/sdk.js';
import { ConfigError } from '../shared/errors.js';
import { registerSecret } from '../shared/logger.js';

const NAME = /^[A-Za-z0-9_-]+$/;
/** Anything that looks like a secret reference, well formed or not. */
const CANDIDATE = /\{\{\s*secret\s*:([^}]*)\}\}/g;
const OPENING = /\{\{\s*secret\s*:/g;

export interface SecretRefProblem {
  /** 0-based offset of the reference in the text. */
  readonly offset: number;
  readonly message: string;
}

/** The secret names referenced in `text`, in order (well-formed references only). */
export function secretNames(text: string): string[] {
  const names: string[] = [];
  for (const match of text.matchAll(CANDIDATE)) {
    const name = (match[1] ?? '').trim();
    if (NAME.test(name)) names.push(name);
  }
  return names;
}

/** Malformed references in `text`: a bad NAME or a missing `}}`. */
export function secretRefProblems(text: string): SecretRefProblem[] {
  const problems: SecretRefProblem[] = [];
  const closed = new Set<number>();
  for (const match of text.matchAll(CANDIDATE)) {
    closed.add(match.index);
    const name = (match[1] ?? '').trim();
    if (!NAME.test(name)) {
      problems.push({ offset: match.index, message: `malformed secret reference "{{secret:${name}}}": NAME may hold only letters, digits, "_" and "-"` });
    }
  }
  for (const match of text.matchAll(OPENING)) {
    if (!closed.has(match.index)) problems.push({ offset: match.index, message: 'unclosed secret reference: write "{{secret:NAME}}"' });
  }
  return problems;
}

/** The environment variable that holds a secret: `IMESH_SECRET_` + NAME upper-cased, `-` → `_`. */
export function secretEnvName(name: string): string {
  return `IMESH_SECRET_${name.toUpperCase().replace(/-/g, '_')}`;
}

export function envSecretResolver(env: NodeJS.ProcessEnv = process.env): SecretResolver {
  const cache = new Map<string, string>();
  const lookup = (name: string): string => {
    const cached = cache.get(name);
    if (cached !== undefined) return cached;
    const value = readSecret(name, env);
    registerSecret(value);
    cache.set(name, value);
    return value;
  };
  return {
    resolve(text: string): string {
      return text.replace(CANDIDATE, (whole, raw: string) => {
        const name = raw.trim();
        if (!NAME.test(name)) throw new ConfigError('SecretRefInvalid', `malformed secret reference "{{secret:${name}}}"`);
        return lookup(name);
      });
    },
  };
}

function readSecret(name: string, env: NodeJS.ProcessEnv): string {
  const variable = secretEnvName(name);
  const fromEnv = env[variable];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const dir = env.IMESH_SECRETS_DIR;
  if (dir) {
    const path = join(dir, name);
    try {
      return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new ConfigError('SecretUnreadable', `secret "${name}": cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error });
      }
    }
    throw new ConfigError('SecretMissing', `secret "${name}" is not set: looked for the environment variable ${variable} and the file ${path}`);
  }
  throw new ConfigError('SecretMissing', `secret "${name}" is not set: looked for the environment variable ${variable} and the file $IMESH_SECRETS_DIR/${name} (IMESH_SECRETS_DIR is not set)`);
}

/** `text` with each secret reference swapped for a placeholder that parsers take as a plain word. */
export interface MaskedSecretRefs {
  readonly text: string;
  /** Puts the references (never values) back into a part parsed out of `text`. */
  restore(part: string): string;
}

/**
 * Masks `{{secret:NAME}}` references so that a connection string can be parsed without resolving them:
 * where a destination is worked out, a reference inside a host or database name stays visible as
 * `{{secret:NAME}}` (and so counts as a destination of its own), and no secret value is ever read.
 */
export function maskSecretRefs(text: string): MaskedSecretRefs {
  const refs: string[] = [];
  // Lower-case letters and digits only: valid in a host name, user name and password, and unchanged by
  // the lower-casing that URL parsers apply to host names.
  const masked = text.replace(CANDIDATE, (whole) => `imeshsecretref${refs.push(whole.replace(/\s+/g, '')) - 1}x`);
  return {
    text: masked,
    restore: (part) => part.replace(/imeshsecretref(\d+)x/g, (whole, index: string) => refs[Number(index)] ?? whole),
  };
}
