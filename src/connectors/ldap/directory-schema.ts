/**
 * What the directory's own schema says about attributes (RFC 4512 §4.1.2 `attributeTypes` in the
 * subschema entry named by the root DSE's `subschemaSubentry`; AD publishes the same format in
 * CN=Aggregate,CN=Schema,…). Used to keep multi-valued attributes as arrays even when they hold one
 * value, and to read binary syntaxes as bytes instead of guessing from their contents.
 */
import { attributeOf, type LdapSession } from './ldap-session.js';

export interface AttributeInfo {
  /** The schema's spelling of the name. */
  readonly name: string;
  readonly singleValued: boolean;
  readonly binary: boolean;
}

export interface DirectorySchema {
  attribute(name: string): AttributeInfo | undefined;
}

/** Syntaxes whose values are bytes, not text (RFC 4517 §3.3, RFC 4523). */
const BINARY_SYNTAXES = new Set([
  '1.3.6.1.4.1.1466.115.121.1.4', // Audio
  '1.3.6.1.4.1.1466.115.121.1.5', // Binary
  '1.3.6.1.4.1.1466.115.121.1.8', // Certificate
  '1.3.6.1.4.1.1466.115.121.1.9', // Certificate List
  '1.3.6.1.4.1.1466.115.121.1.10', // Certificate Pair
  '1.3.6.1.4.1.1466.115.121.1.28', // JPEG
  '1.3.6.1.4.1.1466.115.121.1.40', // Octet String (AD: objectGUID, objectSid, unicodePwd …)
  '1.2.840.113556.1.4.907', // AD NT security descriptor
  '1.2.840.113556.1.4.906', // AD large integer as bytes (rare)
]);

interface Definition {
  names: string[];
  sup?: string;
  syntax?: string;
  singleValued: boolean;
}

function parseDefinition(text: string): Definition | undefined {
  const namesMatch = /\bNAME\s+(?:'([^']+)'|\(\s*((?:'[^']+'\s*)+)\))/.exec(text);
  if (!namesMatch) return undefined;
  const names = namesMatch[1] ? [namesMatch[1]] : [...(namesMatch[2] ?? '').matchAll(/'([^']+)'/g)].map((m) => m[1]!);
  const syntax = /\bSYNTAX\s+'?([0-9.]+)/.exec(text)?.[1];
  const sup = /\bSUP\s+'?([A-Za-z0-9.-]+)/.exec(text)?.[1];
  return { names, singleValued: /\bSINGLE-VALUE\b/.test(text), ...(syntax ? { syntax } : {}), ...(sup ? { sup } : {}) };
}

export function parseSchema(attributeTypes: readonly string[]): DirectorySchema {
  const byName = new Map<string, Definition>();
  for (const text of attributeTypes) {
    const def = parseDefinition(text);
    if (!def) continue;
    for (const name of def.names) byName.set(name.toLowerCase(), def);
  }
  const syntaxOf = (def: Definition, depth = 0): string | undefined => {
    if (def.syntax || !def.sup || depth > 10) return def.syntax;
    const parent = byName.get(def.sup.toLowerCase());
    return parent ? syntaxOf(parent, depth + 1) : undefined;
  };
  const cache = new Map<string, AttributeInfo | undefined>();
  return {
    attribute(name: string) {
      const key = name.toLowerCase();
      if (cache.has(key)) return cache.get(key);
      const def = byName.get(key);
      const info = def
        ? { name: def.names.find((n) => n.toLowerCase() === key) ?? name, singleValued: def.singleValued, binary: BINARY_SYNTAXES.has(syntaxOf(def) ?? '') }
        : undefined;
      cache.set(key, info);
      return info;
    },
  };
}

/** Reads the schema; an unreadable schema yields an empty one (values then keep their natural shape). */
export async function readSchema(session: LdapSession): Promise<DirectorySchema> {
  const root = await session.rootDse(['subschemaSubentry']);
  const dn = attributeOf(root, 'subschemaSubentry')?.values[0];
  if (typeof dn !== 'string') return parseSchema([]);
  const entry = await session.read(dn, ['attributeTypes'], { filter: '(objectClass=subschema)' });
  const values = attributeOf(entry, 'attributeTypes')?.values ?? [];
  return parseSchema(values.filter((v): v is string => typeof v === 'string'));
}
