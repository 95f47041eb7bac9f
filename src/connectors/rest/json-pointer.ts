/**
 * JSON Pointers (RFC 6901) as the rest connector uses them: `""` is the value itself, `/a/b` walks
 * members, `~1` is `/` and `~0` is `~`. One extension: a `*` segment stands for every element of an
 * array, so `/emails/*\/value` reads each email's value. Reading never walks into inherited properties
 * (`__proto__`, `constructor`); writing refuses them.
 */
import { isReservedName } from '../../shared/own-property.js';

export interface JsonPointer {
  /** As written. */
  readonly source: string;
  readonly segments: readonly string[];
  /** Contains a `*` segment: reads yield a list. */
  readonly many: boolean;
}

/** Parses a pointer; throws a plain Error naming the problem (the spec compiler adds the key). */
export function parsePointer(source: string): JsonPointer {
  if (source === '') return { source, segments: [], many: false };
  if (!source.startsWith('/')) throw new Error(`"${source}" is not a JSON pointer: it must be empty or start with "/"`);
  const segments = source
    .slice(1)
    .split('/')
    .map((raw) => {
      if (/~[^01]|~$/.test(raw)) throw new Error(`"${source}" is not a JSON pointer: "~" must be followed by 0 or 1`);
      return raw.replace(/~1/g, '/').replace(/~0/g, '~');
    });
  return { source, segments, many: segments.includes('*') };
}

/** The value at the pointer; a `*` segment collects every element's value (missing ones left out). */
export function readPointer(root: unknown, pointer: JsonPointer): unknown {
  return walk(root, pointer.segments, 0);
}

function walk(value: unknown, segments: readonly string[], index: number): unknown {
  if (index === segments.length) return value;
  const segment = segments[index]!;
  if (segment === '*') {
    if (!Array.isArray(value)) return undefined;
    const out: unknown[] = [];
    for (const element of value) {
      const found = walk(element, segments, index + 1);
      if (found === undefined || found === null) continue;
      if (Array.isArray(found)) out.push(...(found as unknown[]));
      else out.push(found);
    }
    return out;
  }
  if (Array.isArray(value)) {
    if (!/^(0|[1-9][0-9]*)$/.test(segment)) return undefined;
    return walk(value[Number(segment)], segments, index + 1);
  }
  if (value === null || typeof value !== 'object' || !Object.hasOwn(value, segment)) return undefined;
  return walk((value as Record<string, unknown>)[segment], segments, index + 1);
}

/**
 * Sets the value at the pointer inside `root` (an object), creating objects on the way. Numeric
 * segments write into arrays only where an array already is. Pointers with `*` or reserved names are
 * refused (the compiler rejects them for writing).
 */
export function writePointer(root: Record<string, unknown>, pointer: JsonPointer, value: unknown): void {
  if (pointer.segments.length === 0) throw new Error('the empty pointer names the whole body and cannot be written into');
  let target: Record<string, unknown> | unknown[] = root;
  pointer.segments.forEach((segment, index) => {
    if (segment === '*' || isReservedName(segment)) throw new Error(`${pointer.source}: "${segment}" cannot be written`);
    const last = index === pointer.segments.length - 1;
    const key: string | number = Array.isArray(target) && /^(0|[1-9][0-9]*)$/.test(segment) ? Number(segment) : segment;
    const holder = target as Record<string | number, unknown>;
    if (last) {
      holder[key] = value;
      return;
    }
    const next = holder[key];
    if (next !== null && typeof next === 'object') target = next as Record<string, unknown>;
    else {
      const created: Record<string, unknown> = {};
      holder[key] = created;
      target = created;
    }
  });
}

/** Whether the pointer can be written (no `*`, no reserved names, not the whole value). */
export function writablePointer(pointer: JsonPointer): boolean {
  return pointer.segments.length > 0 && pointer.segments.every((s) => s !== '*' && !isReservedName(s));
}
