// @ts-check
/**
 * The connector: full and delta imports in batches, idempotent exports, and a check. One file per
 * object type (json-file.js). Deletions: a full import leaves deleted objects out (the engine sweeps
 * them); a delta import returns them as `deleted` tombstones.
 */
import { ConnectorError } from 'identity-mesh/sdk';
import { readJsonFile, resolveFile, writeJsonFile } from './json-file.js';

/** @typedef {import('./index.js').JsonFileSpec} JsonFileSpec */
/** @typedef {import('identity-mesh/sdk').ImportBatch} ImportBatch */
/** @typedef {import('identity-mesh/sdk').StagedObject} StagedObject */
/** @typedef {import('identity-mesh/sdk').ExportChange} ExportChange */
/** @typedef {import('identity-mesh/sdk').ExportResult} ExportResult */
/** @typedef {import('./json-file.js').StoredObject} StoredObject */
/** @typedef {import('./json-file.js').JsonFileContent} JsonFileContent */

/**
 * @param {import('identity-mesh/sdk').PackageConnectorContext<JsonFileSpec>} context
 * @returns {import('identity-mesh/sdk').IdentityConnector}
 */
export function createJsonFileConnector(context) {
  const { name, spec } = context.model;

  /** @param {string} type */
  function settings(type) {
    const objectType = Object.hasOwn(spec.objectTypes, type) ? spec.objectTypes[type] : undefined;
    if (!objectType) throw new ConnectorError(name, 'UnknownObjectType', `object type "${type}" is not declared (declared: ${Object.keys(spec.objectTypes).join(', ')})`);
    return { file: objectType.file, key: objectType.keyAttribute ?? 'id', active: objectType.activeAttribute ?? 'active', pageSize: objectType.pageSize ?? 500 };
  }

  /** @param {string} type */
  const pathOf = (type) => resolveFile(name, settings(type).file, context.workDir, context.dataRoots ?? []);

  /** @param {string} type @param {string} externalId @param {StoredObject} stored @returns {StagedObject} */
  function staged(type, externalId, stored) {
    if (stored.deleted) return { externalId, attributes: {}, deleted: true };
    const active = stored.attributes[settings(type).active];
    return { externalId, attributes: stored.attributes, ...(typeof active === 'boolean' ? { enabled: active } : {}) };
  }

  /**
   * @param {string} type @param {[string, StoredObject][]} entries @param {{ watermark: string, complete?: true }} end
   * @returns {AsyncGenerator<ImportBatch>}
   */
  async function* batches(type, entries, end) {
    const size = settings(type).pageSize;
    for (let start = 0; start < entries.length || start === 0; start += size) {
      const objects = entries.slice(start, start + size).map(([id, stored]) => staged(type, id, stored));
      yield start + size >= entries.length ? { objects, ...end } : { objects };
    }
  }

  /** @param {string} type */
  async function* fullImport(type) {
    const content = await readJsonFile(name, await pathOf(type));
    const live = Object.entries(content.objects).filter(([, stored]) => !stored.deleted);
    yield* batches(type, live, { watermark: String(content.sequence), complete: true });
  }

  /** @param {string} type @param {string} watermark */
  async function* deltaImport(type, watermark) {
    // A watermark this connector did not write (another version's, a hand edit): read everything.
    if (!/^\d+$/.test(watermark)) return yield* fullImport(type);
    const content = await readJsonFile(name, await pathOf(type));
    const since = Number(watermark);
    // Inclusive lower bound: an object changed in the watermark's own write is read again, harmlessly.
    const changed = Object.entries(content.objects).filter(([, stored]) => stored.changed >= since).sort((a, b) => a[1].changed - b[1].changed);
    yield* batches(type, changed, { watermark: String(content.sequence) });
  }

  /**
   * Applies one change to the file's content; a result per change, failures isolated.
   * @param {string} type @param {JsonFileContent} content @param {ExportChange} change @param {number} sequence @returns {ExportResult}
   */
  function apply(type, content, change, sequence) {
    const { key, active } = settings(type);
    const failed = (/** @type {string} */ code, /** @type {string} */ message) => /** @type {ExportResult} */ ({ id: change.id, ok: false, error: { code, message: `${name}: ${message}`, retryable: false } });
    if (change.op === 'create') {
      const id = change.key ?? change.attributes[key];
      if (typeof id !== 'string' || id === '') return failed('MissingAnchor', `a created ${type} needs its key attribute "${key}"`);
      // A replayed create (the engine redoes a commit it could not record) adopts what is there.
      const attributes = { ...change.attributes, [key]: id, ...(change.enabled !== undefined ? { [active]: change.enabled } : {}) };
      content.objects[id] = { changed: sequence, attributes };
      return { id: change.id, ok: true, externalId: id };
    }
    if (change.op === 'move') return failed('NotSupported', `${type} objects have no DN to move`);
    const stored = Object.hasOwn(content.objects, change.externalId) ? content.objects[change.externalId] : undefined;
    if (change.op === 'delete') {
      if (stored && !stored.deleted) content.objects[change.externalId] = { changed: sequence, deleted: true, attributes: {} };
      return { id: change.id, ok: true }; // deleting what is gone already is done
    }
    if (!stored || stored.deleted) return failed('ObjectNotFound', `${type} "${change.externalId}" does not exist`);
    const attributes = { ...stored.attributes };
    if (change.op === 'update') {
      for (const [attribute, update] of Object.entries(change.attributes)) {
        if (attribute === key) return failed('ReadOnlyAttribute', `"${key}" is ${type}'s key and cannot change`);
        if (update.add || update.remove) {
          const current = attributes[attribute];
          /** @type {import('identity-mesh/sdk').Scalar[]} */
          const values = Array.isArray(current) ? [...current] : current === undefined ? [] : [/** @type {import('identity-mesh/sdk').Scalar} */ (current)];
          const kept = values.filter((v) => !(update.remove ?? []).includes(v));
          attributes[attribute] = [...kept, ...(update.add ?? []).filter((v) => !kept.includes(v))];
        } else if (update.to === undefined) {
          delete attributes[attribute];
        } else {
          attributes[attribute] = update.to;
        }
      }
    } else {
      attributes[active] = change.op === 'enable';
    }
    content.objects[change.externalId] = { changed: sequence, attributes };
    return { id: change.id, ok: true };
  }

  return {
    capabilities(type) {
      const { key, active } = settings(type);
      return { delta: true, export: true, addressing: 'key', keyAttribute: key, canDisable: true, inactiveMeansDeleted: false, enabledAttribute: active };
    },
    async check() {
      const started = Date.now();
      /** @type {Record<string, { count: number }>} */
      const objectTypes = {};
      try {
        for (const type of Object.keys(spec.objectTypes)) {
          const content = await readJsonFile(name, await pathOf(type));
          objectTypes[type] = { count: Object.values(content.objects).filter((o) => !o.deleted).length };
        }
      } catch (error) {
        const failure = /** @type {{ code?: string, message?: string }} */ (error);
        return { ok: false, latencyMs: Date.now() - started, objectTypes, error: { code: failure.code ?? 'CheckFailed', message: failure.message ?? String(error) } };
      }
      return { ok: true, latencyMs: Date.now() - started, objectTypes };
    },
    fullImport,
    deltaImport,
    async export(type, changes) {
      if (changes.length === 0) return [];
      const path = await pathOf(type);
      const content = await readJsonFile(name, path);
      const sequence = content.sequence + 1;
      const results = changes.map((change) => apply(type, content, change, sequence));
      content.sequence = sequence;
      await writeJsonFile(name, path, content);
      return results;
    },
    async close() {
      // Nothing held open between calls.
    },
  };
}
