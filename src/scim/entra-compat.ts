/**
 * Request shapes Microsoft Entra ID's provisioning service really sends that RFC 7643/7644 do not, and
 * how each is read. Nothing else in src/scim knows about Entra; the rest is plain RFC.
 *
 * What this relies on:
 * - Microsoft's "Known issues and resolutions with SCIM 2.0 protocol compliance of the Microsoft Entra
 *   user provisioning service"
 *   (https://learn.microsoft.com/en-us/entra/identity/app-provisioning/application-provisioning-config-problem-scim-compatibility)
 *   lists capitalised PATCH ops (`"Replace"`, `"Add"`, `"Remove"`) and booleans sent as strings
 *   (`"active": "False"`) among the provisioning service's SCIM compliance differences; how a given app
 *   behaves depends on its provisioning job and the `aadOptscim062020` flag that page describes, so both
 *   the RFC shapes and these are accepted.
 * - Microsoft's SCIM guide
 *   (https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups)
 *   shows them in its request examples ("Update User [Multi-valued properties]", "Disable User",
 *   "Update Group [Add/Remove Members]"): path-less operations whose `value` object has keys that are
 *   themselves paths (`"name.givenName"`, `emails[type eq "work"].value`), and members removed with a
 *   `value` list (`{"op":"Remove","path":"members","value":[{"value":"<id>"}]}`; an application vendor
 *   documents the same request from Entra: https://docs.acqueon.com/docs/user-unassigned-from-a-group-3).
 * - Plain RFC shapes Entra relies on, handled by the other modules: the `emails[type eq "work"].value`
 *   path (its default email mapping) in PATCH paths and filters; `GET /Groups/{id}?excludedAttributes=members`
 *   and the membership check `GET /Groups?filter=id eq "<group>" and members eq "<user>"` (Entra uses
 *   only `eq` and `and` in filters: Microsoft's guide above, and the endpoint list at
 *   https://docs.delinea.com/online-help/delinea-platform/identity-providers/entra-id/entra-id-scim-provisioning-scim-endpoints.htm);
 *   `GET /Users?filter=userName eq "<random>"` as "Test connection", answered 200 with an empty list.
 * - Other SCIM servers accept the same (for example ZITADEL matches op names case-insensitively and reads
 *   `"True"`/`"False"` for `active`, citing the compliance page above).
 */
import { entryByValuePath } from './attribute-paths.js';
import { ScimError } from './scim-error.js';
import { isKnownUrn } from './urns.js';

/** Attributes whose string values `"True"`/`"False"` Entra means as booleans. */
const BOOLEAN_KEYS = new Set(['active', 'primary']);

/** `true`, `"True"`, `"false"` … → boolean; anything else undefined. */
export function scimBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const word = value.trim().toLowerCase();
    if (word === 'true') return true;
    if (word === 'false') return false;
  }
  return undefined;
}

/**
 * A JSON value with Entra's string booleans (`active`, `primary`) turned into booleans. Objects are
 * rebuilt on a null prototype, so no key (refused already by input-guard.ts) can reach Object.prototype.
 */
export function normaliseBooleans(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normaliseBooleans);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const bool = BOOLEAN_KEYS.has(k) && typeof v === 'string' ? scimBoolean(v) : undefined;
      out[k] = bool ?? normaliseBooleans(v);
    }
    return out;
  }
  return value;
}

/** A PATCH op name, capitalised as Entra sends it or not: `add`, `replace`, `remove`, or undefined. */
export function patchOpName(op: unknown): 'add' | 'replace' | 'remove' | undefined {
  const name = typeof op === 'string' ? op.toLowerCase() : '';
  return name === 'add' || name === 'replace' || name === 'remove' ? name : undefined;
}

/**
 * `{"op":"Remove","path":"members","value":[{"value":"<id>"}]}` → one removal per listed value,
 * `members[value eq "<id>"]`, so an entry is matched by its value alone (its `display` or `$ref` may
 * differ from what was stored). Undefined when the operation is not of that shape.
 */
export function removalsByValue(path: string, value: unknown): string[] | undefined {
  if (!Array.isArray(value) || /[[.]/.test(path)) return undefined;
  return value.map((entry) => {
    const v = entry && typeof entry === 'object' ? (entry as { value?: unknown }).value : entry;
    if (typeof v !== 'string') throw new ScimError(400, `each value removed from ${path} needs a value`, 'invalidValue');
    return entryByValuePath(path, v);
  });
}

/**
 * A path-less add/replace `value` object split into its plain attributes and the keys that are paths
 * themselves (`"name.givenName"`, `emails[type eq "work"].value`, an extension attribute's full URN
 * path). A key that is exactly a schema URN is an extension object, a plain attribute.
 */
export function splitPathKeys(value: Readonly<Record<string, unknown>>): { plain: Record<string, unknown>; paths: [string, unknown][] } {
  const plain: Record<string, unknown> = {};
  const paths: [string, unknown][] = [];
  for (const [k, v] of Object.entries(value)) {
    const isPath = k.toLowerCase().startsWith('urn:') ? !isKnownUrn(k) : /[.[]/.test(k);
    if (isPath) paths.push([k, v]);
    else plain[k] = v;
  }
  return { plain, paths };
}
