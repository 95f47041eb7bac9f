/**
 * Reads the config repository: every `*.yaml`/`*.yml` below the config path, skipping dot-files and
 * dot-folders. Files over the size limit are refused without being read; bytes that are not UTF-8 are
 * reported with their position.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Problem } from './model.js';

/** Config files larger than this are refused: no real config is this big, and a parser should never see 50 MB. */
export const MAX_FILE_BYTES = 1024 * 1024;

export interface ConfigFile {
  /** Relative to the config path, with `/` separators. */
  readonly path: string;
  readonly content: string;
}

export interface ReadResult {
  readonly files: ConfigFile[];
  readonly problems: Problem[];
}

const CONFIG_FILE = /\.ya?ml$/i;

export async function readConfigFiles(configPath: string): Promise<ReadResult> {
  const problems: Problem[] = [];
  const files: ConfigFile[] = [];
  let info;
  try {
    info = await stat(configPath);
  } catch {
    return { files, problems: [{ file: '.', line: 1, column: 1, message: `config path ${configPath} does not exist` }] };
  }
  const paths = info.isDirectory() ? await listConfigFiles(configPath) : [configPath];
  const root = info.isDirectory() ? configPath : join(configPath, '..');
  for (const absolute of paths) {
    const path = relative(root, absolute).split(sep).join('/');
    const size = (await stat(absolute)).size;
    if (size > MAX_FILE_BYTES) {
      problems.push({ file: path, line: 1, column: 1, message: `file is ${formatBytes(size)}; config files may be at most ${formatBytes(MAX_FILE_BYTES)} (not read)` });
      continue;
    }
    const decoded = decodeUtf8(await readFile(absolute));
    if ('error' in decoded) {
      problems.push({ file: path, ...decoded.error });
      continue;
    }
    files.push({ path, content: decoded.text });
  }
  return { files, problems };
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
