/**
 * `__proto__`, `constructor` and `prototype` are never names in a config repository: not as a key
 * (object types, mesh attributes, projection attributes) and not as a value that names an attribute or
 * column (`source:`, `mesh:`, `forEach:`, `…Column`). Templates refuse them when they are parsed. The
 * engine reads only own attributes anyway; this tells the author at the line that wrote the name.
 */
import { isReservedName } from '../shared/own-property.js';
import type { CheckContext } from './check-context.js';
import type { ConfigDocument } from './documents.js';
import type { PathSegment } from './positions.js';

/** Fields whose string value names an attribute or a column. */
const NAME_FIELDS: ReadonlySet<string> = new Set([
  'source',
  'mesh',
  'attribute',
  'forEach',
  'member',
  'externalIdAttribute',
  'externalIdColumn',
  'isActiveColumn',
  'softDeleteColumn',
  'watermarkColumn',
]);
/** Fields whose list items name attributes or columns. */
const NAME_LIST_FIELDS: ReadonlySet<string> = new Set(['columnsToLoad', 'multiValuedColumns', 'select']);

const WHY = '__proto__, constructor and prototype are reserved: they would reach JavaScript internals, not data';

export function checkReservedNames(ctx: CheckContext, doc: ConfigDocument): void {
  walk(ctx, doc, [], doc.value);
}

function walk(ctx: CheckContext, doc: ConfigDocument, path: PathSegment[], value: unknown): void {
  if (Array.isArray(value)) {
    const field = path[path.length - 1];
    value.forEach((item, i) => {
      if (typeof field === 'string' && NAME_LIST_FIELDS.has(field) && typeof item === 'string' && isReservedName(item)) {
        ctx.report(doc, [...path, i], `${field} names "${item}"; ${WHY}`);
      } else {
        walk(ctx, doc, [...path, i], item);
      }
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (isReservedName(key)) ctx.report(doc, [...path, key], `"${key}" cannot be a name; ${WHY}`, 'key');
      else walk(ctx, doc, [...path, key], item);
    }
  } else if (typeof value === 'string') {
    const field = path[path.length - 1];
    const parent = path[path.length - 2];
    const names = typeof field === 'string' && (NAME_FIELDS.has(field) || (field === 'group' && parent === 'membership'));
    if (names && isReservedName(value)) ctx.report(doc, path, `${field} names "${value}"; ${WHY}`);
  }
}
