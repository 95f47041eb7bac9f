/**
 * SCIM attribute paths (RFC 7644 §3.5.2 "attribute path" / "valuePath" grammar, the subset that names one
 * value). Staged attribute names are such paths, so a projection writes to the same names it reads and a
 * PATCH can target them directly:
 *
 *   userName, active, externalId                      simple attributes
 *   name.givenName                                     a sub-attribute of a complex attribute
 *   emails[type eq "work"].value                      a multi-valued attribute's entry, by its type
 *   urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber    extension attributes
 */

export interface ScimPath {
  /** Extension schema URN, when the attribute belongs to one. */
  readonly urn?: string;
  readonly attribute: string;
  /** `type eq "…"` selecting one entry of a multi-valued attribute. */
  readonly type?: string;
  readonly sub?: string;
}

const NAME = '[A-Za-z$][\\w$-]*';
const PATH = new RegExp(`^(?:(urn:[^\\s\\[\\]]+):)?(${NAME})(?:\\[type eq "((?:[^"\\\\]|\\\\.)*)"\\])?(?:\\.(${NAME}))?$`);

export function parsePath(name: string): ScimPath | undefined {
  const m = PATH.exec(name);
  if (!m) return undefined;
  return { ...(m[1] ? { urn: m[1] } : {}), attribute: m[2]!, ...(m[3] !== undefined ? { type: m[3].replace(/\\(.)/g, '$1') } : {}), ...(m[4] ? { sub: m[4] } : {}) };
}

export function formatPath(path: ScimPath): string {
  const prefix = path.urn ? `${path.urn}:` : '';
  const filter = path.type !== undefined ? `[type eq ${JSON.stringify(path.type)}]` : '';
  return `${prefix}${path.attribute}${filter}${path.sub ? `.${path.sub}` : ''}`;
}

/** The path of a multi-valued attribute's entries whose `value` is `value`: `members[value eq "<id>"]` (RFC 7644 §3.5.2.2). */
export function entryByValuePath(attribute: string, value: string): string {
  return `${attribute}[value eq ${JSON.stringify(value)}]`;
}

/** The key of `object` that names the attribute `name`: SCIM attribute names are case-insensitive (RFC 7643 §2.1). */
export function findKey(object: Readonly<Record<string, unknown>>, name: string): string | undefined {
  if (Object.hasOwn(object, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(object).find((key) => key.toLowerCase() === lower);
}

/** The value of the attribute `name` in `object`, matched case-insensitively. */
export function getAttribute(object: Readonly<Record<string, unknown>>, name: string): unknown {
  const key = findKey(object, name);
  return key === undefined ? undefined : object[key];
}
