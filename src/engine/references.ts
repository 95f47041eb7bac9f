/**
 * How member lists and reference attributes find the mesh objects they name: a source object's
 * external id or DN, through the link of the source object it names.
 */
import type { Queryable } from '../store/db.js';
import { findByIdOrDn } from './tables/connector-space-objects.js';
import { liveTypes } from './tables/mesh-objects.js';
import { linksFrom } from './tables/source-links.js';

/** Values looked up per statement. */
const SLICE = 5000;

export interface ReferencedLink {
  readonly externalId: string;
  /** Lower-cased. */
  readonly dn: string | null;
  readonly meshId: string;
  readonly meshType: string;
}

/**
 * The live mesh objects linked to objects of `connector` whose external id, or DN (case-insensitively),
 * is one of `values`. Index lookups one table at a time rather than a join on the three-column key,
 * which the planner gets badly wrong whenever one table's statistics lag behind the other's.
 */
export async function linksByIdOrDn(q: Queryable, connector: string, values: readonly string[]): Promise<ReferencedLink[]> {
  const out: ReferencedLink[] = [];
  for (let start = 0; start < values.length; start += SLICE) {
    const objects = await findByIdOrDn(q, connector, values.slice(start, start + SLICE));
    if (objects.length === 0) continue;
    const found = new Map(objects.map((o) => [`${o.objectType}\u0000${o.externalId}`, o]));
    const links = await linksFrom(q, connector, [...new Set(objects.map((o) => o.externalId))], [...new Set(objects.map((o) => o.objectType))]);
    const types = await liveTypes(q, [...new Set(links.map((link) => link.meshId))]);
    for (const link of links) {
      const object = found.get(`${link.objectType}\u0000${link.externalId}`);
      const meshType = types.get(link.meshId);
      if (object && meshType !== undefined) out.push({ externalId: object.externalId, dn: object.dn, meshId: link.meshId, meshType });
    }
  }
  return out;
}
