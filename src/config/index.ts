/**
 * The config stage's public entry: read the repository (or take its files from the store), parse,
 * validate against the schemas, run the semantic checks and compile. Every problem is returned, not
 * just the first; a compiled config only when there are none.
 */
import { resolve } from 'node:path';
import { loadConnectorPackages } from '../connectors/package/installed-packages.js';
import { compileModel } from './compile.js';
import { sortDocuments } from './documents.js';
import { MAX_FILE_BYTES, MAX_DOCUMENTS_ENV, readConfigFiles, repositoryLimits, repositoryTooLarge, type ConfigFile } from './loader.js';
import type { CompiledConfig, Problem } from './model.js';
import { REPOSITORY_LOCATION, semanticProblems } from './semantic-checks.js';
import { parseYamlFile, type BrokenDocument, type ParsedDocument } from './yaml-documents.js';

export interface ConfigResult {
  readonly config?: CompiledConfig;
  readonly problems: Problem[];
  /** The files read (relative path and content): what the store keeps to recompile this revision. */
  readonly files: { path: string; content: string }[];
}

export async function loadConfig(configPath: string): Promise<ConfigResult> {
  const absolute = resolve(configPath);
  await loadConnectorPackages(absolute);
  const read = await readConfigFiles(absolute);
  // An invalid revision keeps every file it has, unreadable ones too (lossily): its content hash must
  // change when any of them does.
  const seen = [...read.files, ...read.unreadable].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  if (read.files.length === 0 && read.problems.length > 0) return { problems: sortProblems(read.problems), files: seen };
  const result = compileFiles(absolute, read.files, read.problems.length > 0);
  const problems = sortProblems([...read.problems, ...result.problems]);
  return problems.length > 0 ? { problems, files: seen } : { ...result, problems };
}

/**
 * Compiles from file contents held in memory (the store's copy of an applied revision), after loading
 * the connector packages `IMESH_CONNECTOR_PACKAGES` lists.
 */
export async function compileStoredFiles(configPath: string, files: readonly ConfigFile[]): Promise<ConfigResult> {
  await loadConnectorPackages(resolve(configPath));
  return compileFromFiles(configPath, files);
}

/**
 * Compiles from file contents held in memory. Synchronous: a config naming a connector package compiles
 * only once the package was loaded (`loadConfig`, `compileStoredFiles`).
 */
export function compileFromFiles(configPath: string, files: readonly ConfigFile[]): ConfigResult {
  return compileFiles(resolve(configPath), files, false);
}

/** `unreadable`: some file could not be read, so any document may be missing (no "no Mesh" then). */
function compileFiles(absolute: string, files: readonly ConfigFile[], unreadable: boolean): ConfigResult {
  const problems: Problem[] = [];
  const parsed: ParsedDocument[] = [];
  const broken: BrokenDocument[] = unreadable ? [{}] : [];
  const copy = files.map((f) => ({ path: f.path, content: f.content }));
  const limits = repositoryLimits();
  const total = files.reduce((sum, f) => sum + Buffer.byteLength(f.content, 'utf8'), 0);
  if (total > limits.maxBytes) return { problems: [repositoryTooLarge(total, files.length, limits.maxBytes)], files: copy };
  for (const file of files) {
    if (Buffer.byteLength(file.content, 'utf8') > MAX_FILE_BYTES) {
      problems.push({ file: file.path, line: 1, column: 1, message: `file is larger than ${MAX_FILE_BYTES / (1024 * 1024)} MiB; config files may be at most that big` });
      broken.push({});
      continue;
    }
    const result = parseYamlFile(file.path, file.content);
    problems.push(...result.problems);
    parsed.push(...result.documents);
    broken.push(...result.broken);
    if (parsed.length + broken.length > limits.maxDocuments) {
      const message = `the config repository holds more than ${limits.maxDocuments} YAML documents (the limit was passed in ${file.path}); set ${MAX_DOCUMENTS_ENV} to change the limit`;
      return { problems: [{ ...REPOSITORY_LOCATION, message }], files: copy };
    }
  }
  if (parsed.length === 0 && broken.length === 0) {
    const message =
      files.length === 0
        ? `no config files: ${absolute} holds no *.yaml or *.yml files (dot-files and dot-folders are skipped)`
        : 'no config documents: the YAML files hold no documents; a config repository needs at least a Mesh';
    return { problems: [{ ...REPOSITORY_LOCATION, message }], files: copy };
  }
  const sorted = sortDocuments(parsed, broken);
  problems.push(...sorted.problems);
  problems.push(...semanticProblems(sorted.set, { configPath: absolute }));
  // An unreadable file may have held any document (the Mesh itself): never compile without it.
  if (problems.length > 0 || unreadable) return { problems: sortProblems(problems), files: copy };
  return { config: compileModel(sorted.set, absolute, copy), problems: [], files: copy };
}

function sortProblems(problems: Problem[]): Problem[] {
  return [...problems].sort((a, b) => (a.file === b.file ? a.line - b.line || a.column - b.column : a.file < b.file ? -1 : 1));
}

export type { ConfigFile } from './loader.js';
