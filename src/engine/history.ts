/**
 * History: who changed a mesh object's values, when, from which source and under which config
 * revision, and what was exported to its target objects — `imesh history` and
 * GET /api/v1/objects/{type}/{key}/history.
 */
import { formatDuration } from '../config/duration.js';
import type { CompiledConfig, Value } from '../config/model.js';
import { ImeshError } from '../shared/errors.js';
import { ownValue } from '../shared/own-property.js';
import type { Queryable } from '../store/db.js';
import { findMeshObject } from './explain.js';
import { joinAttributes } from './mesh-object.js';
import { loadMeshObjects } from './tables/mesh-objects.js';
import { readExportHistory, type ExportHistoryEntry } from './tables/export-history.js';
import { readValueHistory, type ValueHistoryEntry } from './tables/value-history.js';

/** `retain` when history is off: nothing is recorded. */
export const HISTORY_OFF = '0s';

export interface History {
  readonly type: string;
  readonly id: string;
  readonly deleted: boolean;
  readonly keys: Readonly<Record<string, Value>>;
  /** Only this attribute's changes (and the exports that wrote it); null: every attribute. */
  readonly attribute: string | null;
  /** How long changes are kept (`Mesh.spec.history.retain`); `0s`: history is off. */
  readonly retain: string;
  /** Each value's changes, oldest first. */
  readonly values: readonly ValueHistoryEntry[];
  /** Each change exported to a target object of this mesh object, oldest first. */
  readonly exports: readonly ExportHistoryEntry[];
}

export async function history(q: Queryable, config: CompiledConfig, type: string, key: string, attribute?: string): Promise<History> {
  const id = await findMeshObject(q, config, type, key);
  if (attribute !== undefined && !config.mesh.objectTypes.get(type)?.attributes.has(attribute)) {
    throw new ImeshError('NotFound', `"${attribute}" is not an attribute of ${type}`);
  }
  const object = (await loadMeshObjects(q, [id], false)).get(id)!;
  const keyNames = joinAttributes(config).get(type) ?? new Set<string>();
  const keys = Object.fromEntries([...keyNames].filter((k) => ownValue(object.attributes, k) !== undefined).map((k) => [k, ownValue(object.attributes, k)!]));
  return {
    type,
    id,
    deleted: object.deleted,
    keys,
    attribute: attribute ?? null,
    retain: config.mesh.history.retainMs === 0 ? HISTORY_OFF : formatDuration(config.mesh.history.retainMs),
    values: await readValueHistory(q, id, attribute),
    exports: await readExportHistory(q, id, attribute),
  };
}
