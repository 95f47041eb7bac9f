/**
 * Reads the config repository: every `*.yaml`/`*.yml` below the config path, skipping dot-files and
 * dot-folders. Files over the size limit are refused without being read, and so is a repository over
 * the total limit (parsing costs about 30 times the text in memory: 100 files of 1 MB took 3 GB);
 * bytes that are not UTF-8 (a UTF-16 file included) are reported with their file, line, column and
 * byte offset.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { ConfigError } from '../shared/errors.js';
import type { Problem } from './model.js';

/** Config files larger than this are refused: no real config is this big, and a parser should never see 50 MB. */
export const MAX_FILE_BYTES = 1024 * 1024;

/** The whole repository's limits (bytes of YAML, documents); the environment can raise or lower them. */
export const DEFAULT_MAX_REPOSITORY_BYTES = 32 * 1024 * 1024;
export const DEFAULT_MAX_DOCUMENTS = 5_000;
export const MAX_REPOSITORY_BYTES_ENV = 'IMESH_CONFIG_MAX_BYTES';
export const MAX_DOCUMENTS_ENV = 'IMESH_CONFIG_MAX_DOCUMENTS';

export interface RepositoryLimits {
  readonly maxBytes: number;
  readonly maxDocuments: number;
}

/** The limits in force: the defaults, or positive whole numbers from the environment. */
export function repositoryLimits(env: NodeJS.ProcessEnv = process.env): RepositoryLimits {
  const read = (name: string, fallback: number): number => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) === 0) throw new ConfigError('ConfigLimitInvalid', `${name}="${raw}" is not a positive whole number`);
    return Number(raw);
  };
  return { maxBytes: read(MAX_REPOSITORY_BYTES_ENV, DEFAULT_MAX_REPOSITORY_BYTES), maxDocuments: read(MAX_DOCUMENTS_ENV, DEFAULT_MAX_DOCUMENTS) };
}

export interface ConfigFile {
  /** Relative to the config path, with `/` separators. */
  readonly path: string;
  readonly content: string;
}

export interface ReadResult {
  readonly files: ConfigFile[];
  readonly problems: Problem[];
  /** Files that are not UTF-8, decoded lossily: only so an invalid revision's content hash sees them. */
  readonly unreadable: ConfigFile[];
}

const CONFIG_FILE = /\.ya?ml$/i;

export async function readConfigFiles(configPath: string): Promise<ReadResult> {
  const problems: Problem[] = [];
  const files: ConfigFile[] = [];
  const unreadable: ConfigFile[] = [];
  let info;
  try {
    info = await stat(configPath);
  } catch {
    return { files, unreadable, problems: [{ file: '.', line: 1, column: 1, message: `config path ${configPath} does not exist` }] };
  }
  const limits = repositoryLimits();
  const paths = info.isDirectory() ? await listConfigFiles(configPath) : [configPath];
  const root = info.isDirectory() ? configPath : join(configPath, '..');
  const sized: { absolute: string; path: string; size: number }[] = [];
  let total = 0;
  for (const absolute of paths) {
    const path = relative(root, absolute).split(sep).join('/');
    const size = (await stat(absolute)).size;
    if (size > MAX_FILE_BYTES) {
      problems.push({ file: path, line: 1, column: 1, message: `file is ${formatBytes(size)}; config files may be at most ${formatBytes(MAX_FILE_BYTES)} (not read)` });
      continue;
    }
    total += size;
    sized.push({ absolute, path, size });
  }
  // Checked before anything is read or parsed, so a huge repository costs a directory listing.
  if (total > limits.maxBytes) return { files: [], unreadable, problems: [repositoryTooLarge(total, sized.length, limits.maxBytes)] };
  for (const { absolute, path } of sized) {
    const bytes = await readFile(absolute);
    const decoded = decodeUtf8(bytes);
    if ('error' in decoded) {
      problems.push({ file: path, ...decoded.error });
      unreadable.push({ path, content: new TextDecoder('utf-8').decode(bytes) });
      continue;
    }
    files.push({ path, content: decoded.text });
  }
  return { files, problems, unreadable };
}

export function repositoryTooLarge(total: number, files: number, limit: number): Problem {
  return {
    file: '.',
    line: 1,
    column: 1,
    message: `the config repository holds ${formatBytes(total)} of YAML in ${files} file(s); it may hold at most ${formatBytes(limit)} (set ${MAX_REPOSITORY_BYTES_ENV} to change the limit); nothing was parsed`,
  };
}

async function listConfigFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules') continue;
      out.push(...(await listConfigFiles(path)));
    } else if (CONFIG_FILE.test(entry.name) && (entry.isFile() || (entry.isSymbolicLink() && (await isFile(path))))) {
      out.push(path);
    }
  }
  return out;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Decodes UTF-8 strictly (a leading BOM is dropped); on bad bytes, the line and column of the first one. */
export function decodeUtf8(bytes: Uint8Array): { text: string } | { error: { line: number; column: number; message: string } } {
  const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
  if (utf16) {
    const mark = bytes[0] === 0xff ? 'FF FE, little-endian' : 'FE FF, big-endian';
    return { error: { line: 1, column: 1, message: `file is UTF-16 (byte-order mark ${mark} at offset 0), not UTF-8; save it as UTF-8` } };
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    const offset = firstInvalidByte(bytes);
    const before = new TextDecoder('utf-8').decode(bytes.subarray(0, offset));
    const lines = before.split('\n');
    const line = lines.length;
    const column = (lines[lines.length - 1] ?? '').length + 1;
    const byte = (bytes[offset] ?? 0).toString(16).padStart(2, '0');
    return { error: { line, column, message: `file is not valid UTF-8 (byte 0x${byte} at offset ${offset}); save it as UTF-8` } };
  }
}

/** Strict decoding of a prefix fails exactly when the prefix holds an invalid sequence, so bisect. */
function firstInvalidByte(bytes: Uint8Array): number {
  let good = 0;
  let bad = bytes.length;
  while (bad - good > 1) {
    const middle = Math.floor((good + bad) / 2);
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, middle), { stream: true });
      good = middle;
    } catch {
      bad = middle;
    }
  }
  // The failing byte may continue a sequence that began earlier (`caf\xe9.csv` fails at "."): report
  // where the broken sequence starts, the last point a prefix decodes completely.
  for (let start = bad - 1; start >= Math.max(0, bad - 4); start--) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, start));
      return start;
    } catch {
      // inside the broken sequence; step back
    }
  }
  return bad - 1;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(0)} KiB`;
  return `${bytes} bytes`;
}
