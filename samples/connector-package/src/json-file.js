// @ts-check
/**
 * One object type's JSON file: `{ "sequence": N, "objects": { KEY: { "changed": n, "deleted"?: true,
 * "attributes": {…} } } }`. Every write bumps `sequence` and stamps the objects it changed with it, so a
 * delta import reads `changed >= watermark`; deleted objects stay as tombstones so a delta sees them.
 * Files are replaced whole (written next to the target, then renamed), never half-written.
 */
import { readFile, realpath, rename, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { ConnectorError } from 'identity-mesh/sdk';

/** @typedef {{ changed: number, deleted?: boolean, attributes: Record<string, import('identity-mesh/sdk').Value> }} StoredObject */
/** @typedef {{ sequence: number, objects: Record<string, StoredObject> }} JsonFileContent */

/**
 * The file's absolute path: `file` against the working directory, and only inside it or a data root
 * (symlinks resolved), so a config cannot point the connector at arbitrary files.
 * @param {string} connector @param {string} file @param {string} workDir @param {readonly string[]} dataRoots
 */
export async function resolveFile(connector, file, workDir, dataRoots) {
  const path = resolve(workDir, file);
  const folder = await realpath(dirname(path)).catch(() => {
    throw new ConnectorError(connector, 'FileNotFound', `the folder of ${file} does not exist (${dirname(path)})`);
  });
  const roots = await Promise.all([workDir, ...dataRoots].map((root) => realpath(root).catch(() => root)));
  const within = (/** @type {string} */ root) => {
    const rel = relative(root, folder);
    return rel === '' || (!isAbsolute(rel) && rel.split(sep)[0] !== '..');
  };
  if (!roots.some(within)) {
    throw new ConnectorError(connector, 'FileOutsideRoots', `${file} lies outside the working directory and the data roots (--data-root); move it or add a data root`);
  }
  return resolve(folder, relative(dirname(path), path));
}

/** @param {string} connector @param {string} path @returns {Promise<JsonFileContent>} */
export async function readJsonFile(connector, path) {
  let text;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = /** @type {{ code?: string }} */ (error).code;
    if (code === 'ENOENT') return { sequence: 0, objects: {} }; // a target not written yet
    const retryable = code === 'EBUSY' || code === 'EAGAIN' || code === 'EMFILE';
    throw new ConnectorError(connector, code === 'EACCES' ? 'PermissionDenied' : 'FileUnreadable', `cannot read ${path} (${code ?? 'error'})`, { cause: error, retryable });
  }
  /** @type {unknown} */
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConnectorError(connector, 'FileUnreadable', `${path} is not valid JSON`, { cause: error });
  }
  const content = /** @type {Partial<JsonFileContent>} */ (parsed);
  if (typeof content?.sequence !== 'number' || content.objects === null || typeof content.objects !== 'object') {
    throw new ConnectorError(connector, 'FileUnreadable', `${path} is not a json-file connector file ({ "sequence": N, "objects": { … } })`);
  }
  return /** @type {JsonFileContent} */ (content);
}

/** @param {string} connector @param {string} path @param {JsonFileContent} content */
export async function writeJsonFile(connector, path, content) {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
    await rename(temporary, path);
  } catch (error) {
    const code = /** @type {{ code?: string }} */ (error).code;
    throw new ConnectorError(connector, code === 'EACCES' ? 'PermissionDenied' : 'WriteFailed', `cannot write ${path} (${code ?? 'error'})`, { cause: error, retryable: code === 'EBUSY' || code === 'EAGAIN' });
  }
}
